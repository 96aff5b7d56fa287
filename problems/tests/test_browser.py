"""The problem bank in a real browser: open a task, reveal its answer, generate a random
variant, download its PDF."""

import pytest
from playwright.sync_api import expect

from problems.tests.factories import BlockFactory, SolutionFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_a_task_reveal_the_answer_generate_a_variant_and_download_its_pdf(page, live_server):
    fractions = BlockFactory(title="Дроби")
    roots = BlockFactory(title="Корни")
    BlockFactory(title="Пустой блок")
    task = TaskFactory(title="Сумма дробей", statement="<p>Найдите ½ + ¼.</p>", answer="¾", block=fractions)
    SolutionFactory(task=task, title="Разбор", text="<p>½ + ¼ = 2/4 + 1/4 = ¾.</p>")
    root = TaskFactory(title="Квадратный корень", statement="<p>Найдите √49.</p>", answer="7", block=roots)

    page.goto(task.get_absolute_url())
    expect(page.get_by_role("heading", name="Сумма дробей")).to_be_visible()
    expect(page.get_by_text("½ + ¼ = 2/4")).to_have_count(0)  # not in the page until asked for
    page.get_by_role("button", name="Показать ответ").click()
    expect(page.get_by_text("½ + ¼ = 2/4 + 1/4 = ¾.")).to_be_visible()

    page.goto("/problems/variants/random/")
    page.get_by_role("button", name="Сформировать").click()
    expect(page).to_have_url(f"{live_server.url}/problems/variants/random/?tasks={task.pk},{root.pk}")
    expect(page.get_by_label("С ответами", exact=False)).to_have_count(1)
    page.get_by_label("С ответами и решениями").check()
    expect(page.get_by_role("link", name="Сумма дробей")).to_be_visible()
    expect(page.get_by_role("link", name="Квадратный корень")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("«Пустой блок»")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Скачать PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("Случайный вариант ")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_type_an_answer_with_the_virtual_keyboard_and_check_it(page, live_server):
    from core.answerkind import AnswerKind

    task = TaskFactory(title="Диагональ квадрата", statement="<p>Сторона квадрата равна 2. Найдите диагональ.</p>")
    task.answer, task.answer_kind = "2√2", AnswerKind.NUMBER
    task.save()

    page.goto(task.get_absolute_url())
    field = page.get_by_role("textbox", name="Ваш ответ")
    field.click()
    page.keyboard.type("2")
    page.get_by_role("button", name="Вставить знак корня").click()
    page.keyboard.type("2")
    expect(field).to_have_value("2√2")
    page.get_by_role("button", name="Проверить").click()
    expect(page.get_by_role("status").filter(has_text="Верно")).to_have_text("Верно. Ответ понят как: 2√2")
    expect(page).to_have_url(f"{live_server.url}{task.get_absolute_url()}")  # no reload: the script asked

    field.fill("3")
    page.get_by_role("button", name="Проверить").click()
    expect(page.get_by_role("status").filter(has_text="Неверно")).to_be_visible()
    expect(page.get_by_text("2√2", exact=True)).to_have_count(0)  # the answer stays hidden
