"""A class assignment in a real browser: a teacher gives a saved variant to a class, two
pupils solve it in browsers of their own — a guest by the code, a signed-in pupil by the
link — and the teacher reads the results table and downloads its PDF. axe-core checks
every page of the journey on the way."""

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.roles import TEACHER, VOLUNTEER
from accounts.tests.browser import log_in
from accounts.tests.factories import UserFactory
from config.tests.test_browser_axe import AxeAudit
from core.answerkind import AnswerKind
from problems.services import variant_save
from problems.tests.factories import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_assigns_a_variant_two_pupils_solve_it_and_the_teacher_downloads_the_results(
    page, browser, live_server
):
    teacher = UserFactory(roles=[TEACHER])
    pupil = UserFactory(roles=[VOLUNTEER], first_name="Анна", last_name="Щукина")
    square = TaskFactory(title="Квадрат суммы", statement="<p>Раскройте скобки: (x + 1)².</p>",
                         answer="x² + 2x + 1", answer_kind=AnswerKind.EXPRESSION)  # fmt: skip
    root = TaskFactory(title="Корень", statement="<p>Найдите √49.</p>", answer="7", answer_kind=AnswerKind.NUMBER)
    variant = variant_save(owner=teacher, title="Алгебра, 8 класс", kind="manual", task_ids=[square.pk, root.pk])

    # The teacher gives the saved variant to the class, answers checked at once.
    log_in(page, teacher)
    audit = AxeAudit(page)
    page.goto(variant.get_absolute_url())
    page.get_by_role("link", name="Выдать классу").click()
    audit.check()
    expect(page.get_by_label("Название")).to_have_value("Алгебра, 8 класс")
    page.get_by_label("Название").fill("Самостоятельная работа №3")
    page.get_by_label("Проверять сразу").check()
    page.get_by_role("button", name="Выдать").click()
    expect(page.get_by_role("heading", name="Самостоятельная работа №3")).to_be_visible()
    code = page.locator(".assignment-code").inner_text().strip()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)
    link = page.get_by_label("Ссылка").input_value()
    assert link == f"{live_server.url}/a/{code}/"
    expect(page.get_by_text("Пока никто не начал решать.")).to_be_visible()

    # A guest types the code on the bank's page, in lower case, and gives a name.
    guest_context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    guest = guest_context.new_page()
    guest.set_default_timeout(10_000)
    guest.goto("/problems/")
    guest.get_by_label("введите код").fill(code.lower())
    guest.get_by_role("button", name="Открыть").click()
    guest_audit = AxeAudit(guest)
    guest_audit.check()
    guest.get_by_label("Имя и фамилия").fill("Пётр Ёлкин")
    guest.get_by_role("button", name="Начать").click()
    expect(guest.get_by_text("Раскройте скобки: (x + 1)².")).to_be_visible()
    first = guest.get_by_label("Ответ к задаче 1")
    first.fill("x")
    guest.get_by_role("button", name="Вставить вторую степень").click()  # the virtual keyboard
    first.press("End")
    first.type(" + 2x + 1")
    expect(first).to_have_value("x² + 2x + 1")
    guest.get_by_role("button", name="Проверить ответ к задаче 1").click()
    expect(guest.get_by_text("✓ Верно")).to_be_visible()
    guest.get_by_label("Ответ к задаче 2").fill("8")
    guest.get_by_role("button", name="Проверить ответ к задаче 2").click()
    expect(guest.get_by_text("✗ Неверно")).to_be_visible()
    guest_audit.check()
    guest.get_by_role("button", name="Отправить работу").click()
    expect(guest.get_by_text("Верных ответов: 1 из 2")).to_be_visible()
    guest_audit.check()
    guest_context.close()

    # A signed-in pupil follows the link; their work starts at once.
    pupil_context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    pupil_page = pupil_context.new_page()
    pupil_page.set_default_timeout(10_000)
    log_in(pupil_page, pupil)
    pupil_page.goto(link)
    pupil_page.get_by_label("Ответ к задаче 1").fill("(x+1)(x+1)")
    pupil_page.get_by_label("Ответ к задаче 2").fill("7")
    pupil_page.get_by_role("button", name="Отправить работу").click()
    expect(pupil_page.get_by_text("Верных ответов: 2 из 2")).to_be_visible()
    pupil_context.close()

    # The teacher reads the table and downloads the PDF.
    page.reload()
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("Анна Щукина"))).to_contain_text("2 из 2")
    expect(table.get_by_role("row", name=re.compile("Пётр Ёлкин"))).to_contain_text("✓")
    expect(table.get_by_role("row", name=re.compile("Пётр Ёлкин"))).to_contain_text("✗")
    expect(table.get_by_role("row", name=re.compile("Доля верных"))).to_contain_text("50%")
    audit.check()
    audit.found += guest_audit.found
    audit.assert_clean()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == "Самостоятельная работа №3 — результаты.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(download.path()).pages)
    for expected in ("Самостоятельная работа №3", "Анна Щукина", "Пётр Ёлкин", "✓", "✗", "Квадрат суммы"):
        assert expected in text
