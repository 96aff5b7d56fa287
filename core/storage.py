import re
import secrets
from functools import lru_cache
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from whitenoise.storage import CompressedManifestStaticFilesStorage

# What a file name may not hold on any system people download to: separators, control
# characters and the few that Windows refuses.
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


PRIVATE_STORAGE_ALIAS = "private"


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """The static files in production (DEBUG off): whitenoise's, each file's address worked
    out once per process — the manifest is read when the process starts and never changes
    under it. `{% static %}` cost 85 Python calls, 43 of them the address (50 now); every
    page's header has four (sys.setprofile, this storage on collected files, 7 December 2026)."""

    @lru_cache(maxsize=1024)  # noqa: B019 — one storage per process, which lives as long as it
    def url(self, name, force=False):
        return super().url(name, force)


@deconstructible
class PrivateStorage:
    """Files that have no public URL (message attachments, project documents, photos of
    people, certificates), served only by views that check who asks (core.views): the
    storage settings.STORAGES["private"] names — a folder of this server
    (PrivateFileSystemStorage) or a bucket of object storage (core.s3.PrivateS3Storage).

    Fields and migrations name this class with no arguments; it looks the storage up at
    each use, so a migration stays the same whatever the environment, and a test that
    changes STORAGES (Django then empties its `storages`) is heard at once. It is not a
    LazyObject like Django's default_storage, which caches what it wraps: the migration
    writer would write the wrapped backend into a new migration, and easy-thumbnails would
    file the thumbnails under the backend's class rather than this one."""

    def __getattr__(self, name):
        if name.startswith("__"):  # copy, pickle and the like ask the object itself
            raise AttributeError(name)
        return getattr(storages[PRIVATE_STORAGE_ALIAS], name)


class PrivateFiles:
    """What private storages share, whatever the backend: no URL, names kept as uploaded."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks permissions.")

    def get_valid_name(self, name):
        """The name as it was uploaded («Справка о прививках (2).pdf»), which is what it
        downloads as, but for characters no file name may hold; Django's own rule would
        make it «Справка_о_прививках_2.pdf»."""
        return UNSAFE_IN_NAME.sub("_", name).strip().lstrip(".") or "file"


class PrivateFileSystemStorage(PrivateFiles, FileSystemStorage):
    """Private files in PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT. The location is read at
    each use, so tests may point it elsewhere."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT.resolve())


@deconstructible
class OwnFolder:
    """`upload_to` for files downloaded under the name they were uploaded with: each in a
    folder of its own, `<prefix>/<year>/<random>/<name>`, so that a second «паспорт.pdf»
    does not become «паспорт_k3J9aB2.pdf»."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        return f"{self.prefix}/{timezone.now():%Y}/{secrets.token_urlsafe(8)}/{filename}"

    def __eq__(self, other):
        return isinstance(other, OwnFolder) and other.prefix == self.prefix


@deconstructible
class RandomName:
    """`upload_to` for files whose name should tell nothing (photos of people):
    `<prefix>/<year>/<random>.<extension>`."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        return f"{self.prefix}/{timezone.now():%Y}/{secrets.token_urlsafe(12)}{PurePosixPath(filename).suffix.lower()}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.prefix == self.prefix
