"""Progress counts the lessons that count for passing (issue 20): additional lessons are
not required, so «Пройдено уроков N из M» leaves them out — on the course page, in «Мои
курсы» and on the teachers' list of students. A passed course's page links its certificate."""

import pytest
from django.urls import reverse

from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from courses.models import Certificate, VolunteerCourse
from courses.selectors import lessons_passed_count
from courses.services import course_refresh, enrol, lesson_finish
from courses.tests.factories import CourseFactory, add_chapter, add_lesson
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return CourseFactory()


@pytest.fixture
def lessons(course):
    """Two required lessons and an additional one between them."""
    chapter = add_chapter(course)
    first = add_lesson(chapter, title="Первый")
    extra = add_lesson(chapter, title="Дополнительный", additional=True)
    last = add_lesson(chapter, title="Последний")
    course_refresh(course=course)
    return first, extra, last


@pytest.fixture
def volunteer(course, lessons):
    """Enrolled, with the first lesson and the additional one passed."""
    volunteer = VolunteerFactory()
    enrolment = enrol(volunteer=volunteer, course=course)
    first, extra, _ = lessons
    lesson_finish(enrolment=enrolment, lesson=first)
    lesson_finish(enrolment=enrolment, lesson=extra)
    return volunteer


def test_the_rule_counts_required_lessons_only(lessons):
    first, extra, _ = lessons

    assert lessons_passed_count(lessons, {first.pk, extra.pk}) == (1, 2)
    assert lessons_passed_count(lessons, {extra.pk}) == (0, 2)
    assert lessons_passed_count([extra], {extra.pk}) == (0, 0)


def test_the_course_page_counts_required_lessons(client, course, volunteer):
    client.force_login(volunteer.user)

    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()

    assert "<dt>Пройдено уроков</dt><dd>1 из 2</dd>" in page


def test_my_courses_counts_required_lessons(client, course, volunteer):
    client.force_login(volunteer.user)

    page = client.get(reverse("courses:my_courses")).content.decode()

    assert "<td>1 из 2</td>" in page


def test_the_students_list_counts_required_lessons(client, course, volunteer):
    client.force_login(UserFactory(roles=[TEACHER]))

    page = client.get(reverse("courses:course_students", args=[course.pk])).content.decode()

    assert '<span class="progress-text">1 из 2</span>' in page


def test_a_passed_course_s_page_links_its_certificate(
    client, course, lessons, volunteer, django_capture_on_commit_callbacks
):
    enrolment = VolunteerCourse.objects.get(volunteer=volunteer, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        lesson_finish(enrolment=enrolment, lesson=lessons[2])
    certificate = Certificate.objects.get(volunteer=volunteer, course=course)
    client.force_login(volunteer.user)

    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()

    download = reverse("certificates:download", args=[certificate.pk])
    assert f'href="{download}"' in page
    assert client.get(download).status_code == 200


def test_no_certificate_link_before_the_certificate_exists(client, course, lessons, volunteer):
    enrolment = VolunteerCourse.objects.get(volunteer=volunteer, course=course)
    lesson_finish(enrolment=enrolment, lesson=lessons[2])  # its certificate's task never runs
    client.force_login(volunteer.user)

    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()

    assert VolunteerCourse.objects.get(pk=enrolment.pk).status == VolunteerCourse.Status.PASSED
    assert "Скачать сертификат" not in page
