"""Forms of methodic authoring: the methodic itself, a step of the course of the lesson and
a media item. Field validation only — a file's type by its content and its size are the
model's validators (core.uploads, core.validators); the views save through
methodics.services."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.uploads import inspect
from core.validators import MaxUploadSizeValidator
from methodics.models import Category, Methodic, MethodicMedia, MethodicMember, MethodicStep, Tag

TAG_SEPARATOR = ","
TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length


def category_tree_choices() -> list[tuple[int, str]]:
    """Every category, each under its parent and indented by its depth (one query)."""
    children: dict[int | None, list[Category]] = {}
    for category in Category.objects.order_by("name"):
        children.setdefault(category.parent_id, []).append(category)
    choices, stack = [], [(category, 0) for category in reversed(children.get(None, []))]
    while stack:
        category, depth = stack.pop()
        choices.append((category.pk, "\u00a0\u00a0\u00a0\u00a0" * depth + ("— " if depth else "") + category.name))
        stack.extend((child, depth + 1) for child in reversed(children.get(category.pk, [])))
    return choices


def parse_tag_names(text: str) -> list[str]:
    """«игра, знакомство, Игра» → ["игра", "знакомство"]: trimmed, lower case, no repeats."""
    names = []
    for name in text.split(TAG_SEPARATOR):
        name = " ".join(name.split()).lower().lstrip("#")
        if name and name not in names:
            names.append(name)
    return names


class MethodicForm(forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Теги"),
        required=False,
        max_length=1000,
        help_text=_("Через запятую, например: знакомство, игра, командообразование. Новые теги появятся сами."),
    )

    class Meta:
        model = Methodic
        fields = (
            "title",
            "short_description",
            "goal",
            "description",
            "materials",
            "cover",
            "presentation",
            "literature",
            "category",
        )
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "materials": forms.Textarea(attrs={"rows": 3}),
            "literature": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "short_description": _("Одна-две фразы для карточки в библиотеке."),
            "materials": _("Что подготовить к занятию: мяч, бейджи, маркеры…"),
            "literature": _("Книги и ссылки, по одной в строке."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.choices = [("", "— без категории —"), *category_tree_choices()]
        # The limits are settings operators may change; read them when the form is shown.
        self.fields["cover"].help_text = _("JPG, PNG, GIF или WebP, не больше %(limit)s МБ.") % {
            "limit": settings.PHOTO_MAX_MB
        }
        self.fields["presentation"].help_text = _("PDF, PPTX, PPT или ODP, не больше %(limit)s МБ.") % {
            "limit": settings.METHODIC_FILE_MAX_MB
        }
        if self.instance.pk and not self.is_bound:
            self.initial["tag_names"] = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean_tag_names(self) -> list[str]:
        names = parse_tag_names(self.cleaned_data["tag_names"])
        too_long = [name for name in names if len(name) > TAG_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                _("Тег «%(name)s» длиннее %(limit)s символов."),
                params={"name": too_long[0], "limit": TAG_MAX_LENGTH},
            )
        return names


class StepForm(forms.ModelForm):
    class Meta:
        model = MethodicStep
        fields = ("duration", "description", "expected_result", "image")
        widgets = {
            "duration": forms.NumberInput(attrs={"min": 1, "max": 600}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _("Необязательно. JPG, PNG, GIF или WebP, не больше %(limit)s МБ.") % {
            "limit": settings.PHOTO_MAX_MB
        }

    def step_fields(self) -> dict:
        """The changed values for methodics.services.step_add / step_update; a cleared image
        becomes "" (no file)."""
        fields = {name: self.cleaned_data[name] for name in ("duration", "description", "expected_result")}
        if "image" in self.changed_data:
            fields["image"] = self.cleaned_data["image"] or ""
        return fields


class MediaForm(forms.ModelForm):
    class Meta:
        model = MethodicMedia
        fields = ("kind", "file", "url", "caption")
        help_texts = {
            "url": _("Для вида «Ссылка на видео»: адрес ролика на YouTube, VK Видео, Rutube…"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Для изображения, аудио или видео. Изображение — не больше %(photo)s МБ, "
            "аудио и видео — не больше %(file)s МБ."
        ) % {"photo": settings.PHOTO_MAX_MB, "file": settings.METHODIC_FILE_MAX_MB}

    def clean(self):
        cleaned = super().clean()
        kind, file, url = cleaned.get("kind"), cleaned.get("file"), cleaned.get("url")
        if kind is None:
            return cleaned
        if kind == MethodicMedia.Kind.LINK:
            if file:
                self.add_error("file", _("Для ссылки файл не нужен: укажите только адрес."))
            if not url and "url" not in self.errors:
                self.add_error("url", _("Укажите адрес видео."))
            return cleaned
        if url:
            self.add_error("url", _("Адрес нужен только для вида «Ссылка на видео»; для файла оставьте поле пустым."))
        if not file:
            if "file" not in self.errors:
                self.add_error("file", _("Выберите файл."))
            return cleaned
        # By content, not by name: a text file named .mp3 is refused here with a field error
        # (the model's clean() would give only a form-wide one).
        try:
            inspect(file, kind)
            if kind == MethodicMedia.Kind.IMAGE:
                MaxUploadSizeValidator("PHOTO_MAX_MB")(file)
        except ValidationError as error:
            self.add_error("file", error)
        return cleaned

    def media_fields(self) -> dict:
        """The values for methodics.services.media_add."""
        return {name: self.cleaned_data[name] for name in ("kind", "file", "url", "caption")}


# --- Roles on a methodic («Доступ») ----------------------------------------------------------


class MemberAddForm(forms.Form):
    """A person by the email of their account, and the role they get. The methodic's rules
    (not its author, not someone who holds a role already) are the service's."""

    email = forms.EmailField(
        label=_("Электронная почта"),
        error_messages={"required": _("Укажите электронную почту."), "invalid": _("Проверьте адрес почты.")},
    )
    role = forms.ChoiceField(
        label=_("Роль"),
        choices=MethodicMember.Role.choices,
        initial=MethodicMember.Role.VIEWER,
        error_messages={"required": _("Выберите роль."), "invalid_choice": _("Выберите роль из списка.")},
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise ValidationError(_("Пользователь с такой почтой не зарегистрирован на сайте."))
        self.cleaned_data["user"] = user
        return email


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Роль"),
        choices=MethodicMember.Role.choices,
        error_messages={"required": _("Выберите роль."), "invalid_choice": _("Выберите роль из списка.")},
    )
