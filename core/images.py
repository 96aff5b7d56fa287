"""Pictures for the PDF and DOCX exports: read once, as JPEG or PNG bytes with their size."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db.models.fields.files import FieldFile
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError

PASS_THROUGH_IMAGES = {"JPEG", "PNG"}
SCREEN_DPI = 96  # images carry pixels; at this density a 96 px wide picture is one inch


@dataclass(frozen=True)
class Picture:
    data: bytes
    width_px: int
    height_px: int


def load_picture(source: Picture | FieldFile | Path | None) -> Picture | None:
    """The image as JPEG or PNG bytes with its size; None when there is none or it
    cannot be read (a missing file does not stop the export). `source`: a stored file (an
    image field's value, read through its storage: a folder of this server or object
    storage alike), a path on this machine, or a Picture already read."""
    if source is None or isinstance(source, Picture):
        return source
    try:
        data = _read(source)
        if data is None:
            return None
        with PillowImage.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if picture.format in PASS_THROUGH_IMAGES:
                return Picture(data, width, height)
            picture.seek(0)  # a GIF or WebP: its first frame, as PNG
            buffer = io.BytesIO()
            picture.convert("RGBA").save(buffer, format="PNG")
            return Picture(buffer.getvalue(), width, height)
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def _read(source: FieldFile | Path) -> bytes | None:
    if isinstance(source, FieldFile):
        if not source:
            return None
        with source.storage.open(source.name, "rb") as file:
            return file.read()
    return Path(source).read_bytes()


def picture_reader() -> Callable[[FieldFile], Picture | None]:
    """load_picture for stored files, each read once however often a document shows it
    (a task repeated in every version of a variant, a picture tasks share)."""
    read: dict[tuple[int, str], Picture | None] = {}

    def picture(fieldfile: FieldFile) -> Picture | None:
        if not fieldfile:
            return None
        key = (id(fieldfile.storage), fieldfile.name)
        if key not in read:
            read[key] = load_picture(fieldfile)
        return read[key]

    return picture


def fitted_size(picture: Picture, max_width: float, max_height: float) -> tuple[float, float]:
    """Natural size in points (at SCREEN_DPI) scaled down to fit; small pictures are not
    blown up."""
    width = picture.width_px * 72 / SCREEN_DPI
    height = picture.height_px * 72 / SCREEN_DPI
    scale = min(1.0, max_width / width, max_height / height)
    return width * scale, height * scale
