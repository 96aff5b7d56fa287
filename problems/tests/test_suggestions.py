import io

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from accounts.models import Message
from accounts.roles import ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import png_upload
from problems.models import Solution, Task
from problems.selectors import published_tasks
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

SUGGEST = "/problems/suggest/"
MY_SUGGESTIONS = "/problems/suggestions/"
REQUIRED = "Обязательное поле."


def edit_url(task) -> str:
    return f"/problems/suggestions/{task.pk}/edit/"


def solution_rows(*rows: dict, initial: int = 0) -> dict:
    data = {
        "solutions-TOTAL_FORMS": str(len(rows)),
        "solutions-INITIAL_FORMS": str(initial),
        "solutions-MIN_NUM_FORMS": "1",
        "solutions-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"solutions-{index}-{name}": value for name, value in row.items()})
    return data


def suggestion(block, /, *solutions: dict, **overrides) -> dict:
    solutions = solutions or ({"title": "Решение", "text": "<p>S = ½·3·4 = 6.</p>"},)
    return {
        "block": block.pk,
        "title": "Площадь прямоугольного треугольника",
        "statement": "<p>Катеты △ABC равны 3 и 4, ∠C = 90°. Найдите площадь.</p>",
        "answer": "6",
        "answer_kind": "number",
        **solution_rows(*solutions),
        **overrides,
    }


def form_values(form) -> dict:
    """A rendered form's POST data, under the form's prefix (files left out)."""
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
        elif value is not None:
            data[form.add_prefix(name)] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    return data


def edit_data(client, task, **overrides) -> dict:
    """The edit page's POST data as rendered, solutions included, with `overrides` applied."""
    context = client.get(edit_url(task)).context
    data = form_values(context["form"])
    formset = context["solutions"]
    data.update(form_values(formset.management_form))
    for form in formset.forms:
        data.update(form_values(form))
    return {**data, **overrides}


def errors_of(response, field) -> list[str]:
    return response.context["form"].errors.get(field, [])


def moderate_by_hand(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="problems", codename="moderate_task"))
    return user


@pytest.fixture
def block(db):
    return BlockFactory(title="Планиметрия")


# --- Suggesting -------------------------------------------------------------------------


def test_the_form_offers_the_keyboard_and_the_rich_text_editor(as_teacher):
    response = as_teacher.get(SUGGEST)

    assert response.status_code == 200
    page = response.content.decode()
    assert "js/math-keyboard.js" in page
    assert "data-math-keyboard-panel" in page
    assert 'data-type="ckeditortype"' in page  # statement and the solution's text
    assert 'name="title"' in page and "data-math-keyboard" in page
    assert "solutions-TOTAL_FORMS" in page


def test_teacher_suggests_a_task_with_solutions_and_moderators_are_told(as_teacher, teacher, block, administrator):
    moderating_teacher = moderate_by_hand(UserFactory(roles=[TEACHER]))
    plain_teacher = UserFactory(roles=[TEACHER])
    theorem = ReferenceFactory(title="Площадь треугольника")
    data = suggestion(
        block,
        {"title": "Решение", "text": "<p>S = ½·a·b = 6.</p>"},
        {"title": "Для учителя", "text": "<p>Частый промах: ½ забывают.</p>", "is_private": "on"},
        references=[theorem.pk],
        image=png_upload(),
    )

    response = as_teacher.post(SUGGEST, data)

    assert response.status_code == 302
    assert response.url == MY_SUGGESTIONS
    task = Task.objects.get()
    assert (task.status, task.author, task.block) == (Task.Status.MODERATION, teacher, block)
    assert task.reviewer is None
    assert "△ABC" in task.statement and task.answer == "6"
    assert list(task.references.all()) == [theorem]
    assert task.image.name.startswith("problems/tasks/")
    solutions = list(task.solutions.order_by("pk"))
    assert [(s.title, s.is_private, s.author) for s in solutions] == [
        ("Решение", False, teacher),
        ("Для учителя", True, teacher),
    ]
    told = set(Message.objects.filter(title__contains=task.title).values_list("recipient", flat=True))
    assert {administrator.pk, moderating_teacher.pk} <= told
    assert plain_teacher.pk not in told
    assert teacher.pk not in told


def test_administrator_suggests_too(client, administrator, block):
    client.force_login(administrator)

    response = client.post(SUGGEST, suggestion(block))

    assert response.status_code == 302
    assert Task.objects.get().status == Task.Status.MODERATION


