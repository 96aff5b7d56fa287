from ckeditor.fields import RichTextField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from easy_thumbnails.fields import ThumbnailerImageField

from core.sanitize import sanitize_html
from core.storage import PrivateStorage, RandomName
from core.uploads import KIND_MESSAGES, UploadValidator, accept_attribute, prepared
from core.validators import MaxUploadSizeValidator
from core.widgets import PictureInput, PrivateFileInput


class SanitizedRichTextField(RichTextField):
    """A CKEditor field whose value is sanitised on every save, whatever the path (page,
    admin, service, shell): the database never holds unsafe HTML."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class UploadMixin:
    """A file field of `kind` (core.uploads.KINDS) no larger than the setting
    `max_mb_setting`: its validators check the name and the content together, and every
    path that saves a new file (page, admin, service, shell) stores it as
    `core.uploads.prepared` makes it — with its format's extension, an image re-encoded."""

    def __init__(self, *args, kind: str, max_mb_setting: str, **kwargs):
        self.kind, self.max_mb_setting = kind, max_mb_setting
        kwargs["validators"] = [UploadValidator(kind), MaxUploadSizeValidator(max_mb_setting)]
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["validators"]
        return name, path, args, {**kwargs, "kind": self.kind, "max_mb_setting": self.max_mb_setting}

    def formfield(self, **kwargs):
        widget = kwargs.get("widget")
        shows_picture = isinstance(widget, PictureInput) or (
            isinstance(widget, type) and issubclass(widget, PictureInput)
        )
        if isinstance(self.storage, PrivateStorage) and not shows_picture:
            kwargs["widget"] = PrivateFileInput  # the stock widgets link to the file's URL; it has none
        field = super().formfield(**kwargs)
        # The browser offers only the kind's files (not forms.ImageField's «image/*», which
        # lets through SVG and HEIC).
        field.widget.attrs["accept"] = accept_attribute(self.kind)
        if "invalid_image" in field.error_messages:  # Pillow could not read it: say what fits
            field.error_messages["invalid_image"] = KIND_MESSAGES[self.kind]
        if shows_picture:
            field.error_messages["contradiction"] = PictureInput.contradiction_message
        return field

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            file.name, file.file = prepared(file.file, self.kind)
        return super().pre_save(model_instance, add)


class UploadFileField(UploadMixin, models.FileField):
    pass


class UploadImageField(UploadMixin, models.ImageField):
    pass


class ThumbnailedUploadField(UploadMixin, ThumbnailerImageField):
    """An image with easy-thumbnails' aliases."""


def private_photo(verbose_name, *, prefix: str) -> ThumbnailedUploadField:
    """A photo of a person — personal data: stored, with its thumbnails, in private storage
    under a name that tells nothing, and shown only through a view that checks who asks
    (core.views.private_picture)."""
    return ThumbnailedUploadField(
        verbose_name,
        upload_to=RandomName(prefix),
        storage=PrivateStorage(),
        thumbnail_storage=PrivateStorage(),
        blank=True,
        kind="image",
        max_mb_setting="PHOTO_MAX_MB",
    )


def tolerance_field(help_text):
    """How far a decimal answer may be from the right one (core.mathanswers.check's
    `tolerance`); empty: exactly."""
    return models.DecimalField(
        _("допустимая погрешность"),
        max_digits=12,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=help_text,
    )
