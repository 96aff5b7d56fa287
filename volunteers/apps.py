from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_levels(sender, **kwargs):
    """`flush` (an operator's, or the test runner's after a transactional test) empties
    every table; the levels are reference data that must always exist."""
    from volunteers.levels import ensure_levels
    from volunteers.models import Level

    ensure_levels(Level)


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "Волонтёры"

    def ready(self):
        from easy_thumbnails.signal_handlers import generate_aliases
        from easy_thumbnails.signals import saved_file

        from volunteers.models import Volunteer

        # Avatars are made once, when a photo is uploaded (by any path: page, admin,
        # shell), so pages only compute their URLs (core's `alias_url` filter).
        saved_file.connect(generate_aliases, sender=Volunteer, dispatch_uid="volunteers.photo_aliases")
        post_migrate.connect(restore_levels, sender=self, dispatch_uid="volunteers.restore_levels")
