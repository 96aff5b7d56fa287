# Abstract base models shared by the domain apps live here. The module must exist even
# while it is empty: Django sends pre_migrate (which creates the schema) only to apps
# that have a models module.
