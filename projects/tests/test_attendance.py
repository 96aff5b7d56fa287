"""The course page, the lesson page and attendance marking: who may see and do what, what
the table shows for students who joined late or left, and the table's fixed query count."""

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import MAIN_ADMIN, TEACHER, VOLUNTEER
from accounts.tests.factories import UserFactory
from methodics.tests.factories import MethodicFactory
from projects.models import GroupMembership, ProjectCourse, ProjectLesson, ProjectMember, Student
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentFactory,
    StudentGroupFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("outsider_volunteer", "outsider_teacher", "viewer", "moderator", "admin", "main_admin")
MEMBERS = ("viewer", "moderator", "admin", "main_admin")
MANAGERS = ("moderator", "admin", "main_admin")


@dataclass
class School:
    """A course with one group and two lessons (7 September and 5 October): Anna and Boris
    are in the group all along, Vera joined on 20 September, Gleb left on 30 September."""

    course: ProjectCourse
    early: ProjectLesson
    late: ProjectLesson
    anna: Student
    boris: Student
    vera: Student
    gleb: Student


def build_school() -> School:
    project = ProjectFactory(name="Летняя школа «Волна»")
    course = ProjectCourseFactory(term=TermFactory(project=project), name="Робототехника для начинающих")
    group = StudentGroupFactory(project=project, name="Группа А")
    course.groups.add(group)
    people = {}
    for key, last_name, first_name, joined_on, left_on in (
        ("anna", "Алексеева", "Анна", date(2026, 9, 1), None),
        ("boris", "Борисов", "Борис", date(2026, 9, 1), None),
        ("vera", "Васильева", "Вера", date(2026, 9, 20), None),
        ("gleb", "Глебов", "Глеб", date(2026, 9, 1), date(2026, 9, 30)),
    ):
        people[key] = StudentFactory(project=project, last_name=last_name, first_name=first_name)
        GroupMembership.objects.create(group=group, student=people[key], joined_on=joined_on, left_on=left_on)
    early = ProjectLessonFactory(course=course, date=date(2026, 9, 7))
    late = ProjectLessonFactory(course=course, date=date(2026, 10, 5))
    return School(course=course, early=early, late=late, **people)


def user_with(role: str, project):
    """A user who is an outsider of `project`, a member with a role, or a main administrator."""
    if role == "outsider_teacher":
        return UserFactory(roles=[TEACHER])
    if role == "main_admin":
        return UserFactory(roles=[MAIN_ADMIN])
    user = UserFactory(roles=[VOLUNTEER])
    if role != "outsider_volunteer":
        ProjectMember.objects.create(project=project, user=user, role=role)
    return user


def row_marks(html: str, student: Student) -> list[str]:
    """The marks («✓», «н», «—») of a student's row of the attendance table."""
    table = html[html.index('class="attendance-table"') :]
    row = re.search(rf'<th scope="row">{re.escape(student.full_name)}</th>(.*?)</tr>', table, re.S)
    assert row, f"no row for {student}"
    return re.findall(r"<abbr title=\"[^\"]+\">(.)</abbr>", row.group(1))


@pytest.fixture
def school(db):
    return build_school()


def project_of(school: School):
    return school.course.term.project


# --- Who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_course_page_role_matrix(client, school, role):
    client.force_login(user_with(role, project_of(school)))
    response = client.get(reverse("projects:course", args=[school.course.pk]))
    if role not in MEMBERS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "Робототехника для начинающих" in html
    assert school.anna.full_name in html
    # Students' pages (with their personal data) and exports are for moderators and up.
    student_link = f'href="/projects/students/{school.anna.pk}/"'
    export_link = reverse("projects:attendance_csv", args=[school.course.pk])
    assert (student_link in html) is (role in MANAGERS)
    assert (export_link in html) is (role in MANAGERS)
    assert school.anna.email not in html


@pytest.mark.parametrize("role", ROLES)
def test_lesson_page_role_matrix(client, school, role):
    client.force_login(user_with(role, project_of(school)))
    response = client.get(reverse("projects:lesson", args=[school.early.pk]))
    if role not in MEMBERS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert school.boris.full_name in html
    assert ('name="absent"' in html) is (role in MANAGERS)
    assert school.boris.phone.as_e164 not in html


