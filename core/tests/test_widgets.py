import re

import pytest
from django import forms

from core.widgets import PlainSelect

CHOICES = [("", "Все"), ("1", "Один <b>"), ("Группа", [("2", "Два"), ("3", "Три")])]


def squeezed(html: str) -> str:
    """Markup without the whitespace between tags and with attributes in order."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(r"<(\w+)([^>]*)>", lambda m: f"<{m[1]}{''.join(sorted(m[2].split(' ')))}>", html)


class Form(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, widget=PlainSelect(attrs={"class": "x"}), required=False)
    django = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "x"}), required=False)


def test_the_plain_select_writes_what_django_writes():
    form = Form({"plain": "2", "django": "2"})

    assert squeezed(str(form["plain"])) == squeezed(str(form["django"])).replace("django", "plain")


def test_labels_are_escaped_and_the_choice_is_selected():
    html = str(Form({"plain": "1"})["plain"])

    assert '<option value="1" selected>Один &lt;b&gt;</option>' in html
    assert '<optgroup label="Группа"><option value="2">Два</option>' in html


TWICE = [(None, "Никакой"), ("1", "Один"), ("Группа", [("1", "Снова один"), ("2", "Два")]), ("", [("3", "Три")])]


class Repeated(forms.Form):
    plain = forms.ChoiceField(choices=TWICE, widget=PlainSelect, required=False)
    django = forms.ChoiceField(choices=TWICE, widget=forms.Select, required=False)


@pytest.mark.parametrize("value", [None, "", "1", "2", "3", "нет такого"])
def test_the_plain_select_selects_what_django_selects(value):
    """The first option of the value only."""
    form = Repeated({} if value is None else {"plain": value, "django": value})

    assert squeezed(str(form["plain"])) == squeezed(str(form["django"])).replace("django", "plain")
