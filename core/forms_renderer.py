"""The site's form renderer (settings.FORM_RENDERER): Django's, with its commonest small
templates written in Python.

Every field of a form goes through three or four of Django's templates — the field group
(label, help text, errors, widget), the label, the error list, the <input> — and each
costs a template render of its own: the course catalogue's five filters took a fifth of
the page's server time. The templates below are written here in Python, markup for
markup (core/tests/test_forms_renderer.py renders every case both ways and compares,
and checks Django's template sources, so an upgrade that changes them fails there); any
other template — the admin's widgets, a form's own template — is Django's as before."""

from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape


def _attrs(attrs: dict) -> str:
    """django/forms/attrs.html: True alone, False left out, the rest as `name="value"`."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _field_group(context: dict) -> str:
    """django/forms/field.html: the label (or legend), help text, errors and widget."""
    field = context["field"]
    if field.use_fieldset:
        described_by = field.aria_describedby
        parts = [f'<fieldset aria-describedby="{escape(described_by)}">' if described_by else "<fieldset>"]
        head = field.legend_tag() if field.label else ""
    else:
        parts, head = [], field.label_tag() if field.label else ""
    parts.append(f"\n  {head}\n\n")
    if field.help_text:
        help_id = f' id="{escape(field.auto_id)}_helptext"' if field.auto_id else ""
        parts.append(f'<div class="helptext"{help_id}>{field.help_text}</div>')
    parts.append(f"\n{conditional_escape(field.errors)}\n{conditional_escape(field)}")
    if field.use_fieldset:
        parts.append("</fieldset>")
    return "".join(parts)


def _label(context: dict) -> str:
    """django/forms/label.html: <label for=…> (or the tag given), or the bare text."""
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return label
    tag = escape(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>"


def _error_list(context: dict) -> str:
    """django/forms/errors/list/ul.html (which default.html includes)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = f' id="{escape(errors.field_id)}_error"' if errors.field_id else ""
    items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
    return f'<ul class="{escape(context["error_class"])}"{field_id}>{items}</ul>'


def _input(context: dict) -> str:
    """django/forms/widgets/input.html, which the text-like widgets' templates include."""
    widget = context["widget"]
    value = widget["value"]
    value_attr = f' value="{escape(str(value))}"' if value is not None else ""
    attrs = _attrs(widget["attrs"])
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value_attr}{attrs}>'


INPUT_TEMPLATES = ("text", "email", "password", "number", "url", "search", "tel", "hidden", "checkbox")
WRITERS: dict[str, Callable[[dict], str]] = {
    "django/forms/field.html": _field_group,
    "django/forms/label.html": _label,
    "django/forms/errors/list/default.html": _error_list,
    "django/forms/errors/list/ul.html": _error_list,
    **{f"django/forms/widgets/{name}.html": _input for name in INPUT_TEMPLATES},
}


class PlainFormRenderer(DjangoTemplates):
    """Django's default renderer, with WRITERS in place of the templates they name.
    Django strips what its templates render; the writers write it stripped."""

    def render(self, template_name, context, request=None) -> str:
        write = WRITERS.get(template_name)
        if write is None:
            return super().render(template_name, context, request=request)
        return write(context).strip()
