"""core.uploads: a file is stored only when its name and its content agree on a type the
field accepts; images are drawn anew before they are stored."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image

from core.testing import image_bytes, jpeg_with_gps_bytes
from core.uploads import KINDS, detect_format, inspect, prepared

SCRIPT = b"<script>document.title='owned'</script>"
GIF_POLYGLOT = b"GIF89a" + SCRIPT
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def upload(name: str, content: bytes) -> ContentFile:
    return ContentFile(content, name=name)


def zipped(*names: str) -> bytes:
    """A zip container holding these parts; «mimetype=…» gives an OpenDocument's type."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            name, _sep, data = name.partition("=")
            archive.writestr(name, data or "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lesson.html", GIF_POLYGLOT),
        ("lesson.htm", PDF + SCRIPT),
        ("drawing.svg", SVG),
        ("page.xhtml", SVG),
        ("feed.xml", b"<?xml version='1.0'?>" + SVG),
        ("app.js", b"alert(1)"),
    ],
)
def test_active_types_are_refused_by_every_kind_whatever_their_first_bytes(kind, name, content):
    with pytest.raises(ValidationError) as error:
        inspect(upload(name, content), kind)
    assert error.value.code == "active_type"
    assert "нельзя" in error.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("photo.png", image_bytes(image_format="JPEG"), "image"),  # a JPEG is not a .png
        ("photo.png", PDF, "image"),
        ("plan.pdf", image_bytes(), "presentation"),
        ("notes.txt", PDF, "document"),
        ("notes.txt", b"  <html><body onload=alert(1)>", "document"),  # markup is not text
        ("table.csv", b"\x00\x01binary", "document"),
        ("report.docx", zipped("xl/workbook.xml"), "document"),  # a workbook named .docx
        ("report.docx", b"PK\x03\x04not really a zip", "document"),
        ("slides.ppt", zipped("ppt/presentation.xml"), "presentation"),  # a .pptx named .ppt
    ],
)
def test_content_must_agree_with_the_extension(name, content, kind):
    with pytest.raises(ValidationError) as error:
        inspect(upload(name, content), kind)
    assert error.value.code == "wrong_content"


@pytest.mark.parametrize(
    ("name", "kind"),
    [("photo.png", "presentation"), ("plan.pdf", "image"), ("film.mp4", "image"), ("notes.txt", "presentation")],
)
def test_an_extension_off_the_kinds_list_is_refused(name, kind):
    with pytest.raises(ValidationError) as error:
        inspect(upload(name, image_bytes()), kind)
    assert error.value.code == "wrong_extension"


@pytest.mark.parametrize(
    ("name", "content", "kind", "fmt"),
    [
        ("photo.PNG", image_bytes(), "image", "png"),
        ("photo.jpeg", image_bytes(image_format="JPEG"), "image", "jpeg"),
        ("plan.pdf", PDF + b"<html>" + SCRIPT, "presentation", "pdf"),  # harmless: stored and served as a PDF
        ("slides.pptx", zipped("ppt/presentation.xml"), "presentation", "pptx"),
        ("report.docx", zipped("word/document.xml"), "document", "docx"),
        ("table.ods", zipped("mimetype=application/vnd.oasis.opendocument.spreadsheet"), "document", "ods"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "document", "ole"),
        ("regions.csv", "код;регион\n1;Адыгея\n".encode("cp1251"), "document", "text"),
        ("song.m4a", b"\x00\x00\x00\x20ftypM4A " + bytes(4), "audio", "mp4"),
        ("clip.webm", b"\x1a\x45\xdf\xa3" + bytes(12), "video", "webm"),
    ],
)
def test_real_files_are_accepted(name, content, kind, fmt):
    assert inspect(upload(name, content), kind).name == fmt
    assert detect_format(upload("any", content)) == fmt


def test_a_gif_polyglot_with_a_gif_name_is_not_a_picture():
    with pytest.raises(ValidationError) as error:
        inspect(upload("lesson.gif", GIF_POLYGLOT), "image")
    assert error.value.code == "broken_image"


def test_a_picture_of_too_many_pixels_is_refused_before_it_is_decoded(settings):
    settings.UPLOAD_MAX_PIXELS = 10_000
    inspect(upload("ok.png", image_bytes(size=(100, 100))), "image")
    with pytest.raises(ValidationError) as error:
        inspect(upload("big.png", image_bytes(size=(101, 100))), "image")
    assert error.value.code == "too_many_pixels"
    assert "101 × 100" in error.value.messages[0]


def test_a_stored_picture_is_drawn_anew_without_metadata_or_what_rode_along():
    name, content = prepared(upload("photo.jpeg", jpeg_with_gps_bytes()), "image")
    assert name == "photo.jpeg"
    with Image.open(content) as picture:
        assert picture.format == "JPEG"
        assert picture.size == (16, 8)
        assert not picture.getexif()
    _name, content = prepared(upload("cover.png", image_bytes() + SCRIPT), "image")
    assert SCRIPT not in content.read()


def test_a_photo_is_turned_upright_by_its_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(buffer, format="JPEG", exif=exif)
    _name, content = prepared(upload("phone.jpg", buffer.getvalue()), "image")
    with Image.open(content) as picture:
        assert picture.size == (20, 40)


def test_an_animation_keeps_its_frames():
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "green", "blue")]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    _name, content = prepared(upload("loader.gif", buffer.getvalue()), "image")
    with Image.open(content) as picture:
        assert picture.n_frames == 3


def test_other_files_are_stored_as_they_came():
    original = upload("plan.pdf", PDF)
    assert prepared(original, "presentation") == ("plan.pdf", original)
