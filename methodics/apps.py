from django.apps import AppConfig


class MethodicsConfig(AppConfig):
    name = "methodics"
    verbose_name = "Методики"

    def ready(self):
        from easy_thumbnails.signal_handlers import generate_aliases
        from easy_thumbnails.signals import saved_file

        from methodics.models import Methodic, MethodicStep

        # Thumbnails are made once at upload; pages only compute their URLs (core's alias_url).
        saved_file.connect(generate_aliases, sender=Methodic, dispatch_uid="methodics.cover_aliases")
        saved_file.connect(generate_aliases, sender=MethodicStep, dispatch_uid="methodics.step_aliases")