@pytest.mark.parametrize("role", ROLES)
def test_marking_role_matrix(client, school, role):
    school.early.absent_students.add(school.anna)
    client.force_login(user_with(role, project_of(school)))
    response = client.post(reverse("projects:lesson", args=[school.early.pk]), {"absent": [school.boris.pk]})
    absent = set(school.early.absent_students.all())
    if role in MANAGERS:
        assert response.status_code == 302
        assert absent == {school.boris}
    else:
        assert response.status_code == (403 if role == "viewer" else 404)
        assert absent == {school.anna}


@pytest.mark.parametrize("name", ["projects:course", "projects:lesson"])
def test_anonymous_is_sent_to_log_in(client, school, name):
    pk = school.course.pk if name == "projects:course" else school.early.pk
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_missing_course_and_lesson_are_404(client, main_admin):
    client.force_login(main_admin)
    assert client.get(reverse("projects:course", args=[999_999])).status_code == 404
    assert client.get(reverse("projects:lesson", args=[999_999])).status_code == 404


def test_members_of_another_project_are_outsiders(client, school):
    other = ProjectFactory()
    client.force_login(other.author)  # administrator of another project
    assert client.get(reverse("projects:course", args=[school.course.pk])).status_code == 404
    response = client.post(reverse("projects:lesson", args=[school.early.pk]), {"absent": [school.anna.pk]})
    assert response.status_code == 404
    assert not school.early.absent_students.exists()


# --- Marking -----------------------------------------------------------------------------


def test_moderator_marks_the_absent_and_the_others_are_present(client, school):
    client.force_login(user_with("moderator", project_of(school)))
    url = reverse("projects:lesson", args=[school.early.pk])
    response = client.post(url, {"absent": [school.boris.pk, school.gleb.pk]}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "Отметки сохранены, отсутствующих: 2" in response.content.decode()
    assert set(school.early.absent_students.all()) == {school.boris, school.gleb}

    html = client.get(reverse("projects:course", args=[school.course.pk])).content.decode()
    assert row_marks(html, school.anna) == ["✓", "✓"]
    assert row_marks(html, school.boris) == ["н", "✓"]
    row = next(row for row in client.get(reverse("projects:course", args=[school.course.pk])).context["rows"])
    assert (row.student, row.attended, row.absences) == (school.anna, 2, 0)

    # Unticking everybody records that all were present.
    response = client.post(url, {}, follow=True)
    assert "Отметки сохранены, отсутствующих: 0" in response.content.decode()
    assert not school.early.absent_students.exists()


def test_lesson_page_shows_who_was_absent_read_only_to_viewers(client, school):
    school.early.absent_students.add(school.boris)
    client.force_login(user_with("viewer", project_of(school)))
    html = client.get(reverse("projects:lesson", args=[school.early.pk])).content.decode()
    boris_row = re.search(rf"{school.boris.full_name}</th>\s*<td>(.*?)</td>", html, re.S).group(1)
    anna_row = re.search(rf"{school.anna.full_name}</th>\s*<td>(.*?)</td>", html, re.S).group(1)
    assert "отсутствовал" in boris_row
    assert "был" in anna_row
    assert '<form method="post" class="attendance-form"' not in html


def test_a_student_who_joined_later_is_not_absent_and_cannot_be_marked(client, school):
    client.force_login(user_with("moderator", project_of(school)))
    page = client.get(reverse("projects:lesson", args=[school.early.pk]))
    assert school.vera not in [item["student"] for item in page.context["roster"]]

    response = client.post(reverse("projects:lesson", args=[school.early.pk]), {"absent": [school.vera.pk]})
    assert response.status_code == 200  # the form comes back with an error
    assert "Отметки не сохранены" in response.content.decode()
    assert not school.early.absent_students.exists()

    html = client.get(reverse("projects:course", args=[school.course.pk])).content.decode()
    assert row_marks(html, school.vera) == ["—", "✓"]
    rows = client.get(reverse("projects:course", args=[school.course.pk])).context["rows"]
    row = next(row for row in rows if row.student == school.vera)
    assert (row.attended, row.absences) == (1, 0)


@pytest.mark.parametrize("junk", ["9" * 5000, "9" * 20, "²", "-1"])
def test_a_number_no_student_has_is_a_form_error_and_nothing_is_marked(client, school, junk):
    client.force_login(user_with("moderator", project_of(school)))

    response = client.post(reverse("projects:lesson", args=[school.early.pk]), {"absent": [school.anna.pk, junk]})

    assert response.status_code == 200
    assert "Отметки не сохранены" in response.content.decode()
    assert response.context["form"].errors["absent"]
    assert not school.early.absent_students.exists()
    assert [item["student"] for item in response.context["roster"] if item["absent"]] == [school.anna]


def test_a_student_who_left_is_not_absent_afterwards_and_cannot_be_marked(client, school):
    client.force_login(user_with("moderator", project_of(school)))
    url = reverse("projects:lesson", args=[school.late.pk])
    assert school.gleb not in [item["student"] for item in client.get(url).context["roster"]]
    client.post(url, {"absent": [school.gleb.pk, school.anna.pk]})
    assert not school.late.absent_students.exists()  # the whole form was refused

    client.post(url, {"absent": [school.anna.pk]})
    assert set(school.late.absent_students.all()) == {school.anna}
    html = client.get(reverse("projects:course", args=[school.course.pk])).content.decode()
    assert row_marks(html, school.gleb) == ["✓", "—"]
    assert row_marks(html, school.anna) == ["✓", "н"]


def test_course_page_totals_per_lesson(client, school):
    school.early.absent_students.add(school.boris, school.gleb)
    client.force_login(user_with("viewer", project_of(school)))
    totals = client.get(reverse("projects:course", args=[school.course.pk])).context["lesson_totals"]
    # 7 September: Anna present, Boris and Gleb absent, Vera not yet in the group.
    assert [(total["attended"], total["absent"]) for total in totals] == [(1, 2), (3, 0)]


def test_unsafe_links_are_not_links(client, school):
    school.early.web_links = "https://example.org/plan\njavascript:alert(1)"
    school.early.save()
    client.force_login(user_with("viewer", project_of(school)))
    html = client.get(reverse("projects:lesson", args=[school.early.pk])).content.decode()
    assert 'href="https://example.org/plan"' in html
    assert 'href="javascript' not in html


# --- The attendance table in a fixed number of queries ----------------------------------


def build_course(project, *, lessons: int, students: int) -> ProjectCourse:
    """A course of `lessons` lessons (every other one with a methodic and a tutor) and a
    group of `students`; every third student joined after the fourth lesson and each missed
    one lesson in five."""
    course = ProjectCourseFactory(term=TermFactory(project=project))
    methodic, tutor = MethodicFactory(), UserFactory()
    group = StudentGroupFactory(project=project)
    course.groups.add(group)
    people = Student.objects.bulk_create(
        Student(project=project, last_name=f"Учащийся{index:02}", first_name="Тест") for index in range(students)
    )
    first = date(2026, 9, 1)
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, student=student, joined_on=first + timedelta(days=10 * (index % 3 == 0)))
        for index, student in enumerate(people)
    )
    held = ProjectLesson.objects.bulk_create(
        ProjectLesson(
            course=course,
            date=first + timedelta(days=3 * index),
            start_time=time(15),
            finish_time=time(16),
            methodic=methodic if index % 2 else None,
        )
        for index in range(lessons)
    )
    Tutor = ProjectLesson.tutors.through
    Tutor.objects.bulk_create(Tutor(projectlesson=lesson, user=tutor) for lesson in held[::2])
    Absence = ProjectLesson.absent_students.through
    Absence.objects.bulk_create(
        Absence(projectlesson=lesson, student=student)
        for number, lesson in enumerate(held)
        for index, student in enumerate(people)
        if (number + index) % 5 == 0
    )
    return course


