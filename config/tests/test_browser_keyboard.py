"""Keyboard-only journeys in a real browser: after the first page is opened, everything is
done with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows and typing into the
focused field) — no clicks, no filling of fields by the test. Each element reached by Tab
must show a focus outline."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from accounts.roles import TEACHER
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from courses.models import Lesson, Question, VolunteerCourse
from courses.tests.factories import CourseFactory, add_chapter, add_lesson, add_question
from problems.models import Favorite
from problems.tests.factories import BlockFactory, TaskFactory
from volunteers.tests.factories import VolunteerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAB_LIMIT = 60

IS_FOCUSED = "element => element === document.activeElement"
# An outline wide enough to see, as :focus-visible draws it (static/css/site.css).
FOCUS_OUTLINE = """element => {
  const style = getComputedStyle(element);
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""


def tab_to(page: Page, target: Locator, *, backwards: bool = False, limit: int = TAB_LIMIT) -> None:
    """Presses Tab (Shift+Tab with `backwards`) until `target` — one element, found by its
    role and accessible name — has the focus, which it must show with an outline; fails
    after `limit` presses."""
    expect(target).to_have_count(1)
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate(IS_FOCUSED):
            assert target.evaluate(FOCUS_OUTLINE), f"{target} has the focus but shows no outline"
            return
    focused = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{target} not reached after {limit} × {key}; the focus is on {focused}")


def press_on(page: Page, target: Locator, key: str = "Enter", **tab_options) -> None:
    tab_to(page, target, **tab_options)
    page.keyboard.press(key)


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def log_in_by_keyboard(page: Page, user) -> None:
    """On the login page already open: the address and password typed, Enter pressed."""
    type_into(page, page.get_by_label("Электронная почта"), user.email)
    type_into(page, page.get_by_label("Пароль:", exact=True), TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def test_volunteer_enrols_and_takes_the_quiz_to_the_graded_result(page):
    volunteer = VolunteerFactory()
    course = CourseFactory(title="Поиск в лесу")
    chapter = add_chapter(course, title="Практика")
    add_lesson(chapter, title="Введение")
    quiz = add_lesson(chapter, title="Итоговый тест", type=Lesson.Type.QUIZ)
    add_question(quiz, text="Столица России?", choices=[("Казань", False), ("Москва", True), ("Тверь", False)])
    add_question(
        quiz,
        kind=Question.Kind.MULTIPLE,
        text="Что взять в лес?",
        choices=[("Компас", True), ("Фен", False), ("Фонарик", True)],
    )
    add_question(quiz, kind=Question.Kind.TEXT, text="Сколько будет 2 + 2?", accepted="4")

    page.goto(f"/accounts/login/?next={course.get_absolute_url()}")
    log_in_by_keyboard(page, volunteer.user)
    expect(page.get_by_role("heading", name="Поиск в лесу", level=1)).to_be_visible()

    # The skip link first, then on from the page's content.
    press_on(page, page.get_by_role("link", name="Перейти к содержанию"))
    press_on(page, page.get_by_role("button", name="Записаться"))
    expect(page.get_by_text("Вы записались на курс «Поиск в лесу».")).to_be_visible()
    assert VolunteerCourse.objects.filter(volunteer=volunteer, course=course).exists()

    press_on(page, page.get_by_role("link", name="Начать обучение"))
    expect(page.get_by_role("heading", name="Введение")).to_be_visible()
    press_on(page, page.get_by_role("button", name="Далее"))
    expect(page.get_by_role("heading", name="Итоговый тест")).to_be_visible()

    # Tab enters the radio group on its first choice; an arrow moves on and selects.
    tab_to(page, page.get_by_role("radio", name="Казань"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Москва")).to_be_checked()
    press_on(page, page.get_by_role("checkbox", name="Компас"), "Space")
    press_on(page, page.get_by_role("checkbox", name="Фонарик"), "Space")
    expect(page.get_by_role("checkbox", name="Фен")).not_to_be_checked()
    type_into(page, page.get_by_role("textbox", name="Ваш ответ"), "4")
    press_on(page, page.get_by_role("button", name="Отправить ответы"))

    expect(page.get_by_text("Тест проверен: 100 из 100.")).to_be_visible()
    expect(page.get_by_role("heading", name="Результат теста")).to_be_visible()
    expect(page.locator(".quiz-score")).to_have_text("Результат: 100 из 100")
    expect(page.get_by_text("✓ Верно")).to_have_count(3)


def test_teacher_builds_a_variant_from_favourites_and_downloads_it(page, tmp_path):
    teacher = UserFactory(roles=[TEACHER])
    block = BlockFactory(title="Движение")
    TaskFactory(block=block, title="Поезда навстречу", answer="2 часа")
    TaskFactory(block=block, title="Лодка против течения", answer="3 км/ч")
    Favorite.objects.create(user=teacher, task=TaskFactory(title="Бассейн и трубы", answer="6 часов"))

    page.goto(f"/accounts/login/?next=/problems/blocks/{block.pk}/")
    log_in_by_keyboard(page, teacher)
    expect(page.get_by_role("heading", name="Движение", level=1)).to_be_visible()

    # Two tasks of the block go to the favourites with their stars («☆ В избранное: <task>»).
    for title in ("Поезда навстречу", "Лодка против течения"):
        press_on(page, page.get_by_role("button", name=re.compile(rf"^В избранное\W+{title}$")))
        expect(page.get_by_role("button", name=re.compile(rf"^Убрать из избранного\W+{title}$"))).to_be_visible()

    # Back up the page (from its end) to the breadcrumbs, then to the favourites.
    breadcrumbs = page.get_by_role("navigation", name="Вы здесь")
    press_on(page, breadcrumbs.get_by_role("link", name="Задачи"), backwards=True)
    expect(page.get_by_role("heading", name="Банк задач")).to_be_visible()
    press_on(page, page.get_by_role("navigation", name="Разделы банка задач").get_by_role("link", name="Избранное"))
    press_on(page, page.get_by_role("link", name="Собрать свой вариант"))
    expect(page.get_by_role("heading", name="Свой вариант")).to_be_visible()

    # Three tasks chosen with Space, then the last one moved up by its «Выше» button.
    for title in ("Лодка против течения", "Поезда навстречу", "Бассейн и трубы"):
        press_on(page, page.get_by_role("checkbox", name=title), "Space")
    press_on(page, page.get_by_role("button", name="Применить", exact=True))
    expect(page.get_by_role("heading", name="Вариант: 3 задачи")).to_be_visible()
    press_on(page, page.get_by_role("button", name="Выше: Бассейн и трубы"))
    variant = page.locator(".variant-result")
    expect(variant.get_by_role("heading", level=3)).to_have_text(
        ["Лодка против течения", "Бассейн и трубы", "Поезда навстречу"]
    )

    press_on(page, page.get_by_role("checkbox", name="С ответами и решениями"), "Space")
    with page.expect_download() as download_info:
        press_on(page, page.get_by_role("button", name="Скачать PDF"))
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = "".join(pdf_page.extract_text() for pdf_page in PdfReader(path).pages)
    assert text.index("Лодка против течения") < text.index("Бассейн и трубы") < text.index("Поезда навстречу")
    assert "6 часов" in text  # the answers, as asked
