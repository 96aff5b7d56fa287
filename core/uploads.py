"""Uploaded files: checked by their name and their content together, and made harmless
before they are stored.

Every file field of the site is a `core.fields` upload field of a kind (KINDS: the
extensions it accepts). A file is accepted only when its extension is on the kind's list
AND its content is of a format that extension names: a «lesson.html» that starts with
`GIF89a` is refused, and so is a «photo.png» that is a PDF. Active types — HTML, SVG,
XML, scripts — are on no list, and content that looks like markup is refused as text.
Before it is stored a file gets its format's extension, and an image is re-encoded by
Pillow (`prepared`): a polyglot loses whatever rode along, EXIF (the GPS position of a
child's photo) is dropped, and a picture of more than UPLOAD_MAX_PIXELS pixels is refused
before it is decoded.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError


@dataclass(frozen=True)
class Format:
    name: str
    extensions: tuple[str, ...]  # the first is the one a stored file gets, unless it has another of these
    pillow: str = ""  # the Pillow format of an image, which is re-encoded

    @property
    def is_image(self) -> bool:
        return bool(self.pillow)


FORMATS = {
    fmt.name: fmt
    for fmt in (
        Format("jpeg", ("jpg", "jpeg"), pillow="JPEG"),
        Format("png", ("png",), pillow="PNG"),
        Format("gif", ("gif",), pillow="GIF"),
        Format("webp", ("webp",), pillow="WEBP"),
        Format("pdf", ("pdf",)),
        Format("docx", ("docx",)),
        Format("xlsx", ("xlsx",)),
        Format("pptx", ("pptx",)),
        Format("odt", ("odt",)),
        Format("ods", ("ods",)),
        Format("odp", ("odp",)),
        # Office 97–2003 documents share one container; its streams would tell them apart.
        Format("ole", ("doc", "xls", "ppt")),
        Format("mp3", ("mp3",)),
        Format("ogg", ("ogg", "oga", "ogv")),
        Format("wav", ("wav",)),
        # MP4 video and M4A audio are the same ISO media container.
        Format("mp4", ("mp4", "m4a", "m4v")),
        Format("webm", ("webm",)),
        Format("text", ("txt", "csv")),
    )
}

IMAGE = ("jpg", "jpeg", "png", "gif", "webp")
AUDIO = ("mp3", "ogg", "oga", "wav", "m4a")
VIDEO = ("mp4", "webm", "ogv", "m4v")
PRESENTATION = ("pdf", "pptx", "ppt", "odp")
KINDS = {
    "image": IMAGE,
    "audio": AUDIO,
    "video": VIDEO,
    "media": IMAGE + AUDIO + VIDEO,  # a methodic's media file; its own kind narrows it (MethodicMedia.clean)
    "presentation": PRESENTATION,
    "document": (
        "pdf",
        "doc",
        "docx",
        "odt",
        "xls",
        "xlsx",
        "ods",
        "pptx",
        "ppt",
        "odp",
        "txt",
        "csv",
        "jpg",
        "jpeg",
        "png",
    ),
}

# Named in the refusal, though no kind accepts them: a browser runs them as a page of ours.
ACTIVE_EXTENSIONS = frozenset(
    [
        "html",
        "htm",
        "xhtml",
        "xht",
        "shtml",
        "mht",
        "mhtml",
        "svg",
        "svgz",
        "xml",
        "xsl",
        "xslt",
        "js",
        "mjs",
        "css",
        "swf",
        "hta",
        "php",
        "jsp",
        "asp",
        "aspx",
    ]
)

KIND_MESSAGES = {
    "image": _("Это не изображение: подходят JPEG, PNG, GIF и WebP."),
    "audio": _("Это не аудиофайл: подходят MP3, OGG, WAV и M4A."),
    "video": _("Это не видеофайл: подходят MP4, WebM и OGV."),
    "media": _(
        "Такой файл не подойдёт: можно изображения (JPEG, PNG, GIF, WebP), аудио (MP3, OGG, WAV, M4A) "
        "и видео (MP4, WebM, OGV)."
    ),
    "presentation": _("Это не презентация: подходят PDF, PPTX, PPT и ODP."),
    "document": _(
        "Такой файл не подойдёт: можно PDF, документы Word и OpenDocument, таблицы, презентации, TXT, CSV "
        "и картинки JPEG и PNG."
    ),
}

HEAD_BYTES = 16
TEXT_SAMPLE_BYTES = 64 * 1024
TEXT_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}
JPEG_QUALITY = 90

# The first bytes of each binary format; zip containers are looked into (_zip_format).
SIGNATURES = (
    ("jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ("webp", lambda head: head.startswith(b"RIFF") and head[8:12] == b"WEBP"),
    ("wav", lambda head: head.startswith(b"RIFF") and head[8:12] == b"WAVE"),
    ("pdf", lambda head: head.startswith(b"%PDF-")),
    ("ole", lambda head: head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
    ("mp3", lambda head: head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ("ogg", lambda head: head.startswith(b"OggS")),
    ("mp4", lambda head: head[4:8] == b"ftyp"),
    ("webm", lambda head: head.startswith(b"\x1a\x45\xdf\xa3")),
)
OOXML_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx"))
ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def extension(name: str) -> str:
    return PurePosixPath(name or "").suffix.lower().lstrip(".")


def _read(file, size: int) -> bytes:
    file.seek(0)
    data = file.read(size)
    file.seek(0)
    return data


def _zip_format(file) -> str | None:
    """An Office Open XML or OpenDocument file, told by the parts it holds."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            found = next((fmt for part, fmt in OOXML_PARTS if part in names), None)
            if found is None and "mimetype" in names:
                found = ODF_TYPES.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        found = None
    file.seek(0)
    return found


