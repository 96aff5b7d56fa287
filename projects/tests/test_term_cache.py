"""A term's page keeps its courses and schedule cached for every member of the project
(projects.selectors, core.cache): every way they change — on the site's forms, in the
admin, in the methodics library, in a tutor's account — shows on the next request. Each
test first reads the page, so that they are cached, then changes what it shows the way
people do and reads the page again."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import MAIN_ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import action_data, admin_change_url, change_form_data, form_values, seen, signed_in
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory, add_step
from projects.models import ProjectLesson, ProjectMember
from projects.services import course_save, lesson_save
from projects.tests.factories import (
    ProjectCourseFactory,
    ProjectFactory,
    ProjectLessonFactory,
    StudentGroupFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db


class Term:
    """A term with a course «Химия» of the group «Исследователи» and its lesson on 7 Sept,
    15:00–16:30, of the methodic «Снежный ком», taught by Анна Зайцева; `reader` is a
    viewer of the project, `moderator` its administrator, `staff` a main administrator."""

    def __init__(self):
        self.author = UserFactory(roles=[TEACHER])
        self.project = ProjectFactory(author=self.author)
        self.tutor = UserFactory(roles=[TEACHER], first_name="Анна", last_name="Зайцева")
        self.other_tutor = UserFactory(roles=[TEACHER], first_name="Олег", last_name="Морозов")
        viewer = UserFactory(roles=[TEACHER])
        for user in (viewer, self.tutor, self.other_tutor):
            ProjectMember.objects.create(project=self.project, user=user, role="viewer")
        self.term = TermFactory(project=self.project)
        self.group = StudentGroupFactory(project=self.project, name="Исследователи")
        self.course = course_save(course=ProjectCourseFactory.build(term=self.term, name="Химия"), groups=[self.group])
        self.methodic = MethodicFactory(title="Снежный ком", status=Methodic.Status.PUBLISHED)
        add_step(self.methodic, duration=10, description="Круг имён")
        self.lesson = lesson_save(
            lesson=ProjectLessonFactory.build(course=self.course, date=date(2026, 9, 7), methodic=self.methodic),
            tutors=[self.tutor],
        )
        self.reader = signed_in(viewer)
        self.moderator = signed_in(self.author)
        self.staff = signed_in(UserFactory(roles=[MAIN_ADMIN]))
        self.url = f"/projects/terms/{self.term.pk}/"

    def page(self) -> str:
        return seen(self.reader, self.url)

    def post_site_form(self, url: str, **changes) -> None:
        """The moderator sends a form of the site as it was rendered, with `changes`."""
        data = {**form_values(self.moderator.get(url).context["form"]), **changes}
        response = self.moderator.post(url, data)
        assert response.status_code == 302, response.context["form"].errors

    def post_admin_form(self, url: str, **changes) -> None:
        response = self.staff.post(url, change_form_data(self.staff, url, **changes))
        assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def term(db) -> Term:
    term = Term()
    page = term.page()  # cached from here on
    assert "Химия" in page and "Исследователи" in page and "Зайцева" in page and "Снежный ком" in page
    return term


def test_one_reading_serves_every_member(term):
    """The courses and the schedule are read once: another member's page reads only the
    term (with their role), not the courses and lessons again."""
    with CaptureQueriesContext(connection) as first:
        signed_in(term.tutor).get(term.url)
    with CaptureQueriesContext(connection) as second:
        signed_in(term.other_tutor).get(term.url)
    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert '"project_lessons"' not in tables and '"project_courses"' not in tables
    assert len(second) == len(first)


# --- Lessons ---------------------------------------------------------------------------------


def test_a_lesson_added_on_the_site_shows_at_once(term):
    url = f"/projects/courses/{term.course.pk}/lessons/new/"
    term.post_site_form(url, date="2026-09-21", start_time="10:00", finish_time="11:00", tutors=[term.other_tutor.pk])

    page = term.page()
    assert "21.09.2026" in page and "10:00–11:00" in page and "Олег Морозов" in page


def test_a_lesson_changed_on_the_site_shows_at_once(term):
    url = f"/projects/lessons/{term.lesson.pk}/edit/"
    term.post_site_form(url, start_time="17:05", finish_time="18:00", tutors=[term.other_tutor.pk], methodic="")

    page = term.page()
    assert "17:05–18:00" in page and "15:00–16:30" not in page
    assert "Олег Морозов" in page and "Зайцева" not in page
    assert "Снежный ком" not in page


def test_a_lesson_added_in_the_admin_shows_at_once(term):
    url = "/admin/projects/projectlesson/add/"
    fields = {"date": "2026-09-22", "start_time": "12:00", "finish_time": "13:00", "tutors": [str(term.other_tutor.pk)]}
    term.post_admin_form(url, course=str(term.course.pk), **fields)

    page = term.page()
    assert "22.09.2026" in page and "12:00–13:00" in page and "Олег Морозов" in page


def test_a_lesson_changed_in_the_admin_shows_at_once(term):
    """Its time through the service, its tutors through the form's many-to-many fields."""
    term.post_admin_form(admin_change_url(term.lesson), start_time="09:30", tutors=[str(term.other_tutor.pk)])

    page = term.page()
    assert "09:30–16:30" in page and "Олег Морозов" in page and "Зайцева" not in page


def test_a_lessons_time_changed_in_the_courses_inline_shows_at_once(term):
    term.post_admin_form(admin_change_url(term.course), **{"lessons-0-start_time": "14:15"})

    assert "14:15–16:30" in term.page()


