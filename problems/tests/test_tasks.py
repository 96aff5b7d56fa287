"""Class sets — exports of more than EXPORT_INLINE_MAX_VERSIONS versions — made in the
background (problems.tasks) and delivered to the asker's messages, once per request; the
file is the download's, with only the solutions the asker may see."""

import io
import re

import docx
import pypdf
import pytest
from django.contrib.messages import get_messages

from accounts.models import Message
from problems.tasks import variant_export_send
from problems.tests.factories import TaskFactory
from problems.tests.test_exports import ALL_SOLUTIONS, SEEN_BY, solved  # noqa: F401 (a fixture)

EXPORT = "/problems/variants/export/"
PREPARING = "Файл готовится, он придёт в ваши сообщения."


def pdf_text(content: bytes) -> str:
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def attachment_of(message: Message) -> bytes:
    with message.attachment.open("rb") as file:
        return file.read()


def class_set(tasks, versions: int, **params) -> dict:
    """The export's query: the same tasks in every version."""
    ids = ",".join(str(task.pk) for task in tasks)
    return {"tasks": ",".join([ids] * versions), "versions": versions, "format": "pdf", "kind": "random", **params}


@pytest.fixture
def two_tasks(db):
    return [TaskFactory(title="Задача о поезде", answer="60 км/ч"), TaskFactory(title="Задача о лодке", answer="3")]


def test_a_large_export_comes_to_the_askers_messages_as_a_pdf(client, volunteer, two_tasks, settings):
    settings.EXPORT_INLINE_MAX_VERSIONS = 5
    client.force_login(volunteer)
    page = "/problems/variants/random/?tasks=1"

    response = client.get(EXPORT, class_set(two_tasks, 6, answers=1), headers={"referer": f"http://testserver{page}"})

    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    assert [str(message) for message in get_messages(response.wsgi_request)] == [PREPARING]
    message = Message.objects.get(recipient=volunteer)
    assert message.sender is None and message.title.startswith("Файл готов: Случайный вариант")
    assert "вариантов — 6, с ответами и решениями" in message.text
    assert message.attachment.name.endswith(".pdf")
    text = pdf_text(attachment_of(message))
    assert all(f"Вариант {number} ·" in text for number in range(1, 7))
    assert "Вариант 7" not in text
    assert text.count("1. Задача о поезде") == 12  # six versions, six answer-key entries
    assert text.count("Ответ: 60 км/ч") == 6


def test_the_delivery_message_links_to_the_file_for_its_recipient_only(
    client, volunteer, teacher, two_tasks, mailoutbox, django_capture_on_commit_callbacks, settings
):
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(EXPORT, class_set(two_tasks, 6))
    message = Message.objects.get(recipient=volunteer)

    assert message.link == f"/accounts/messages/{message.pk}/attachment/"
    page = client.get(f"/accounts/messages/{message.pk}/").content.decode()
    assert f'href="{message.link}"' in page
    download = client.get(message.link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    (email,) = [mail for mail in mailoutbox if mail.to == [volunteer.email]]
    assert f"Открыть: {settings.SITE_URL}{message.link}" in email.body

    client.force_login(teacher)
    assert client.get(message.link).status_code == 404
    client.logout()
    assert client.get(message.link).status_code == 302  # to the sign-in page


def test_the_page_the_asker_is_sent_back_to_shows_the_tasks_without_a_referer(client, volunteer, two_tasks):
    client.force_login(volunteer)
    response = client.get(EXPORT, class_set(two_tasks, 6), follow=True)
    assert response.redirect_chain[0][0].startswith("/problems/variants/random/?versions=6&tasks=")
    assert PREPARING in response.content.decode()
    assert "Задача о поезде" in response.content.decode()


def test_a_large_word_export_comes_as_a_docx(client, teacher, two_tasks):
    client.force_login(teacher)
    client.get(EXPORT, class_set(two_tasks, 8, format="docx"))
    message = Message.objects.get(recipient=teacher)
    assert message.attachment.name.endswith(".docx")
    paragraphs = [paragraph.text for paragraph in docx.Document(io.BytesIO(attachment_of(message))).paragraphs]
    assert sum(text.startswith("Вариант ") and "·" in text for text in paragraphs) == 8


@pytest.mark.parametrize("role", ["volunteer", "teacher", "administrator"])
def test_the_delivered_answer_key_has_only_the_solutions_the_asker_may_see(client, request, solved, role):  # noqa: F811
    user = request.getfixturevalue(role)
    client.force_login(user)

    client.get(EXPORT, class_set([solved], 6, answers=1))

    text = pdf_text(attachment_of(Message.objects.get(recipient=user)))
    for title in ALL_SOLUTIONS:
        assert (f"Решение: {title}" in text) == (title in SEEN_BY[role]), title


def test_anonymous_visitors_who_have_no_messages_download_a_large_export(client, two_tasks):
    response = client.get(EXPORT, class_set(two_tasks, 6))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Вариант 6 ·" in pdf_text(b"".join(response.streaming_content))
    assert not Message.objects.exists()


@pytest.mark.parametrize("versions", [1, 5])
def test_small_exports_still_download_at_once(client, volunteer, two_tasks, versions):
    client.force_login(volunteer)
    response = client.get(EXPORT, class_set(two_tasks, versions))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert not Message.objects.exists()


def test_the_threshold_is_a_setting(client, volunteer, two_tasks, settings):
    settings.EXPORT_INLINE_MAX_VERSIONS = 1
    client.force_login(volunteer)
    assert client.get(EXPORT, class_set(two_tasks, 2)).status_code == 302
    assert Message.objects.filter(recipient=volunteer).count() == 1


def arguments(user, tasks, **overrides) -> dict:
    ids = [task.pk for task in tasks]
    return {
        "key": "problems.variant_export:test",
        "user_id": user.pk,
        "title": "Случайный вариант",
        "file_title": "Случайный вариант 2026-05-03",
        "version_ids": [ids] * 6,
        "with_answers": False,
        "file_format": "pdf",
        **overrides,
    }


def test_a_second_delivery_of_the_same_request_adds_no_message(volunteer, two_tasks):
    variant_export_send.delay(**arguments(volunteer, two_tasks))
    variant_export_send.delay(**arguments(volunteer, two_tasks))  # a retry, or the broker's redelivery
    assert Message.objects.filter(recipient=volunteer).count() == 1

    variant_export_send.delay(**arguments(volunteer, two_tasks, key="problems.variant_export:another"))
    assert Message.objects.filter(recipient=volunteer).count() == 2  # another request is another file


def test_nothing_is_delivered_to_an_account_closed_before_the_task_ran(volunteer, two_tasks):
    volunteer.is_active = False
    volunteer.save()
    variant_export_send.delay(**arguments(volunteer, two_tasks))
    assert not Message.objects.exists()


def test_a_task_unpublished_before_the_task_ran_is_left_out(volunteer, two_tasks):
    two_tasks[0].status = two_tasks[0].Status.DRAFT
    two_tasks[0].save()
    variant_export_send.delay(**arguments(volunteer, two_tasks))
    text = pdf_text(attachment_of(Message.objects.get(recipient=volunteer)))
    assert "Задача о лодке" in text and "Задача о поезде" not in text


def test_a_class_set_of_thirty_versions_comes_whole(client, teacher, two_tasks):
    client.force_login(teacher)
    client.get(EXPORT, class_set(two_tasks, 30))
    text = pdf_text(attachment_of(Message.objects.get(recipient=teacher)))
    assert all(f"Вариант {number} ·" in text for number in range(1, 31))
