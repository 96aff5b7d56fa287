"""Background work of courses (courses.tasks): the certificate of a passed course, issued by
a task once the passing commits and announced once; the periodic issue of certificates
whose task was lost; webinar reminders an hour before the start; and a real worker doing
the first and `generate_certificates --async`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

import courses.services
from accounts.models import Message
from accounts.tests.factories import UserFactory
from courses.models import Certificate, Lesson, VolunteerCourse, Webinar
from courses.services import certificate_issue, course_refresh, enrol, lesson_finish
from courses.tasks import issue_missing_certificates, issue_passed_certificate, remind_webinars
from courses.tests.factories import CourseFactory, WebinarFactory, add_chapter, add_lesson
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

COURSE = "Первая помощь на мероприятиях"
PASSED = f"Курс «{COURSE}» пройден"
READY = f"Сертификат за курс «{COURSE}» готов"
URL = "https://webinar.example/room-42"


@pytest.fixture
def course():
    course = CourseFactory(title=COURSE)
    add_lesson(add_chapter(course), duration=90)
    course_refresh(course=course)
    return course


@pytest.fixture
def owner():
    return VolunteerFactory(user__first_name="Анна", user__last_name="Иванова")


def finish_course(owner, course) -> VolunteerCourse:
    """The volunteer enrols and passes the course's one lesson: the course is passed."""
    lesson = course.course_chapters.get().chapter.chapter_lessons.get().lesson
    enrolment = enrol(volunteer=owner, course=course)
    lesson_finish(enrolment=enrolment, lesson=lesson)
    return enrolment


def titles_to(volunteer) -> list[str]:
    return list(Message.objects.filter(recipient=volunteer.user).order_by("pk").values_list("title", flat=True))


