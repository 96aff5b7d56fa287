from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Курсы"

    def ready(self):
        from easy_thumbnails.signal_handlers import generate_aliases
        from easy_thumbnails.signals import saved_file

        from courses.models import Course

        # Catalogue cards show the «card» alias, made once at upload (see volunteers.apps).
        saved_file.connect(generate_aliases, sender=Course, dispatch_uid="courses.cover_aliases")
