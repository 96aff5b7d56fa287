import re

from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.core.checks import Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models.signals import pre_migrate


def create_schema(sender, using="default", **kwargs):
    """Create the project's schema before any table is, on fresh and test databases alike.

    The connection's search_path puts DB_SCHEMA first; without the schema PostgreSQL
    would silently create every table in `public`.
    """
    schema = settings.DB_SCHEMA
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ImproperlyConfigured(f"DB_SCHEMA must be a lower-case SQL identifier, not {schema!r}.")
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {connection.ops.quote_name(schema)}")


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Основа"

    def ready(self):
        from core import checks, files, thumbnails

        pre_migrate.connect(create_schema, sender=self, dispatch_uid="core.create_schema")
        # A deleted row's files leave storage when the deletion commits (core.files).
        files.connect()
        # A new picture's thumbnails are made by a worker once its save commits (core.thumbnails).
        thumbnails.connect()
        register(checks.default_cache_is_shared, Tags.caches, deploy=True)


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site of core.admin (in INSTALLED_APPS in its place)."""

    default = False  # core's own config is CoreConfig
    default_site = "core.admin.AdminSite"