@pytest.mark.parametrize("how", ["delete page", "bulk action", "course inline"])
def test_a_lesson_deleted_in_the_admin_is_gone_at_once(term, how):
    ProjectLessonFactory(course=term.course, date=date(2026, 9, 8))
    assert "07.09.2026" in term.page()

    if how == "delete page":
        url = f"/admin/projects/projectlesson/{term.lesson.pk}/delete/"
        assert term.staff.post(url, {"post": "yes"}).status_code == 302
    elif how == "bulk action":
        response = term.staff.post(
            "/admin/projects/projectlesson/", action_data("delete_selected", term.lesson, post="yes")
        )
        assert response.status_code == 302
    else:
        url = admin_change_url(term.course)
        data = change_form_data(term.staff, url)
        position = next(
            key.split("-")[1] for key, value in data.items() if key.endswith("-id") and value == term.lesson.pk
        )
        data[f"lessons-{position}-DELETE"] = "on"
        assert term.staff.post(url, data).status_code == 302

    assert not ProjectLesson.objects.filter(pk=term.lesson.pk).exists()
    page = term.page()
    assert "07.09.2026" not in page and "08.09.2026" in page


# --- Courses and groups ----------------------------------------------------------------------


def test_a_course_renamed_on_the_site_shows_at_once(term):
    term.post_site_form(f"/projects/courses/{term.course.pk}/edit/", name="Органическая химия")

    assert term.page().count("Органическая химия") == 2  # the course list and the lesson's row


def test_a_course_renamed_in_the_admin_shows_at_once(term):
    term.post_admin_form(admin_change_url(term.course), name="Органическая химия")

    assert term.page().count("Органическая химия") == 2


def test_a_course_renamed_in_the_terms_inline_shows_at_once(term):
    term.post_admin_form(admin_change_url(term.term), **{"courses-0-name": "Органическая химия"})

    assert term.page().count("Органическая химия") == 2


def test_a_course_added_in_the_terms_inline_shows_at_once(term):
    url = admin_change_url(term.term)
    data = change_form_data(term.staff, url)
    data.update(
        {
            "courses-TOTAL_FORMS": "2",
            "courses-1-name": "Биология",
            "courses-1-start_date": "2026-10-01",
            "courses-1-finish_date": "2026-10-31",
            "courses-1-term": str(term.term.pk),
        }
    )
    assert term.staff.post(url, data).status_code == 302

    assert "Биология" in term.page()


def test_a_group_added_to_a_course_on_the_site_shows_at_once(term):
    second = StudentGroupFactory(project=term.project, name="Натуралисты")
    term.post_site_form(f"/projects/courses/{term.course.pk}/edit/", groups=[term.group.pk, second.pk])

    assert "Исследователи, Натуралисты" in term.page()


def test_a_group_added_to_a_course_in_the_admin_shows_at_once(term):
    second = StudentGroupFactory(project=term.project, name="Натуралисты")
    term.post_admin_form(admin_change_url(term.course), groups=[str(term.group.pk), str(second.pk)])

    assert "Исследователи, Натуралисты" in term.page()


def test_a_group_renamed_on_the_site_shows_at_once(term):
    term.post_site_form(f"/projects/groups/{term.group.pk}/edit/", name="Первооткрыватели")

    page = term.page()
    assert "Первооткрыватели" in page and "Исследователи" not in page


def test_a_group_renamed_in_the_admin_shows_at_once(term):
    term.post_admin_form(admin_change_url(term.group), name="Первооткрыватели")

    page = term.page()
    assert "Первооткрыватели" in page and "Исследователи" not in page


def test_a_groups_name_taken_by_another_group_of_the_project_is_a_form_error(term):
    StudentGroupFactory(project=term.project, name="Натуралисты")
    url = f"/projects/groups/{term.group.pk}/edit/"
    data = {**form_values(term.moderator.get(url).context["form"]), "name": "Натуралисты"}

    response = term.moderator.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "Исследователи" in term.page()


# --- What the schedule shows of others: methodics and tutors ---------------------------------


def test_a_methodic_retitled_by_its_author_shows_at_once(term):
    methodic = term.methodic
    edit = {
        "title": "Снежный ком зимой",
        "short_description": methodic.short_description,
        "goal": methodic.goal,
        "description": methodic.description,
        "materials": methodic.materials,
        "literature": "",
        "category": methodic.category_id,
        "tag_names": "",
    }
    response = signed_in(methodic.author).post(f"/methodics/{methodic.pk}/edit/", edit)
    assert response.status_code == 302

    assert "Снежный ком зимой" in term.page()


def test_a_methodic_unpublished_shows_as_a_title_without_a_link(term):
    link = f'<a href="/methodics/{term.methodic.pk}/">Снежный ком</a>'
    assert link in term.page()

    response = term.staff.post("/admin/methodics/methodic/", action_data("unpublish", term.methodic))
    assert response.status_code == 302

    page = term.page()
    assert link not in page and "<td>Снежный ком</td>" in page


def test_a_methodic_unpublished_by_a_moderator_on_its_page_shows_at_once(term):
    moderator = UserFactory(roles=[TEACHER])
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    url = f"/methodics/{term.methodic.pk}/unpublish/"
    signed_in(moderator).post(url, {"reason": "Нет ожидаемых результатов."})

    assert "<td>Снежный ком</td>" in term.page()


def test_a_tutor_renamed_in_the_admin_shows_at_once(term):
    term.post_admin_form(admin_change_url(term.tutor), last_name="Волкова")

    page = term.page()
    assert "Анна Волкова" in page and "Зайцева" not in page


def test_a_tutor_renamed_in_their_profile_shows_at_once(term):
    own = signed_in(term.tutor)
    data = {**form_values(own.get("/accounts/profile/").context["form"]), "last_name": "Волкова"}
    assert own.post("/accounts/profile/", data).status_code == 302

    page = term.page()
    assert "Анна Волкова" in page and "Зайцева" not in page
