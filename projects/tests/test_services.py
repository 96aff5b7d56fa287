from datetime import date, time

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from projects.models import (
    DocumentType,
    DocumentView,
    GroupMembership,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    StudentDocument,
)
from projects.selectors import attendance_table
from projects.services import (
    attendance_mark,
    course_save,
    document_reveal,
    member_remove,
    member_set,
    membership_add,
    project_create,
    validate_course,
    validate_lesson,
)
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentFactory,
    StudentGroupFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> list[str]:
    return [message for messages in error.message_dict.values() for message in messages]


def test_project_create_makes_the_author_its_administrator():
    author = UserFactory()
    project = project_create(author=author, name="Летняя школа", short_description="Для подростков.")
    assert ProjectMember.objects.get(project=project).user == author
    assert ProjectMember.objects.get(project=project).role == ProjectMember.Role.ADMIN


def test_project_create_validates_the_fields():
    with pytest.raises(ValidationError):
        project_create(author=UserFactory(), name="", short_description="")


def test_member_remove_refuses_the_author_and_removes_others():
    project = ProjectFactory()
    other = UserFactory()
    member_set(project=project, user=other, role=ProjectMember.Role.VIEWER)
    with pytest.raises(ValidationError, match="Автор проекта"):
        member_remove(project=project, user=project.author)
    member_remove(project=project, user=other)
    assert list(project.members.values_list("user", flat=True)) == [project.author.pk]


def test_validate_course_refuses_dates_outside_the_term():
    term = TermFactory(name="Осень", start_date=date(2026, 9, 1), finish_date=date(2026, 12, 31))
    with pytest.raises(ValidationError) as caught:
        validate_course(
            ProjectCourse(term=term, name="Химия", start_date=date(2026, 8, 31), finish_date=date(2026, 10, 1))
        )
    assert messages_of(caught.value) == ["Курс должен проходить в пределах периода «Осень»: 01.09.2026–31.12.2026."]
    validate_course(ProjectCourse(term=term, name="Химия", start_date=term.start_date, finish_date=term.finish_date))


def test_validate_lesson_refuses_a_finish_before_the_start_and_a_date_outside_the_course():
    course = ProjectCourseFactory(start_date=date(2026, 9, 1), finish_date=date(2026, 9, 30))
    lesson = ProjectLesson(course=course, date=date(2026, 10, 1), start_time=time(16, 0), finish_time=time(15, 0))
    with pytest.raises(ValidationError) as caught:
        validate_lesson(lesson)
    assert caught.value.message_dict == {
        "finish_time": ["Занятие должно заканчиваться позже, чем начинается."],
        "date": ["Дата занятия должна быть в пределах курса: 01.09.2026–30.09.2026."],
    }


def test_course_save_refuses_two_groups_sharing_a_student():
    project = ProjectFactory()
    course = ProjectCourseFactory(term=TermFactory(project=project))
    student = StudentFactory(project=project, last_name="Белов", first_name="Матвей")
    first, second = StudentGroupFactory(project=project), StudentGroupFactory(project=project)
    for group in (first, second):
        GroupMembership.objects.create(group=group, student=student, joined_on=date(2026, 9, 1))
    with pytest.raises(ValidationError, match="Белов Матвей состоит и в группе"):
        course_save(course=course, groups=[first, second])
    assert not course.groups.exists()


def test_membership_add_refuses_double_booking_in_one_course():
    project = ProjectFactory()
    course = ProjectCourseFactory(term=TermFactory(project=project))
    first, second = StudentGroupFactory(project=project), StudentGroupFactory(project=project)
    course_save(course=course, groups=[first, second])
    student = StudentFactory(project=project)
    membership_add(group=first, student=student, joined_on=date(2026, 9, 1))
    with pytest.raises(ValidationError, match="уже в группе"):
        membership_add(group=second, student=student, joined_on=date(2026, 9, 1))


def test_membership_add_refuses_a_student_of_another_project():
    with pytest.raises(ValidationError, match="из разных проектов"):
        membership_add(group=StudentGroupFactory(), student=StudentFactory(), joined_on=date(2026, 9, 1))


@pytest.fixture
def course_with_group():
    project = ProjectFactory()
    course = ProjectCourseFactory(term=TermFactory(project=project))
    group = StudentGroupFactory(project=project)
    course_save(course=course, groups=[group])
    return course, group


def test_attendance_mark_ignores_students_outside_the_roster_that_day(course_with_group):
    course, group = course_with_group
    present = StudentFactory(project=group.project)
    late = StudentFactory(project=group.project)
    outsider = StudentFactory(project=group.project)
    membership_add(group=group, student=present, joined_on=date(2026, 9, 1))
    membership_add(group=group, student=late, joined_on=date(2026, 9, 20))
    lesson = ProjectLessonFactory(course=course, date=date(2026, 9, 7))

    assert attendance_mark(lesson=lesson, absent_ids=[present.pk, late.pk, outsider.pk]) == 1
    assert list(lesson.absent_students.all()) == [present]


def test_attendance_table_counts_a_late_joiner_only_from_joining(course_with_group):
    course, group = course_with_group
    regular = StudentFactory(project=group.project, last_name="Аверин")
    late = StudentFactory(project=group.project, last_name="Яковлев")
    membership_add(group=group, student=regular, joined_on=date(2026, 9, 1))
    membership_add(group=group, student=late, joined_on=date(2026, 9, 15))
    before = ProjectLessonFactory(course=course, date=date(2026, 9, 7))
    after = ProjectLessonFactory(course=course, date=date(2026, 9, 21))
    attendance_mark(lesson=before, absent_ids=[regular.pk, late.pk])
    attendance_mark(lesson=after, absent_ids=[late.pk])

    lessons, rows = attendance_table(course)

    assert lessons == [before, after]
    by_student = {row.student: row for row in rows}
    assert (by_student[regular].attended, by_student[regular].absences) == (1, 1)
    assert (by_student[late].attended, by_student[late].absences) == (0, 1)
    assert [cell.expected for cell in by_student[late].cells] == [False, True]


def test_course_save_refuses_a_group_of_another_project():
    course = ProjectCourseFactory()
    foreign = StudentGroupFactory()
    with pytest.raises(ValidationError):
        course_save(course=course, groups=[foreign])


def test_member_set_keeps_the_author_an_administrator():
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        member_set(project=project, user=project.author, role=ProjectMember.Role.VIEWER)


def test_document_reveal_records_who_saw_which_document_each_time():
    document = StudentDocument.objects.create(
        student=StudentFactory(), document_type=DocumentType.objects.create(name="Паспорт"), number="4525613420"
    )
    moderator = UserFactory()
    first = document_reveal(document=document, user=moderator)
    document_reveal(document=document, user=moderator)

    assert (first.document, first.user) == (document, moderator)
    assert first.viewed_at is not None
    assert DocumentView.objects.filter(document=document, user=moderator).count() == 2
