from datetime import date, time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from core.testing import admin_change_url, change_form_data, png_upload
from methodics.tests.factories import MethodicFactory
from projects.models import (
    Attachment,
    DocumentType,
    DocumentView,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    StudentDocument,
)
from projects.services import course_save, document_reveal, member_set
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentFactory,
    StudentGroupFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

ROOT = "/admin/projects"
NUMBER = "4525613420"
MODELS = (
    "project",
    "projectmember",
    "term",
    "projectcourse",
    "projectlesson",
    "studentgroup",
    "groupmembership",
    "student",
    "documenttype",
    "attachment",
)


@pytest.fixture
def world():
    """One project with everything in it: a term, a course with a group, a lesson, a
    student with a passport, an attachment."""
    project = ProjectFactory(name="Летняя школа")
    term = TermFactory(project=project, name="Осень", start_date=date(2026, 9, 1), finish_date=date(2026, 12, 31))
    course = ProjectCourseFactory(term=term, name="Юные экологи")
    group = StudentGroupFactory(project=project, name="Исследователи")
    course_save(course=course, groups=[group])
    student = StudentFactory(project=project, last_name="Белов", first_name="Матвей")
    membership = GroupMembership.objects.create(group=group, student=student, joined_on=date(2026, 9, 1))
    document = StudentDocument.objects.create(
        student=student, document_type=DocumentType.objects.create(name="Паспорт"), number=NUMBER
    )
    lesson = ProjectLessonFactory(course=course, date=date(2026, 9, 7))
    attachment = Attachment.objects.create(
        owner=project, file=ContentFile(b"%PDF-1.4", name="plan.pdf"), title="План", uploaded_by=project.author
    )
    member = ProjectMember.objects.get(project=project)
    return {
        "project": project,
        "projectmember": member,
        "term": term,
        "projectcourse": course,
        "projectlesson": lesson,
        "studentgroup": group,
        "groupmembership": membership,
        "student": student,
        "documenttype": document.document_type,
        "attachment": attachment,
        "document": document,
    }


# --- Smoke: changelist, search, add, change --------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_main_admin_opens_the_changelist_search_add_and_change_pages(as_main_admin, world, model):
    assert as_main_admin.get(f"{ROOT}/{model}/").status_code == 200
    response = as_main_admin.get(f"{ROOT}/{model}/", {"q": "Белов"})
    assert response.status_code == 200
    assert as_main_admin.get(f"{ROOT}/{model}/add/").status_code == 200
    assert as_main_admin.get(admin_change_url(world[model])).status_code == 200


def test_search_finds_a_student_by_name(as_main_admin, world):
    StudentFactory(project=world["project"], last_name="Зайцев")
    response = as_main_admin.get(f"{ROOT}/student/", {"q": "белов"})
    assert list(response.context["cl"].result_list) == [world["student"]]


def test_the_student_list_shows_contacts_and_birthday(as_main_admin, world):
    page = as_main_admin.get(f"{ROOT}/student/").content.decode()
    assert "Белов Матвей" in page
    assert "17 мая 2012" in page
    assert "student" in page and "@example.ru" in page


# --- Personal data -------------------------------------------------------------------------


def test_an_administrator_sees_document_numbers_masked(client, administrator, world):
    client.force_login(administrator)
    page = client.get(admin_change_url(world["student"])).content.decode()
    assert "••••••••20" in page
    assert NUMBER not in page
    assert "Паспорт" in page


def test_the_main_administrator_sees_and_edits_document_numbers(as_main_admin, world):
    response = as_main_admin.get(admin_change_url(world["student"]))
    assert f'value="{NUMBER}"' in response.content.decode()

    data = change_form_data(as_main_admin, admin_change_url(world["student"]), **{"documents-0-number": "4525000001"})
    assert as_main_admin.post(admin_change_url(world["student"]), data).status_code == 302
    world["document"].refresh_from_db()
    assert world["document"].number == "4525000001"


