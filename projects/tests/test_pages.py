"""The project pages: the role matrix on every page and action, and the validation errors
the services raise shown on the forms."""

from dataclasses import dataclass
from datetime import date, time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.cache import content_changed
from core.testing import png_upload
from core.uploads import accept_attribute
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from projects.models import (
    Attachment,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentGroup,
    Term,
)
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentFactory,
    StudentGroupFactory,
    TermFactory,
)

OUTSIDERS = ("anonymous", "volunteer", "teacher")
ROLES = (*OUTSIDERS, "viewer", "moderator", "project_admin", "main_admin", "administrator")
RANK = {"viewer": 1, "moderator": 2, "admin": 3}
ROLE_RANK = {"viewer": 1, "moderator": 2, "project_admin": 3, "main_admin": 3, "administrator": 3}


@dataclass
class World:
    project: Project
    term: Term
    course: ProjectCourse
    lesson: ProjectLesson
    group: StudentGroup
    student: Student
    attachment: Attachment
    users: dict


def attach(owner, name="plan.txt", content=b"hello") -> Attachment:
    attachment = Attachment(content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk, title=name)
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def world(db, volunteer, teacher, administrator, main_admin):
    author = UserFactory(roles=[TEACHER])
    project = ProjectFactory(author=author)
    viewer, moderator = UserFactory(roles=[TEACHER]), UserFactory(roles=[TEACHER])
    ProjectMember.objects.create(project=project, user=viewer, role="viewer")
    ProjectMember.objects.create(project=project, user=moderator, role="moderator")
    term = TermFactory(project=project)
    course = ProjectCourseFactory(term=term)
    lesson = ProjectLessonFactory(course=course)
    group = StudentGroupFactory(project=project)
    student = StudentFactory(project=project)
    users = {
        "anonymous": None,
        "volunteer": volunteer,
        "teacher": teacher,
        "viewer": viewer,
        "moderator": moderator,
        "project_admin": author,
        "main_admin": main_admin,
        "administrator": administrator,
    }
    return World(project, term, course, lesson, group, student, attach(project), users)


def as_user(client, world: World, role: str):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def expected_status(role: str, needed: str, allowed: int) -> int:
    if role in OUTSIDERS:
        return 302 if role == "anonymous" else 404
    return allowed if ROLE_RANK[role] >= RANK[needed] else 403


# --- GET: every page -------------------------------------------------------------------------

