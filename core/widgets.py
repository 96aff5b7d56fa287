from html import escape
from pathlib import PurePosixPath

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


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
