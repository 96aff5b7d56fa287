"""Yandex ID login end to end: the site's real views and pipeline, with only Yandex's
token and user-info HTTP endpoints faked (`responses`)."""

import importlib
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER
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


def log_in_with_yandex(client, **form):
    """The browser's part: POST the button's form (with its `next`, if any), follow
    Yandex's redirect back with a code."""
    start = client.post("/auth/login/yandex-oauth2/", form)
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


# --- Linking to existing accounts (issue 15) -------------------------------------------

LINK_REFUSED = "На «Волне» уже есть учётная запись с почтой вашего Яндекс ID."
LINKED = "Яндекс ID привязан к учётной записи."


def yandex_returns(yandex, **fields):
    """Yandex's user info for this test: YANDEX_USER with `fields` changed."""
    yandex.replace(responses.GET, INFO_URL, json={**YANDEX_USER, **fields})


def signed_in_user(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_someone_who_registered_your_address_does_not_get_your_yandex_login(
    client, yandex, django_capture_on_commit_callbacks, mailoutbox
):
    """The attack of issue 15: register the victim's address with your own password, wait
    for the victim to sign in with Yandex ID, share the session."""
    yandex_returns(yandex, default_email="victim@yandex.ru", emails=["victim@yandex.ru"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/register/",
            {
                "first_name": "Злоумышленник",
                "last_name": "Иванов",
                "email": "Victim@Yandex.ru",
                "password1": "Чужой-адрес-2026",
                "password2": "Чужой-адрес-2026",
            },
        )
    attacker_account = User.objects.get()
    assert [mail.to for mail in mailoutbox] == [[attacker_account.email]], "the link goes to the victim's mailbox"
    assert attacker_account.email.lower() == "victim@yandex.ru"
    client.post("/accounts/logout/")

    response = log_in_with_yandex(client)

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None
    assert not UserSocialAuth.objects.exists()
    assert list(User.objects.all()) == [attacker_account]
    page = client.get(response["Location"]).content.decode()
    assert LINK_REFUSED in page
    assert "«Привязать Яндекс ID»" in page


@pytest.mark.django_db
def test_links_to_a_volunteer_account_whose_address_is_confirmed(client, yandex):
    local = UserFactory(email="Olga.Petrova@yandex.ru", roles=[VOLUNTEER])
    assert local.email_confirmed

    response = log_in_with_yandex(client)

    assert response["Location"] == "/accounts/start/"  # then by role (accounts.views.landing)
    assert User.objects.count() == 1
    assert UserSocialAuth.objects.get().user == local
    page = client.get("/accounts/profile/")
    assert page.context["user"] == local
    assert LINKED in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "staff",
    [
        {"roles": [TEACHER]},
        {"roles": [ADMIN]},
        {"roles": [MAIN_ADMIN]},
        {"roles": [VOLUNTEER, TEACHER]},
        {"is_staff": True},
        {"is_superuser": True},
    ],
    ids=["teacher", "admin", "main-admin", "volunteer-and-teacher", "is-staff", "superuser"],
)
def test_a_staff_account_is_never_entered_by_its_address(client, yandex, staff):
    account = UserFactory(email="olga.petrova@yandex.ru", **staff)
    assert account.email_confirmed

    response = log_in_with_yandex(client)

    assert signed_in_user(client) is None
    assert not UserSocialAuth.objects.exists()
    assert User.objects.count() == 1
    assert LINK_REFUSED in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_inactive_account_is_not_entered_nor_duplicated(client, yandex):
    UserFactory(email="olga.petrova@yandex.ru", is_active=False)

    response = log_in_with_yandex(client)

    assert signed_in_user(client) is None
    assert User.objects.count() == 1
    assert LINK_REFUSED in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_new_person_gets_a_confirmed_account_and_no_confirmation_letter(
    client, yandex, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        log_in_with_yandex(client)

    user = User.objects.get()
    assert user.email_confirmed
    assert user.confirmed_email == "olga.petrova@yandex.ru"
    assert mailoutbox == []
    assert "Подтвердите электронную почту" not in client.get("/accounts/profile/").content.decode()


@pytest.mark.django_db
def test_create_user_refuses_an_address_another_account_has():
    """The pipeline's last guard, whatever runs before it: an address taken (in any letter
    case) is refused with the same message, never a second account or a 500."""
    from accounts.pipeline import YandexLinkRefused, create_user

    UserFactory(email="Olga.Petrova@yandex.ru")

    with pytest.raises(YandexLinkRefused) as refused:
        create_user(backend=None, details={"email": "olga.petrova@yandex.ru", "username": "olga"})

    assert LINK_REFUSED in str(refused.value)
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_the_profile_offers_to_link_yandex_id_with_a_post_form(as_teacher, yandex):
    page = as_teacher.get("/accounts/profile/").content.decode()

    assert '<form method="post" action="/auth/login/yandex-oauth2/">' in page
    assert "Привязать Яндекс ID" in page
    yandex.assert_all_requests_are_fired = False


@pytest.mark.django_db
@pytest.mark.parametrize("confirmed_email", ["", "olga.petrova@yandex.ru"], ids=["unconfirmed", "confirmed"])
def test_a_signed_in_teacher_links_yandex_id_from_the_profile(client, yandex, confirmed_email):
    """Staff link Yandex ID only this way: signed in with the password. The Yandex
    address need not be the account's."""
    teacher = UserFactory(email="e.vasilieva@school.example", confirmed_email=confirmed_email, roles=[TEACHER])
    client.force_login(teacher)

    response = log_in_with_yandex(client, next="/accounts/profile/")  # as the profile's form sends it

    assert response["Location"] == "/accounts/profile/"
    association = UserSocialAuth.objects.get()
    assert (association.user, association.uid) == (teacher, YANDEX_USER["id"])
    assert User.objects.count() == 1
    page = client.get("/accounts/profile/")
    assert page.context["user"] == teacher
    assert LINKED in page.content.decode()
    client.post("/accounts/logout/")

    log_in_with_yandex(client)

    assert client.get("/accounts/profile/").context["user"] == teacher, "signed out, Yandex ID now opens it"


@pytest.mark.django_db
def test_a_yandex_id_linked_to_another_account_is_refused_in_russian(client, yandex, volunteer):
    log_in_with_yandex(client)
    owner = User.objects.get(email="olga.petrova@yandex.ru")
    client.post("/accounts/logout/")
    client.force_login(volunteer)

    response = log_in_with_yandex(client)

    assert response["Location"] == "/accounts/profile/"
    assert UserSocialAuth.objects.get().user == owner
    page = client.get("/accounts/profile/")
    assert page.context["user"] == volunteer, "still signed in as themselves, not as the owner"
    assert "Этот Яндекс ID уже привязан к другой учётной записи" in page.content.decode()


@pytest.mark.django_db
def test_unlinking_with_a_password(client, volunteer):
    volunteer.social_auth.create(provider="yandex-oauth2", uid=YANDEX_USER["id"])
    client.force_login(volunteer)
    assert "Отвязать Яндекс ID" in client.get("/accounts/profile/").content.decode()

    assert client.get("/auth/disconnect/yandex-oauth2/").status_code == 405
    response = client.post("/auth/disconnect/yandex-oauth2/", {"next": "/accounts/profile/"}, follow=True)

    assert response.redirect_chain[-1][0] == "http://testserver/accounts/profile/"
    assert not UserSocialAuth.objects.exists()
    assert "Яндекс ID отвязан." in response.content.decode()


@pytest.mark.django_db
def test_unlinking_without_a_password_is_refused(client, volunteer):
    volunteer.set_unusable_password()
    volunteer.save()
    volunteer.social_auth.create(provider="yandex-oauth2", uid=YANDEX_USER["id"])
    client.force_login(volunteer)
    assert "Отвязать Яндекс ID" not in client.get("/accounts/profile/").content.decode()

    response = client.post("/auth/disconnect/yandex-oauth2/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    assert UserSocialAuth.objects.get().user == volunteer
    assert "Чтобы отвязать Яндекс ID, сначала задайте пароль" in response.content.decode()


@pytest.mark.django_db
def test_the_migration_confirms_the_addresses_of_accounts_already_linked_to_yandex():
    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0006_confirm_yandex_linked_emails")
    linked = UserFactory(email="olga@yandex.ru", confirmed_email="")
    linked.social_auth.create(provider="yandex-oauth2", uid="1")
    no_address = UserFactory(email="", confirmed_email="")
    no_address.social_auth.create(provider="yandex-oauth2", uid="2")
    local = UserFactory(confirmed_email="")

    migration.confirm_yandex_linked_emails(apps, schema_editor=None)

    for user in (linked, no_address, local):
        user.refresh_from_db()
    assert (linked.email_confirmed, no_address.email_confirmed, local.email_confirmed) == (True, False, False)
