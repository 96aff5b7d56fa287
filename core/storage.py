from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


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
