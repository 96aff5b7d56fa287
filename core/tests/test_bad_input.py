"""Input no page means — control characters, numbers too long or too big — is a 400 or an
error message, never a 500 (issue 15): the middleware, and the helpers every app uses."""

from pathlib import Path
from urllib.parse import urlencode

import django
import django_filters
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from core.admin import AdminSite, ChoiceListFilter
from core.filters import IntegerFilter
from core.input_checks import BIGINT_MAX, INTEGER_MAX, control_character, parse_id, parse_int
from core.middleware import RejectControlCharactersMiddleware
from core.sanitize import sanitize_html
from core.text import html_to_paragraphs

HUGE = "9" * 5000


def echo(request, **kwargs):
    return HttpResponse("ok")


urlpatterns = [path("echo/", echo), path("echo/<path:rest>", echo)]
handler400 = "core.views.bad_request"

# --- The middleware -----------------------------------------------------------------------


@pytest.fixture
def bare_site(settings):
    """A site with one view and no other middleware, DEBUG off as in production."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    settings.MIDDLEWARE = ["core.middleware.RejectControlCharactersMiddleware"]


def test_the_middleware_sits_right_after_the_security_middleware(settings):
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "core.middleware.RejectControlCharactersMiddleware",
    ]


@pytest.mark.parametrize(
    "address",
    [
        "/echo/%00/",
        "/echo/a%7Fb",
        "/echo/?q=a%00b",
        "/echo/?q=%1B[31m",
        "/echo/?a%00=1",
        "/echo/?status__exact=%00",
        "/echo/?ok=1&ok=%08",
    ],
)
def test_a_control_character_in_the_address_is_a_400_with_a_russian_page(bare_site, client, address):
    response = client.get(address)

    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()


@pytest.mark.parametrize("text", ["строка\tс табуляцией", "две\r\nстроки", "x² ≤ 3 · 10⁹", HUGE])
def test_tab_line_breaks_and_any_other_text_pass(bare_site, client, text):
    assert client.get("/echo/", {"q": text}).status_code == 200
    assert client.post("/echo/", {"reason": text}).status_code == 200


@pytest.mark.parametrize("data", [{"reason": "a\x00b"}, {"reason\x00": "a"}, {"reasons": ["ok", "\x7f"]}])
def test_a_control_character_in_a_posted_field_is_a_400(bare_site, client, data):
    assert client.post("/echo/", data).status_code == 400  # multipart/form-data
    urlencoded = urlencode(data, doseq=True)
    assert client.post("/echo/", urlencoded, content_type="application/x-www-form-urlencoded").status_code == 400


def test_uploaded_files_are_not_read(bare_site, client):
    binary = SimpleUploadedFile("схема.png", b"\x00\x01\x7f\x1b PNG bytes", content_type="image/png")

    assert client.post("/echo/", {"file": binary, "title": "Схема"}).status_code == 200


def test_a_body_that_is_not_a_form_is_left_to_the_view(bare_site, client):
    response = client.post("/echo/", b'{"text": "\\u0000"}\x00', content_type="application/json")

    assert response.status_code == 200


def test_the_middleware_passes_a_clean_request_on_unread():
    request = RequestFactory().get("/echo/", {"page": "2"})
    middleware = RejectControlCharactersMiddleware(lambda request: HttpResponse("view"))

    assert middleware(request).content == b"view"


# --- Numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("007", 7),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        (HUGE, None),
        ("0", None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (5, None),
    ],
)
def test_an_id_is_ascii_digits_within_bigint(value, expected):
    assert parse_id(value) == expected


def test_a_number_outside_its_bounds_is_none():
    assert parse_int("999", low=1, high=999) == 999
    assert parse_int("1000", low=1, high=999) is None
    assert parse_int("0", low=0, high=9) == 0


def test_control_characters_are_named_for_people():
    assert control_character("a\x00b") == "U+0000"
    assert control_character("DEL\x7f") == "U+007F"
    assert control_character("tab\tcr\rlf\n, ² and «ё»") is None


class DurationFilter(django_filters.FilterSet):
    minutes = IntegerFilter(field_name="pk")


@pytest.mark.parametrize("value", [HUGE, "1e999999999", "2.5", "-1", str(INTEGER_MAX + 1), "²"])
def test_an_integer_filter_refuses_what_its_column_cannot_hold(value):
    form = DurationFilter({"minutes": value}, queryset=LogEntry.objects.none()).form

    assert not form.is_valid()
    assert form.errors["minutes"]


def test_an_integer_filter_takes_a_whole_number():
    form = DurationFilter({"minutes": "45"}, queryset=LogEntry.objects.none()).form

    assert form.is_valid()
    assert form.cleaned_data["minutes"] == 45


# --- Rich text and exports ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "kept"),
    [("5", ' start="5"'), (" 12 ", ' start="12"'), ("10000", ' start="10000"'), ("10001", ""), (HUGE, ""), ("-3", "")],
)
def test_the_sanitiser_keeps_a_list_start_only_when_it_is_a_small_number(start, kept):
    assert sanitize_html(f'<ol start="{start}"><li>пункт</li></ol>') == f"<ol{kept}><li>пункт</li></ol>"


def test_the_sanitiser_drops_huge_spans_and_control_characters():
    html = f'<table><tr><td colspan="{HUGE}" rowspan="2">a\x0bb\x00c\x7f</td></tr></table>'

    assert sanitize_html(html) == '<table><tbody><tr><td rowspan="2">abc</td></tr></tbody></table>'


def test_plain_text_clamps_a_list_start_stored_before_the_sanitiser_did():
    old = f'<ol start="{HUGE}"><li>первый</li><li>второй\x0b</li></ol><ol start="10001"><li>ещё</li></ol>'

    assert html_to_paragraphs(old) == ("1. первый", "2. второй", "1. ещё")


# --- The admin's list filters -------------------------------------------------------------


def test_every_admin_is_on_the_site_that_checks_the_rows_ticked_for_an_action():
    assert {type(model_admin.admin_site) for model_admin in admin.site._registry.values()} == {AdminSite}


def test_every_custom_list_filter_of_our_admins_accepts_only_its_own_choices():
    installed_packages = Path(django.__file__).parents[1]  # third-party apps' filters are theirs
    ours = {
        config.name for config in apps.get_app_configs() if not Path(config.path).is_relative_to(installed_packages)
    }
    custom = [
        (model_admin, spec)
        for model_admin in admin.site._registry.values()
        for spec in model_admin.list_filter
        if isinstance(spec, type)
        and issubclass(spec, admin.SimpleListFilter)
        and spec.__module__.partition(".")[0] in ours
    ]

    assert custom, "the admins have custom list filters"
    for model_admin, spec in custom:
        assert issubclass(spec, ChoiceListFilter), f"{type(model_admin).__name__}: {spec.__name__}"
