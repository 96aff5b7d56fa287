"""The API's tokens through real HTTP requests: a pair for an email and password, for a
Yandex ID token, for the site's session; rotation, sign-out, the `roles` claim, expiry,
deactivated accounts, and the site's login lock-out counting API attempts too."""

from datetime import timedelta

import jwt
import pytest
import responses
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from social_django.models import UserSocialAuth

from accounts.models import User
from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER
from accounts.services import user_set_roles
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.test_yandex import (
    ACCESS_TOKEN,
    INFO_URL,
    LINK_REFUSED,
    YANDEX_USER,
    yandex,  # noqa: F401 — the fixture, used by `yandex_app`
    yandex_returns,
)
from accounts.tokens import tokens_for

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
YANDEX = "/api/v1/auth/yandex/"
SESSION = "/api/v1/auth/session/"
ME = "/api/v1/me/"

WRONG = "не-тот-пароль"
WRONG_PAIR = "Неверная электронная почта или пароль."
REVOKED = "Токен обновления уже использован или отозван. Войдите заново."
UNAVAILABLE = "Учётная запись отключена или удалена."
LOCKED = "Вход закрыт на 15 мин., даже с верным паролем."
YANDEX_REFUSED = "Яндекс ID не принял этот токен."

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def obtain(api, email, password=TEST_PASSWORD, *, address="203.0.113.7"):
    return api.post(TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=address)


def refresh(api, token):
    return api.post(REFRESH, {"refresh": token}, format="json")


def me(access):
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {access}")


def claims(access: str) -> dict:
    """The access token's payload, its signature and expiry checked."""
    return AccessToken(access).payload


# --- Email and password ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role_fixture", "roles"),
    [
        ("volunteer", ["volunteer"]),
        ("teacher", ["teacher"]),
        ("administrator", ["admin"]),
        ("main_admin", ["main_admin"]),
    ],
)
def test_an_email_and_password_give_a_pair_whose_access_carries_the_roles(api, request, role_fixture, roles):
    user = request.getfixturevalue(role_fixture)

    response = obtain(api, user.email)

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    access = claims(response.json()["access"])
    assert (access["user_id"], access["roles"]) == (str(user.pk), roles)
    assert me(response.json()["access"]).json()["roles"] == roles


