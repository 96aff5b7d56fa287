"""Password guessing is stopped (django-axes): ten failed logins for one account or from one
address lock it for 15 minutes, on the site and in the admin, even with the right password;
administrators lift a lock-out in the admin."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts.lockout import attempted_account, lockout_parameters
from accounts.roles import ADMIN
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from core.testing import action_data, action_names, message_texts

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
ATTEMPTS = "/admin/axes/accessattempt/"
WRONG = "не-тот-пароль"
LOCKED = "Вход временно закрыт"

pytestmark = pytest.mark.django_db


def log_in(client, identifier, password=TEST_PASSWORD, *, url=LOGIN, address="203.0.113.7", **headers):
    data = {"username": identifier, "password": password}
    if url == ADMIN_LOGIN:
        data["next"] = "/admin/"
    return client.post(url, data, REMOTE_ADDR=address, **headers)


def fail(client, identifier, times, **kwargs):
    return [log_in(client, identifier, WRONG, **kwargs).status_code for _ in range(times)]


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


class TestSiteLogin:
    def test_nine_failures_leave_the_right_password_working(self, client, volunteer):
        assert fail(client, volunteer.email, 9) == [200] * 9
        assert AccessAttempt.objects.get().failures_since_start == 9

        assert log_in(client, volunteer.email).status_code == 302
        assert is_signed_in(client)

    def test_the_tenth_failure_for_an_account_locks_it_even_from_other_addresses(self, client, volunteer):
        statuses = [log_in(client, volunteer.email, WRONG, address=f"198.51.100.{n}").status_code for n in range(10)]

        assert statuses == [200] * 9 + [429]
        response = log_in(client, volunteer.email, address="192.0.2.99")
        assert response.status_code == 429
        assert not is_signed_in(client)
        page = response.content.decode()
        assert LOCKED in page
        assert "Вход закрыт на 15 мин., даже с верным паролем." in page
        assert {"accounts/locked_out.html", "base.html"} <= {template.name for template in response.templates}

    def test_ten_failures_from_one_address_lock_it_for_every_account(self, client, volunteer):
        others = UserFactory.create_batch(10)
        for other in others:
            log_in(client, other.email, WRONG)

        assert log_in(client, volunteer.email).status_code == 429
        assert not is_signed_in(client)
        # The same account from another address is not locked.
        assert log_in(client, volunteer.email, address="192.0.2.99").status_code == 302

    def test_an_address_counts_as_one_account_in_any_letter_case(self, client, volunteer):
        volunteer.email = "Maria.Ivanova@volna.example"
        volunteer.save()
        for n, typed in enumerate(["MARIA.IVANOVA@volna.example", "maria.ivanova@VOLNA.EXAMPLE"] * 5):
            log_in(client, typed, WRONG, address=f"198.51.100.{n}")

        assert log_in(client, "maria.ivanova@volna.example", address="192.0.2.99").status_code == 429
        assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"maria.ivanova@volna.example"}

    def test_the_username_counts_as_its_accounts_address(self, client, volunteer):
        for n in range(10):
            identifier = volunteer.username if n % 2 else volunteer.email
            log_in(client, identifier, WRONG, address=f"198.51.100.{n}")

        assert log_in(client, volunteer.email, address="192.0.2.99").status_code == 429

    def test_the_lock_out_ends_after_the_cool_off(self, client, volunteer):
        fail(client, volunteer.email, 10)
        assert log_in(client, volunteer.email).status_code == 429

        # Fifteen minutes and a second later (the attempts' time, as if it had passed).
        AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

        assert log_in(client, volunteer.email).status_code == 302
        assert is_signed_in(client)

    def test_attempts_while_locked_out_do_not_prolong_it(self, client, volunteer):
        fail(client, volunteer.email, 10)
        locked_at = AccessAttempt.objects.get().attempt_time

        fail(client, volunteer.email, 3)
        log_in(client, volunteer.email)

        attempt = AccessAttempt.objects.get()
        assert (attempt.attempt_time, attempt.failures_since_start) == (locked_at, 10)


class TestBehindAProxy:
    def test_the_forwarded_address_counts_once_the_proxy_is_trusted(self, client, volunteer, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        for other in UserFactory.create_batch(10):
            log_in(client, other.email, WRONG, address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")

        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}
        blocked = log_in(client, volunteer.email, address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
        assert blocked.status_code == 429
        # Another client behind the same proxy is not.
        allowed = log_in(client, volunteer.email, address="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.2")
        assert allowed.status_code == 302

    def test_without_a_trusted_proxy_a_forged_header_changes_nothing(self, client, volunteer, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        for n, other in enumerate(UserFactory.create_batch(10)):
            log_in(client, other.email, WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

        assert log_in(client, volunteer.email, HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429


class TestAdminLogin:
    def test_ten_failures_lock_the_admin_login_with_the_right_password_refused(self, client):
        administrator = UserFactory(roles=[ADMIN])
        statuses = fail(client, administrator.email, 10, url=ADMIN_LOGIN)

        assert statuses == [200] * 9 + [429]
        response = log_in(client, administrator.email, url=ADMIN_LOGIN)
        assert response.status_code == 429
        assert not is_signed_in(client)
        assert "Вход временно закрыт" in response.content.decode()
        assert {"admin/accounts/locked_out.html", "admin/base_site.html"} <= {t.name for t in response.templates}

    def test_failures_on_the_site_and_in_the_admin_count_together(self, client):
        administrator = UserFactory(roles=[ADMIN])
        fail(client, administrator.email, 5)
        fail(client, administrator.username, 5, url=ADMIN_LOGIN)

        assert log_in(client, administrator.email, url=ADMIN_LOGIN).status_code == 429


class TestLiftingInTheAdmin:
    @pytest.fixture
    def locked_out(self, volunteer):
        fail(Client(), volunteer.email, 10)
        assert log_in(Client(), volunteer.email).status_code == 429
        return volunteer

    def test_an_administrator_lifts_it_with_the_action(self, as_administrator, locked_out):
        attempt = AccessAttempt.objects.get()
        assert {"lift_lockout", "delete_selected"} <= action_names(as_administrator.get(ATTEMPTS))

        response = as_administrator.post(ATTEMPTS, action_data("lift_lockout", attempt), follow=True)

        assert message_texts(response) == ["Блокировка снята, удалено записей о попытках: 1."]
        assert not AccessAttempt.objects.exists()
        assert log_in(Client(), locked_out.email).status_code == 302

    def test_an_administrator_lifts_it_by_deleting_the_attempt(self, as_administrator, locked_out):
        attempt = AccessAttempt.objects.get()
        as_administrator.post(f"{ATTEMPTS}{attempt.pk}/delete/", {"post": "yes"})

        assert not AccessAttempt.objects.exists()
        assert log_in(Client(), locked_out.email).status_code == 302

    def test_the_main_administrator_lifts_it_too(self, as_main_admin, locked_out):
        as_main_admin.post(ATTEMPTS, action_data("lift_lockout", AccessAttempt.objects.get()))

        assert not AccessAttempt.objects.exists()

    def test_the_list_shows_who_is_locked_out(self, as_administrator, locked_out):
        page = as_administrator.get(ATTEMPTS).content.decode()

        assert locked_out.email in page
        assert "заблокирован" in page

    def test_a_teacher_sees_no_attempts(self, as_teacher, locked_out):
        assert as_teacher.get(ATTEMPTS).status_code == 403


class TestWhoAnAttemptCountsAgainst:
    def test_the_address_typed_in_lower_case(self, volunteer):
        assert attempted_account(None, {"username": " Someone@Example.RU "}) == "someone@example.ru"

    def test_a_username_as_its_accounts_address(self, volunteer):
        volunteer.email = "Olga@Volna.example"
        volunteer.save()
        assert attempted_account(None, {"username": volunteer.username}) == "olga@volna.example"

    def test_an_unknown_username_as_typed_in_lower_case(self):
        assert attempted_account(None, {"username": "Nobody"}) == "nobody"

    def test_no_account_named(self, rf):
        assert attempted_account(rf.get("/auth/complete/yandex-oauth2/"), {"username": None}) is None

    def test_a_login_naming_no_account_counts_by_address_only(self):
        # Yandex ID's: by account, all of them everywhere would be one account's failures.
        assert lockout_parameters(None, {"username": None, "backend": "yandex-oauth2"}) == ["ip_address"]
        assert lockout_parameters(None, {"username": "a@x.ru", "password": "…"}) == ["ip_address", "username"]
