"""Mail and accounts are not made on demand without end (settings.RATE_LIMITS): at most 5
password-reset letters an hour to one address and 20 an hour from one client, at most 10
registrations an hour from one client; past that the form answers 429 and does nothing."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, UserFactory

RESET = "/accounts/password/reset/"
REGISTER = "/accounts/register/"
TOO_MANY = "Слишком много попыток за короткое время. Попробуйте ещё раз через час."
PASSWORD = "Волна-пароль-2026"

pytestmark = pytest.mark.django_db


def ask_reset(client, email, address="203.0.113.7"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def register(email, address="203.0.113.7"):
    data = {"first_name": "Мария", "last_name": "Иванова", "email": email, "password1": PASSWORD, "password2": PASSWORD}
    return Client().post(REGISTER, data, REMOTE_ADDR=address)


class TestPasswordReset:
    def test_five_letters_an_hour_to_one_address_then_429_and_no_letter(self, client):
        user = UserFactory()
        statuses = [ask_reset(client, user.email, address=f"198.51.100.{n}").status_code for n in range(5)]
        assert statuses == [302] * 5
        assert len(mail.outbox) == 5

        response = ask_reset(client, user.email.upper(), address="192.0.2.1")

        assert response.status_code == 429
        assert TOO_MANY in response.content.decode()
        assert len(mail.outbox) == 5

    def test_twenty_requests_an_hour_from_one_client_then_429_and_no_letter(self, client):
        # A form with errors sends nothing, and counts nothing.
        assert {ask_reset(client, "не-почта").status_code for _ in range(25)} == {200}
        for n in range(20):
            assert ask_reset(client, f"nobody{n}@volna.example").status_code == 302
        user = UserFactory()

        response = ask_reset(client, user.email)

        assert response.status_code == 429
        assert TOO_MANY in response.content.decode()
        assert mail.outbox == []
        # Another client still gets the letter.
        assert ask_reset(client, user.email, address="192.0.2.1").status_code == 302
        assert len(mail.outbox) == 1


class TestRegistration:
    def test_ten_accounts_an_hour_from_one_client_then_429_and_no_account(self):
        for n in range(10):
            assert register(f"learner{n}@volna.example").status_code == 302

        response = register("eleventh@volna.example")

        assert response.status_code == 429
        assert TOO_MANY in response.content.decode()
        assert not User.objects.filter(email="eleventh@volna.example").exists()
        assert "_auth_user_id" not in response.wsgi_request.session
        # From another client the registration goes through.
        assert register("eleventh@volna.example", address="192.0.2.1").status_code == 302
        assert User.objects.filter(email="eleventh@volna.example").exists()


class TestConfirmationLetters:
    """Letters with a confirmation link — resent from the profile or mailed to a new
    address — at most 5 an hour to one address."""

    def test_five_resends_an_hour_then_a_message_and_no_letter(self, client, django_capture_on_commit_callbacks):
        user = UserFactory(email="maria@example.ru", confirmed_email="")
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(5):
                client.post("/accounts/email/confirm-again/")
        assert len(mail.outbox) == 5

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/email/confirm-again/", follow=True)

        assert TOO_MANY in response.content.decode()
        assert len(mail.outbox) == 5

    def test_five_letters_an_hour_to_one_new_address_then_429(self, client, django_capture_on_commit_callbacks):
        user = UserFactory(email="maria@example.ru")
        client.force_login(user)

        def ask(email):
            data = {"first_name": "Мария", "last_name": "Иванова", "email": email, "current_password": TEST_PASSWORD}
            with django_capture_on_commit_callbacks(execute=True):
                return client.post("/accounts/profile/", data)

        for _ in range(5):  # a letter to the new address, then the change withdrawn (no letter)
            assert ask("victim@example.ru").status_code == 302
            assert ask("maria@example.ru").status_code == 302
        assert len(mail.outbox) == 5

        response = ask("victim@example.ru")

        assert response.status_code == 429
        assert TOO_MANY in response.content.decode()
        assert len(mail.outbox) == 5
        user.refresh_from_db()
        assert user.pending_email == ""
        assert ask("other@example.ru").status_code == 302  # another address still gets its letter
        assert len(mail.outbox) == 6
