"""Yandex ID login end to end: the site's real views and pipeline, with only Yandex's
token and user-info HTTP endpoints faked (`responses`)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.roles import VOLUNTEER
from accounts.tests.factories import UserFactory

TOKEN_URL = "https://oauth.yandex.com/token"
INFO_URL = "https://login.yandex.ru/info"
ACCESS_TOKEN = "y0_secret-access-token"
REFRESH_TOKEN = "1:secret-refresh-token"

YANDEX_USER = {
    "id": "1130000012345678",
    "login": "olga.petrova",
    "client_id": "volna-client",
    "display_name": "olga.petrova",
    "real_name": "Ольга Петрова",
    "first_name": "Ольга",
    "last_name": "Петрова",
    "sex": "female",
    "default_email": "olga.petrova@yandex.ru",
    "emails": ["olga.petrova@yandex.ru"],
    "psuid": "1.AAAA",
}


@pytest.fixture
def yandex(settings):
    """Fake Yandex OAuth endpoints; yields the mock so tests can inspect the calls."""
    settings.SOCIAL_AUTH_YANDEX_OAUTH2_KEY = "volna-client"
    settings.SOCIAL_AUTH_YANDEX_OAUTH2_SECRET = "volna-secret"
    with responses.RequestsMock() as mock:
        mock.add(
            responses.POST,
            TOKEN_URL,
            json={
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "token_type": "bearer",
                "expires_in": 31536000,
            },
        )
        mock.add(responses.GET, INFO_URL, json=YANDEX_USER)
        yield mock


def log_in_with_yandex(client):
    """The browser's part: POST the button's form, follow Yandex's redirect back with a code."""
    start = client.post("/auth/login/yandex-oauth2/")
    assert start.status_code == 302
    authorize = urlsplit(start["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == "https://oauth.yandex.com/authorize"
    query = parse_qs(authorize.query)
    assert query["client_id"] == ["volna-client"]
    assert query["redirect_uri"] == ["http://testserver/auth/complete/yandex-oauth2/"]
    return client.get("/auth/complete/yandex-oauth2/", {"code": "one-time-code", "state": query["state"][0]})


@pytest.mark.django_db
def test_first_login_creates_a_volunteer_from_yandex_user_info(client, yandex):
    response = log_in_with_yandex(client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user = User.objects.get()
    assert client.get("/accounts/profile/").context["user"] == user
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "olga.petrova",
        "Ольга",
        "Петрова",
        "olga.petrova@yandex.ru",
    )
    assert list(user.groups.values_list("name", flat=True)) == [VOLUNTEER]
    assert not user.has_usable_password()
    assert UserSocialAuth.objects.get(user=user).uid == "1130000012345678"
    token_call, info_call = yandex.calls
    assert "code=one-time-code" in token_call.request.body
    assert ACCESS_TOKEN in info_call.request.url


@pytest.mark.django_db
def test_yandex_tokens_are_never_stored(client, yandex):
    log_in_with_yandex(client)

    association = UserSocialAuth.objects.get()
    stored = str(association.extra_data) + str(dict(client.session))
    assert ACCESS_TOKEN not in stored
    assert REFRESH_TOKEN not in stored


@pytest.mark.django_db
def test_a_second_login_reuses_the_user_and_keeps_edited_names(client, yandex):
    log_in_with_yandex(client)
    user = User.objects.get()
    user.first_name = "Оля"
    user.save()
    client.post("/accounts/logout/")

    log_in_with_yandex(client)

    assert User.objects.count() == 1
    assert UserSocialAuth.objects.count() == 1
    assert client.get("/accounts/profile/").context["user"] == user
    user.refresh_from_db()
    assert user.first_name == "Оля"


@pytest.mark.django_db
def test_links_to_an_existing_local_account_with_the_same_email(client, yandex):
    local = UserFactory(email="Olga.Petrova@yandex.ru", first_name="Ольга", last_name="Петрова")

    log_in_with_yandex(client)

    assert User.objects.count() == 1
    assert UserSocialAuth.objects.get().user == local
    assert client.get("/accounts/profile/").context["user"] == local


@pytest.mark.django_db
def test_a_taken_yandex_login_gets_a_free_username(client, yandex):
    UserFactory(username="olga.petrova", email="someone-else@example.ru")

    log_in_with_yandex(client)

    assert User.objects.get(email="olga.petrova@yandex.ru").username == "olga.petrova-2"


@pytest.mark.django_db
def test_the_yandex_button_is_a_post_form_on_login_and_registration_pages(client, yandex):
    for url in ("/accounts/login/", "/accounts/register/"):
        page = client.get(url).content.decode()
        assert '<form method="post" action="/auth/login/yandex-oauth2/"' in page
        assert "Войти через Яндекс ID" in page
    yandex.assert_all_requests_are_fired = False


@pytest.mark.django_db
def test_a_refused_login_returns_to_the_login_page(client, yandex):
    start = client.post("/auth/login/yandex-oauth2/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get("/auth/complete/yandex-oauth2/", {"error": "access_denied", "state": state}, follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Вход через Яндекс ID отменён." in response.content.decode()
    assert not User.objects.exists()
    yandex.assert_all_requests_are_fired = False
