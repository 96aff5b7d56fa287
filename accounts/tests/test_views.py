import json
import re
import time
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import VOLUNTEER
from accounts.tests.factories import TEST_PASSWORD, UserFactory

REGISTER = "/accounts/register/"
LOGIN = "/accounts/login/"
PROFILE = "/accounts/profile/"
STRONG_PASSWORD = "Волна-пароль-2026"


def registration(**overrides):
    data = {
        "first_name": "Мария",
        "last_name": "Иванова",
        "email": "maria@example.ru",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
    }
    return {**data, **overrides}


def field_errors(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


@pytest.mark.django_db
class TestRegistration:
    def test_creates_a_volunteer_and_signs_them_in(self, client):
        response = client.post(REGISTER, registration(), follow=True)

        user = User.objects.get(email="maria@example.ru")
        assert response.redirect_chain[-1][0] == PROFILE
        assert response.context["user"] == user
        assert (user.first_name, user.last_name, user.username) == ("Мария", "Иванова", "maria")
        assert list(user.groups.values_list("name", flat=True)) == [VOLUNTEER]
        assert not user.is_staff
        assert "Учётная запись создана" in response.content.decode()

    @pytest.mark.parametrize("taken", ["maria@example.ru", "MARIA@Example.RU"])
    def test_an_email_already_taken_in_any_case_is_a_field_error(self, client, taken):
        UserFactory(email="Maria@example.ru")

        response = client.post(REGISTER, registration(email=taken))

        assert response.status_code == 200
        assert field_errors(response, "email") == ["Пользователь с такой электронной почтой уже зарегистрирован."]
        assert User.objects.count() == 1

    def test_a_malformed_email_is_a_field_error_in_russian(self, client):
        response = client.post(REGISTER, registration(email="maria@"))

        assert field_errors(response, "email") == ["Введите правильный адрес электронной почты."]
        assert not User.objects.exists()

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("12345678", "Введённый пароль слишком широко распространён."),
            ("Kx9!", "Введённый пароль слишком короткий. Он должен состоять из как минимум 8 символов."),
            ("58203917465", "Введённый пароль состоит только из цифр."),
            ("maria-example", "Введённый пароль слишком похож на электронная почта."),
        ],
    )
    def test_a_weak_password_is_a_field_error_in_russian(self, client, password, message):
        response = client.post(REGISTER, registration(password1=password, password2=password))

        assert response.status_code == 200
        assert message in field_errors(response, "password1")
        assert message in response.content.decode()
        assert not User.objects.exists()

    def test_mismatched_passwords(self, client):
        response = client.post(REGISTER, registration(password2=STRONG_PASSWORD + "!"))

        assert field_errors(response, "password2") == ["Пароли не совпадают."]

    def test_missing_fields_are_named(self, client):
        response = client.post(REGISTER, {})

        for field in ("first_name", "last_name", "email", "password1", "password2"):
            assert field_errors(response, field) == ["Обязательное поле."]

    def test_a_signed_in_user_is_sent_to_the_profile(self, client, volunteer):
        client.force_login(volunteer)

        assert client.get(REGISTER)["Location"] == PROFILE


@pytest.mark.django_db
class TestLogin:
    @pytest.mark.parametrize("typed", ["ivan@volna.example", "IVAN@Volna.Example"])
    def test_by_email_in_any_letter_case(self, client, typed):
        user = UserFactory(email="ivan@volna.example")

        response = client.post(LOGIN, {"username": typed, "password": TEST_PASSWORD})

        assert response["Location"] == "/courses/my/"  # a user without a staff role (accounts.test_landing)
        assert client.get(PROFILE).context["user"] == user

    def test_a_wrong_password_says_so_in_russian(self, client):
        UserFactory(email="ivan@volna.example")

        response = client.post(LOGIN, {"username": "ivan@volna.example", "password": "не тот"})

        assert response.status_code == 200
        assert "Неверная электронная почта или пароль." in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_an_inactive_account_cannot_sign_in(self, client):
        UserFactory(email="ivan@volna.example", is_active=False)

        client.post(LOGIN, {"username": "ivan@volna.example", "password": TEST_PASSWORD})

        assert "_auth_user_id" not in client.session

    @pytest.mark.parametrize("backend", ["accounts.backends.EmailBackend", "accounts.backends.YandexOAuth2"])
    def test_a_deactivated_account_is_signed_out_of_its_sessions(self, client, backend):
        user = UserFactory(email="ivan@volna.example")
        client.force_login(user, backend=backend)
        assert client.get(PROFILE).status_code == 200

        User.objects.filter(pk=user.pk).update(is_active=False)

        assert client.get(PROFILE).status_code == 302

    def test_next_is_followed(self, client):
        UserFactory(email="ivan@volna.example")

        response = client.post(LOGIN, {"username": "ivan@volna.example", "password": TEST_PASSWORD, "next": "/about/"})

        assert response["Location"] == "/about/"

    def test_logout_is_a_post(self, client, volunteer):
        client.force_login(volunteer)

        assert client.get("/accounts/logout/").status_code == 405
        response = client.post("/accounts/logout/")

        assert response["Location"] == "/"
        assert "_auth_user_id" not in client.session

    def test_no_yandex_button_without_yandex_credentials(self, client, settings):
        settings.SOCIAL_AUTH_YANDEX_OAUTH2_KEY = ""

        assert "Войти через Яндекс ID" not in client.get(LOGIN).content.decode()


