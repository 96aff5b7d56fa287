import hashlib
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from core.forms_renderer import INPUT_TEMPLATES, PlainFormRenderer

# What the writers were written from (Django 5.2): another Django that changes one of
# these templates fails here, and the writer must be brought in line before the hash.
TEMPLATE_SHA256 = {
    "django/forms/field.html": "fd3b0b7c28d88f5bb39648f2f6a25dab2ad97afb601f4f017cc79b8a5add78c5",
    "django/forms/label.html": "d1b2427488fc1b97b619ac3741447464c77055abc2f34630c52e44d12864ce61",
    "django/forms/attrs.html": "5053e00975c20246ee9b1644d4d33e689544e1509ed918c2ac72cdb1e89bbf72",
    "django/forms/errors/list/default.html": "2a6c759f0af3438f4c68ff3419dd7b182e53407e01edda166b72376b35efa070",
    "django/forms/errors/list/ul.html": "84f81a22e37d9f5a6f7726c4b3acca2bf3a416284831b4dbe7291c4d0940484c",
    "django/forms/widgets/input.html": "770cf3acba1c18b65021a19efbf5fc93bcfcee357a005b67dbc2e2967527507d",
    "django/forms/widgets/attrs.html": "f729483efe44660fabc76a8f2e0a1b464c3a66afd625233c92dd74e8fa5261ad",
}


class Everything(forms.Form):
    name = forms.CharField(label="Имя <и> «фамилия»", help_text="Как в <b>паспорте</b>", max_length=20)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": 'a"b', "autofocus": True}))
    age = forms.IntegerField(min_value=0, label="Возраст?")
    agree = forms.BooleanField(required=False, label="Согласен")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    site = forms.URLField(required=False, widget=forms.URLInput(attrs={"disabled": False, "data-x": None}))
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    phone = forms.CharField(required=False, label="", widget=forms.TextInput(attrs={"type": "tel"}))
    kind = forms.ChoiceField(choices=[("a", "А"), ("b", "Б <")], widget=forms.RadioSelect, help_text="Один")
    tags = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.CheckboxSelectMultiple, required=False)
    text = forms.CharField(widget=forms.Textarea, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("Общая <ошибка>")


class Required(Everything):
    required_css_class = "required"
    error_css_class = "wrong"


DATA = {"name": 'O"Brien <x>', "email": "not-an-email", "age": "-1", "agree": "on", "secret": "p&w", "kind": "c"}


def forms_both_ways(form_class, *args, **kwargs):
    return (
        form_class(*args, renderer=DjangoTemplates(), **kwargs),
        form_class(*args, renderer=PlainFormRenderer(), **kwargs),
    )


@pytest.mark.parametrize("form_class", [Everything, Required])
@pytest.mark.parametrize("data", [None, DATA, {}], ids=["unbound", "invalid", "empty"])
def test_the_plain_renderer_writes_what_django_writes(form_class, data):
    django_form, plain_form = forms_both_ways(form_class, data, auto_id="id_%s")

    assert plain_form.render() == django_form.render()
    for name in django_form.fields:
        assert plain_form[name].as_field_group() == django_form[name].as_field_group(), name
        assert plain_form[name].label_tag() == django_form[name].label_tag(), name
        assert str(plain_form[name].errors) == str(django_form[name].errors), name


def test_without_ids_labels_are_bare_text():
    django_form, plain_form = forms_both_ways(Everything, DATA, auto_id=False)

    assert plain_form.render() == django_form.render()
    assert plain_form["name"].label_tag() == "Имя &lt;и&gt; «фамилия»:"


def test_what_the_writers_write_is_escaped():
    form = Everything(DATA, renderer=PlainFormRenderer())

    html = form["name"].as_field_group()
    assert 'value="O&quot;Brien &lt;x&gt;"' in html
    assert '<label for="id_name">Имя &lt;и&gt; «фамилия»:</label>' in html
    assert "Как в <b>паспорте</b>" in html  # help text is the form's own markup, as in Django
    assert "Общая &lt;ошибка&gt;" in str(form.non_field_errors())


def test_the_site_uses_it():
    assert isinstance(Everything().renderer, PlainFormRenderer)


def django_template(name: str) -> bytes:
    return (Path(django.__file__).parent / "forms" / "templates" / name).read_bytes()


@pytest.mark.parametrize("name", sorted(TEMPLATE_SHA256))
def test_the_templates_written_in_python_are_those_of_this_django(name):
    assert hashlib.sha256(django_template(name)).hexdigest() == TEMPLATE_SHA256[name]


@pytest.mark.parametrize("widget", INPUT_TEMPLATES)
def test_the_input_widgets_written_in_python_only_include_the_input(widget):
    including_the_input = b'{% include "django/forms/widgets/input.html" %}\n'
    assert django_template(f"django/forms/widgets/{widget}.html") == including_the_input