def test_the_author_never_sets_the_state(as_teacher, block):
    as_teacher.post(SUGGEST, suggestion(block, status=Task.Status.PUBLISHED, author=UserFactory().pk))

    task = Task.objects.get()
    assert task.status == Task.Status.MODERATION
    assert not published_tasks().exists()


def test_rich_text_is_sanitised(as_teacher, block):
    as_teacher.post(
        SUGGEST,
        suggestion(
            block,
            {"title": "Решение", "text": '<p onclick="steal()">√16 = 4</p><script>alert(1)</script>'},
            statement="<p>Найдите √16.</p><script>alert(1)</script>",
        ),
    )

    task = Task.objects.get()
    assert "<script>" not in task.statement and "√16" in task.statement
    text = task.solutions.get().text
    assert "onclick" not in text and "<script>" not in text


@pytest.mark.parametrize("missing", ["title", "statement", "block"])
def test_a_missing_required_field_is_a_russian_error(as_teacher, block, missing):
    response = as_teacher.post(SUGGEST, suggestion(block, **{missing: ""}))

    assert response.status_code == 200
    assert errors_of(response, missing) == [REQUIRED]
    assert REQUIRED in response.content.decode()
    assert not Task.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(as_teacher, block):
    text_file = SimpleUploadedFile("ответ.png", "это не картинка".encode(), content_type="image/png")

    response = as_teacher.post(SUGGEST, suggestion(block, image=text_file))

    assert response.status_code == 200
    [error] = errors_of(response, "image")
    assert error == "Это не изображение: подходят JPEG, PNG, GIF и WebP."
    assert not Task.objects.exists()


def test_an_image_of_another_format_is_refused(as_teacher, block):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "BMP")
    bitmap = SimpleUploadedFile("рисунок.bmp", buffer.getvalue(), content_type="image/bmp")

    response = as_teacher.post(SUGGEST, suggestion(block, image=bitmap))

    [error] = errors_of(response, "image")
    assert error == "Это не изображение: подходят JPEG, PNG, GIF и WebP."
    assert not Task.objects.exists()


def test_an_image_over_the_size_limit_is_refused(as_teacher, block, settings):
    settings.PHOTO_MAX_MB = 0

    response = as_teacher.post(SUGGEST, suggestion(block, image=png_upload()))

    [error] = errors_of(response, "image")
    assert error.startswith("Файл слишком большой")
    assert not Task.objects.exists()


def test_a_task_needs_a_solution(as_teacher, block):
    empty_solution = as_teacher.post(SUGGEST, suggestion(block, {"title": "", "text": ""}))
    no_solution = as_teacher.post(SUGGEST, {**suggestion(block), **solution_rows()})

    assert empty_solution.status_code == no_solution.status_code == 200
    assert empty_solution.context["solutions"].forms[0].errors == {"title": [REQUIRED], "text": [REQUIRED]}
    assert no_solution.context["solutions"].non_form_errors() == ["Добавьте хотя бы одно решение."]
    assert not Task.objects.exists()


# --- Who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SUGGEST, MY_SUGGESTIONS, "/problems/suggestions/1/edit/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_volunteer_may_not_suggest(client, volunteer, block):
    client.force_login(volunteer)
    task = TaskFactory(author=volunteer, status=Task.Status.DRAFT)

    assert client.get(SUGGEST).status_code == 403
    assert client.post(SUGGEST, suggestion(block)).status_code == 403
    assert client.get(MY_SUGGESTIONS).status_code == 403
    assert client.get(edit_url(task)).status_code == 403
    assert Task.objects.count() == 1


# --- «Мои задачи» -----------------------------------------------------------------------


def test_my_suggestions_lists_own_tasks_with_their_states(as_teacher, teacher):
    waiting = TaskFactory(author=teacher, status=Task.Status.MODERATION, title="Ждёт")
    rejected = TaskFactory(
        author=teacher, status=Task.Status.REJECTED, title="Отклонена", rejection_reason="Нет рисунка к условию."
    )
    published = TaskFactory(author=teacher, title="Опубликована")
    foreign = TaskFactory(title="Чужая задача")

    response = as_teacher.get(MY_SUGGESTIONS)

    assert response.status_code == 200
    assert set(response.context["page_obj"].object_list) == {waiting, rejected, published}
    page = response.content.decode()
    for text in ("На модерации", "Отклонена", "Опубликована", "Нет рисунка к условию.", edit_url(waiting)):
        assert text in page
    assert foreign.title not in page


