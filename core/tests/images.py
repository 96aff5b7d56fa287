"""Pictures made in memory for tests (real images, as Pillow and the upload checks want),
and the thumbnails made of stored ones."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from easy_thumbnails.files import get_thumbnailer
from PIL import Image


def image_bytes(size=(8, 8), colour="teal", image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format)
    return buffer.getvalue()


def png_upload(name="рисунок.png", size=(8, 8), colour="teal") -> SimpleUploadedFile:
    """A PNG as a browser uploads it."""
    return SimpleUploadedFile(name, image_bytes(size, colour), content_type="image/png")


def thumbnail_names(fieldfile) -> list[str]:
    """The names of the thumbnails easy-thumbnails made of an image field's file."""
    source = get_thumbnailer(fieldfile).get_source_cache()
    return [thumbnail.name for thumbnail in source.thumbnails.all()] if source else []
