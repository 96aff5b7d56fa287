"""Building blocks for the Word (DOCX) exports: the house font and heading styles."""

import io

from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from core.images import load_picture

# DOCX files do not embed fonts: Word uses this family where it is installed and
# substitutes another elsewhere (the PDF exports embed it).
FONT_NAME = "DejaVu Sans"
BRAND = RGBColor(0x0B, 0x5C, 0xAD)
INK = RGBColor(0x1B, 0x24, 0x30)


def use_font(element) -> None:
    """Name FONT_NAME for every script on a run-properties element, dropping the theme
    fonts, which Word would prefer over an explicit name."""
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = element.makeelement(qn("w:rFonts"), {})
        element.insert(0, fonts)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT_NAME)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def apply_house_style(word) -> None:
    """The document's default font, body size and heading colours."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if run_defaults is not None and run_defaults.find(qn("w:rPr")) is not None:
        use_font(run_defaults.find(qn("w:rPr")))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = word.styles[name]
        style.font.name = FONT_NAME
        use_font(style.element.get_or_add_rPr())
    word.styles["Normal"].font.size = Pt(11)
    word.styles["Title"].font.color.rgb = INK
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        word.styles[name].font.color.rgb = BRAND


def add_picture(word, source, width_emu: int) -> None:
    """The picture (core.images.load_picture's `source`) as its own paragraph, no wider
    than `width_emu`; nothing if it cannot be read."""
    picture = load_picture(source)
    if picture is None:
        return
    shape = word.add_picture(io.BytesIO(picture.data))
    if shape.width > width_emu:
        shape.height = int(shape.height * width_emu / shape.width)
        shape.width = width_emu