def passed_a_while_ago(enrolment, *, minutes: int) -> None:
    VolunteerCourse.objects.filter(pk=enrolment.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


# --- The certificate of a passed course ---------------------------------------------------


class TestCertificateOnPassing:
    def test_the_volunteer_hears_of_the_pass_then_of_the_certificate_by_email_too(
        self, owner, course, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            finish_course(owner, course)

        assert titles_to(owner) == [PASSED, READY]
        assert [mail.subject for mail in mailoutbox] == [PASSED, READY]
        assert Certificate.objects.get(volunteer=owner, course=course).final_assessment == 100

    def test_the_pass_hands_the_workers_one_task_the_email_of_its_message_and_the_certificate(
        self, owner, course, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            enrolment = finish_course(owner, course)
        (passed,) = Message.objects.filter(recipient=owner.user)

        assert len(callbacks) == 1  # one task message when the pass commits
        assert mailoutbox == []

        with django_capture_on_commit_callbacks(execute=True):
            issue_passed_certificate.delay(enrolment.pk, [passed.pk])

        assert [mail.subject for mail in mailoutbox] == [PASSED, READY]
        Message.objects.filter(pk=passed.pk, emailed_at__isnull=False).get()

    def test_a_second_delivery_issues_and_tells_nothing_more(
        self, owner, course, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = finish_course(owner, course)
        certificate = Certificate.objects.get()

        with django_capture_on_commit_callbacks(execute=True):
            issue_passed_certificate.delay(enrolment.pk)

        again = Certificate.objects.get()
        assert (again.code, again.file.name, again.updated_at) == (
            certificate.code,
            certificate.file.name,
            certificate.updated_at,
        )
        assert titles_to(owner) == [PASSED, READY]
        assert len(mailoutbox) == 2

    def test_a_task_that_comes_after_a_retake_started_does_nothing(
        self, owner, course, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            enrolment = finish_course(owner, course)
        VolunteerCourse.objects.filter(pk=enrolment.pk).update(status=VolunteerCourse.Status.ENROLLED, attempts=2)

        for callback in callbacks:
            callback()

        assert not Certificate.objects.exists()
        assert titles_to(owner) == [PASSED]

    def test_a_certificate_behind_the_assessment_is_re_issued_and_the_volunteer_told(
        self, owner, course, django_capture_on_commit_callbacks
    ):
        enrolment = VolunteerCourse.objects.create(
            volunteer=owner, course=course, status=VolunteerCourse.Status.PASSED, assessment=70
        )
        old, _ = certificate_issue(enrolment=enrolment)
        VolunteerCourse.objects.filter(pk=enrolment.pk).update(assessment=90)

        with django_capture_on_commit_callbacks(execute=True):
            issue_passed_certificate.delay(enrolment.pk)

        certificate = Certificate.objects.get()
        assert (certificate.code, certificate.final_assessment) == (old.code, 90)
        (message,) = Message.objects.filter(recipient=owner.user)
        assert message.title == f"Сертификат за курс «{COURSE}» обновлён"
        assert "с оценкой 90 из 100" in message.text


class TestMissingCertificates:
    def test_a_certificate_that_failed_is_issued_by_the_periodic_task(
        self, owner, course, monkeypatch, django_capture_on_commit_callbacks
    ):
        with monkeypatch.context() as patch:
            patch.setattr(courses.services, "render_certificate_pdf", lambda data: 1 / 0)
            with django_capture_on_commit_callbacks(execute=True):
                enrolment = finish_course(owner, course)
        assert not Certificate.objects.exists()
        (message,) = Message.objects.filter(recipient=owner.user)
        assert "Сертификат будет выпущен в ближайшее время" in message.text
        passed_a_while_ago(enrolment, minutes=15)

        with django_capture_on_commit_callbacks(execute=True):
            issue_missing_certificates.delay()

        assert Certificate.objects.filter(volunteer=owner, course=course).exists()
        assert titles_to(owner) == [PASSED, READY]

    def test_recent_passes_old_ones_and_those_with_certificates_are_left_alone(
        self, course, django_capture_on_commit_callbacks
    ):
        def passed(minutes_ago: int, *, with_certificate: bool = False) -> VolunteerCourse:
            enrolment = VolunteerCourse.objects.create(
                volunteer=VolunteerFactory(), course=course, status=VolunteerCourse.Status.PASSED, assessment=80
            )
            if with_certificate:
                certificate_issue(enrolment=enrolment)
            passed_a_while_ago(enrolment, minutes=minutes_ago)
            return enrolment

        passed(2), passed(3 * 24 * 60), passed(30, with_certificate=True)

        with django_capture_on_commit_callbacks(execute=True):
            issue_missing_certificates.delay()

        assert Certificate.objects.count() == 1
        assert not Message.objects.exists()


# --- Webinar reminders --------------------------------------------------------------------


def in_minutes(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def webinar_lesson(course):
    return add_lesson(course.course_chapters.get().chapter, title="Разбор случаев", type=Lesson.Type.WEBINAR)


@pytest.fixture
def webinar(webinar_lesson):
    return WebinarFactory(lesson=webinar_lesson, url_webinar=URL, start_date=in_minutes(30))


def learner(course, status=VolunteerCourse.Status.ENROLLED, **user):
    volunteer = VolunteerFactory(**{f"user__{name}": value for name, value in user.items()})
    VolunteerCourse.objects.create(volunteer=volunteer, course=course, status=status)
    return volunteer.user


def reminded_users() -> set:
    return {message.recipient for message in Message.objects.filter(title__startswith="Вебинар «")}


class TestWebinarReminders:
    def test_learners_of_the_course_are_reminded_once_with_the_link_and_the_time(
        self, course, webinar, django_capture_on_commit_callbacks, mailoutbox
    ):
        enrolled, studying = learner(course), learner(course, VolunteerCourse.Status.ACTIVE)
        learner(course, VolunteerCourse.Status.PASSED)
        learner(course, is_active=False)
        learner(CourseFactory())
        UserFactory()

        with django_capture_on_commit_callbacks(execute=True):
            remind_webinars.delay()

        assert reminded_users() == {enrolled, studying}
        start = timezone.localtime(webinar.start_date)
        message = Message.objects.filter(recipient=enrolled).get()
        assert message.title == f"Вебинар «Разбор случаев» в {start:%H:%M}"
        assert f"начнётся {start:%d.%m.%Y} в {start:%H:%M} (время московское)" in message.text
        assert URL in message.text
        assert sorted(mail.to[0] for mail in mailoutbox) == sorted([enrolled.email, studying.email])
        webinar.refresh_from_db()
        assert webinar.reminded_at is not None

        with django_capture_on_commit_callbacks(execute=True):
            remind_webinars.delay()

        assert Message.objects.count() == 2
        assert len(mailoutbox) == 2

    @pytest.mark.parametrize("minutes", [90, -10])
    def test_a_webinar_later_than_an_hour_or_begun_is_not_reminded(self, course, webinar, minutes):
        Webinar.objects.filter(pk=webinar.pk).update(start_date=in_minutes(minutes))
        learner(course)

        remind_webinars.delay()

        assert reminded_users() == set()
        webinar.refresh_from_db()
        assert webinar.reminded_at is None

    def test_a_webinar_moved_since_its_reminder_is_reminded_again(self, course, webinar):
        user = learner(course)
        # Reminded yesterday of yesterday's start, then moved to within the hour.
        Webinar.objects.filter(pk=webinar.pk).update(reminded_at=in_minutes(-24 * 60))

        remind_webinars.delay()

        assert reminded_users() == {user}

    def test_a_webinar_lesson_hidden_from_learners_reminds_nobody(self, course, webinar, webinar_lesson):
        Lesson.objects.filter(pk=webinar_lesson.pk).update(visible=False)
        learner(course)

        remind_webinars.delay()

        assert reminded_users() == set()


# --- In a real worker ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the worker sees committed rows only
class TestInAWorker:
    def test_a_passed_course_s_certificate_is_issued_by_the_worker(self, celery_worker, course, owner, settings):
        enrolment = finish_course(owner, course)  # committed: the task goes to the worker

        certificate = celery_worker.wait_for(
            lambda: Certificate.objects.filter(volunteer=owner, course=course).first(), what="the certificate"
        )
        celery_worker.wait_for(lambda: READY in titles_to(owner), what="the message that it is ready")
        assert (settings.PRIVATE_MEDIA_ROOT / certificate.file.name).read_bytes().startswith(b"%PDF")
        assert titles_to(owner) == [PASSED, READY]
        # A second delivery, its result awaited (CELERY_TASK_IGNORE_RESULT is on).
        second = issue_passed_certificate.apply_async([enrolment.pk], ignore_result=False)
        assert second.get(timeout=30) == certificate.pk
        assert titles_to(owner) == [PASSED, READY]

    def test_generate_certificates_async_fans_out_to_the_worker(self, celery_worker, course, settings):
        enrolments = [
            VolunteerCourse.objects.create(
                volunteer=VolunteerFactory(), course=course, status=VolunteerCourse.Status.PASSED, assessment=80
            )
            for _ in range(3)
        ]
        out = StringIO()

        call_command("generate_certificates", "--async", stdout=out, stderr=StringIO())

        assert "Выпущено: 3, перевыпущено: 0, пропущено: 0, ошибок: 0." in out.getvalue()
        assert set(Certificate.objects.values_list("volunteer_id", flat=True)) == {e.volunteer_id for e in enrolments}
        assert len(list(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf"))) == 3