def test_my_suggestions_runs_the_same_number_of_queries_for_3_and_20_tasks(as_teacher, teacher):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_teacher.get(MY_SUGGESTIONS).status_code == 200
        return len(captured)

    TaskFactory.create_batch(3, author=teacher)
    few = queries()
    TaskFactory.create_batch(17, author=teacher)

    assert queries() == few


# --- Editing ----------------------------------------------------------------------------


def test_editing_a_rejected_task_sends_it_back_to_moderation(as_teacher, teacher, administrator):
    task = TaskFactory(
        author=teacher, status=Task.Status.REJECTED, rejection_reason="Ответ неверен.", reviewer=administrator
    )
    kept = SolutionFactory(task=task, title="Старое решение")
    removed = SolutionFactory(task=task, title="Лишнее решение")
    page = as_teacher.get(edit_url(task))
    assert "Ответ неверен." in page.content.decode()
    data = edit_data(as_teacher, task, answer="5", **{"solutions-0-text": "<p>Исправлено: 5.</p>"})
    data["solutions-1-DELETE"] = "on"
    data.update(
        {
            "solutions-TOTAL_FORMS": "3",
            "solutions-2-title": "Новое решение",
            "solutions-2-text": "<p>Другим способом.</p>",
        }
    )

    response = as_teacher.post(edit_url(task), data)

    assert response.status_code == 302, response.context["solutions"].errors
    task.refresh_from_db()
    assert (task.status, task.answer, task.rejection_reason, task.reviewer) == (Task.Status.MODERATION, "5", "", None)
    kept.refresh_from_db()
    assert kept.text == "<p>Исправлено: 5.</p>"
    assert not Solution.objects.filter(pk=removed.pk).exists()
    assert task.solutions.get(title="Новое решение").author == teacher
    assert Message.objects.filter(recipient=administrator, title__contains=task.title).exists()


@pytest.mark.parametrize("status", [Task.Status.DRAFT, Task.Status.MODERATION])
def test_editing_a_draft_or_a_waiting_task_sends_it_to_moderation(as_teacher, teacher, status):
    task = TaskFactory(author=teacher, status=status)
    SolutionFactory(task=task)

    response = as_teacher.post(edit_url(task), edit_data(as_teacher, task, title="Новое название"))

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.status) == ("Новое название", Task.Status.MODERATION)


def test_editing_a_published_task_takes_it_out_of_the_bank_until_approved(as_teacher, teacher):
    task = TaskFactory(author=teacher)
    SolutionFactory(task=task)

    page = as_teacher.get(edit_url(task)).content.decode()
    response = as_teacher.post(edit_url(task), edit_data(as_teacher, task, statement="<p>Новое условие.</p>"))

    assert "пропадёт из банка задач, пока модератор её не одобрит" in page
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.MODERATION
    assert task not in published_tasks()
    assert "До одобрения её нет в банке задач." in as_teacher.get(MY_SUGGESTIONS).content.decode()


def test_an_invalid_edit_changes_nothing(as_teacher, teacher):
    task = TaskFactory(author=teacher, title="Как было")
    SolutionFactory(task=task)

    response = as_teacher.post(edit_url(task), edit_data(as_teacher, task, title=""))

    assert response.status_code == 200
    assert errors_of(response, "title") == [REQUIRED]
    assert "Правка задачи «Как было»" in response.content.decode()
    task.refresh_from_db()
    assert (task.title, task.status) == ("Как было", Task.Status.PUBLISHED)


def test_the_author_edits_only_own_solutions_and_others_stay(as_teacher, teacher, administrator):
    task = TaskFactory(author=teacher, status=Task.Status.REJECTED)
    own = SolutionFactory(task=task, title="Моё решение")
    reviewer_note = SolutionFactory(task=task, author=administrator, title="Заметка модератора", is_private=True)

    response = as_teacher.get(edit_url(task))
    saved = as_teacher.post(edit_url(task), edit_data(as_teacher, task))

    assert [form.instance for form in response.context["solutions"].forms] == [own]
    assert "Заметка модератора" not in response.content.decode()
    assert saved.status_code == 302
    assert Solution.objects.filter(pk=reviewer_note.pk).exists()


