"""Pictures made in memory for tests: real images, as Pillow and the upload checks want."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_bytes(size=(8, 8), colour="teal", image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format)
    return buffer.getvalue()


def png_upload(name="рисунок.png", size=(8, 8), colour="teal") -> SimpleUploadedFile:
    """A PNG as a browser uploads it."""
    return SimpleUploadedFile(name, image_bytes(size, colour), content_type="image/png")
