from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


@deconstructible
class MaxUploadSizeValidator:
    """Rejects a file larger than the setting `setting_name` (in megabytes), read when
    validating so that operators can change the limit without a migration."""

    def __init__(self, setting_name: str):
        self.setting_name = setting_name

    def __call__(self, file):
        if getattr(file, "_committed", False):
            return  # stored earlier and checked then; re-saving the row must not re-read it
        limit_mb = getattr(settings, self.setting_name)
        if file.size > limit_mb * 1024 * 1024:
            raise ValidationError(
                _("Файл слишком большой: %(size).1f МБ, можно не больше %(limit)s МБ."),
                code="file_too_large",
                params={"size": file.size / 1024 / 1024, "limit": limit_mb},
            )

    def __eq__(self, other):
        return isinstance(other, MaxUploadSizeValidator) and other.setting_name == self.setting_name