def _looks_like_text(sample: bytes) -> bool:
    """Text (UTF-8, or Windows-1251 as Excel saves CSV) that no browser would take for markup."""
    if any(byte in TEXT_CONTROL for byte in sample):
        return False
    return not sample.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def detect_format(file) -> str | None:
    """The format of the file by its content (see FORMATS), or None if it is none we accept."""
    head = _read(file, HEAD_BYTES)
    found = next((name for name, matches in SIGNATURES if matches(head)), None)
    if found is None and head.startswith(b"PK\x03\x04"):
        found = _zip_format(file)
    if found is None and head and _looks_like_text(_read(file, TEXT_SAMPLE_BYTES)):
        found = "text"
    return found


def _check_pixels(picture: Image.Image) -> None:
    width, height = picture.size
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise ValidationError(
            _("Изображение слишком большое: %(width)s × %(height)s точек, можно не больше %(limit)s млн точек."),
            code="too_many_pixels",
            params={"width": width, "height": height, "limit": f"{settings.UPLOAD_MAX_PIXELS / 1_000_000:g}"},
        )


def inspect(file, kind: str) -> Format:
    """The file's format, when the file may be stored as a file of `kind`; a ValidationError
    in Russian otherwise. `file.name` is the name it was uploaded with."""
    ext = extension(file.name)
    if ext in ACTIVE_EXTENSIONS:
        raise ValidationError(
            _("Файлы .%(extension)s загружать нельзя: браузер выполнил бы их как страницу сайта."),
            code="active_type",
            params={"extension": ext},
        )
    if ext not in KINDS[kind]:
        raise ValidationError(KIND_MESSAGES[kind], code="wrong_extension")
    fmt = FORMATS.get(detect_format(file) or "")
    if fmt is None or ext not in fmt.extensions:
        raise ValidationError(
            _("Содержимое файла не похоже на .%(extension)s. %(kinds)s"),
            code="wrong_content",
            params={"extension": ext, "kinds": KIND_MESSAGES[kind]},
        )
    if fmt.is_image:
        try:
            with Image.open(file) as picture:
                _check_pixels(picture)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise ValidationError(_("Изображение повреждено или не читается."), code="broken_image") from None
        finally:
            file.seek(0)
    return fmt


def _reencoded(file, fmt: Format) -> bytes:
    """The picture drawn anew by Pillow: pixels only (turned upright by its EXIF
    orientation), no metadata, nothing appended."""
    buffer = io.BytesIO()
    try:
        with Image.open(file) as picture:
            _check_pixels(picture)
            if getattr(picture, "n_frames", 1) > 1:  # an animation keeps its frames
                picture.save(buffer, format=fmt.pillow, save_all=True)
            else:
                upright = ImageOps.exif_transpose(picture)
                if fmt.pillow == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                    upright = upright.convert("RGB")
                options = {"quality": JPEG_QUALITY} if fmt.pillow in ("JPEG", "WEBP") else {}
                upright.save(buffer, format=fmt.pillow, **options)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("Изображение повреждено или не читается."), code="broken_image") from None
    finally:
        file.seek(0)
    return buffer.getvalue()


def prepared(file, kind: str) -> tuple[str, object]:
    """The name and content to store for an upload of `kind`: the name with its format's
    extension, an image re-encoded. Raises ValidationError as `inspect` does."""
    fmt = inspect(file, kind)
    path = PurePosixPath(file.name)
    ext = extension(file.name)
    name = f"{path.stem}.{ext if ext in fmt.extensions else fmt.extensions[0]}"
    if fmt.is_image:
        return name, ContentFile(_reencoded(file, fmt), name=name)
    return name, file


@deconstructible
class UploadValidator:
    """Accepts a file of `kind` (KINDS) whose content agrees with its extension."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, file):
        if getattr(file, "_committed", False):
            return  # stored earlier and checked then
        inspect(file, self.kind)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and other.kind == self.kind


def accept_attribute(kind: str) -> str:
    """The `accept` of a file input for `kind`: the browser offers only these files."""
    return ",".join(f".{ext}" for ext in KINDS[kind])
