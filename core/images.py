"""Pictures for the PDF and DOCX exports: read once, as JPEG or PNG bytes with their size."""

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PillowImage
from PIL import UnidentifiedImageError

PASS_THROUGH_IMAGES = {"JPEG", "PNG"}
SCREEN_DPI = 96  # images carry pixels; at this density a 96 px wide picture is one inch


@dataclass(frozen=True)
class Picture:
    data: bytes
    width_px: int
    height_px: int


def load_picture(path: Path | None) -> Picture | None:
    """The image as JPEG or PNG bytes with its size; None when there is none or it
    cannot be read (a missing file does not stop the export)."""
    if path is None:
        return None
    try:
        with PillowImage.open(path) as picture:
            width, height = picture.size
            if picture.format in PASS_THROUGH_IMAGES:
                return Picture(Path(path).read_bytes(), width, height)
            picture.seek(0)  # a GIF or WebP: its first frame, as PNG
            buffer = io.BytesIO()
            picture.convert("RGBA").save(buffer, format="PNG")
            return Picture(buffer.getvalue(), width, height)
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def fitted_size(picture: Picture, max_width: float, max_height: float) -> tuple[float, float]:
    """Natural size in points (at SCREEN_DPI) scaled down to fit; small pictures are not
    blown up."""
    width = picture.width_px * 72 / SCREEN_DPI
    height = picture.height_px * 72 / SCREEN_DPI
    scale = min(1.0, max_width / width, max_height / height)
    return width * scale, height * scale
