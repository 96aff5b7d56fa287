import re
import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# What a file name may not hold on any system people download to: separators, control
# characters and the few that Windows refuses.
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Files that have no public URL (message attachments, certificates): they live
    outside MEDIA_ROOT, in PRIVATE_MEDIA_ROOT, and are served only by views that check
    who asks. The location is read at each use, so tests may point it elsewhere."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT.resolve())

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks permissions.")

    def get_valid_name(self, name):
        """The name as it was uploaded («Справка о прививках (2).pdf»), which is what it
        downloads as, but for characters no file name may hold; Django's own rule would
        make it «Справка_о_прививках_2.pdf»."""
        return UNSAFE_IN_NAME.sub("_", name).strip().lstrip(".") or "file"


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
