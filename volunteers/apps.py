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
        # Avatars are made by a worker once a photo's upload commits, by any path (page,
        # admin, shell): core.thumbnails.
        post_migrate.connect(restore_levels, sender=self, dispatch_uid="volunteers.restore_levels")
