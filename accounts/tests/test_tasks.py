"""The email copy of every message, in the background (accounts.tasks): sent once the
message commits, once however often its task is delivered, retried by a worker when the
mail server fails, sent again by the periodic sweep when its task was lost — and a mail
server that fails never fails the request that wrote the message."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from accounts.models import Message
from accounts.services import message_send, notify
from accounts.tasks import email_message, email_unsent_messages
from accounts.tests.factories import UserFactory
from core.testing import delivered_emails

pytestmark = pytest.mark.django_db

COMPOSE = reverse("accounts:message_compose")
SENT = reverse("accounts:messages_sent")
TITLE = "Уровень подтверждён"


@pytest.fixture
def mail_server_failing_once(settings, tmp_path):
    """The tests' mail server that fails its first send (core.testing.FailingOnceEmailBackend):
    the folder it delivers to."""
    settings.EMAIL_BACKEND = "core.testing.FailingOnceEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def written_minutes_ago(message: Message, minutes: int) -> None:
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def emailed(message: Message) -> bool:
    return Message.objects.get(pk=message.pk).emailed_at is not None


class TestEmailOnCommit:
    def test_each_recipient_is_emailed_once_the_message_commits(
        self, volunteer, teacher, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            messages = notify(recipients=[volunteer, teacher], title=TITLE, text="Поздравляем!")
            assert mailoutbox == []

        assert sorted(mail.to[0] for mail in mailoutbox) == sorted([volunteer.email, teacher.email])
        assert all(emailed(message) for message in messages)

    def test_nothing_is_emailed_when_the_transaction_rolls_back(
        self, volunteer, teacher, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            message_send(sender=volunteer, recipient=teacher, title="Вопрос", text="…")
            raise RuntimeError

        assert mailoutbox == []
        assert not Message.objects.exists()

    def test_a_recipient_without_an_address_gets_the_message_only(self, django_capture_on_commit_callbacks, mailoutbox):
        nameless = UserFactory(email="")

        with django_capture_on_commit_callbacks(execute=True):
            (message,) = notify(recipients=[nameless], title=TITLE, text="Поздравляем!")

        assert mailoutbox == []
        assert not emailed(message)
        written_minutes_ago(message, 15)
        assert email_unsent_messages.delay().get() == 0


class TestOnce:
    def test_a_second_delivery_of_the_task_sends_nothing(
        self, volunteer, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            (message,) = notify(recipients=[volunteer], title=TITLE, text="Поздравляем!")

        assert email_message.delay(message.pk).get() is False
        assert len(mailoutbox) == 1

    def test_the_periodic_sweep_does_not_send_an_emailed_message_again(
        self, volunteer, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            (message,) = notify(recipients=[volunteer], title=TITLE, text="Поздравляем!")
        written_minutes_ago(message, 15)

        assert email_unsent_messages.delay().get() == 0
        assert len(mailoutbox) == 1


class TestFailingMailServer:
    def test_it_does_not_fail_the_request_that_wrote_the_message(
        self, client, volunteer, teacher, mail_server_failing_once, django_capture_on_commit_callbacks
    ):
        client.force_login(volunteer)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(COMPOSE, {"recipient": teacher.pk, "title": "Вопрос", "text": "…"}, follow=True)

        assert response.redirect_chain == [(SENT, 302)]
        assert "Сообщение отправлено." in response.content.decode()
        message = Message.objects.get()
        assert message.recipient == teacher
        assert not emailed(message)
        assert delivered_emails(mail_server_failing_once) == []

    def test_the_periodic_sweep_sends_what_failed_once_the_server_is_back(
        self, volunteer, mail_server_failing_once, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            (message,) = notify(recipients=[volunteer], title=TITLE, text="Поздравляем!")
        assert not emailed(message)
        written_minutes_ago(message, 15)

        email_unsent_messages.delay()
        email_unsent_messages.delay()

        (delivered,) = delivered_emails(mail_server_failing_once)
        assert (delivered["To"], delivered["Subject"]) == (volunteer.email, TITLE)
        assert "Поздравляем!" in delivered.get_content()
        assert emailed(message)

    def test_a_broker_out_of_reach_fails_no_request_and_the_sweep_sends_later(
        self, client, volunteer, teacher, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
    ):
        def broker_down(*args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        client.force_login(volunteer)
        with monkeypatch.context() as patch:
            patch.setattr(email_message, "delay", broker_down)
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(COMPOSE, {"recipient": teacher.pk, "title": "Вопрос", "text": "…"})

        assert response.status_code == 302
        message = Message.objects.get()
        assert not emailed(message)
        written_minutes_ago(message, 15)

        email_unsent_messages.delay()

        assert [mail.to for mail in mailoutbox] == [[teacher.email]]
        assert emailed(message)

    @pytest.mark.parametrize("minutes", [5, 2 * 24 * 60])
    def test_the_sweep_leaves_messages_too_recent_or_too_old_alone(
        self, volunteer, mail_server_failing_once, minutes, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            (message,) = notify(recipients=[volunteer], title=TITLE, text="Поздравляем!")
        written_minutes_ago(message, minutes)

        assert email_unsent_messages.delay().get() == 0
        assert delivered_emails(mail_server_failing_once) == []


# --- In a real worker ---------------------------------------------------------------------


@pytest.fixture
def celery_worker_environment(tmp_path):
    return {"EMAIL_BACKEND": "core.testing.FailingOnceEmailBackend", "EMAIL_FILE_PATH": str(tmp_path / "worker-mail")}


@pytest.mark.django_db(transaction=True)  # the worker sees committed rows only
def test_an_email_whose_first_send_fails_is_delivered_on_retry_exactly_once(celery_worker, tmp_path):
    user = UserFactory()
    folder = tmp_path / "worker-mail"

    (message,) = notify(recipients=[user], title=TITLE, text="Поздравляем!")  # committed: sent to the worker

    celery_worker.wait_for(lambda: emailed(message), what="the email, sent on retry", seconds=60)
    assert (folder / "failed-once").exists(), "the first send failed"
    (delivered,) = delivered_emails(folder)
    assert (delivered["To"], delivered["Subject"]) == (user.email, TITLE)
    # A second delivery of its task, and the periodic sweep, send nothing more (their
    # results awaited: CELERY_TASK_IGNORE_RESULT is on).
    assert email_message.apply_async([message.pk], ignore_result=False).get(timeout=30) is False
    written_minutes_ago(message, 15)
    assert email_unsent_messages.apply_async(ignore_result=False).get(timeout=30) == 0
    assert len(delivered_emails(folder)) == 1
