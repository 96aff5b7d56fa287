from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project's composing app: settings, URLs, the pages that gather from several
    apps (home, site search) and `seed_demo`."""

    name = "config"
    verbose_name = "Волна"