@pytest.mark.django_db
class TestProfile:
    def test_anonymous_is_sent_to_login(self, client):
        assert client.get(PROFILE)["Location"] == f"{LOGIN}?next={PROFILE}"

    def test_shows_own_data_and_roles(self, client, teacher):
        client.force_login(teacher)

        page = client.get(PROFILE).content.decode()

        assert teacher.username in page
        assert f'value="{teacher.first_name}"' in page
        assert "Преподаватель" in page

    def test_edits_names_without_the_password(self, client, volunteer):
        client.force_login(volunteer)
        email = volunteer.email

        response = client.post(PROFILE, {"first_name": "Пётр", "last_name": "Орлов", "email": email})

        volunteer.refresh_from_db()
        assert response["Location"] == PROFILE
        assert (volunteer.first_name, volunteer.last_name, volunteer.email) == ("Пётр", "Орлов", email)
        assert mail.outbox == []

    def test_rejects_an_email_another_user_has(self, client, volunteer):
        UserFactory(email="taken@example.ru")
        client.force_login(volunteer)

        response = client.post(PROFILE, {"first_name": "Пётр", "last_name": "Орлов", "email": "Taken@example.ru"})

        assert field_errors(response, "email") == ["Пользователь с такой электронной почтой уже зарегистрирован."]

    def test_names_are_required(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(PROFILE, {"first_name": "", "last_name": "", "email": volunteer.email})

        assert field_errors(response, "first_name") == ["Обязательное поле."]
        volunteer.refresh_from_db()
        assert volunteer.first_name

    def test_a_yandex_users_email_is_read_only(self, client, volunteer):
        volunteer.social_auth.create(provider="yandex-oauth2", uid="1000")
        client.force_login(volunteer)

        page = client.get(PROFILE).content.decode()
        client.post(PROFILE, {"first_name": "Пётр", "last_name": "Орлов", "email": "other@example.ru"})

        assert 'name="email"' not in page
        assert "из Яндекс ID, изменить нельзя" in page
        volunteer.refresh_from_db()
        assert volunteer.first_name == "Пётр"
        assert volunteer.email != "other@example.ru"


@pytest.mark.django_db
class TestPasswords:
    def test_change(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(
            "/accounts/password/change/",
            {"old_password": TEST_PASSWORD, "new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
        )

        assert response["Location"] == PROFILE
        volunteer.refresh_from_db()
        assert volunteer.check_password(STRONG_PASSWORD)
        assert client.get(PROFILE).status_code == 200, "the session survives the change"

    def test_change_with_a_wrong_old_password(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(
            "/accounts/password/change/",
            {"old_password": "не тот", "new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
        )

        assert response.context["form"].errors["old_password"] == [
            "Ваш старый пароль введен неправильно. Пожалуйста, введите его снова."
        ]

    def test_a_yandex_user_without_a_password_sets_one(self, client, volunteer):
        volunteer.set_unusable_password()
        volunteer.save()
        client.force_login(volunteer)

        response = client.post(
            "/accounts/password/change/", {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD}
        )

        assert response["Location"] == PROFILE
        volunteer.refresh_from_db()
        assert volunteer.check_password(STRONG_PASSWORD)

    def test_change_needs_login(self, client):
        assert client.get("/accounts/password/change/")["Location"].startswith(LOGIN)

    def test_reset_by_email_end_to_end(self, client):
        user = UserFactory(email="ivan@volna.example")

        response = client.post("/accounts/password/reset/", {"email": "IVAN@volna.example"})

        assert response["Location"] == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["ivan@volna.example"]
        assert mail.outbox[0].subject == "Восстановление пароля на платформе «Волна»"
        link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
        form_url = client.get(link)["Location"]
        client.post(form_url, {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD})
        user.refresh_from_db()
        assert user.check_password(STRONG_PASSWORD)

    def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(self, client):
        response = client.post("/accounts/password/reset/", {"email": "nobody@volna.example"})

        assert response["Location"] == reverse("accounts:password_reset_done")
        assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", [REGISTER, LOGIN, "/accounts/password/reset/"])
def test_public_account_pages_run_few_queries(client, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_profile_runs_few_queries(client, django_assert_max_num_queries):
    user = UserFactory()
    user.groups.set(Group.objects.all())
    client.force_login(user)

    with django_assert_max_num_queries(5):
        assert client.get(PROFILE).status_code == 200


# --- Email confirmation (issue 15) -----------------------------------------------------

SITE_URL = "https://volna.example"
THREE_DAYS = 3 * 24 * 3600
CONFIRM_BANNER = "Подтвердите электронную почту"


def confirmation_path(message) -> str:
    """The site path of the confirmation link in an email; the link is on SITE_URL."""
    return re.search(rf"{re.escape(SITE_URL)}(/accounts/email/confirm/\S+/)", message.body).group(1)


@pytest.fixture
def mail_link(settings, django_capture_on_commit_callbacks):
    """mail_link(user, age=seconds): the path of a confirmation link mailed `age` seconds ago
    (asked for with the profile's button, in the owner's own browser)."""
    settings.SITE_URL = SITE_URL

    def send_link(user, *, age=0):
        sent = len(mail.outbox)
        signed_at = time.time() - age
        owner = Client()
        owner.force_login(user)
        with (
            django_capture_on_commit_callbacks(execute=True),
            mock.patch("django.core.signing.time.time", return_value=signed_at),
        ):
            owner.post("/accounts/email/confirm-again/")
        assert len(mail.outbox) == sent + 1
        return confirmation_path(mail.outbox[-1])

    return send_link


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
class TestEmailConfirmation:
    def test_registration_mails_a_link_and_says_so(self, client, settings, django_capture_on_commit_callbacks):
        settings.SITE_URL = SITE_URL

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(REGISTER, registration(), follow=True)

        user = User.objects.get()
        assert not user.email_confirmed
        assert [message.to for message in mail.outbox] == [["maria@example.ru"]]
        assert confirmation_path(mail.outbox[0])
        page = response.content.decode()
        assert "Мы отправили письмо на maria@example.ru" in page
        assert CONFIRM_BANNER in page
        assert "Отправить письмо ещё раз" in page

    def test_opening_the_link_asks_and_the_button_confirms(self, client, mail_link):
        user = UserFactory(email="maria@example.ru", confirmed_email="")
        link = mail_link(user)
        client.force_login(user)
        assert CONFIRM_BANNER in client.get(PROFILE).content.decode()

        page = client.get(link)

        assert "maria@example.ru" in page.content.decode()
        assert '<button type="submit" class="button">Подтвердить</button>' in page.content.decode()
        user.refresh_from_db()
        assert not user.email_confirmed, "opening the link (a mail scanner may) confirms nothing"

        response = client.post(link, follow=True)

        user.refresh_from_db()
        assert user.email_confirmed
        assert response.redirect_chain[-1][0] == PROFILE
        assert "Адрес maria@example.ru подтверждён." in messages_of(response)
        assert CONFIRM_BANNER not in response.content.decode()

    def test_the_link_works_signed_out_and_leads_to_the_login_page(self, client, mail_link):
        user = UserFactory(email="maria@example.ru", confirmed_email="")

        response = client.post(mail_link(user))

        assert response["Location"] == LOGIN
        assert "_auth_user_id" not in client.session
        user.refresh_from_db()
        assert user.email_confirmed

    def test_a_link_still_works_just_before_three_days(self, client, mail_link):
        user = UserFactory(confirmed_email="")

        client.post(mail_link(user, age=THREE_DAYS - 60))

        user.refresh_from_db()
        assert user.email_confirmed

    def test_a_link_older_than_three_days_is_refused(self, client, mail_link):
        user = UserFactory(confirmed_email="")
        link = mail_link(user, age=THREE_DAYS + 60)

        for response in (client.get(link), client.post(link)):
            assert response.status_code == 200
            assert "Ссылка для подтверждения почты устарела" in response.content.decode()
        user.refresh_from_db()
        assert not user.email_confirmed

    def test_a_tampered_link_is_refused(self, client, mail_link):
        victim = UserFactory(confirmed_email="")
        other = UserFactory(confirmed_email="")
        link = mail_link(other)
        token = link.split("/")[-2]
        payload, signature = token.split(":", 1)
        # The other account's link, made to name the victim's account and address.
        named = json.loads(signing.b64_decode(payload.encode()))
        named.update(user=victim.pk, email=victim.email)
        forged_payload = signing.b64_encode(json.dumps(named, separators=(",", ":")).encode()).decode()
        forged_signature = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")

        for forged in (f"{forged_payload}:{signature}", f"{payload}:{forged_signature}", "not-a-token"):
            response = client.post(link.replace(token, forged))
            assert "Ссылка для подтверждения почты неверна" in response.content.decode()
        for user in (victim, other):
            user.refresh_from_db()
            assert not user.email_confirmed

    def test_a_link_to_an_address_since_replaced_confirms_nothing(self, client, mail_link):
        user = UserFactory(email="old@example.ru", confirmed_email="")
        link = mail_link(user)
        User.objects.filter(pk=user.pk).update(email="new@example.ru")

        response = client.post(link)

        assert "больше не ждёт подтверждения" in response.content.decode()
        user.refresh_from_db()
        assert (user.email, user.email_confirmed) == ("new@example.ru", False)

    def test_an_address_changed_in_the_admin_is_unconfirmed_again(self):
        user = UserFactory(email="old@example.ru")
        assert user.email_confirmed

        user.email = "new@example.ru"

        assert not user.email_confirmed

    def test_resend_mails_one_link(self, client, settings, django_capture_on_commit_callbacks):
        settings.SITE_URL = SITE_URL
        user = UserFactory(email="maria@example.ru", confirmed_email="")
        client.force_login(user)
        assert client.get("/accounts/email/confirm-again/").status_code == 405

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/email/confirm-again/", follow=True)

        assert [message.to for message in mail.outbox] == [["maria@example.ru"]]
        assert "Письмо со ссылкой для подтверждения отправлено на maria@example.ru." in messages_of(response)
        client.post(confirmation_path(mail.outbox[0]))
        user.refresh_from_db()
        assert user.email_confirmed

    def test_resend_for_a_confirmed_address_mails_nothing(self, client, volunteer, django_capture_on_commit_callbacks):
        client.force_login(volunteer)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/email/confirm-again/", follow=True)

        assert mail.outbox == []
        assert "Электронная почта уже подтверждена." in messages_of(response)
        assert CONFIRM_BANNER not in client.get(PROFILE).content.decode()

    def test_resend_needs_login(self, client):
        assert client.post("/accounts/email/confirm-again/")["Location"].startswith(LOGIN)

    def test_an_unconfirmed_account_still_signs_in_with_its_password(self, client):
        UserFactory(email="ivan@volna.example", confirmed_email="")

        response = client.post(LOGIN, {"username": "ivan@volna.example", "password": TEST_PASSWORD})

        assert response["Location"] == "/courses/my/"


def change_email(client, email, password=TEST_PASSWORD, **names):
    data = {"first_name": "Пётр", "last_name": "Орлов", "email": email, "current_password": password, **names}
    return client.post(PROFILE, data)


@pytest.mark.django_db
class TestEmailChange:
    @pytest.fixture(autouse=True)
    def _site(self, settings):
        settings.SITE_URL = SITE_URL

    def test_needs_the_current_password(self, client, volunteer, django_capture_on_commit_callbacks):
        client.force_login(volunteer)
        email = volunteer.email

        with django_capture_on_commit_callbacks(execute=True):
            missing = change_email(client, "petr@example.ru", password="")
            wrong = change_email(client, "petr@example.ru", password="не тот")

        assert field_errors(missing, "current_password") == ["Введите текущий пароль, чтобы сменить электронную почту."]
        assert field_errors(wrong, "current_password") == ["Неверный пароль."]
        volunteer.refresh_from_db()
        assert (volunteer.email, volunteer.pending_email) == (email, "")
        assert mail.outbox == []

    def test_takes_effect_only_once_the_new_address_is_confirmed(
        self, client, volunteer, django_capture_on_commit_callbacks
    ):
        client.force_login(volunteer)
        old = volunteer.email

        with django_capture_on_commit_callbacks(execute=True):
            response = change_email(client, "petr@example.ru")

        assert response["Location"] == PROFILE
        volunteer.refresh_from_db()
        assert (volunteer.email, volunteer.first_name) == (old, "Пётр")
        assert volunteer.email_confirmed, "the old address stays, still confirmed"
        assert [message.to for message in mail.outbox] == [["petr@example.ru"]]
        page = client.get(PROFILE).content.decode()
        assert "ждёт подтверждения: petr@example.ru" in page
        assert 'value="petr@example.ru"' in page

        client.post(confirmation_path(mail.outbox[0]))

        volunteer.refresh_from_db()
        assert (volunteer.email, volunteer.pending_email) == ("petr@example.ru", "")
        assert volunteer.email_confirmed
        assert "ждёт подтверждения" not in client.get(PROFILE).content.decode()

    def test_saving_names_keeps_a_pending_change(self, client, volunteer, django_capture_on_commit_callbacks):
        client.force_login(volunteer)
        with django_capture_on_commit_callbacks(execute=True):
            change_email(client, "petr@example.ru")
            response = change_email(client, "petr@example.ru", password="", first_name="Павел")

        assert response["Location"] == PROFILE
        volunteer.refresh_from_db()
        assert (volunteer.first_name, volunteer.pending_email) == ("Павел", "petr@example.ru")
        assert len(mail.outbox) == 1

    def test_the_current_address_again_withdraws_the_change(
        self, client, volunteer, django_capture_on_commit_callbacks
    ):
        client.force_login(volunteer)
        with django_capture_on_commit_callbacks(execute=True):
            change_email(client, "petr@example.ru")
        link = confirmation_path(mail.outbox[0])

        response = client.post(
            PROFILE, {"first_name": "Пётр", "last_name": "Орлов", "email": volunteer.email.upper()}, follow=True
        )
        client.post(link)

        assert f"Смена адреса отменена: остаётся {volunteer.email}." in messages_of(response)

        volunteer.refresh_from_db()
        assert volunteer.pending_email == ""
        assert volunteer.email != "petr@example.ru"

    def test_an_old_link_cannot_confirm_a_later_address(self, client, volunteer, django_capture_on_commit_callbacks):
        client.force_login(volunteer)
        with django_capture_on_commit_callbacks(execute=True):
            change_email(client, "first@example.ru")
            change_email(client, "second@example.ru")
        first_link, second_link = (confirmation_path(message) for message in mail.outbox)

        response = client.post(first_link)

        assert "больше не ждёт подтверждения" in response.content.decode()
        volunteer.refresh_from_db()
        assert volunteer.pending_email == "second@example.ru"
        client.post(second_link)
        volunteer.refresh_from_db()
        assert volunteer.email == "second@example.ru"

    def test_the_new_address_must_still_be_free_when_confirmed(
        self, client, volunteer, django_capture_on_commit_callbacks
    ):
        client.force_login(volunteer)
        with django_capture_on_commit_callbacks(execute=True):
            change_email(client, "petr@example.ru")
        UserFactory(email="Petr@Example.ru")

        response = client.post(confirmation_path(mail.outbox[0]))

        assert "Адрес petr@example.ru уже занят другой учётной записью." in response.content.decode()
        volunteer.refresh_from_db()
        assert volunteer.email != "petr@example.ru"

    def test_a_yandex_account_has_no_email_field_nor_password_field(self, client, volunteer):
        volunteer.social_auth.create(provider="yandex-oauth2", uid="1000")
        client.force_login(volunteer)

        page = client.get(PROFILE).content.decode()

        assert 'name="email"' not in page
        assert 'name="current_password"' not in page


def test_the_login_page_names_the_site_not_the_server(client):
    page = client.get("/accounts/login/").content.decode()
    assert "· Волна</title>" in page
    assert "testserver" not in page


def test_the_admin_login_asks_for_an_email_or_a_username(client):
    page = client.get("/admin/login/").content.decode()
    assert "Email или имя пользователя" in page
