from datetime import date, time

import pytest
from django.db import IntegrityError, transaction

from projects.models import DocumentType, GroupMembership, ProjectMember, StudentDocument
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentFactory,
    StudentGroupFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_term_dates_are_ordered():
    assert refused(lambda: TermFactory(start_date=date(2026, 9, 2), finish_date=date(2026, 9, 1)))
    assert TermFactory(start_date=date(2026, 9, 1), finish_date=date(2026, 9, 1)).pk


def test_course_dates_are_ordered():
    assert refused(lambda: ProjectCourseFactory(start_date=date(2026, 10, 2), finish_date=date(2026, 10, 1)))


def test_lesson_finishes_after_it_starts():
    assert refused(lambda: ProjectLessonFactory(start_time=time(15, 0), finish_time=time(15, 0)))
    assert refused(lambda: ProjectLessonFactory(start_time=time(15, 0), finish_time=time(14, 0)))


def test_membership_ends_after_it_starts_and_is_unique():
    project = ProjectFactory()
    group, student = StudentGroupFactory(project=project), StudentFactory(project=project)
    assert refused(
        lambda: GroupMembership.objects.create(
            group=group, student=student, joined_on=date(2026, 9, 10), left_on=date(2026, 9, 9)
        )
    )
    GroupMembership.objects.create(group=group, student=student, joined_on=date(2026, 9, 10))
    assert refused(lambda: GroupMembership.objects.create(group=group, student=student, joined_on=date(2026, 9, 1)))


def test_a_user_is_a_member_of_a_project_once():
    project = ProjectFactory()
    assert refused(lambda: ProjectMember.objects.create(project=project, user=project.author, role="viewer"))


def test_masked_number_shows_only_the_last_two_characters():
    document = StudentDocument(
        student=StudentFactory(), document_type=DocumentType(name="Паспорт"), number="4525613420"
    )
    assert document.masked_number == "••••••••20"
    assert "4525" not in str(document)
    assert StudentDocument(number="7").masked_number == "7"


def test_full_name_skips_an_empty_middle_name():
    assert StudentFactory.build(last_name="Белов", first_name="Матвей", middle_name="Андреевич").full_name == (
        "Белов Матвей Андреевич"
    )
    assert StudentFactory.build(last_name="Белов", first_name="Матвей").full_name == "Белов Матвей"
