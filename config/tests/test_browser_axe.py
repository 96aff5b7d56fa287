"""Accessibility of the key pages of each role in a real browser: axe-core (bundled with
the PyPI package axe-playwright-python, so nothing is downloaded at test time) finds no
violation of the WCAG 2.0/2.1/2.2 A and AA rules (nor of axe's best practices) on any
of them.

The site's CSP forbids inline scripts, so axe is not added as a <script> tag: the package
runs its source with `page.evaluate`, which Chromium's DevTools protocol executes outside
the page's policy — no `bypass_csp` is needed and the pages are checked as served."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.roles import ADMIN, TEACHER
from accounts.services import notify
from accounts.tests.browser import log_in
from accounts.tests.factories import UserFactory
from courses.models import Lesson, Question, VolunteerCourse
from courses.services import quiz_submit
from courses.tests.factories import CourseFactory, add_chapter, add_lesson, add_question
from methodics.tests.factories import MethodicFactory, add_step
from problems.models import Favorite
from problems.tests.factories import SolutionFactory, TaskFactory
from projects.tests.test_attendance import build_school
from volunteers.tests.factories import VolunteerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The WCAG 2.0/2.1/2.2 A and AA rules, and axe's best practices (unique landmarks, the
# order of headings, everything inside a landmark…), which the site keeps too.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
# Every rich-text field of the page has its CKEditor, ready (none on most pages).
EDITORS_READY = """() => {
  const fields = document.querySelectorAll('textarea[data-type="ckeditortype"]').length;
  return fields === 0 || (window.CKEDITOR && Object.keys(CKEDITOR.instances).length === fields
    && Object.values(CKEDITOR.instances).every(editor => editor.status === "ready"));
}"""


class AxeAudit:
    """Runs axe on each page visited and keeps what it finds, so that one test reports
    every page's violations at once."""

    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.found: list[str] = []

    def check(self, url: str | None = None) -> None:
        if url is not None:
            self.page.goto(url)
        # A rich-text field is checked as its editor left it: one caught mid-way (an ARIA
        # attribute set before the role that allows it) failed this test now and then.
        self.page.wait_for_function(EDITORS_READY)
        results = self.axe.run(self.page, options=AXE_OPTIONS).response
        for violation in results["violations"]:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"])
            self.found.append(
                f"{self.page.url}\n  {violation['id']} ({violation['impact']}): {violation['help']}\n  → {targets}"
            )

    def assert_clean(self) -> None:
        assert not self.found, "axe-core violations:\n" + "\n".join(self.found)


@pytest.fixture
def audit(page):
    return AxeAudit(page)


def test_anonymous_pages(audit, page):
    course = CourseFactory(title="Поиск в лесу")
    add_lesson(add_chapter(course, title="Теория"), title="Введение")
    methodic = MethodicFactory(title="Игра «Поезд»")
    add_step(methodic, description="Знакомство в кругу")
    task = TaskFactory(title="Поезда навстречу")
    SolutionFactory(task=task)

    for url in (
        "/",
        "/courses/",
        course.get_absolute_url(),
        "/methodics/",
        f"/methodics/{methodic.pk}/",
        "/problems/",
        f"/problems/blocks/{task.block_id}/",
        "/search/?q=поезд",
        "/problems/variants/random/",
    ):
        audit.check(url)
    page.get_by_role("button", name="Сформировать").click()
    expect(page.get_by_role("button", name="Скачать PDF")).to_be_visible()
    audit.check()
    audit.check(f"/problems/tasks/{task.pk}/")
    page.get_by_role("button", name="Показать ответ").click()  # the solutions fetched into the page
    expect(page.get_by_text("√16 = 4, значит ответ 4.")).to_be_visible()
    audit.check()
    for url in ("/accounts/login/", "/accounts/register/"):
        audit.check(url)
        page.locator("main").get_by_role("button", name=re.compile("^(Войти|Зарегистрироваться)$")).click()
        expect(page.locator(".errorlist").first).to_be_visible()  # the form again, with its errors
        audit.check()
    audit.assert_clean()


def test_volunteer_pages(audit, page):
    # A long name: the header's user menu at its widest.
    volunteer = VolunteerFactory(user__first_name="Александра", user__last_name="Константинопольская")
    course = CourseFactory(title="Поиск в лесу")
    chapter = add_chapter(course, title="Практика")
    text = add_lesson(chapter, title="Введение")
    quiz = add_lesson(chapter, title="Итоговый тест", type=Lesson.Type.QUIZ)
    single = add_question(quiz, text="Столица России?", choices=[("Москва", True), ("Казань", False)])
    multiple = add_question(
        quiz, kind=Question.Kind.MULTIPLE, text="Что взять в лес?", choices=[("Компас", True), ("Фен", False)]
    )
    short = add_question(quiz, kind=Question.Kind.TEXT, text="Сколько будет 2 + 2?", accepted="4")
    enrolment = VolunteerCourse.objects.create(volunteer=volunteer, course=course)
    notify(recipients=[volunteer.user], title="Добро пожаловать", text="Рады видеть вас на платформе.")

    log_in(page, volunteer.user)
    for url in (
        "/courses/my/",
        course.get_absolute_url(),
        f"/courses/{course.pk}/lessons/{text.pk}/",
        f"/courses/{course.pk}/lessons/{quiz.pk}/",
    ):
        audit.check(url)
    quiz_submit(
        enrolment=enrolment,
        lesson=quiz,
        responses={
            single.pk: {"choices": [single.choices.get(is_correct=True).pk]},
            multiple.pk: {"choices": [multiple.choices.get(is_correct=False).pk]},
            short.pk: {"text": "4"},
        },
    )
    page.reload()
    expect(page.get_by_text("Результат:")).to_be_visible()  # the graded attempt
    audit.check()
    for url in (
        "/accounts/profile/",
        "/volunteers/profile/",
        "/certificates/my/",
        "/accounts/messages/",
    ):
        audit.check(url)
    page.get_by_role("link", name="Добро пожаловать").click()
    audit.check()
    audit.assert_clean()


def test_teacher_pages(audit, page):
    teacher = UserFactory(roles=[TEACHER])
    methodic = MethodicFactory(title="Игра «Поезд»", author=teacher)
    add_step(methodic, description="Знакомство в кругу")
    for title in ("Поезда навстречу", "Бассейн и трубы"):
        Favorite.objects.create(user=teacher, task=TaskFactory(title=title))

    log_in(page, teacher)
    for url in (
        "/courses/review/",
        f"/methodics/{methodic.pk}/edit/",
        "/problems/suggest/",
        "/problems/variants/new/",
    ):
        audit.check(url)
    page.get_by_role("checkbox", name="Поезда навстречу").check()
    page.get_by_role("checkbox", name="Бассейн и трубы").check()
    page.get_by_role("button", name="Применить", exact=True).click()
    expect(page.get_by_role("heading", name="Вариант: 2 задачи")).to_be_visible()
    audit.check()
    audit.assert_clean()


def test_administrator_pages(audit, page):
    school = build_school()
    administrator = UserFactory(roles=[ADMIN])
    project = school.course.term.project
    project.members.create(user=administrator, role="admin")

    log_in(page, administrator)
    for url in (
        f"/projects/{project.pk}/",
        f"/projects/terms/{school.course.term_id}/",
        f"/projects/courses/{school.course.pk}/",
        f"/projects/lessons/{school.early.pk}/",
        f"/projects/groups/{school.course.groups.get().pk}/",
        f"/projects/{project.pk}/students/",
        f"/projects/{project.pk}/members/",
    ):
        audit.check(url)
    audit.assert_clean()