@pytest.mark.parametrize("status", list(Task.Status))
def test_another_users_suggestion_is_404(client, teacher, status):
    task = TaskFactory(status=status, title="Чужая")
    SolutionFactory(task=task)
    client.force_login(teacher)

    assert client.get(edit_url(task)).status_code == 404
    assert client.post(edit_url(task), {"title": "Взлом"}).status_code == 404
    task.refresh_from_db()
    assert (task.title, task.status) == ("Чужая", status)


def test_even_an_administrator_edits_others_tasks_in_the_admin_not_here(client, administrator):
    task = TaskFactory(status=Task.Status.MODERATION)
    client.force_login(administrator)

    assert client.get(edit_url(task)).status_code == 404


# --- In a browser: the virtual keyboard -------------------------------------------------


def browser_login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def wait_for_editor(page, field_id: str):
    page.wait_for_function(
        "id => window.CKEDITOR && CKEDITOR.instances[id] && CKEDITOR.instances[id].status === 'ready'", arg=field_id
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_keyboard_inserts_at_the_cursor_of_fields_and_of_the_editor(page, live_server):
    teacher = UserFactory(roles=[TEACHER])
    BlockFactory(title="Алгебра")
    browser_login(page, live_server, teacher)
    page.goto(SUGGEST)
    wait_for_editor(page, "id_statement")
    keyboard = page.get_by_role("toolbar", name="Математические знаки")

    page.get_by_label("Блок").select_option(label="Алгебра")
    title = page.locator("#id_title")
    title.fill("x = 16")
    title.evaluate("field => field.setSelectionRange(4, 4)")
    keyboard.get_by_role("button", name="Вставить знак корня").click()
    expect(title).to_have_value("x = √16")
    expect(title).to_be_focused()

    # From the keyboard alone: one tab stop, arrows between keys, Enter inserts and stays.
    keyboard.get_by_role("button", name="Вставить знак корня").focus()
    page.keyboard.press("ArrowRight")
    expect(keyboard.get_by_role("button", name="Вставить число пи")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    expect(keyboard.get_by_role("button", name="Вставить знак множества натуральных чисел")).to_be_focused()
    expect(title).to_have_value("x = √π16")

    page.locator("#cke_id_statement .cke_editable").click()
    page.keyboard.type("Найдите ")
    keyboard.get_by_role("button", name="Вставить знак угла").click()
    page.keyboard.type("C")
    # CKEditor writes entities (&ang;); the server keeps the characters themselves.
    expect(page.locator("#cke_id_statement .cke_editable")).to_contain_text("Найдите ∠C")

    answer = page.get_by_label("Краткий ответ")
    answer.click()
    keyboard.get_by_role("button", name="Вставить знак «плюс-минус»").click()
    page.keyboard.type("4")
    page.locator("#id_solutions-0-title").fill("Решение")
    page.locator("#cke_id_solutions-0-text .cke_editable").click()
    page.keyboard.type("Ответ ")
    keyboard.get_by_role("button", name="Вставить знак «не равно»").click()
    page.get_by_role("button", name="Добавить ещё решение").click()
    wait_for_editor(page, "id_solutions-1-text")
    page.locator("#id_solutions-1-title").fill("Второе решение")
    page.locator("#cke_id_solutions-1-text .cke_editable").click()
    keyboard.get_by_role("button", name="Вставить греческую букву альфа").click()
    page.get_by_role("button", name="Отправить на модерацию").click()

    expect(page.get_by_role("heading", name="Мои задачи")).to_be_visible()
    task = Task.objects.get()
    assert (task.title, task.answer, task.status) == ("x = √π16", "±4", Task.Status.MODERATION)
    assert "∠C" in task.statement and "&ang;" not in task.statement
    assert [(s.title, "≠" in s.text or "α" in s.text) for s in task.solutions.order_by("pk")] == [
        ("Решение", True),
        ("Второе решение", True),
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_keyboard_works_in_the_admin_task_form(page, live_server):
    browser_login(page, live_server, UserFactory(roles=[ADMIN]))
    page.goto("/admin/problems/task/add/")
    wait_for_editor(page, "id_statement")
    keyboard = page.locator("#task_form").get_by_role("toolbar", name="Математические знаки")

    answer = page.locator("#id_answer")
    answer.fill("30")
    keyboard.get_by_role("button", name="Вставить знак градуса").click()
    page.locator("#cke_id_statement .cke_editable").click()
    keyboard.get_by_role("button", name="Вставить знак треугольника").click()

    expect(answer).to_have_value("30°")
    expect(page.locator("#cke_id_statement .cke_editable")).to_contain_text("△")
