import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
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

        assert response["Location"] == PROFILE
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

    def test_edits_names_and_email_of_a_local_account(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(PROFILE, {"first_name": "Пётр", "last_name": "Орлов", "email": "petr@example.ru"})

        volunteer.refresh_from_db()
        assert response["Location"] == PROFILE
        assert (volunteer.first_name, volunteer.last_name, volunteer.email) == ("Пётр", "Орлов", "petr@example.ru")

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
