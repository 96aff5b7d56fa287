import re

import pytest
from django import forms

from core.testing import png_upload
from core.widgets import PictureInput, PlainSelect

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


# --- PictureInput ------------------------------------------------------------------------


class StoredPicture:
    """What a form's initial value of an image field is: a FieldFile, with a name and a url."""

    def __init__(self, name, url=None):
        self.name, self._url = name, url

    def __bool__(self):
        return bool(self.name)

    @property
    def url(self):
        if self._url is None:
            raise ValueError("Private files have no URL")
        return self._url


def picture_form(widget, initial):
    class Form(forms.Form):
        picture = forms.ImageField(label="Обложка", required=False, widget=widget)

    return Form(initial={"picture": initial})


def test_the_picture_input_shows_the_picture_and_labelled_controls_not_the_path():
    form = picture_form(PictureInput(), StoredPicture("covers/2026/x8Kq.png", url="/media/covers/2026/x8Kq.png"))

    html = form["picture"].as_field_group()

    assert "<legend>Обложка:</legend>" in html
    assert '<img class="picture-input-current" src="/media/covers/2026/x8Kq.png" alt="Текущее изображение"' in html
    assert '<label for="id_picture">Заменить</label>' in html
    assert '<input type="checkbox" name="picture-clear" id="picture-clear_id">' in html
    assert '<label for="picture-clear_id">Удалить</label>' in html
    assert html.count("x8Kq") == 1  # the picture's address only, no file name beside it


def test_a_private_picture_is_shown_through_the_address_given():
    widget = PictureInput(
        picture_url=lambda value: f"/people/{value.name[-6:-4]}/photo/", alt="Ваша фотография", size=96
    )

    html = str(picture_form(widget, StoredPicture("people/2026/ab12.jpg"))["picture"])

    assert (
        '<img class="picture-input-current" src="/people/12/photo/" alt="Ваша фотография" width="96" height="96">'
        in html
    )


def test_without_a_picture_only_an_upload_is_offered():
    html = str(picture_form(PictureInput(), None)["picture"])

    assert '<label for="id_picture">Загрузить</label>' in html
    assert "<img" not in html and "picture-clear" not in html


def test_deleting_and_replacing_clean_as_django_s_clearable_input():

    stored = StoredPicture("covers/x.png", url="/media/covers/x.png")

    class Form(forms.Form):
        picture = forms.ImageField(required=False, widget=PictureInput())

    deleted = Form({"picture-clear": "on"}, {}, initial={"picture": stored})
    replaced = Form({}, {"picture": png_upload("new.png")}, initial={"picture": stored})

    assert deleted.is_valid() and deleted.cleaned_data["picture"] is False
    assert replaced.is_valid() and replaced.cleaned_data["picture"].name == "new.png"