def test_a_superuser_counts_as_main_administrator(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert NUMBER in client.get(admin_change_url(world["student"])).content.decode()


def test_an_administrator_cannot_post_document_numbers(client, administrator, world):
    client.force_login(administrator)
    url = admin_change_url(world["student"])
    data = change_form_data(client, url, **{"documents-0-number": "0000000000"})
    client.post(url, data)
    world["document"].refresh_from_db()
    assert world["document"].number == NUMBER


def test_the_main_administrator_reads_who_was_shown_a_document(as_main_admin, world, teacher):
    view = document_reveal(document=world["document"], user=teacher)
    response = as_main_admin.get(f"{ROOT}/documentview/")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [view]
    page = response.content.decode()
    assert "Белов Матвей" in page and "••••••••20" in page
    assert NUMBER not in page
    assert as_main_admin.get(f"{ROOT}/documentview/", {"q": "белов"}).status_code == 200

    change = as_main_admin.get(admin_change_url(view))
    assert change.status_code == 200 and change.context["has_change_permission"] is False
    assert as_main_admin.get(f"{ROOT}/documentview/add/").status_code == 403
    assert as_main_admin.post(f"{ROOT}/documentview/{view.pk}/delete/", {"post": "yes"}).status_code == 403
    as_main_admin.post(f"{ROOT}/documentview/", {"action": "delete_selected", "_selected_action": [view.pk]})
    assert DocumentView.objects.filter(pk=view.pk).exists()


@pytest.mark.parametrize("fixture", ["administrator", "teacher"])
def test_nobody_but_the_main_administrator_reads_the_document_views(request, client, world, fixture):
    user = request.getfixturevalue(fixture)
    view = document_reveal(document=world["document"], user=user)
    client.force_login(user)
    assert client.get(f"{ROOT}/documentview/").status_code == 403
    assert client.get(admin_change_url(view)).status_code in (302, 403)
    assert "documentview" not in client.get("/admin/").content.decode()


def test_attachments_show_their_name_and_no_storage_url(as_main_admin, world):
    for url in (f"{ROOT}/attachment/", admin_change_url(world["attachment"])):
        page = as_main_admin.get(url).content.decode()
        assert "plan" in page
        assert "/media/" not in page and "private" not in page
        assert f'href="/projects/attachments/{world["attachment"].pk}/"' in page


# --- Validation through the services -------------------------------------------------------


def test_a_course_outside_its_term_is_refused_with_the_error(as_main_admin, world):
    course = world["projectcourse"]
    url = admin_change_url(course)
    response = as_main_admin.post(url, change_form_data(as_main_admin, url, start_date="2026-08-01"))

    assert response.status_code == 200
    assert "Курс должен проходить в пределах периода «Осень»: 01.09.2026–31.12.2026." in response.content.decode()
    course.refresh_from_db()
    assert course.start_date == date(2026, 9, 1)


def test_a_course_refuses_a_group_of_another_project(as_main_admin, world):
    url = admin_change_url(world["projectcourse"])
    data = change_form_data(as_main_admin, url, groups=[str(StudentGroupFactory().pk)])
    assert "из другого проекта." in as_main_admin.post(url, data).content.decode()


def test_a_course_outside_its_term_is_refused_in_the_terms_inline(as_main_admin, world):
    url = admin_change_url(world["term"])
    data = change_form_data(as_main_admin, url, **{"courses-0-finish_date": "2027-01-15"})
    response = as_main_admin.post(url, data)

    assert response.status_code == 200
    assert "в пределах периода" in response.content.decode()


def test_a_lesson_ending_before_it_starts_or_outside_the_course_is_refused(as_main_admin, world):
    lesson = world["projectlesson"]
    url = admin_change_url(lesson)
    data = change_form_data(as_main_admin, url, date="2027-02-01", start_time="16:00", finish_time="15:00")
    page = as_main_admin.post(url, data).content.decode()

    assert "Занятие должно заканчиваться позже, чем начинается." in page
    assert "Дата занятия должна быть в пределах курса" in page
    lesson.refresh_from_db()
    assert lesson.finish_time == time(16, 30)


def test_a_course_gets_a_description_and_a_picture_and_a_lesson_a_picture(as_main_admin, world):
    course, lesson = world["projectcourse"], world["projectlesson"]
    url = admin_change_url(course)
    data = change_form_data(as_main_admin, url, description="Для 7 класса", label_image=png_upload())
    assert as_main_admin.post(url, data).status_code == 302
    url = admin_change_url(lesson)
    assert as_main_admin.post(url, change_form_data(as_main_admin, url, label_image=png_upload())).status_code == 302

    course.refresh_from_db()
    lesson.refresh_from_db()
    assert course.description == "Для 7 класса"
    assert course.label_image.name.startswith("projects/courses/")
    assert lesson.label_image.name.startswith("projects/lessons/")
    assert f'href="{lesson.label_image.url}"' in as_main_admin.get(url).content.decode()


def test_a_lesson_refuses_a_file_that_is_no_picture(as_main_admin, world):
    lesson = world["projectlesson"]
    url = admin_change_url(lesson)
    notes = SimpleUploadedFile("план.txt", b"notes", content_type="text/plain")
    response = as_main_admin.post(url, change_form_data(as_main_admin, url, label_image=notes))

    assert response.status_code == 200
    assert "Это не изображение: подходят JPEG, PNG, GIF и WebP." in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.label_image.name == ""


def test_adding_a_lesson_records_tutors_and_attendance_of_the_roster(as_main_admin, world, teacher):
    outsider = StudentFactory(project=world["project"])
    url = admin_change_url(world["projectlesson"])
    data = change_form_data(
        as_main_admin, url, tutors=[str(teacher.pk)], absent_students=[str(world["student"].pk), str(outsider.pk)]
    )
    assert as_main_admin.post(url, data).status_code == 302
    lesson = world["projectlesson"]
    assert list(lesson.tutors.all()) == [teacher]
    assert list(lesson.absent_students.all()) == [world["student"]]


def test_a_group_refuses_a_student_of_another_project(as_main_admin, world):
    response = as_main_admin.post(
        f"{ROOT}/groupmembership/add/",
        {"group": world["studentgroup"].pk, "student": StudentFactory().pk, "joined_on": "2026-09-01"},
    )
    assert "Учащийся и группа из разных проектов." in response.content.decode()


# --- Projects and members -------------------------------------------------------------------


def test_adding_a_project_makes_its_author_the_administrator(as_main_admin, main_admin):
    response = as_main_admin.post(
        f"{ROOT}/project/add/",
        {
            "name": "Школа вожатых",
            "short_description": "Подготовка вожатых.",
            "author": main_admin.pk,
            "terms-TOTAL_FORMS": 0,
            "terms-INITIAL_FORMS": 0,
            "members-TOTAL_FORMS": 0,
            "members-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(name="Школа вожатых")
    assert project.members.get().user == main_admin
    assert project.members.get().role == ProjectMember.Role.ADMIN


def test_the_authors_membership_stays_in_the_inline(as_main_admin, world):
    url = admin_change_url(world["project"])
    data = change_form_data(as_main_admin, url, **{"members-0-DELETE": "on"})
    response = as_main_admin.post(url, data)

    assert response.status_code == 200
    assert "Автор проекта остаётся его администратором." in response.content.decode()
    assert world["project"].members.filter(user=world["project"].author).exists()


def test_the_authors_membership_cannot_be_deleted(as_main_admin, world):
    member = world["projectmember"]
    assert as_main_admin.get(f"{ROOT}/projectmember/{member.pk}/delete/").status_code == 403


def test_a_teacher_adds_a_project_of_their_own(client, teacher):
    client.force_login(teacher)
    response = client.post(
        f"{ROOT}/project/add/",
        {"name": "Кружок", "short_description": "Кружок робототехники.", "author": UserFactory().pk},
    )
    assert response.status_code == 302
    project = Project.objects.get(name="Кружок")
    assert project.author == teacher
    assert project.members.get().user == teacher


def test_a_teacher_does_not_open_students(client, teacher, world):
    client.force_login(teacher)
    assert client.get(f"{ROOT}/student/").status_code == 403
    assert client.get(admin_change_url(world["student"])).status_code == 403


# --- Query counts ----------------------------------------------------------------------------


def count_queries(client, url, *, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows
    return len(queries)


def test_the_student_changelist_takes_a_fixed_number_of_queries(as_main_admin):
    project = ProjectFactory()
    StudentFactory.create_batch(5, project=project)
    few = count_queries(as_main_admin, f"{ROOT}/student/", rows=5)
    StudentFactory.create_batch(55, project=ProjectFactory())
    assert count_queries(as_main_admin, f"{ROOT}/student/", rows=60) == few == 8


def test_the_lesson_changelist_takes_a_fixed_number_of_queries(as_main_admin, teacher):
    def lessons(count):
        course = ProjectCourseFactory()
        for index in range(count):
            lesson = ProjectLessonFactory(course=course, date=date(2026, 9, 1 + index % 28), methodic=MethodicFactory())
            lesson.tutors.set([teacher, UserFactory()])
            lesson.absent_students.set(StudentFactory.create_batch(1, project=course.term.project))

    lessons(5)
    few = count_queries(as_main_admin, f"{ROOT}/projectlesson/", rows=5)
    lessons(55)
    assert count_queries(as_main_admin, f"{ROOT}/projectlesson/", rows=60) == few == 11
    assert ProjectLesson.objects.count() == 60
    assert ProjectCourse.objects.count() == 2


def test_the_lesson_changelist_counts_each_lessons_absences(as_main_admin):
    course = ProjectCourseFactory()
    missed, attended = ProjectLessonFactory(course=course), ProjectLessonFactory(course=course)
    missed.absent_students.set(StudentFactory.create_batch(2, project=course.term.project))

    shown = as_main_admin.get(f"{ROOT}/projectlesson/").context["cl"].result_list

    assert {lesson.pk: lesson.absent_total for lesson in shown} == {missed.pk: 2, attended.pk: 0}


def test_member_set_of_the_admin_changes_the_role(as_main_admin, world):
    user = UserFactory()
    member_set(project=world["project"], user=user, role=ProjectMember.Role.VIEWER)
    member = ProjectMember.objects.get(user=user)
    url = admin_change_url(member)
    assert as_main_admin.post(url, change_form_data(as_main_admin, url, role="moderator")).status_code == 302
    member.refresh_from_db()
    assert member.role == ProjectMember.Role.MODERATOR


def test_attachment_owner_types_are_the_projects(as_main_admin):
    form = as_main_admin.get(f"{ROOT}/attachment/add/").context["adminform"].form
    models = {content_type.model for content_type in form.fields["content_type"].queryset}
    assert models == {"project", "term", "projectcourse", "projectlesson", "student"}
    assert ContentType.objects.get_for_model(Project).model in models
