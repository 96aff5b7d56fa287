import re

import pytest
from django import forms

from core.widgets import PlainCheckboxSelectMultiple, PlainSelect, PlainSelectMultiple

CHOICES = [("", "Все"), ("1", "Один <b>"), ("Группа", [("2", "Два"), ("3", "Три")])]


def squeezed(html: str) -> str:
    """Markup without the whitespace between tags and with attributes in order."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"<(\w+)([^>]*)>", lambda m: f"<{m[1]}{''.join(sorted(m[2].split(' ')))}>", html)


class Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, widget=PlainSelect(attrs={"class": "x"}), required=False)
    django = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "x"}), required=False)
    plain_many = forms.MultipleChoiceField(choices=CHOICES, widget=PlainSelectMultiple(attrs={"size": 4}))
    django_many = forms.MultipleChoiceField(choices=CHOICES, widget=forms.SelectMultiple(attrs={"size": 4}))


def test_the_plain_select_writes_what_django_writes():
    form = Form({"plain": "2", "django": "2", "plain_many": ["1", "3"], "django_many": ["1", "3"]})

    assert squeezed(str(form["plain"])) == squeezed(str(form["django"])).replace("django", "plain")
    assert squeezed(str(form["plain_many"])) == squeezed(str(form["django_many"])).replace("django", "plain")


def test_labels_are_escaped_and_the_choice_is_selected():
    html = str(Form({"plain": "1"})["plain"])

    assert '<option value="1" selected>Один &lt;b&gt;</option>' in html
    assert '<optgroup label="Группа"><option value="2">Два</option>' in html


class Boxes(forms.Form):
    plain = forms.MultipleChoiceField(choices=CHOICES[1:], widget=PlainCheckboxSelectMultiple(attrs={"class": "x"}))
    django = forms.MultipleChoiceField(choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple(attrs={"class": "x"}))


def test_the_plain_checkboxes_write_what_django_writes():
    form = Boxes({"plain": ["1", "3"], "django": ["1", "3"]})

    assert squeezed(str(form["plain"])) == squeezed(str(form["django"])).replace("django", "plain")
    assert (
        '<input type="checkbox" name="plain" value="1" class="x" id="id_plain_0" checked>\n Один &lt;b&gt;</label>'
        in str(form["plain"])
    )


TWICE = [(None, "Никакой"), ("1", "Один"), ("Группа", [("1", "Снова один"), ("2", "Два")]), ("", [("3", "Три")])]


class Repeated(forms.Form):
    plain = forms.ChoiceField(choices=TWICE, widget=PlainSelect, required=False)
    django = forms.ChoiceField(choices=TWICE, widget=forms.Select, required=False)
    plain_many = forms.MultipleChoiceField(choices=TWICE, widget=PlainSelectMultiple, required=False)
    django_many = forms.MultipleChoiceField(choices=TWICE, widget=forms.SelectMultiple, required=False)


@pytest.mark.parametrize("value", [None, "", "1", "2", "3", "нет такого"])
def test_the_plain_selects_select_what_django_selects(value):
    """A single select marks the first option of the value only, a multiple one all."""
    data = {} if value is None else {"plain": value, "django": value, "plain_many": [value], "django_many": [value]}
    form = Repeated(data)

    assert squeezed(str(form["plain"])) == squeezed(str(form["django"])).replace("django", "plain")
    assert squeezed(str(form["plain_many"])) == squeezed(str(form["django_many"])).replace("django", "plain")
