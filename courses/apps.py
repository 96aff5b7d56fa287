from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Курсы"

    # Covers' «card» thumbnails are made by a worker after the upload (core.thumbnails).
