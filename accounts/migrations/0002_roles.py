"""The four site-wide roles of spec 001, present in every database.

Their permissions are granted by accounts.roles.sync_role_permissions after migrate,
once every app's permissions exist.
"""

from django.db import migrations

ROLES = ("Главный администратор", "Администратор", "Преподаватель", "Волонтёр")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
