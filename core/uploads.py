"""Checking uploaded files by their content, not by their name: the first bytes of each
kind of file we accept (images are opened with Pillow by Django's ImageField)."""

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

SIGNATURES = {
    "pdf": (lambda head: head.startswith(b"%PDF-")),
    # docx, pptx, xlsx, odt, odp are zip containers
    "office": (lambda head: head.startswith(b"PK\x03\x04")),
    "ppt": (lambda head: head.startswith(b"\xd0\xcf\x11\xe0")),
    "mp3": (lambda head: head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    "ogg": (lambda head: head.startswith(b"OggS")),
    "wav": (lambda head: head.startswith(b"RIFF") and head[8:12] == b"WAVE"),
    # MP4 and M4A are the same ISO media container («ftyp» box first)
    "mp4": (lambda head: head[4:8] == b"ftyp"),
    "webm": (lambda head: head.startswith(b"\x1a\x45\xdf\xa3")),
    "jpeg": (lambda head: head.startswith(b"\xff\xd8\xff")),
    "png": (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "gif": (lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    "webp": (lambda head: head.startswith(b"RIFF") and head[8:12] == b"WEBP"),
}

KINDS = {
    "image": ("jpeg", "png", "gif", "webp"),
    "audio": ("mp3", "ogg", "wav", "mp4"),
    "video": ("mp4", "webm", "ogg"),
    "presentation": ("pdf", "office", "ppt"),
}


def detect_format(file) -> str | None:
    """The format of the file by its first bytes, or None if it is none we know."""
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    return next((name for name, matches in SIGNATURES.items() if matches(head)), None)


@deconstructible
class ContentTypeValidator:
    """Accepts a file whose content is of one of the formats of `kind` (see KINDS)."""

    messages = {
        "image": _("Это не изображение: подходят JPEG, PNG, GIF и WebP."),
        "audio": _("Это не аудиофайл: подходят MP3, OGG, WAV и M4A."),
        "video": _("Это не видеофайл: подходят MP4, WebM и OGG."),
        "presentation": _("Это не презентация: подходят PDF, PPTX, PPT и ODP."),
    }

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, file):
        if getattr(file, "_committed", False):
            return  # stored earlier and checked then
        if detect_format(file) not in KINDS[self.kind]:
            raise ValidationError(self.messages[self.kind], code="wrong_content")

    def __eq__(self, other):
        return isinstance(other, ContentTypeValidator) and other.kind == self.kind
