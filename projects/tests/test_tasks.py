"""The attendance PDF of a large course — more than EXPORT_INLINE_MAX_CELLS students ×
lessons — made in the background (projects.tasks) and delivered once to the asker's
messages; who may ask is as for the download."""

import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Message
from projects.models import ProjectMember
from projects.tasks import attendance_pdf_send
from projects.tests.test_attendance import MANAGERS, ROLES, build_school, user_with

pytestmark = pytest.mark.django_db

PREPARING = "Файл готовится, он придёт в ваши сообщения."


@pytest.fixture
def large(settings):
    """The school's course (4 students × 2 lessons) counts as large."""
    settings.EXPORT_INLINE_MAX_CELLS = 7
    school = build_school()
    school.early.absent_students.add(school.boris)
    return school


def project_of(school):
    return school.course.term.project


def pdf_url(school) -> str:
    return reverse("projects:attendance_pdf", args=[school.course.pk])


def attachment_text(message: Message) -> str:
    with message.attachment.open("rb") as file:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)


def test_a_large_courses_pdf_comes_to_the_askers_messages(client, large):
    moderator = user_with("moderator", project_of(large))
    client.force_login(moderator)

    response = client.get(pdf_url(large))

    assert response.status_code == 302 and response["Location"] == f"/projects/courses/{large.course.pk}/"
    assert [str(message) for message in get_messages(response.wsgi_request)] == [PREPARING]
    message = Message.objects.get(recipient=moderator)
    assert message.title == "Файл готов: Посещаемость — Робототехника для начинающих.pdf"
    text = attachment_text(message)
    assert "Посещаемость: Робототехника для начинающих" in text
    assert all(name in text for name in ("Алексеева Анна", "Борисов Борис", "Васильева Вера", "Глебов Глеб"))
    assert "н" in text


def test_the_course_page_says_the_file_is_on_its_way(client, large):
    client.force_login(user_with("admin", project_of(large)))
    assert PREPARING in client.get(pdf_url(large), follow=True).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_ask_is_as_for_the_download(client, large, role):
    user = user_with(role, project_of(large))
    client.force_login(user)
    response = client.get(pdf_url(large))
    assert response.status_code == (302 if role in MANAGERS else 404)
    assert Message.objects.filter(recipient=user).exists() == (role in MANAGERS)


def test_the_csv_of_a_large_course_still_downloads_at_once(client, large):
    client.force_login(user_with("moderator", project_of(large)))
    response = client.get(reverse("projects:attendance_csv", args=[large.course.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert not Message.objects.exists()


def test_a_small_courses_pdf_still_downloads_at_once(client, db):
    school = build_school()  # 8 cells, under the default threshold
    client.force_login(user_with("moderator", project_of(school)))
    response = client.get(pdf_url(school))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not Message.objects.exists()


def test_a_second_delivery_of_the_same_request_adds_no_message(large):
    moderator = user_with("moderator", project_of(large))
    request = {"key": "projects.attendance_pdf:test", "course_id": large.course.pk, "user_id": moderator.pk}

    attendance_pdf_send.delay(**request)
    attendance_pdf_send.delay(**request)  # a retry, or the broker's redelivery

    assert Message.objects.filter(recipient=moderator).count() == 1
    attendance_pdf_send.delay(**{**request, "key": "projects.attendance_pdf:another"})
    assert Message.objects.filter(recipient=moderator).count() == 2


def test_nothing_is_delivered_to_a_member_who_lost_the_role_before_the_task_ran(large):
    moderator = user_with("moderator", project_of(large))
    ProjectMember.objects.filter(user=moderator).update(role="viewer")
    attendance_pdf_send.delay(key="projects.attendance_pdf:test", course_id=large.course.pk, user_id=moderator.pk)
    assert not Message.objects.exists()


def test_a_course_deleted_before_the_task_ran_is_no_error(large):
    moderator = user_with("moderator", project_of(large))
    course_id = large.course.pk
    large.course.delete()
    result = attendance_pdf_send.apply(kwargs={"key": "k", "course_id": course_id, "user_id": moderator.pk})
    assert result.successful()
    assert not Message.objects.exists()
