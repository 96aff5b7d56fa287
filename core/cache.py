from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save


class SeldomChanging:
    """A value read from tables that seldom change — a filter's choices, say — kept in the
    cache for `seconds` and forgotten as soon as a row of one of `models` is saved or
    deleted in this process (again when that commits, in case a request read the old rows
    in between), or the tables are flushed. The default cache is per process: another
    process learns of a change when its copy expires, so keep `seconds` short.
    Call `connect()` from the app's ready()."""

    def __init__(self, key: str, build: Callable[[], object], *, models: tuple, seconds: int = 60):
        self.key, self.build, self.models, self.seconds = key, build, models, seconds

    def get(self):
        value = cache.get(self.key)
        if value is None:
            value = self.build()
            cache.set(self.key, value, self.seconds)
        return value

    def forget(self, *, using: str | None = None, **kwargs) -> None:
        cache.delete(self.key)
        transaction.on_commit(lambda: cache.delete(self.key), using=using)

    def connect(self) -> None:
        for model in self.models:
            for signal in (post_save, post_delete):
                signal.connect(self.forget, sender=model, weak=False, dispatch_uid=f"{self.key}.{model._meta.label}")
        # A flush (tests that commit) empties the tables without post_delete; post_migrate follows.
        post_migrate.connect(self.forget, weak=False, dispatch_uid=f"{self.key}.migrate")