def count_queries(client, course) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("projects:course", args=[course.pk]))
    assert response.status_code == 200
    return len(queries)


# The session, the user, the course with the user's project role, the user's permissions
# (2: a moderator), the lessons, their absences, the memberships (attendance and roster),
# the lessons' methodics and tutors, the course's groups, the course's tutors, the unread
# messages count of the page header.
COURSE_PAGE_QUERIES = 13


def test_course_page_queries_do_not_grow_with_lessons_and_students(client):
    project = ProjectFactory()
    small = build_course(project, lessons=3, students=3)
    large = build_course(project, lessons=30, students=30)
    client.force_login(user_with("moderator", project))
    count_queries(client, small)  # warm up: content types, the session

    small_count = count_queries(client, small)
    large_count = count_queries(client, large)
    assert small_count == large_count
    assert large_count <= COURSE_PAGE_QUERIES, f"{large_count} queries"

    response = client.get(reverse("projects:course", args=[large.pk]))
    rows = response.context["rows"]
    assert (len(rows), len(response.context["lessons"])) == (30, 30)
    html = response.content.decode()
    assert html.count('class="attendance-absent"') == sum(row.absences for row in rows) > 0
    assert html.count('class="attendance-off"') == 10 * 4  # ten late joiners, four lessons before they came
