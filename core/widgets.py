from html import escape
from pathlib import PurePosixPath

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python straight from the choices, rather
    than through a template each with the dictionary Django builds for every option. Same
    markup, attributes and selected option (the first that matches), option groups
    included (core/tests/test_widgets.py compares it with Django's).

    Kept for one field only: the methodic of a project lesson (projects.forms.LessonForm),
    whose options are every published methodic — 18,013 at the bench's scale. There the
    options took 1,010 ms to draw with Django's Select and 17.6 ms with this one (DEBUG
    off, cached templates), and the whole form (bench/lesson_form.py) a median of
    1,005–1,690 ms against 96–116 ms (6 December 2026). The site's other selects have a
    few hundred options at most and are Django's (284 options: ~8 ms, drawn once per
    change of their choices in a {% cache %} fragment)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        values = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{flatatt(attrs)}>']
        has_selected = False
        for option_value, option_label in self.choices:
            option_value = "" if option_value is None else option_value
            if isinstance(option_label, (list, tuple)):
                group_name, options = option_value, option_label
            else:
                group_name, options = None, [(option_value, option_label)]
            if group_name:
                parts.append(f'<optgroup label="{escape(str(group_name))}">')
            for value_, label in options:
                selected = not has_selected and str(value_) in values
                has_selected |= selected
                mark = " selected" if selected else ""
                parts.append(f'<option value="{escape(str(value_))}"{mark}>{escape(str(label))}</option>')
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))


class PrivateFileInput(forms.ClearableFileInput):
    """Django's file input with «очистить», naming the current file without a link: a
    private file has no URL (core.storage.PrivateStorage), only views that check who asks."""

    template_name = "core/widgets/private_file_input.html"

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["file_name"] = PurePosixPath(value.name).name if self.is_initial(value) else ""
        return context


class PictureInput(forms.ClearableFileInput):
    """A picture field as a person sees it: the current picture itself (no file name, no
    storage path), a «Заменить» file input and a «Удалить» checkbox, each with its own
    <label>, grouped in a fieldset under the field's label. With no picture yet: the file
    input only, labelled «Загрузить».

    `picture_url(value) -> str | None` gives the address to show the bound value (a
    FieldFile; `value.instance` is its model object) at — a thumbnail through the view
    that checks who asks, for a private file. Without it the file's own `value.url` is
    used, which is right for public files only (a private file has no URL). `alt` is the
    picture's text alternative and `size` the width and height it is shown at, in pixels.

        photo = forms.ImageField(widget=PictureInput(picture_url=lambda photo: reverse(
            "volunteers:photo", args=[photo.instance.pk, "avatar"]), alt=_("Ваша фотография")))

    A private model field (core.fields) keeps this widget when a form names it (in
    `Meta.widgets` or the field's `widget`); any other widget there becomes
    PrivateFileInput, the admin's included. «Удалить» is the clear checkbox of
    ClearableFileInput: the form's cleaned value is then False (a required field has none).
    """

    template_name = "core/widgets/picture_input.html"
    use_fieldset = True
    initial_text = _("Сейчас")
    input_text = _("Заменить")
    empty_input_text = _("Загрузить")
    clear_checkbox_label = _("Удалить")
    default_alt = _("Текущее изображение")
    # The field's error_messages["contradiction"] to go with these labels (Django's names «Очистить»);
    # core.fields' upload fields set it themselves.
    contradiction_message = _("Выберите новый файл или отметьте «Удалить», но не то и другое сразу.")

    def __init__(self, attrs=None, *, picture_url=None, alt=None, size: int = 160):
        super().__init__(attrs)
        self.picture_url, self.alt, self.size = picture_url, alt or self.default_alt, size

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None))

    def id_for_label(self, id_):
        return ""  # the field's label is the fieldset's <legend>; the inputs have labels of their own

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        url = None
        if self.is_initial(value):
            url = self.picture_url(value) if self.picture_url else value.url
        context["widget"].update(picture_url=url, alt=self.alt, size=self.size, empty_input_text=self.empty_input_text)
        return context
