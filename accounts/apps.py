import axes.apps
from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Пользователи и роли"

    def ready(self):
        from accounts.roles import sync_role_permissions

        # After every migrate (and after the test runner's flushes): permissions of
        # models added since are granted to the roles that should hold them.
        post_migrate.connect(sync_role_permissions, dispatch_uid="accounts.sync_role_permissions")


class LoginLockoutsConfig(axes.apps.AppConfig):
    """django-axes (INSTALLED_APPS), under a Russian name in the admin."""

    default = False  # not the configuration of `accounts`
    verbose_name = "Блокировки входа"
