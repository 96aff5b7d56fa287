"""The bank's public pages are kept for anonymous visitors (core.cache.kept_for_visitors):
every way content changes — the admin's actions and forms, a teacher's edit on the site,
the import command — shows on them at once. Each test first makes a visitor's page kept,
then changes the content the way people do, then reads the page again as a visitor."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.roles import ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import action_data, admin_change_url, change_form_data, form_values, seen, signed_in
from problems.models import Task
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

BLOCKS = "/problems/"
HANDBOOK = "/problems/reference/"
SEARCH = reverse("search")


def block_url(block) -> str:
    return f"/problems/blocks/{block.pk}/"


def task_url(task) -> str:
    return f"/problems/tasks/{task.pk}/"


@pytest.fixture
def staff(db) -> Client:
    return signed_in(UserFactory(roles=[ADMIN]))


def test_a_task_approved_in_the_admin_shows_on_its_block_page_its_page_and_in_search(client, staff):
    block = BlockFactory()
    waiting = TaskFactory(block=block, title="Задача о бассейне", status=Task.Status.MODERATION)
    assert "Задача о бассейне" not in seen(client, block_url(block))
    assert "Задача о бассейне" not in seen(client, SEARCH, q="бассейн")

    response = staff.post("/admin/problems/task/", action_data("approve_tasks", waiting))

    assert response.status_code == 302
    assert "Задача о бассейне" in seen(client, block_url(block))
    assert "Задача о бассейне" in seen(client, task_url(waiting))
    assert "Задача о бассейне" in seen(client, SEARCH, q="бассейн")


def test_a_published_task_edited_by_its_author_on_the_site_leaves_the_bank_at_once(client, db):
    author = UserFactory(roles=[TEACHER])
    task = TaskFactory(author=author, title="Задача о поездах")
    SolutionFactory(task=task)
    assert "Задача о поездах" in seen(client, block_url(task.block))
    assert "Задача о поездах" in seen(client, task_url(task))

    own, edit_url = signed_in(author), f"/problems/suggestions/{task.pk}/edit/"
    context = own.get(edit_url).context
    data = form_values(context["form"]) | form_values(context["solutions"].management_form)
    for form in context["solutions"].forms:
        data |= form_values(form)
    response = own.post(edit_url, {**data, "statement": "<p>Новое условие.</p>"})

    assert response.status_code == 302, response.context["form"].errors
    assert "Задача о поездах" not in seen(client, block_url(task.block))
    assert client.get(task_url(task)).status_code == 404


def test_an_administrators_correction_in_the_admin_shows_at_once(client, staff):
    task = TaskFactory(title="Задача с опечаткой")
    assert "Задача с опечаткой" in seen(client, task_url(task))

    url = admin_change_url(task)
    response = staff.post(url, change_form_data(staff, url, title="Задача без опечатки"))

    assert response.status_code == 302
    assert "Задача без опечатки" in seen(client, task_url(task))
    assert "Задача без опечатки" in seen(client, block_url(task.block))


@pytest.mark.parametrize("how", ["delete page", "delete_selected action"])
def test_a_task_deleted_in_the_admin_leaves_its_block_page(client, staff, how):
    block = BlockFactory()
    task = TaskFactory(block=block, title="Лишняя задача")
    assert "Лишняя задача" in seen(client, block_url(block))

    if how == "delete page":
        response = staff.post(f"/admin/problems/task/{task.pk}/delete/", {"post": "yes"})
    else:
        response = staff.post("/admin/problems/task/", action_data("delete_selected", task, post="yes"))

    assert response.status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    assert "Лишняя задача" not in seen(client, block_url(block))


def test_a_block_renamed_in_the_admin_shows_in_the_list_of_blocks(client, staff):
    block = BlockFactory(title="Тригонометрия")
    TaskFactory(block=block)
    assert "Тригонометрия" in seen(client, BLOCKS)

    url = admin_change_url(block)
    response = staff.post(url, change_form_data(staff, url, title="Тригонометрия и векторы"))

    assert response.status_code == 302
    assert "Тригонометрия и векторы" in seen(client, BLOCKS)


def test_reference_material_added_in_the_admin_shows_in_the_handbook(client, staff):
    ReferenceFactory(title="Теорема Пифагора")
    assert "Теорема Виета" not in seen(client, HANDBOOK)

    url = "/admin/problems/reference/add/"
    response = staff.post(url, change_form_data(staff, url, title="Теорема Виета", description="<p>x₁ + x₂ = −p</p>"))

    assert response.status_code == 302
    assert "Теорема Виета" in seen(client, HANDBOOK)


def test_the_import_command_shows_its_new_and_changed_tasks_at_once(client, tmp_path):
    block = {"type": "block", "key": "algebra", "title": "Алгебра", "order": 1}
    solutions = [{"title": "Решение", "text": "<p>D = 1.</p>"}]

    def task(key: str, title: str) -> dict:
        row = {"type": "task", "key": key, "block": "algebra", "title": title, "statement": "<p>Решите.</p>"}
        return {**row, "answer": "2; 3", "solutions": solutions}

    def import_bank(*rows: dict) -> None:
        path = tmp_path / "bank.jsonl"
        path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
        call_command("import_problems", str(path), stdout=StringIO(), stderr=StringIO())

    import_bank(block, task("t-1", "Квадратное уравнение"))
    url = block_url(Task.objects.get(external_key="t-1").block)
    assert "Квадратное уравнение" in seen(client, url)

    import_bank(block, task("t-1", "Квадратное уравнение с параметром"), task("t-2", "Биквадратное уравнение"))

    page = seen(client, url)
    assert "Квадратное уравнение с параметром" in page and "Биквадратное уравнение" in page
