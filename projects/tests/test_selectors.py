"""The reads of the project pages: the user's role in a project, a term's courses and schedule."""

from datetime import date, time

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.roles import ADMIN as ADMINISTRATOR
from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.roles import ADMIN, MODERATOR, VIEWER
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from projects.models import Attachment, Project, ProjectMember, Term
from projects.selectors import (
    project_role,
    term_courses,
    term_for_page,
    term_schedule,
    with_any_attachment,
    with_member_role,
)
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentGroupFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


# --- The user's role -----------------------------------------------------------------------------


@pytest.mark.parametrize("membership", [None, VIEWER, MODERATOR, ADMIN])
def test_global_access_is_admin_whatever_the_membership(membership):
    project = ProjectFactory()
    administrator = UserFactory(roles=[ADMINISTRATOR])
    if membership:
        ProjectMember.objects.create(project=project, user=administrator, role=membership)
    assert project_role(administrator, project) == ADMIN
    annotated = with_member_role(Project.objects.all(), administrator, "pk").get(pk=project.pk)
    assert annotated.member_role == membership
    assert project_role(administrator, project, annotated.member_role) == ADMIN


@pytest.mark.parametrize("membership", [None, VIEWER, MODERATOR, ADMIN])
def test_without_global_access_the_role_is_the_membership(membership):
    project = ProjectFactory()
    teacher = UserFactory(roles=[TEACHER])
    if membership:
        ProjectMember.objects.create(project=project, user=teacher, role=membership)
    assert project_role(teacher, project) == membership
    term = with_member_role(Term.objects.all(), teacher).get(pk=TermFactory(project=project).pk)
    assert term.member_role == membership
    assert project_role(teacher, project, term.member_role) == membership


def test_a_project_administrator_is_admin_without_reading_permissions(django_assert_num_queries):
    project = ProjectFactory()
    author = project.author
    with django_assert_num_queries(1):  # the membership only
        assert project_role(author, project) == ADMIN
    with django_assert_num_queries(0):
        assert project_role(author, project, ADMIN) == ADMIN


def test_a_membership_in_another_project_is_no_role():
    project, other = ProjectFactory(), ProjectFactory()
    term = with_member_role(Term.objects.all(), other.author).get(pk=TermFactory(project=project).pk)
    assert term.member_role is None
    assert project_role(other.author, project, term.member_role) is None


def attach(owner) -> Attachment:
    content_type = ContentType.objects.get_for_model(owner)
    return Attachment.objects.create(content_type=content_type, object_id=owner.pk, file="projects/plan.txt")


def test_with_any_attachment_says_whether_files_are_attached():
    bare, attached = TermFactory(), TermFactory()
    attach(attached)
    attach(bare.project)  # a file of the project is not the term's
    found = {term.pk: term.any_attachment for term in with_any_attachment(Term.objects.all())}
    assert found == {bare.pk: False, attached.pk: True}


# --- A term's page -------------------------------------------------------------------------------


@pytest.mark.parametrize("membership", [None, VIEWER, MODERATOR, ADMIN])
def test_term_for_page_reads_the_users_role_as_with_member_role_does(membership):
    term = TermFactory()
    teacher = UserFactory(roles=[TEACHER])
    ProjectMember.objects.create(project=ProjectFactory(), user=teacher, role=VIEWER)  # another project's
    if membership:
        ProjectMember.objects.create(project=term.project, user=teacher, role=membership)
    found = term_for_page(term.pk, teacher)
    assert (found, found.member_role) == (term, membership)


def test_term_for_page_says_whether_files_are_attached_to_the_term():
    bare, attached = TermFactory(), TermFactory()
    attach(attached)
    attach(bare.project)  # a file of the project is not the term's
    user = UserFactory()
    assert not term_for_page(bare.pk, user).any_attachment
    assert term_for_page(attached.pk, user).any_attachment


def test_term_for_page_reads_the_projects_name_and_defers_the_rest(django_assert_num_queries):
    term = TermFactory(project=ProjectFactory(name="Лето", address="Тверь"))
    ContentType.objects.get_for_model(Term)  # warm up: kept for the process
    with django_assert_num_queries(1):
        found = term_for_page(term.pk, term.project.author)
        assert (found.name, found.start_date, found.project.name) == (term.name, term.start_date, "Лето")
    assert found.project.get_deferred_fields() >= {"address", "description"}
    assert found.project.address == "Тверь"


def test_term_for_page_of_a_missing_term_is_none():
    assert term_for_page(999_999, UserFactory()) is None


def test_term_courses_by_start_and_name_with_their_groups_by_name():
    term = TermFactory()
    later = ProjectCourseFactory(term=term, name="Астрономия", start_date=date(2026, 10, 1))
    second = ProjectCourseFactory(term=term, name="Химия")
    first = ProjectCourseFactory(term=term, name="Биология")
    second.groups.add(
        StudentGroupFactory(project=term.project, name="Б"), StudentGroupFactory(project=term.project, name="А")
    )
    ProjectCourseFactory(name="Курс другого периода")

    courses = list(term_courses(term))
    assert [course["pk"] for course in courses] == [first.pk, second.pk, later.pk]
    assert [course["group_names"] for course in courses] == [[], ["А", "Б"], []]


def test_term_schedule_by_day_time_and_course_with_tutors_by_last_name():
    term = TermFactory()
    physics = ProjectCourseFactory(term=term, name="Физика")
    algebra = ProjectCourseFactory(term=term, name="Алгебра")
    draft = MethodicFactory(status=Methodic.Status.DRAFT, title="Черновик")
    late = ProjectLessonFactory(course=algebra, date=date(2026, 9, 8))
    physics_at_three = ProjectLessonFactory(course=physics, methodic=draft)
    algebra_at_three = ProjectLessonFactory(course=algebra)
    early = ProjectLessonFactory(course=physics, start_time=time(9, 0), finish_time=time(10, 0))
    physics_at_three.tutors.add(
        UserFactory(first_name="Яна", last_name="Борисова"),
        UserFactory(first_name="", last_name=""),
        UserFactory(first_name="Олег", last_name="Алексеев"),
    )
    ProjectLessonFactory()  # of another term

    days = term_schedule(term)
    assert [(day, [lesson.pk for lesson in lessons]) for day, lessons in days] == [
        (date(2026, 9, 7), [early.pk, algebra_at_three.pk, physics_at_three.pk]),
        (date(2026, 9, 8), [late.pk]),
    ]
    lesson = days[0][1][2]
    assert (lesson.course_id, lesson.course_name) == (physics.pk, "Физика")
    assert (lesson.methodic_id, lesson.methodic_title, lesson.methodic_published) == (draft.pk, "Черновик", False)
    assert lesson.tutor_names == ["", "Олег Алексеев", "Яна Борисова"]
    assert (lesson.start_time, lesson.finish_time) == (time(15, 0), time(16, 30))
    assert days[0][1][0].tutor_names == [] and days[0][1][0].methodic_id is None
