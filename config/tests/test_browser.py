"""The site search in a real browser: from the header box to a result."""

import pytest
from playwright.sync_api import expect

from courses.tests.factories import CourseFactory
from methodics.tests.factories import MethodicFactory
from problems.tests.factories import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_header_then_open_a_result(page, live_server):
    TaskFactory(title="Поезда навстречу", statement="<p>Два поезда вышли навстречу друг другу.</p>")
    MethodicFactory(title="Игра «Поезд»", goal="Познакомиться, собирая поезд из участников.")
    CourseFactory(title="Первая помощь")

    page.goto(f"{live_server.url}/about/")
    page.get_by_label("Поиск по платформе").fill("поезд")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Поиск по платформе")).to_be_visible()
    expect(page.get_by_role("heading", name="Задачи 1")).to_be_visible()
    expect(page.get_by_role("heading", name="Методики 1")).to_be_visible()
    expect(page.get_by_role("link", name="Первая помощь")).to_have_count(0)
    expect(page.locator(".search-snippet mark").first).to_be_visible()

    page.get_by_role("link", name="Задачи 1").click()  # the tasks' tab
    page.get_by_role("link", name="Поезда навстречу").click()
    expect(page.get_by_role("heading", name="Поезда навстречу")).to_be_visible()
