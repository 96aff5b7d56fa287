"""The production layout on loopback, every part a real process: two gunicorn instances
(deploy/gunicorn.conf.py), one Celery worker, Redis (cache, sessions, broker) and an S3 API
(moto's server). What one instance takes in, the other gives out; what a request leaves to
the worker is done, once.

The mail server of the worker fails its first send (core.testing.FailingOnceEmailBackend)
and delivers the rest as files.
"""

import urllib.request

import pytest

from accounts.models import Message
from accounts.roles import TEACHER, VOLUNTEER
from config.tests.servers import production_environment, running, signed_in, user_who_signs_in
from core.testing import delivered_emails
from courses.models import Certificate, Lesson, VolunteerCourse
from courses.services import course_refresh, enrol
from courses.tests.factories import CourseFactory, add_chapter, add_lesson, add_question
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
COURSE = "Волонтёр на экзамене"


@pytest.fixture
def mail_folder(tmp_path):
    return tmp_path / "mail"


@pytest.fixture
def celery_worker_environment(s3, mail_folder):
    return {**s3.env, "EMAIL_BACKEND": "core.testing.FailingOnceEmailBackend", "EMAIL_FILE_PATH": str(mail_folder)}


@pytest.fixture
def servers(celery_worker, redis_url, static_root, tmp_path):
    """Instances A and B sharing the Redis of `redis_url`, the worker's broker and S3."""
    environment = production_environment(**celery_worker.environment, REDIS_URL=redis_url, STATIC_ROOT=str(static_root))
    with running("AB", environment, tmp_path) as started:
        yield started


def fetched(url: str) -> tuple[bytes, dict]:
    """GET of a presigned URL on the S3 API: the body and the headers."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), dict(response.headers.items())


def test_a_file_sent_through_a_downloads_through_b_and_its_email_arrives_once(servers, s3, mail_folder, celery_worker):
    a, b = servers
    teacher = user_who_signs_in(roles=[TEACHER])
    learner = user_who_signs_in(roles=[VOLUNTEER], email="learner@volna.example")
    form = {"recipient": learner.pk, "title": "План занятия", "text": "Во вложении план."}

    sent = a.post(
        "/accounts/messages/new/",
        cookies=signed_in(a, teacher),
        form=form,
        files={"attachment": ("План занятия.pdf", PDF)},
    )

    assert sent.status == 302, sent.text
    message = Message.objects.get(recipient=learner)
    assert [key for key in s3.keys(s3.private_bucket) if key.endswith("План занятия.pdf")]
    download = b.get(f"/accounts/messages/{message.pk}/attachment/", cookies=signed_in(b, learner))
    assert download.status == 302
    body, headers = fetched(download.headers["Location"])
    assert body == PDF
    assert headers["Content-Disposition"].startswith("attachment;")
    # The worker's first send failed; the retry delivered it, and only it.
    celery_worker.wait_for(lambda: delivered_emails(mail_folder), what="the email of the message", seconds=60)
    celery_worker.wait_for(lambda: Message.objects.get(pk=message.pk).emailed_at, what="the stamp", seconds=10)
    assert [(mail["To"], mail["Subject"]) for mail in delivered_emails(mail_folder)] == [
        ("learner@volna.example", "План занятия")
    ]
    assert "SMTPServerDisconnected" in celery_worker.log_tail(20_000)


def test_a_learner_who_passes_a_quiz_on_b_downloads_the_certificate_the_worker_issued_through_a(
    servers, s3, celery_worker
):
    a, b = servers
    course = CourseFactory(title=COURSE)
    quiz = add_lesson(add_chapter(course), type=Lesson.Type.QUIZ, diploma=True)
    question = add_question(quiz, choices=(("Позвать старшего", True), ("Уйти", False)))
    course_refresh(course=course)
    volunteer = VolunteerFactory(user=user_who_signs_in(roles=[VOLUNTEER]))
    enrol(volunteer=volunteer, course=course)
    right = question.choices.get(is_correct=True)

    on_b = signed_in(b, volunteer.user)
    answered = b.post(
        f"/courses/{course.pk}/lessons/{quiz.pk}/quiz/", cookies=on_b, form={f"question-{question.pk}": right.pk}
    )

    assert answered.status == 302, answered.text
    assert VolunteerCourse.objects.get(volunteer=volunteer, course=course).status == VolunteerCourse.Status.PASSED
    certificate = celery_worker.wait_for(
        lambda: Certificate.objects.filter(volunteer=volunteer, course=course).first(), what="the certificate"
    )
    assert f"private/{certificate.file.name}" in s3.keys(s3.private_bucket)
    listed = a.get("/certificates/my/", cookies=signed_in(a, volunteer.user))
    assert COURSE in listed.text
    download = a.get(f"/certificates/{certificate.pk}/download/", cookies=signed_in(a, volunteer.user))
    assert download.status == 302
    body, _headers = fetched(download.headers["Location"])
    assert body.startswith(b"%PDF")
