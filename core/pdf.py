"""Building blocks for the PDFs the apps render with reportlab: the bundled Cyrillic font
(DejaVu Sans, licence in core/fonts/LICENSE-DejaVu.txt), registered once per process."""

import functools
import io
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from core.images import fitted_size, load_picture

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@functools.cache
def register_fonts() -> tuple[str, str]:
    """Parse the TrueType files once per process (the costly part) and return the names
    (regular, bold) to use with setFont."""
    pdfmetrics.registerFont(TTFont(REGULAR, FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
    return REGULAR, BOLD


def landscape_sheet(buffer, *, title: str):
    """An A4 landscape document for a wide table (an attendance sheet, a class's results):
    12 mm margins, 16 mm below for the footer, the title in the file's properties, and the
    bundled font from the first page on (reportlab would start each page in Helvetica)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    regular, _bold = register_fonts()
    return SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="",
        creator="",
        initialFontName=regular,
    )


def picture_flowable(source, max_width: float, max_height: float):
    """A left-aligned platypus Image of the picture (core.images.load_picture's `source`),
    fitted; None if unreadable."""
    from reportlab.platypus import Image

    picture = load_picture(source)
    if picture is None:
        return None
    width, height = fitted_size(picture, max_width, max_height)
    flowable = Image(io.BytesIO(picture.data), width=width, height=height)
    flowable.hAlign = "LEFT"
    return flowable
