"""System checks of the settings that `check --deploy` runs before a release."""

from django.conf import settings
from django.core import checks
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.module_loading import import_string

# Caches that one app process cannot share with the others on other machines.
PER_PROCESS_CACHES = (LocMemCache, DummyCache, FileBasedCache)


def default_cache_is_shared(app_configs=None, **kwargs):
    """Kept pages, cached content and rate-limit counts live in the default cache
    (core.cache, core.ratelimit): kept per process, a page one process retires is still
    served by the others until it expires, and each process counts limits on its own."""
    backend = import_string(settings.CACHES["default"]["BACKEND"])
    if settings.DEBUG or not settings.PAGE_CACHE_SECONDS or not issubclass(backend, PER_PROCESS_CACHES):
        return []
    return [
        checks.Warning(
            f"The default cache ({backend.__name__}) is per process, and pages are kept for "
            f"visitors (PAGE_CACHE_SECONDS={settings.PAGE_CACHE_SECONDS}).",
            hint="Set REDIS_URL so that every app process shares one cache; otherwise content "
            "changed through one process stays on the pages the others keep.",
            id="core.W001",
        )
    ]