def test_access_lives_15_minutes_and_refresh_7_days(api, volunteer):
    pair = obtain(api, volunteer.email).json()

    access, refresh_token = AccessToken(pair["access"]), RefreshToken(pair["refresh"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh_token["exp"] - refresh_token["iat"] == 7 * 24 * 3600


def test_the_tokens_are_signed_with_a_key_of_their_own(api, volunteer):
    access = obtain(api, volunteer.email).json()["access"]

    assert settings.SIMPLE_JWT["SIGNING_KEY"] == settings.JWT_SIGNING_KEY != settings.SECRET_KEY
    assert jwt.decode(access, settings.JWT_SIGNING_KEY, algorithms=["HS256"])["roles"] == ["volunteer"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(access, settings.SECRET_KEY, algorithms=["HS256"])


def test_the_address_in_any_letter_case(api, volunteer):
    assert obtain(api, volunteer.email.upper()).status_code == 200


@pytest.mark.parametrize("email", ["user-that-is-not@volna.example", None], ids=["unknown", "wrong-password"])
def test_a_wrong_pair_is_refused_in_russian(api, volunteer, email):
    response = obtain(api, email or volunteer.email, WRONG)

    assert response.status_code == 401
    assert response.json() == {"detail": WRONG_PAIR, "code": "invalid_login"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_deactivated_account_gets_no_pair(api, volunteer):
    volunteer.is_active = False
    volunteer.save()

    response = obtain(api, volunteer.email)

    assert response.status_code == 401
    assert response.json()["detail"] == WRONG_PAIR


def test_missing_fields_are_named(api, db):
    response = api.post(TOKEN, {"email": "a@volna.example"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["password"]


# --- Refresh (rotation), sign-out, expiry ------------------------------------------------


def test_refresh_gives_a_new_pair_and_the_old_refresh_token_is_used_up(api, volunteer):
    first = obtain(api, volunteer.email).json()

    rotated = refresh(api, first["refresh"])

    assert rotated.status_code == 200
    second = rotated.json()
    assert set(second) == {"access", "refresh"}
    assert second["refresh"] != first["refresh"]
    assert me(second["access"]).status_code == 200
    again = refresh(api, first["refresh"])
    assert again.status_code == 401
    assert again.json() == {"detail": REVOKED, "code": "token_not_valid"}
    assert refresh(api, second["refresh"]).status_code == 200


def test_refresh_reads_the_roles_again(api, volunteer):
    first = obtain(api, volunteer.email).json()
    user_set_roles(user=volunteer, roles=[VOLUNTEER, TEACHER])

    second = refresh(api, first["refresh"]).json()

    assert claims(first["access"])["roles"] == ["volunteer"]
    assert claims(second["access"])["roles"] == ["teacher", "volunteer"]
    assert RefreshToken(second["refresh"])["roles"] == ["teacher", "volunteer"]
    user_set_roles(user=volunteer, roles=[])
    assert claims(refresh(api, second["refresh"]).json()["access"])["roles"] == []


def test_logout_blacklists_the_refresh_token(api, volunteer):
    pair = obtain(api, volunteer.email).json()

    response = api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 204
    assert refresh(api, pair["refresh"]).json() == {"detail": REVOKED, "code": "token_not_valid"}
    assert api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_an_expired_access_token_is_refused(api, volunteer):
    """Made an hour ago (its exp set from a time in the past), rather than waited for."""
    access = AccessToken.for_user(volunteer)
    access.set_exp(from_time=access.current_time - timedelta(hours=1))

    response = me(str(access))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Срок действия токена доступа истёк.")
    assert response.json()["code"] == "token_not_valid"


def test_an_expired_refresh_token_is_refused(api, volunteer):
    token = RefreshToken.for_user(volunteer)
    token.set_exp(from_time=token.current_time - timedelta(days=8))

    response = refresh(api, str(token))

    assert response.status_code == 401
    assert response.json()["detail"] == "Срок действия токена обновления истёк. Войдите заново."


def test_forged_and_misused_tokens_are_refused(api, volunteer):
    pair = tokens_for(volunteer)
    forged = jwt.encode(
        {**claims(pair["access"]), "roles": ["main_admin"]}, "a-guessed-key-of-at-least-32-bytes!!", algorithm="HS256"
    )

    assert me(forged).json()["detail"] == "Токен доступа недействителен."
    assert me(pair["refresh"]).status_code == 401, "a refresh token is no access token"
    assert refresh(api, pair["access"]).json()["detail"] == "Токен обновления недействителен."
    assert refresh(api, "not-a-token").status_code == 401


def test_no_token_no_answer(api, db):
    response = api.get(ME)

    assert response.status_code == 401
    assert response.json()["detail"] == "Учетные данные не были предоставлены."
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_deactivated_users_tokens_stop_working_at_the_next_request(api, volunteer):
    pair = obtain(api, volunteer.email).json()
    assert me(pair["access"]).status_code == 200

    volunteer.is_active = False
    volunteer.save()

    refused = me(pair["access"])
    assert refused.status_code == 401
    assert refused.json() == {"detail": UNAVAILABLE, "code": "user_inactive"}
    assert refresh(api, pair["refresh"]).json() == {"detail": UNAVAILABLE, "code": "token_not_valid"}


def test_a_deleted_users_tokens_stop_working(api, volunteer):
    pair = tokens_for(volunteer)
    volunteer.delete()

    assert me(pair["access"]).json()["detail"] == UNAVAILABLE
    assert refresh(api, pair["refresh"]).status_code == 401


# --- The login lock-out (django-axes), shared with the site ----------------------------


def test_the_tenth_failure_locks_the_account_out_even_with_the_right_password(api, volunteer):
    statuses = [obtain(api, volunteer.email, WRONG, address=f"198.51.100.{n}").status_code for n in range(10)]

    assert statuses == [401] * 9 + [429]
    response = obtain(api, volunteer.email, address="192.0.2.99")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "900"
    assert LOCKED in response.json()["detail"]
    assert response.json()["code"] == "locked_out"
    failures = sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))
    assert failures == 10, "attempts while locked out are not counted"


def test_nine_failures_leave_the_right_password_working(api, volunteer):
    for _ in range(9):
        obtain(api, volunteer.email, WRONG)

    assert obtain(api, volunteer.email).status_code == 200


def test_the_api_and_the_login_page_count_together(api, client, volunteer):
    for _ in range(5):
        client.post("/accounts/login/", {"username": volunteer.email, "password": WRONG}, REMOTE_ADDR="198.51.100.1")
    for _ in range(5):
        obtain(api, volunteer.email.upper(), WRONG, address="198.51.100.2")

    assert obtain(api, volunteer.email).status_code == 429
    page = client.post("/accounts/login/", {"username": volunteer.email, "password": TEST_PASSWORD})
    assert page.status_code == 429
    assert "Вход временно закрыт" in page.content.decode()


def test_ten_failures_from_one_address_lock_it_for_every_account(api, volunteer):
    for other in UserFactory.create_batch(10):
        obtain(api, other.email, WRONG)

    assert obtain(api, volunteer.email).status_code == 429
    assert obtain(api, volunteer.email, address="192.0.2.99").status_code == 200


# --- A Yandex ID token ------------------------------------------------------------------


@pytest.fixture
def yandex_app(yandex):  # noqa: F811 — the fixture imported above
    """Yandex for an app's token: only the user-info endpoint is called (no code exchange)."""
    yandex.assert_all_requests_are_fired = False
    return yandex


def exchange(api, access_token=ACCESS_TOKEN, *, address="203.0.113.7"):
    return api.post(YANDEX, {"access_token": access_token}, format="json", REMOTE_ADDR=address)


def test_a_yandex_token_of_a_new_person_gives_a_new_volunteer_a_pair(api, yandex_app):
    response = exchange(api)

    assert response.status_code == 200
    user = User.objects.get()
    assert (user.username, user.email, user.first_name, user.email_confirmed) == (
        "olga.petrova",
        "olga.petrova@yandex.ru",
        "Ольга",
        True,
    )
    assert claims(response.json()["access"])["roles"] == ["volunteer"]
    association = UserSocialAuth.objects.get(user=user)
    assert association.uid == YANDEX_USER["id"]
    assert ACCESS_TOKEN not in str(association.extra_data), "Yandex tokens are never stored"
    (info_call,) = yandex_app.calls
    assert info_call.request.url.startswith(INFO_URL)
    assert ACCESS_TOKEN in info_call.request.url


def test_a_linked_account_gets_its_pair_again(api, yandex_app):
    exchange(api)
    user = User.objects.get()

    response = exchange(api)

    assert User.objects.count() == 1
    assert claims(response.json()["access"])["user_id"] == str(user.pk)


def test_a_volunteer_whose_address_is_confirmed_is_linked(api, yandex_app):
    local = UserFactory(email="Olga.Petrova@yandex.ru", roles=[VOLUNTEER])

    response = exchange(api)

    assert claims(response.json()["access"])["user_id"] == str(local.pk)
    assert UserSocialAuth.objects.get().user == local


@pytest.mark.parametrize(
    "account",
    [{"roles": [TEACHER]}, {"roles": [ADMIN]}, {"roles": [MAIN_ADMIN]}, {"is_staff": True}, {"confirmed_email": ""}],
    ids=["teacher", "admin", "main-admin", "is-staff", "unconfirmed"],
)
def test_an_account_yandex_may_not_enter_by_its_address_is_refused(api, yandex_app, account):
    UserFactory(email="olga.petrova@yandex.ru", **account)

    response = exchange(api)

    assert response.status_code == 403
    assert response.json()["code"] == "email_in_use"
    assert LINK_REFUSED in response.json()["detail"]
    assert not UserSocialAuth.objects.exists()
    assert User.objects.count() == 1


def test_a_token_yandex_does_not_accept_is_refused(api, yandex_app):
    yandex_app.replace(responses.GET, INFO_URL, status=401, body="invalid token")

    response = exchange(api, "y0_expired")

    assert response.status_code == 401
    assert response.json()["code"] == "yandex_token_refused"
    assert YANDEX_REFUSED in response.json()["detail"]
    assert not User.objects.exists()


def test_a_token_issued_to_another_application_is_refused(api, yandex_app):
    yandex_returns(yandex_app, client_id="someone-elses-app")

    response = exchange(api)

    assert response.status_code == 401
    assert response.json()["code"] == "yandex_token_refused"
    assert not User.objects.exists()


def test_yandex_down_is_a_503(api, yandex_app):
    yandex_app.replace(responses.GET, INFO_URL, status=503)

    response = exchange(api)

    assert response.status_code == 503
    assert response.json()["detail"] == "Яндекс ID сейчас не отвечает. Попробуйте позже."


def test_a_deactivated_linked_account_is_refused(api, yandex_app):
    exchange(api)
    User.objects.update(is_active=False)

    response = exchange(api)

    assert response.status_code == 401
    assert response.json()["detail"] == UNAVAILABLE


def test_a_locked_out_address_gets_no_pair_for_a_yandex_token(api, yandex_app):
    for other in UserFactory.create_batch(10):
        obtain(api, other.email, WRONG)

    response = exchange(api)

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert exchange(api, address="192.0.2.99").status_code == 200


def test_an_empty_yandex_token_is_a_400(api, yandex_app):
    assert api.post(YANDEX, {"access_token": ""}, format="json").status_code == 400


# --- The site's session -----------------------------------------------------------------


def test_a_person_signed_in_on_the_site_exchanges_the_session_with_the_csrf_token(teacher):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(teacher)
    browser.get("/accounts/profile/")  # sets the CSRF cookie, as any page with a form
    csrf_token = browser.cookies["csrftoken"].value

    without = browser.post(SESSION)
    response = browser.post(SESSION, HTTP_X_CSRFTOKEN=csrf_token)

    assert without.status_code == 403
    assert (
        without.json()["detail"]
        == "Нет CSRF-токена сайта или он неверен: передайте его из cookie csrftoken в заголовке X-CSRFToken."
    )
    assert response.status_code == 200
    assert claims(response.json()["access"])["roles"] == ["teacher"]
    assert me(response.json()["access"]).json()["email"] == teacher.email


def test_no_session_no_pair(api, volunteer):
    assert Client().post(SESSION).status_code == 403
    access = tokens_for(volunteer)["access"]
    assert api.post(SESSION, HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 403, "a session, not a token"
