from django.apps import AppConfig


class MethodicsConfig(AppConfig):
    name = "methodics"
    verbose_name = "Методики"

    # Covers' and steps' thumbnails are made by a worker after the upload (core.thumbnails).