PAGES = {
    "detail": ("viewer", lambda w: f"/projects/{w.project.pk}/"),
    "edit": ("admin", lambda w: f"/projects/{w.project.pk}/edit/"),
    "members": ("admin", lambda w: f"/projects/{w.project.pk}/members/"),
    "term_create": ("moderator", lambda w: f"/projects/{w.project.pk}/terms/new/"),
    "term": ("viewer", lambda w: f"/projects/terms/{w.term.pk}/"),
    "term_edit": ("moderator", lambda w: f"/projects/terms/{w.term.pk}/edit/"),
    "course_create": ("moderator", lambda w: f"/projects/terms/{w.term.pk}/courses/new/"),
    "course_edit": ("moderator", lambda w: f"/projects/courses/{w.course.pk}/edit/"),
    "lesson_create": ("moderator", lambda w: f"/projects/courses/{w.course.pk}/lessons/new/"),
    "lesson_edit": ("moderator", lambda w: f"/projects/lessons/{w.lesson.pk}/edit/"),
    "group_create": ("moderator", lambda w: f"/projects/{w.project.pk}/groups/new/"),
    "group": ("viewer", lambda w: f"/projects/groups/{w.group.pk}/"),
    "group_edit": ("moderator", lambda w: f"/projects/groups/{w.group.pk}/edit/"),
    "students": ("viewer", lambda w: f"/projects/{w.project.pk}/students/"),
    "student_create": ("moderator", lambda w: f"/projects/{w.project.pk}/students/new/"),
    "student": ("viewer", lambda w: f"/projects/students/{w.student.pk}/"),
    "student_edit": ("moderator", lambda w: f"/projects/students/{w.student.pk}/edit/"),
    "attachment": ("viewer", lambda w: f"/projects/attachments/{w.attachment.pk}/"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_page_role_matrix(client, world, page, role):
    needed, url = PAGES[page]
    response = as_user(client, world, role).get(url(world))
    assert response.status_code == expected_status(role, needed, 200)
    if role == "anonymous":
        assert response.url.startswith("/accounts/login/") or "login" in response.url


def test_a_nul_byte_in_the_students_search_is_a_400(client, world):
    response = as_user(client, world, "moderator").get(f"/projects/{world.project.pk}/students/?q=a%00b")

    assert response.status_code == 400
    assert "Неверный запрос" in response.content.decode()


def test_a_missing_project_is_404_even_for_administrators(client, world):
    client.force_login(world.users["main_admin"])
    assert client.get("/projects/999999/").status_code == 404


def test_the_attachment_download_returns_the_file(client, world):
    client.force_login(world.users["viewer"])
    response = client.get(f"/projects/attachments/{world.attachment.pk}/")
    assert b"".join(response.streaming_content) == b"hello"
    assert "attachment" in response["Content-Disposition"]


def test_an_attachment_of_another_project_is_404_for_a_member_of_this_one(client, world):
    other = attach(StudentFactory())
    client.force_login(world.users["project_admin"])
    assert client.get(f"/projects/attachments/{other.pk}/").status_code == 404


# --- The public list and a new project --------------------------------------------------------


class TestList:
    def test_anonymous_visitors_see_the_cards_and_no_mine_section(self, client, world):
        page = client.get("/projects/").content.decode()
        assert world.project.name in page
        assert "Мои проекты" not in page
        assert "Создать проект" not in page
        assert f'href="/projects/{world.project.pk}/"' not in page

    def test_a_card_shows_the_label_image_contacts_and_escaped_texts(self, client, world):
        ProjectFactory(name="Школа <юных>", contacts="Анна\nтел. 1", label_image="projects/labels/a b.png")
        page = client.get("/projects/").content.decode()
        assert '<img class="project-label" src="/media/projects/labels/a%20b.png" alt="" loading="lazy">' in page
        assert "<h3>Школа &lt;юных&gt;</h3>" in page
        assert "Анна<br>тел. 1</p>" in page
        assert page.count('class="project-label"') == 1  # the world's project has no image

    def test_a_member_sees_their_projects_with_the_role(self, client, world):
        ProjectFactory(name="Чужой проект")
        client.force_login(world.users["viewer"])
        page = client.get("/projects/").content.decode()
        assert "Мои проекты" in page
        assert f'href="/projects/{world.project.pk}/"' in page
        assert "Просмотр" in page
        assert "Чужой проект" in page  # its public card
        assert "Создать проект" in page  # a teacher holds projects.add_project

    def test_a_volunteer_has_no_create_link_and_no_create_page(self, client, world):
        client.force_login(world.users["volunteer"])
        assert "Создать проект" not in client.get("/projects/").content.decode()
        assert client.get("/projects/new/").status_code == 403
        assert client.post("/projects/new/", {"name": "X", "short_description": "Y"}).status_code == 403

    def test_the_list_is_reached_from_the_main_nav(self, client, db):
        assert 'href="/projects/"' in client.get("/methodics/").content.decode()

    @pytest.mark.parametrize("role", ["teacher", "administrator", "main_admin"])
    def test_a_teacher_or_administrator_creates_a_project_and_becomes_its_administrator(self, client, world, role):
        user = world.users[role]
        client.force_login(user)
        assert client.get("/projects/new/").status_code == 200
        response = client.post("/projects/new/", {"name": "Школа юного химика", "short_description": "Опыты"})
        project = Project.objects.get(name="Школа юного химика")
        assert response.status_code == 302 and response.url == f"/projects/{project.pk}/"
        assert ProjectMember.objects.get(project=project, user=user).role == "admin"

    def test_a_project_without_a_name_shows_the_error(self, client, world):
        client.force_login(world.users["teacher"])
        response = client.post("/projects/new/", {"name": "", "short_description": "Опыты"})
        assert response.status_code == 200
        assert "field-invalid" in response.content.decode()


# --- POST: every action -------------------------------------------------------------------------


def upload(name="notes.txt", content=b"notes"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


ACTIONS = {
    "edit": (
        "admin",
        lambda w: f"/projects/{w.project.pk}/edit/",
        lambda w: {"name": "Новое", "short_description": "К"},
    ),
    "member_add": (
        "admin",
        lambda w: f"/projects/{w.project.pk}/members/",
        lambda w: {"email": w.users["teacher"].email, "role": "viewer"},
    ),
    "member_role": (
        "admin",
        lambda w: f"/projects/{w.project.pk}/members/{w.users['viewer'].pk}/role/",
        lambda w: {"role": "moderator"},
    ),
    "member_remove": (
        "admin",
        lambda w: f"/projects/{w.project.pk}/members/{w.users['viewer'].pk}/remove/",
        lambda w: {},
    ),
    "term_create": (
        "moderator",
        lambda w: f"/projects/{w.project.pk}/terms/new/",
        lambda w: {"name": "Весна", "start_date": "2027-01-10", "finish_date": "2027-05-31"},
    ),
    "term_edit": (
        "moderator",
        lambda w: f"/projects/terms/{w.term.pk}/edit/",
        lambda w: {"name": "Осень", "start_date": "2026-09-01", "finish_date": "2026-12-31"},
    ),
    "course_create": (
        "moderator",
        lambda w: f"/projects/terms/{w.term.pk}/courses/new/",
        lambda w: {"name": "Химия", "start_date": "2026-09-01", "finish_date": "2026-10-31", "groups": [w.group.pk]},
    ),
    "course_edit": (
        "moderator",
        lambda w: f"/projects/courses/{w.course.pk}/edit/",
        lambda w: {"name": "Физика", "start_date": "2026-09-01", "finish_date": "2026-10-31"},
    ),
    "lesson_create": (
        "moderator",
        lambda w: f"/projects/courses/{w.course.pk}/lessons/new/",
        lambda w: {"date": "2026-09-14", "start_time": "10:00", "finish_time": "11:30"},
    ),
    "lesson_edit": (
        "moderator",
        lambda w: f"/projects/lessons/{w.lesson.pk}/edit/",
        lambda w: {"date": "2026-09-15", "start_time": "10:00", "finish_time": "11:30"},
    ),
    "group_create": ("moderator", lambda w: f"/projects/{w.project.pk}/groups/new/", lambda w: {"name": "Юниоры"}),
    "group_edit": ("moderator", lambda w: f"/projects/groups/{w.group.pk}/edit/", lambda w: {"name": "Старшие"}),
    "group_add_student": (
        "moderator",
        lambda w: f"/projects/groups/{w.group.pk}/students/add/",
        lambda w: {"student": w.student.pk, "joined_on": "2026-09-01"},
    ),
    "student_create": (
        "moderator",
        lambda w: f"/projects/{w.project.pk}/students/new/",
        lambda w: {
            "last_name": "Петров",
            "first_name": "Пётр",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    ),
    "student_edit": (
        "moderator",
        lambda w: f"/projects/students/{w.student.pk}/edit/",
        lambda w: {
            "last_name": "Сидоров",
            "first_name": "Иван",
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
        },
    ),
    "attachment_upload": (
        "moderator",
        lambda w: f"/projects/attachments/student/{w.student.pk}/upload/",
        lambda w: {"file": upload(), "title": "Согласие родителей"},
    ),
    "attachment_delete": ("moderator", lambda w: f"/projects/attachments/{w.attachment.pk}/delete/", lambda w: {}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_action_role_matrix(client, world, action, role):
    needed, url, data = ACTIONS[action]
    response = as_user(client, world, role).post(url(world), data(world))
    assert response.status_code == expected_status(role, needed, 302), response.content.decode()[:2000]


class TestActionEffects:
    def test_members_add_change_and_remove(self, client, world):
        client.force_login(world.users["project_admin"])
        teacher, viewer = world.users["teacher"], world.users["viewer"]
        client.post(f"/projects/{world.project.pk}/members/", {"email": teacher.email.upper(), "role": "moderator"})
        assert ProjectMember.objects.get(project=world.project, user=teacher).role == "moderator"
        client.post(f"/projects/{world.project.pk}/members/{viewer.pk}/role/", {"role": "admin"})
        assert ProjectMember.objects.get(project=world.project, user=viewer).role == "admin"
        client.post(f"/projects/{world.project.pk}/members/{viewer.pk}/remove/")
        assert not ProjectMember.objects.filter(project=world.project, user=viewer).exists()

    def test_an_unknown_email_is_a_field_error(self, client, world):
        client.force_login(world.users["project_admin"])
        response = client.post(f"/projects/{world.project.pk}/members/", {"email": "nobody@x.ru", "role": "viewer"})
        assert "Пользователь с такой почтой не зарегистрирован." in response.content.decode()

    def test_the_author_is_neither_removed_nor_demoted(self, client, world):
        client.force_login(world.users["main_admin"])
        author = world.users["project_admin"]
        response = client.post(f"/projects/{world.project.pk}/members/{author.pk}/remove/", follow=True)
        assert "Автор проекта остаётся его администратором." in response.content.decode()
        client.post(f"/projects/{world.project.pk}/members/{author.pk}/role/", {"role": "viewer"})
        client.post(f"/projects/{world.project.pk}/members/", {"email": author.email, "role": "viewer"})
        assert ProjectMember.objects.get(project=world.project, user=author).role == "admin"

    def test_a_course_is_created_with_its_groups_and_tutors(self, client, world):
        client.force_login(world.users["moderator"])
        tutor = world.users["viewer"]
        response = client.post(
            f"/projects/terms/{world.term.pk}/courses/new/",
            {
                "name": "Химия",
                "start_date": "2026-09-01",
                "finish_date": "2026-10-31",
                "groups": [world.group.pk],
                "tutors": [tutor.pk],
            },
        )
        course = ProjectCourse.objects.get(name="Химия")
        assert response.url == f"/projects/courses/{course.pk}/"
        assert list(course.groups.all()) == [world.group]
        assert list(course.tutors.all()) == [tutor]

    def test_a_lesson_is_created_with_its_methodic_and_tutors(self, client, world):
        client.force_login(world.users["moderator"])
        methodic = MethodicFactory(status=Methodic.Status.PUBLISHED)
        response = client.post(
            f"/projects/courses/{world.course.pk}/lessons/new/",
            {
                "date": "2026-09-21",
                "start_time": "10:00",
                "finish_time": "11:00",
                "methodic": methodic.pk,
                "tutors": [world.users["moderator"].pk],
            },
        )
        lesson = ProjectLesson.objects.get(date=date(2026, 9, 21))
        assert response.url == f"/projects/lessons/{lesson.pk}/"
        assert lesson.methodic == methodic and list(lesson.tutors.all()) == [world.users["moderator"]]

    def test_a_student_is_created_with_documents(self, client, world):
        from projects.models import DocumentType

        passport = DocumentType.objects.create(name="Свидетельство о рождении")
        client.force_login(world.users["moderator"])
        response = client.post(
            f"/projects/{world.project.pk}/students/new/",
            {
                "last_name": "Петров",
                "first_name": "Пётр",
                "documents-TOTAL_FORMS": "1",
                "documents-INITIAL_FORMS": "0",
                "documents-0-document_type": passport.pk,
                "documents-0-number": "IV-МЮ 123456",
            },
        )
        student = Student.objects.get(last_name="Петров")
        assert response.url == f"/projects/students/{student.pk}/"
        assert student.project == world.project
        assert student.documents.get().number == "IV-МЮ 123456"

    def test_group_add_student_records_the_join_date(self, client, world):
        client.force_login(world.users["moderator"])
        client.post(
            f"/projects/groups/{world.group.pk}/students/add/",
            {"student": world.student.pk, "joined_on": "2026-09-05"},
        )
        assert GroupMembership.objects.get(group=world.group, student=world.student).joined_on == date(2026, 9, 5)

    def test_a_student_of_another_project_cannot_be_added(self, client, world):
        client.force_login(world.users["moderator"])
        stranger = StudentFactory()
        response = client.post(
            f"/projects/groups/{world.group.pk}/students/add/", {"student": stranger.pk, "joined_on": "2026-09-05"}
        )
        assert response.status_code == 200
        assert not GroupMembership.objects.filter(student=stranger).exists()

    def test_an_upload_is_attached_to_its_owner_and_deleted(self, client, world):
        client.force_login(world.users["moderator"])
        url = f"/projects/attachments/term/{world.term.pk}/upload/"
        response = client.post(url, {"file": upload(), "title": "План"})
        assert response.url == f"/projects/terms/{world.term.pk}/"
        attachment = world.term.attachments.get()
        assert attachment.title == "План" and attachment.uploaded_by == world.users["moderator"]
        client.post(f"/projects/attachments/{attachment.pk}/delete/")
        assert not world.term.attachments.exists()

    def test_an_upload_over_the_limit_is_refused(self, client, world, settings):
        settings.ATTACHMENT_MAX_MB = 1
        client.force_login(world.users["moderator"])
        big = upload(content=b"x" * (1024 * 1024 + 1))
        response = client.post(f"/projects/attachments/project/{world.project.pk}/upload/", {"file": big}, follow=True)
        assert "Файл слишком большой" in response.content.decode()
        assert world.project.attachments.count() == 1  # the fixture's only

    def test_the_next_parameter_does_not_leave_the_site(self, client, world):
        client.force_login(world.users["moderator"])
        response = client.post(
            f"/projects/attachments/project/{world.project.pk}/upload/",
            {"file": upload(), "next": "https://evil.example/"},
        )
        assert response.url == f"/projects/{world.project.pk}/"


# --- Validation errors shown on the forms --------------------------------------------------------


class TestValidation:
    @pytest.fixture(autouse=True)
    def _moderator(self, client, world):
        client.force_login(world.users["moderator"])

    def test_a_lesson_finishing_before_it_starts(self, client, world):
        response = client.post(
            f"/projects/courses/{world.course.pk}/lessons/new/",
            {"date": "2026-09-14", "start_time": "12:00", "finish_time": "11:00"},
        )
        assert response.status_code == 200
        assert "Занятие должно заканчиваться позже, чем начинается." in response.content.decode()
        assert world.course.lessons.count() == 1

    def test_a_lesson_outside_the_course_dates(self, client, world):
        response = client.post(
            f"/projects/courses/{world.course.pk}/lessons/new/",
            {"date": "2027-02-01", "start_time": "10:00", "finish_time": "11:00"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Дата занятия должна быть в пределах курса" in page
        assert "field-invalid" in page
        assert world.course.lessons.count() == 1

    def test_a_course_outside_its_term(self, client, world):
        response = client.post(
            f"/projects/terms/{world.term.pk}/courses/new/",
            {"name": "Летняя", "start_date": "2027-06-01", "finish_date": "2027-07-01"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Курс должен проходить в пределах периода" in page
        assert not ProjectCourse.objects.filter(name="Летняя").exists()

    def test_a_course_finishing_before_it_starts(self, client, world):
        response = client.post(
            f"/projects/courses/{world.course.pk}/edit/",
            {"name": "Курс", "start_date": "2026-10-01", "finish_date": "2026-09-01"},
        )
        assert "Окончание не может быть раньше начала." in response.content.decode()

    def test_double_booking_a_student_through_the_course_groups(self, client, world):
        second = StudentGroupFactory(project=world.project)
        GroupMembership.objects.create(group=world.group, student=world.student, joined_on=date(2026, 9, 1))
        GroupMembership.objects.create(group=second, student=world.student, joined_on=date(2026, 9, 1))
        response = client.post(
            f"/projects/terms/{world.term.pk}/courses/new/",
            {
                "name": "Двойной",
                "start_date": "2026-09-01",
                "finish_date": "2026-10-01",
                "groups": [world.group.pk, second.pk],
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "form-errors" in page and "этого курса" in page
        assert not ProjectCourse.objects.filter(name="Двойной").exists()
        assert "Новый курс периода" in page  # still a new course: the rolled-back row is forgotten

    def test_double_booking_a_student_through_a_group(self, client, world):
        second = StudentGroupFactory(project=world.project)
        world.course.groups.set([world.group, second])
        GroupMembership.objects.create(group=world.group, student=world.student, joined_on=date(2026, 9, 1))
        response = client.post(
            f"/projects/groups/{second.pk}/students/add/", {"student": world.student.pk, "joined_on": "2026-09-10"}
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert f"уже в группе «{world.group.name}»" in page
        assert not GroupMembership.objects.filter(group=second).exists()


# --- The term's schedule ------------------------------------------------------------------------


def test_the_schedule_lists_lessons_by_date_in_a_fixed_number_of_queries(client, world):
    published = MethodicFactory(status=Methodic.Status.PUBLISHED, title="Опыты с водой")
    draft = MethodicFactory(status=Methodic.Status.DRAFT, title="Черновая методика")
    tutor = world.users["moderator"]
    world.lesson.methodic = published
    world.lesson.save()
    world.lesson.tutors.add(tutor)
    other = ProjectLessonFactory(course=world.course, date=date(2026, 9, 8), methodic=draft)
    client.force_login(world.users["viewer"])
    client.get(f"/projects/terms/{world.term.pk}/")  # warm up: content types
    content_changed("projects")  # the factories write past the services, which say so

    with CaptureQueriesContext(connection) as few:
        page = client.get(f"/projects/terms/{world.term.pk}/").content.decode()
    assert f'<a href="/methodics/{published.pk}/">Опыты с водой</a>' in page
    assert "Черновая методика" in page and f"/methodics/{draft.pk}/" not in page
    assert tutor.get_full_name() in page
    assert f'href="/projects/courses/{world.course.pk}/"' in page
    assert page.index("07.09.2026") < page.index("08.09.2026")
    assert f'href="/projects/lessons/{other.pk}/"' in page

    for day in range(10, 30):
        course = ProjectCourseFactory(term=world.term)
        course.groups.add(StudentGroupFactory(project=world.project))
        lesson = ProjectLessonFactory(course=course, date=date(2026, 9, day), methodic=published)
        lesson.tutors.add(tutor, world.users["viewer"])
    content_changed("projects")
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/projects/terms/{world.term.pk}/").content.decode()
    assert len(many) == len(few)
    assert page.count(tutor.get_full_name()) == 21  # the lessons built anew
    # The session, the user with the unread messages count of the page header, the term with
    # its project, the viewer's role and whether it has files, the viewer's permissions (2),
    # and, once for all members until they change (projects.selectors), the courses with
    # their groups and the lessons with their tutors.
    assert len(many) <= 7
    with CaptureQueriesContext(connection) as cached:
        client.get(f"/projects/terms/{world.term.pk}/")
    assert len(cached) == len(many) - 2


@pytest.mark.parametrize(("role", "moderates"), [("viewer", False), ("moderator", True), ("project_admin", True)])
def test_the_term_page_shows_its_files_and_links_moderators_to_their_actions(client, world, role, moderates):
    attach(world.term, name="Расписание.pdf")
    client.force_login(world.users[role])
    page = client.get(f"/projects/terms/{world.term.pk}/").content.decode()
    assert "Расписание.pdf" in page
    course = world.course.pk
    moderation = (
        f'href="/projects/terms/{world.term.pk}/edit/"',
        f'href="/projects/terms/{world.term.pk}/courses/new/"',
        f'href="/projects/courses/{course}/edit/"',
        f'href="/projects/courses/{course}/lessons/new/"',
        f'<input type="file" name="file" accept="{accept_attribute("document")}" required id="id_file">',
    )
    assert [link in page for link in moderation] == [moderates] * len(moderation)


def test_the_schedules_administrator_loads_no_permissions(client, world, django_assert_max_num_queries):
    """A project's administrator is «admin» whatever their permissions: the page does not read them."""
    ProjectLessonFactory(course=world.course, date=date(2026, 9, 8))
    client.force_login(world.users["project_admin"])
    client.get(f"/projects/terms/{world.term.pk}/")  # warm up: content types, the cached schedule
    # The session, the user, the term with the role: the courses and lessons are cached.
    with django_assert_max_num_queries(3):
        response = client.get(f"/projects/terms/{world.term.pk}/")
    assert response.context["can_administer"]


def test_the_schedule_shows_its_cells_as_the_template_did(client, world):
    """The rows are written in Python (projects_schedule): every text escaped, a tutor without
    a name, a lesson without tutors or methodic, two lessons of a day under one date cell."""
    world.course.name = "<b>Химия</b> & физика"
    world.course.save()
    nameless = UserFactory(first_name="", last_name="")
    world.lesson.tutors.add(nameless, UserFactory(first_name="Анна", last_name="О'Нил"))
    world.lesson.methodic = MethodicFactory(status=Methodic.Status.DRAFT, title="Вода <и> лёд")
    world.lesson.save()
    alone = ProjectLessonFactory(course=world.course, start_time=time(17, 5), finish_time=time(18, 0))
    client.force_login(world.users["viewer"])

    page = client.get(f"/projects/terms/{world.term.pk}/").content.decode()
    assert '<th scope="rowgroup" rowspan="2">Пн, 07.09.2026</th>' in page
    assert page.count("&lt;b&gt;Химия&lt;/b&gt; &amp; физика") == 3  # the course list and two rows
    assert "<td>Вода &lt;и&gt; лёд</td>" in page
    assert "<td>Участник без имени, Анна О&#x27;Нил</td>" in page  # by last name
    assert f'<a href="/projects/lessons/{alone.pk}/">17:05–18:00</a></td>' in page
    assert f'<a href="/projects/lessons/{alone.pk}/">17:05–18:00</a></td><td><a href="/projects/courses/' in page
    assert "<td>—</td><td>—</td></tr>" in page


# --- A course's and a lesson's description and picture ------------------------------------------


def course_data(course: ProjectCourse, **changes) -> dict:
    return {"name": course.name, "start_date": "2026-09-01", "finish_date": "2026-12-31", **changes}


def lesson_data(**changes) -> dict:
    return {"date": "2026-09-07", "start_time": "15:00", "finish_time": "16:30", **changes}


def stored_picture(fieldfile) -> tuple[str, tuple[int, int]]:
    with fieldfile.open("rb") as file, PILImage.open(file) as picture:
        return picture.format, picture.size


def picture_shown(client, url: str, item, folder: str) -> str:
    """Asserts that `item`'s picture (the 8 × 8 PNG uploaded) is stored under `folder` and
    shown on its page at `url`; returns the page."""
    item.refresh_from_db()
    assert item.label_image.name.startswith(folder)
    assert stored_picture(item.label_image) == ("PNG", (8, 8))
    page = client.get(url).content.decode()
    assert f'<img class="project-label" src="{item.label_image.url}" alt="" loading="lazy">' in page
    return page


class TestCourseAndLessonPictures:
    @pytest.fixture(autouse=True)
    def _project_admin(self, client, world):
        client.force_login(world.users["project_admin"])

    def test_a_course_gets_a_description_and_a_picture_shown_on_its_page(self, client, world):
        url = f"/projects/courses/{world.course.pk}/edit/"
        form_page = client.get(url).content.decode()
        assert 'name="description"' in form_page
        picture_input = '<input type="file" name="label_image" accept=".jpg,.jpeg,.png,.gif,.webp" id="id_label_image">'
        assert picture_input in form_page

        data = course_data(world.course, description="Опыты <с водой>\nи со льдом", label_image=png_upload())
        response = client.post(url, data)
        assert response.url == f"/projects/courses/{world.course.pk}/"

        page = picture_shown(client, response.url, world.course, "projects/courses/")
        assert "<p>Опыты &lt;с водой&gt;<br>и со льдом</p>" in page

    def test_a_new_course_is_created_with_its_picture(self, client, world):
        data = course_data(world.course, name="Химия", description="Для 7 класса", label_image=png_upload())
        client.post(f"/projects/terms/{world.term.pk}/courses/new/", data)
        course = ProjectCourse.objects.get(name="Химия")
        assert course.description == "Для 7 класса"
        assert course.label_image.name.startswith("projects/courses/")

    def test_a_lesson_gets_a_picture_shown_on_its_page(self, client, world):
        response = client.post(f"/projects/lessons/{world.lesson.pk}/edit/", lesson_data(label_image=png_upload()))
        assert response.url == f"/projects/lessons/{world.lesson.pk}/"

        picture_shown(client, response.url, world.lesson, "projects/lessons/")

    def test_pages_without_pictures_show_none(self, client, world):
        for url in (f"/projects/courses/{world.course.pk}/", f"/projects/lessons/{world.lesson.pk}/"):
            assert 'class="project-label"' not in client.get(url).content.decode()

    @pytest.mark.parametrize("name", ["план.txt", "схема.png"])
    def test_a_file_that_is_no_picture_is_refused_and_nothing_saved(self, client, world, settings, name):
        error = "Это не изображение: подходят JPEG, PNG, GIF и WebP."
        course_url = f"/projects/courses/{world.course.pk}/edit/"
        response = client.post(course_url, course_data(world.course, description="Новое", label_image=upload(name)))
        assert response.status_code == 200
        assert error in response.content.decode()
        assert response.context["form"].errors == {"label_image": [error]}
        world.course.refresh_from_db()
        assert (world.course.description, world.course.label_image.name) == ("", "")

        response = client.post(f"/projects/lessons/{world.lesson.pk}/edit/", lesson_data(label_image=upload(name)))
        assert response.status_code == 200
        assert error in response.content.decode()
        assert response.context["form"].errors == {"label_image": [error]}
        world.lesson.refresh_from_db()
        assert world.lesson.label_image.name == ""
        assert not (settings.MEDIA_ROOT / "projects").exists()

    def test_a_picture_over_the_limit_is_refused(self, client, world, settings):
        settings.PHOTO_MAX_MB = 0
        response = client.post(f"/projects/lessons/{world.lesson.pk}/edit/", lesson_data(label_image=png_upload()))
        assert response.status_code == 200
        assert "Файл слишком большой" in response.content.decode()
        world.lesson.refresh_from_db()
        assert world.lesson.label_image.name == ""
