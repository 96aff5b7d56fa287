"""The admin names our models in the case Russian needs (core.admin, «The model's name in
cases»): «Изменить задачу», not Django's «Изменить задача»."""

import json
import re

import pytest
from django.contrib import admin
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext

from core.admin import message_in_cases, name_cases
from core.testing import change_form_data, message_texts
from methodics.models import Category
from problems.tests.factories import SolutionFactory, TaskFactory
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "accounts", "volunteers", "courses", "methodics", "problems", "projects", "config")
OURS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if type(model_admin).__module__.split(".")[0] in OUR_APPS
]


def _url(model, page: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _nominative_after_verb(html: str, name: str, accusative: str) -> list[str]:
    """The phrases of Django's nominative that the page still holds (none where the two forms are one)."""
    if name.lower() == accusative.lower():
        return []
    phrases = (f"Изменить {name}", f"Добавить {name}", f"Выберите {name}", f"Просмотреть {name}")
    # Not a beginning of the accusative: «Добавить волонтёр» in «Добавить волонтёра».
    return [phrase for phrase in phrases if re.search(re.escape(phrase) + "(?![а-яё])", html, re.IGNORECASE)]


def test_every_model_of_ours_in_the_admin_declares_its_cases():
    missing = [model._meta.label for model, model_admin in OURS if name_cases(model_admin) is None]
    inlines = {
        inline.model._meta.label
        for _model, model_admin in OURS
        for inline in model_admin.inlines
        if name_cases(inline) is None
    }
    assert missing == []
    assert inlines == set()


@pytest.mark.parametrize(("model", "model_admin"), OURS, ids=[model._meta.label for model, _ in OURS])
def test_changelist_and_add_page_name_the_model_in_the_accusative(client, main_admin, model, model_admin):
    client.force_login(main_admin)
    cases = name_cases(model_admin)
    name = str(model._meta.verbose_name)

    changelist = client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    title = changelist.context["title"]
    assert title in (
        gettext("Select %s to change") % cases.accusative,
        gettext("Select %s to view") % cases.accusative,
    )
    assert f"<h1>{title}</h1>" in html
    assert _nominative_after_verb(html, name, str(cases.accusative)) == []

    add = client.get(_url(model, "add"))
    if add.status_code == 403:  # nobody adds these rows here (levels, messages, records)
        return
    assert add.status_code == 200
    html = add.content.decode()
    assert add.context["title"] == gettext("Add %s") % cases.accusative
    assert f"Добавить {cases.accusative}" in html  # the heading and the breadcrumbs
    assert _nominative_after_verb(html, name, str(cases.accusative)) == []
    if model_admin.has_add_permission(changelist.wsgi_request):
        assert f"Добавить {cases.accusative}" in changelist.content.decode()  # the list's button


def test_change_page_of_a_task_and_its_inline(client, main_admin):
    task = SolutionFactory().task
    client.force_login(main_admin)

    response = client.get(_url(type(task), "change", task.pk))

    html = response.content.decode()
    assert "Изменить задачу" in html
    assert "Изменить задача" not in html
    (solutions,) = response.context["inline_admin_formsets"]
    assert json.loads(solutions.inline_formset_data)["options"]["addText"] == "Добавить ещё решение"


def test_changelist_offers_to_delete_selected_people_in_the_accusative_plural(client, main_admin):
    VolunteerFactory()
    client.force_login(main_admin)

    response = client.get("/admin/volunteers/volunteer/")

    labels = dict(response.context["action_form"].fields["action"].choices)
    assert labels["delete_selected"] == "Удалить выбранных волонтёров"


def test_delete_page_asks_about_the_task_in_the_accusative(client, main_admin):
    task = TaskFactory()
    client.force_login(main_admin)

    response = client.get(_url(type(task), "delete", task.pk))

    html = response.content.decode()
    assert "удалить задачу" in html
    assert "удалить задача" not in html


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ("_save", "Вы добавили категорию «Геометрия»."),
        ("_continue", "Вы добавили категорию «Геометрия». Ниже можно продолжить правку."),
        ("_addanother", "Вы добавили категорию «Геометрия». Ниже можно добавить ещё категорию."),
    ],
)
def test_message_after_adding(client, main_admin, button, expected):
    client.force_login(main_admin)
    url = _url(Category, "add")

    response = client.post(url, change_form_data(client, url, name="Геометрия", **{button: "1"}), follow=True)

    assert [strip_tags(text) for text in message_texts(response) if "Геометрия" in text] == [expected]


def test_messages_after_changing_and_deleting(client, main_admin):
    task = TaskFactory()
    client.force_login(main_admin)
    url = _url(type(task), "change", task.pk)

    changed = client.post(url, change_form_data(client, url, _continue="1"), follow=True)
    deleted = client.post(_url(type(task), "delete", task.pk), {"post": "yes"}, follow=True)

    assert f"Вы изменили задачу «{task}». Ниже можно продолжить правку." in map(strip_tags, message_texts(changed))
    assert f"Вы удалили задачу «{task}»." in message_texts(deleted)


def test_other_messages_stay_as_they_are():
    cases = name_cases(admin.site._registry[Category])
    own = format_html("Блокировка снята: {}", "<b>")

    assert message_in_cases(own, "категория", cases) is own
    assert message_in_cases("Готово.", "категория", cases) == "Готово."
