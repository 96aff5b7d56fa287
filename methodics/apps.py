from django.apps import AppConfig


class MethodicsConfig(AppConfig):
    name = "methodics"
    verbose_name = "Методики"
