"""The site on a phone and on paper, in a real browser: at 375 px wide no key page scrolls
sideways, the header folds into a «Меню» button that works by keyboard (and without
JavaScript the navigation is simply shown), and printed pages carry only their content."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from accounts.roles import TEACHER
from accounts.services import notify
from accounts.tests.browser import log_in
from accounts.tests.factories import UserFactory
from courses.models import Course, Lesson, Question, VolunteerCourse
from courses.tests.factories import CourseFactory, add_chapter, add_lesson, add_question
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory, add_step
from problems.models import Task
from problems.services import variant_save
from problems.tests.factories import SolutionFactory, TaskFactory
from projects.models import ProjectMember, Term
from projects.tests.test_attendance import build_school
from volunteers.tests.factories import VolunteerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
# Long unbreakable strings that authors do paste: a link and a formula.
LONG_URL = "https://example.org/" + "очень-длинный-адрес-страницы-без-пробелов-" * 3
LONG_FORMULA = "x₁+x₂+x₃+x₄+x₅+x₆+x₇+x₈+x₉+x₁₀+x₁₁+x₁₂+x₁₃+x₁₄+x₁₅=√(a²+b²+c²+d²+e²+f²+g²+h²)"

# The elements that stick out to the right, deepest first: what to fix when a page scrolls.
SIDEWAYS_CULPRITS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      if (![...element.children].some((child) => child.getBoundingClientRect().right > width + 1)) {
        const name = element.tagName.toLowerCase() + (element.className ? "." + [...element.classList].join(".") : "");
        out.push(`${name} (${Math.round(box.right)} px)`);
      }
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture
def phone(browser, live_server):
    """A Playwright page of a 375×812 phone on the live server."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, user, **password) -> None:
    """accounts.tests.browser.log_in, on a wide window: on a phone «Выйти» waits in the
    folded menu, where log_in would not see it."""
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, user, **password)
    page.set_viewport_size(PHONE)


class Widths:
    """Visits pages and keeps those that scroll sideways, so that one test names them all."""

    def __init__(self, page):
        self.page = page
        self.too_wide: list[str] = []

    def check(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.ok, f"{url}: {response.status}"
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            culprits = ", ".join(self.page.evaluate(SIDEWAYS_CULPRITS))
            self.too_wide.append(f"{url}: {width} px — {culprits}")

    def assert_none(self) -> None:
        assert not self.too_wide, "Pages wider than the phone:\n" + "\n".join(self.too_wide)


def build_site():
    """A volunteer enrolled in a course with a quiz, owning a variant, moderating a project;
    a task, a methodic and a course page with long unbreakable text."""
    volunteer = VolunteerFactory()
    user = volunteer.user
    course = CourseFactory(title="Поиск в лесу", full_description=f"<p>Подробнее: {LONG_URL}</p>")
    chapter = add_chapter(course, title="Практика")
    text = add_lesson(chapter, title="Введение", description=f"<p>{LONG_FORMULA}</p><p>{LONG_URL}</p>")
    quiz = add_lesson(chapter, title="Итоговый тест", type=Lesson.Type.QUIZ)
    add_question(quiz, text="Столица России?", choices=[("Москва", True), ("Казань", False)])
    add_question(quiz, kind=Question.Kind.TEXT, text=f"Упростите {LONG_FORMULA}", accepted="4")
    VolunteerCourse.objects.create(volunteer=volunteer, course=course)
    notify(recipients=[user], title="Добро пожаловать", text=f"Памятка: {LONG_URL}")

    task = TaskFactory(title="Поезда навстречу", statement=f"<p>Два поезда вышли навстречу. {LONG_FORMULA}</p>")
    SolutionFactory(task=task, text=f"<p>{LONG_FORMULA}</p>")
    other = TaskFactory(title="Бассейн и трубы", block=task.block)
    variant = variant_save(owner=user, title="Контрольная", kind="manual", task_ids=[task.pk, other.pk])

    methodic = MethodicFactory(title="Игра «Поезд»", description=f"<p>Ссылка: {LONG_URL}</p>")
    add_step(methodic, description=f"Знакомство в кругу, {LONG_URL}")
    add_step(methodic, duration=15, description="Игра «Поезд»")

    school = build_school()
    ProjectMember.objects.create(project=school.course.term.project, user=user, role="moderator")
    return {
        "user": user,
        "course": course,
        "text": text,
        "quiz": quiz,
        "task": task,
        "variant": variant,
        "methodic": methodic,
        "school": school,
    }


def test_key_pages_fit_a_phone(phone):
    site = build_site()
    course, task, school = site["course"], site["task"], site["school"]
    widths = Widths(phone)

    for url in ("/", "/courses/", course.get_absolute_url(), "/problems/", "/methodics/", "/search/?q=поезд"):
        widths.check(url)
    sign_in(phone, site["user"])
    for url in (
        "/",
        "/courses/",
        course.get_absolute_url(),
        f"/courses/{course.pk}/lessons/{site['text'].pk}/",
        f"/courses/{course.pk}/lessons/{site['quiz'].pk}/",
        "/courses/my/",
        "/problems/",
        f"/problems/blocks/{task.block_id}/",
        f"/problems/tasks/{task.pk}/",
        f"/problems/variants/{site['variant'].pk}/",
        "/methodics/",
        f"/methodics/{site['methodic'].pk}/",
        "/accounts/profile/",
        "/volunteers/profile/",
        "/accounts/messages/",
        f"/projects/terms/{school.course.term_id}/",
        f"/projects/courses/{school.course.pk}/",
        "/search/?q=поезд",
    ):
        widths.check(url)
    widths.assert_none()


def test_the_menu_button_opens_and_closes_by_keyboard(phone):
    teacher = UserFactory(roles=[TEACHER])
    phone.goto("/about/")
    button = phone.get_by_role("button", name="Меню")
    courses = phone.get_by_role("navigation", name="Основная навигация").get_by_role("link", name="Курсы")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(courses).to_be_hidden()
    assert phone.evaluate("document.querySelector('.site-header').offsetHeight") < 100

    button.focus()
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(courses).to_be_visible()
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Главная")).to_be_focused()
    phone.keyboard.press("Tab")
    expect(courses).to_be_focused()

    phone.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(courses).to_be_hidden()
    expect(button).to_be_focused()

    phone.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("link", name="Войти")).to_be_visible()
    phone.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "false")

    # A signed-in teacher's menu: the account's links, no volunteers' ones without a profile.
    sign_in(phone, teacher)
    phone.get_by_role("button", name="Меню").click()
    account = phone.get_by_role("navigation", name="Учётная запись")
    expect(account.get_by_role("link", name="Мои курсы")).to_be_visible()
    expect(account.get_by_role("button", name="Выйти")).to_be_visible()
    expect(account.get_by_role("link", name="Анкета волонтёра")).to_have_count(0)

    # A wide window: no button, the navigation as it always was.
    phone.set_viewport_size({"width": 1280, "height": 800})
    expect(phone.get_by_role("button", name="Меню")).to_be_hidden()
    expect(courses).to_be_visible()
    expect(account.get_by_role("button", name="Выйти")).to_be_visible()


