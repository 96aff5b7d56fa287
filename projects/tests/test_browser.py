"""Attendance in a real browser: a moderator marks a student absent on a lesson's page and
sees «н» for that lesson in the student's row of the course's attendance table."""

import pytest
from playwright.sync_api import expect

from accounts.roles import VOLUNTEER
from accounts.tests.browser import log_in
from accounts.tests.factories import UserFactory
from projects.models import ProjectMember
from projects.tests.test_attendance import build_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moderator_marks_a_student_absent_and_sees_it_in_the_course_table(page):
    school = build_school()
    moderator = UserFactory(roles=[VOLUNTEER])
    ProjectMember.objects.create(project=school.course.term.project, user=moderator, role="moderator")

    log_in(page, moderator)
    page.goto(f"/projects/courses/{school.course.pk}/")
    page.get_by_role("link", name="07.09.2026").click()
    expect(page.get_by_role("heading", name="Занятие 07.09.2026, 15:00–16:30")).to_be_visible()
    page.get_by_role("checkbox", name="отсутствовал — Борисов Борис").check()
    page.get_by_role("button", name="Сохранить отметки").click()
    expect(page.get_by_text("Отметки сохранены, отсутствующих: 1")).to_be_visible()
    expect(page.get_by_role("checkbox", name="отсутствовал — Борисов Борис")).to_be_checked()

    page.get_by_role("link", name="Робототехника для начинающих").first.click()
    table = page.get_by_role("table", name="Посещаемость курса")
    columns = table.locator("thead th")
    expect(columns.nth(1)).to_have_text("07.09")
    boris = table.get_by_role("row", name="Борисов Борис")
    expect(boris.get_by_role("cell").nth(0)).to_have_text("н")  # the row header is not a cell
    expect(boris.get_by_role("cell").nth(1)).to_have_text("✓")
    anna = table.get_by_role("row", name="Алексеева Анна")
    expect(anna.get_by_role("cell").nth(0)).to_have_text("✓")
    vera = table.get_by_role("row", name="Васильева Вера")
    expect(vera.get_by_role("cell").nth(0)).to_have_text("—")  # not yet in the group that day