def test_without_javascript_the_navigation_is_shown(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/about/")
        expect(page.get_by_role("button", name="Меню")).to_be_hidden()
        main_nav = page.get_by_role("navigation", name="Основная навигация")
        expect(main_nav.get_by_role("link", name="Задачи")).to_be_visible()
        expect(page.get_by_role("link", name="Войти")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_printed_pages_carry_only_their_content(phone):
    site = build_site()
    school = site["school"]
    sign_in(phone, site["user"])
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.emulate_media(media="print")

    for url, heading in (
        (f"/problems/tasks/{site['task'].pk}/", "Поезда навстречу"),
        (f"/problems/variants/{site['variant'].pk}/", "Контрольная"),
        (f"/methodics/{site['methodic'].pk}/", "Игра «Поезд»"),
        (f"/projects/courses/{school.course.pk}/", "Робототехника для начинающих"),
    ):
        phone.goto(url)
        title = phone.get_by_role("heading", level=1, name=heading)
        expect(title).to_be_visible()
        expect(title).to_have_css("color", "rgb(0, 0, 0)")
        for hidden in (".site-header", ".site-footer", ".breadcrumbs"):
            expect(phone.locator(hidden)).to_be_hidden()
        controls = phone.locator("main button, main .button, main form, main input")
        for index in range(controls.count()):
            expect(controls.nth(index)).to_be_hidden()
        for link in phone.locator("main a").all():
            if link.is_visible():
                expect(link).to_have_css("text-decoration-line", "none")
        expect(phone.locator("body")).to_have_css("background-color", "rgb(255, 255, 255)")

    # The last page, the attendance: its table whole and ruled.
    expect(phone.get_by_role("row", name="Борисов Борис")).to_be_visible()
    expect(phone.locator(".attendance-table td").first).to_have_css("border-top-style", "solid")


SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="writes docs/screenshots/ only when SCREENSHOTS=1")
def test_write_the_phone_screenshots(phone):
    """The README's phone screenshots, from the demo data (manage.py seed_demo), as the demo
    volunteer sees them at 375×812. Run: SCREENSHOTS=1 pytest config/tests/test_browser_phone.py -k screenshots"""
    call_command("seed_demo", stdout=StringIO())
    volunteer = User.objects.get(email="volunteer@volna.example")
    course = Course.objects.get(title="Основы поисково-спасательной работы")
    task = Task.objects.get(external_key="geo-01")  # with a drawing
    methodic = Methodic.objects.get(title="Снежный ком: знакомство по именам")
    term = Term.objects.filter(project__name="Летняя школа юных исследователей").order_by("start_date").first()
    sign_in(phone, volunteer, password=DEMO_PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for name, url in (
        ("home", "/"),
        ("course", course.get_absolute_url()),
        ("task", task.get_absolute_url()),
        ("methodic", methodic.get_absolute_url()),
        ("schedule", f"/projects/terms/{term.pk}/"),
    ):
        phone.goto(url)
        phone.screenshot(path=SCREENSHOTS / f"phone-{name}.png", animations="disabled")
    phone.goto("/")
    phone.get_by_role("button", name="Меню").click()
    phone.screenshot(path=SCREENSHOTS / "phone-menu.png", animations="disabled")
