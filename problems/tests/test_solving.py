"""Checking an answer on a task's page and through the API: «Верно», «Неверно», or a hint
on what was not understood (no attempt); what is kept for whom; the limit of checks; the
kinds of answers in the admin, the suggestion form and the import; the data migration
that gave existing tasks their kinds."""

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client

from accounts.tests.api_clients import ROLES, api_as, user_of_role
from core.answerkind import AnswerKind
from core.testing import change_form_data
from problems.models import Task, TaskAttempt
from problems.tests.factories import BlockFactory, SolutionFactory, TaskFactory
from problems.tests.test_browsing import messages_of, page_of, queries_for, task_url
from problems.tests.test_import import import_failing, import_problems, write
from problems.tests.test_suggestions import suggestion

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
API = "/api/v1/problems"


def check(client, task, answer, **headers):
    """The task page's script asking: the JSON answer."""
    response = client.post(task_url(task, "check"), {"answer": answer}, **FETCH, **headers)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def half(db):
    return TaskFactory(title="Половина", answer="0,5", answer_kind=AnswerKind.NUMBER)


@pytest.fixture
def square(db):
    return TaskFactory(title="Квадрат суммы", answer="(x + 1)²", answer_kind=AnswerKind.EXPRESSION)


@pytest.fixture
def capital(db):
    return TaskFactory(title="Столица", answer="Москва", answer_kind=AnswerKind.TEXT)


# --- The page's check, per kind ------------------------------------------------------------


class TestVerdicts:
    def test_a_number_task_takes_the_number_in_any_form(self, as_volunteer, volunteer, half):
        assert check(as_volunteer, half, "1/2") == {
            "correct": True,
            "hint": "",
            "understood_as": "0,5",
            "message": "Верно",
        }
        assert check(as_volunteer, half, "0.5")["correct"] is True
        assert check(as_volunteer, half, "0,6") | {"understood_as": ""} == {
            "correct": False,
            "hint": "",
            "understood_as": "",
            "message": "Неверно",
        }
        attempts = TaskAttempt.objects.filter(user=volunteer, task=half).order_by("pk")
        assert [(attempt.answer, attempt.verdict) for attempt in attempts] == [
            ("1/2", True),
            ("0.5", True),
            ("0,6", False),
        ]

    def test_a_tolerance_accepts_a_decimal_close_enough(self, as_volunteer):
        pi = TaskFactory(answer="3,14", answer_kind=AnswerKind.NUMBER, answer_tolerance=Decimal("0.01"))

        assert check(as_volunteer, pi, "π")["correct"] is True
        assert check(as_volunteer, pi, "3,142")["correct"] is True
        assert check(as_volunteer, pi, "3,2")["correct"] is False

    def test_an_expression_task_compares_by_value(self, as_volunteer, square):
        assert check(as_volunteer, square, "x² + 2x + 1")["correct"] is True
        assert check(as_volunteer, square, "(1 + x)(x + 1)")["correct"] is True
        assert check(as_volunteer, square, "x² + 1")["correct"] is False

    def test_an_equation_task_compares_the_roots(self, as_volunteer):
        roots = TaskFactory(answer="x = 2 или x = −3", answer_kind=AnswerKind.EQUATION)

        assert check(as_volunteer, roots, "x₁ = −3; x₂ = 2")["correct"] is True
        assert check(as_volunteer, roots, "x = 2")["correct"] is False

    def test_a_text_task_ignores_case_and_punctuation(self, as_volunteer, capital):
        assert check(as_volunteer, capital, " москва! ")["correct"] is True
        assert check(as_volunteer, capital, "Петербург")["correct"] is False

    def test_an_answer_not_understood_gets_a_russian_hint_and_is_no_attempt(self, as_volunteer, half):
        result = check(as_volunteer, half, "пять")

        assert result["correct"] is None
        assert result["hint"].startswith("Не понят")
        assert result["message"] == f"Ответ не понят: {result['hint']}"
        assert check(as_volunteer, half, "")["hint"] == "Введите ответ."
        assert check(as_volunteer, half, "1" * 300)["hint"].startswith("Слишком длинн")
        assert not TaskAttempt.objects.exists()


# --- The page ---------------------------------------------------------------------------


class TestTaskPage:
    def test_a_task_with_an_answer_offers_the_form_with_the_keyboard(self, client, half):
        page = page_of(client.get(task_url(half)))

        assert f'action="{task_url(half, "check")}"' in page
        assert "Ваш ответ" in page and "Проверить" in page
        assert 'data-math-keyboard=""' in page and "data-math-keyboard-panel" in page
        assert "js/math-keyboard.js" in page
        assert "Ответ — число" in page
        assert 'aria-live="polite"' in page

    def test_a_task_without_an_answer_has_no_form_and_cannot_be_checked(self, as_volunteer):
        task = TaskFactory(answer="")

        assert "Проверить" not in page_of(as_volunteer.get(task_url(task)))
        assert as_volunteer.post(task_url(task, "check"), {"answer": "4"}, **FETCH).status_code == 404

    def test_the_answer_and_solutions_stay_hidden_after_a_wrong_check(self, client, db):
        task = TaskFactory(answer="Ярославль", answer_kind=AnswerKind.TEXT)
        SolutionFactory(task=task, text="<p>Город на Волге, основан в 1010 году.</p>")

        result = client.post(task_url(task, "check"), {"answer": "Кострома"}, **FETCH)
        page = page_of(client.post(task_url(task, "check"), {"answer": "Кострома"}, follow=True))

        assert result.json()["correct"] is False
        assert "Ярославль" not in result.content.decode()
        assert "Неверно. Ваш ответ: Кострома" in page
        assert "Ярославль" not in page and "основан в 1010" not in page
        assert "Показать ответ" in page

    def test_without_javascript_the_verdict_comes_back_as_a_message(self, as_volunteer, volunteer, half):
        response = as_volunteer.post(task_url(half, "check"), {"answer": "1/2"})

        assert response.status_code == 302
        assert response["Location"] == f"{task_url(half)}#answer-check"
        assert messages_of(response) == ["Верно. Ваш ответ: 1/2"]
        assert TaskAttempt.objects.get(user=volunteer).verdict is True
        not_understood = as_volunteer.post(task_url(half, "check"), {"answer": "пять"}, follow=True)
        assert "Ответ не понят: Не понят" in page_of(not_understood)
        assert TaskAttempt.objects.count() == 1

    def test_an_anonymous_check_keeps_nothing_and_the_page_stays_kept_for_visitors(self, client, half):
        assert check(client, half, "1/2")["correct"] is True
        assert check(Client(enforce_csrf_checks=True), half, "0,7")["correct"] is False  # no token needed

        assert not TaskAttempt.objects.exists()
        visitor = Client()
        queries_for(visitor, task_url(half))
        assert queries_for(visitor, task_url(half)) == 0  # no CSRF token in the kept page
        assert "csrfmiddlewaretoken" not in page_of(visitor.get(task_url(half)))

    def test_a_signed_in_check_needs_the_csrf_token(self, volunteer, half):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(volunteer)
        page = page_of(browser.get(task_url(half)))
        token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

        assert browser.post(task_url(half, "check"), {"answer": "1/2"}, **FETCH).status_code == 403
        assert browser.post(task_url(half, "check"), {"answer": "1/2", "csrfmiddlewaretoken": token}, **FETCH).json()[
            "correct"
        ]
        assert TaskAttempt.objects.filter(user=volunteer).count() == 1

    def test_an_unpublished_task_is_checked_only_by_who_may_preview_it_and_nothing_is_kept(self, client, teacher):
        draft = TaskFactory(author=teacher, status=Task.Status.DRAFT, answer="7", answer_kind=AnswerKind.NUMBER)

        assert client.post(task_url(draft, "check"), {"answer": "7"}, **FETCH).status_code == 404
        client.force_login(teacher)
        assert check(client, draft, "7")["correct"] is True
        assert not TaskAttempt.objects.exists()

    def test_checks_are_limited_per_minute(self, client, volunteer, teacher, half, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "answer_check": {"ip": (2, 60), "user": (3, 60)}}

        assert [client.post(task_url(half, "check"), {"answer": "1"}, **FETCH).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        refused = client.post(task_url(half, "check"), {"answer": "1"}, **FETCH)
        assert refused.json()["message"] == "Слишком много проверок подряд. Подождите минуту и попробуйте ещё раз."
        page = client.post(task_url(half, "check"), {"answer": "1"})
        assert page.status_code == 429
        assert "Подождите минуту" in page.content.decode()
        # Signed-in users from the same address count each for themselves.
        for user in (volunteer, teacher):
            client.force_login(user)
            codes = [client.post(task_url(half, "check"), {"answer": "1/2"}, **FETCH).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
        assert TaskAttempt.objects.count() == 6


# --- The API ------------------------------------------------------------------------------


class TestApi:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_checks_an_answer_and_a_signed_in_one_is_kept(self, request, role, half):
        user = user_of_role(request, role)

        response = api_as(user).post(f"{API}/tasks/{half.pk}/check/", {"answer": "2/4"}, format="json")

        assert response.status_code == 200
        assert response.json() == {"correct": True, "hint": "", "understood_as": "0,5"}
        assert TaskAttempt.objects.filter(task=half).count() == (0 if user is None else 1)

    def test_kinds_and_hints_through_the_api(self, volunteer, square, capital, half):
        api = api_as(volunteer)

        assert api.post(f"{API}/tasks/{square.pk}/check/", {"answer": "x²+2x+1"}, format="json").json()["correct"]
        assert not api.post(f"{API}/tasks/{capital.pk}/check/", {"answer": "Тверь"}, format="json").json()["correct"]
        unclear = api.post(f"{API}/tasks/{half.pk}/check/", {"answer": "0,5,"}, format="json").json()
        assert unclear["correct"] is None and unclear["hint"]
        assert api.post(f"{API}/tasks/{half.pk}/check/", {}, format="json").status_code == 400
        assert [attempt.verdict for attempt in TaskAttempt.objects.order_by("pk")] == [True, False]

    def test_a_task_without_an_answer_or_unpublished_is_not_found(self, volunteer):
        for task in (TaskFactory(answer=""), TaskFactory(status=Task.Status.DRAFT)):
            response = api_as(volunteer).post(f"{API}/tasks/{task.pk}/check/", {"answer": "4"}, format="json")
            assert response.status_code == 404

    def test_the_api_is_limited_as_the_page(self, volunteer, half, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "answer_check": {"ip": (1, 60), "user": (1, 60)}}
        api = api_as(volunteer)

        assert api.post(f"{API}/tasks/{half.pk}/check/", {"answer": "1"}, format="json").status_code == 200
        refused = api.post(f"{API}/tasks/{half.pk}/check/", {"answer": "1"}, format="json")
        assert refused.status_code == 429
        assert refused.json() == {"detail": "Слишком много проверок подряд. Подождите минуту и попробуйте ещё раз."}

    def test_the_task_tells_its_answer_kind_not_its_answer(self, half):
        data = api_as().get(f"{API}/tasks/{half.pk}/").json()

        assert (data["answer_kind"], data["has_answer"]) == ("number", True)
        assert "answer" not in data and "0,5" not in json.dumps(data)


# --- Kinds of answers where tasks are written -------------------------------------------------


def test_the_migration_gives_existing_tasks_the_kind_their_answer_reads_as(db):
    migration = importlib.import_module("problems.migrations.0005_answer_kinds_of_existing_tasks")
    half = TaskFactory(answer="0,5")
    city = TaskFactory(answer="Москва")
    root = TaskFactory(answer="√2")
    none = TaskFactory(answer="")

    migration.guess_answer_kinds(apps, None)

    kinds = dict(Task.objects.values_list("pk", "answer_kind"))
    assert kinds == {half.pk: "number", city.pk: "text", root.pk: "number", none.pk: "text"}


def test_the_suggestion_form_refuses_an_answer_that_does_not_read_as_its_kind(as_teacher):
    block = BlockFactory()

    response = as_teacher.post("/problems/suggest/", suggestion(block, answer="Москва", answer_kind="number"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["answer"] == [
        "Ответ не читается как «число»: не понятно слово «Москва». Исправьте ответ или выберите другой вид ответа."
    ]
    assert not Task.objects.exists()


def test_the_suggestion_form_takes_a_kind_and_a_tolerance_with_a_comma(as_teacher):
    block = BlockFactory()

    response = as_teacher.post(
        "/problems/suggest/", suggestion(block, answer="3,14", answer_kind="number", answer_tolerance="0,01")
    )

    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.answer_kind, task.answer_tolerance) == ("number", Decimal("0.01"))


def test_the_suggestion_form_refuses_a_tolerance_for_text_and_an_uncheckable_equation(as_teacher):
    block = BlockFactory()

    text = as_teacher.post(
        "/problems/suggest/", suggestion(block, answer="Москва", answer_kind="text", answer_tolerance="0,1")
    )
    periodic = as_teacher.post("/problems/suggest/", suggestion(block, answer="sin x = 0", answer_kind="equation"))

    assert text.context["form"].errors["answer_tolerance"][0].startswith("Погрешность учитывается только")
    assert "сравнить с ним ответ ученика нельзя" in periodic.context["form"].errors["answer"][0]
    assert not Task.objects.exists()


def test_the_admin_form_carries_the_kind_and_checks_the_answer(as_administrator):
    task = TaskFactory(answer="4")
    url = f"/admin/problems/task/{task.pk}/change/"
    page = page_of(as_administrator.get(url))
    assert 'name="answer_kind"' in page and 'name="answer_tolerance"' in page

    def posted(**changes):
        return as_administrator.post(url, change_form_data(as_administrator, url, answer_kind="expression", **changes))

    refused = posted(answer="x +")
    saved = posted(answer="2x")

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["answer"][0].startswith("Ответ не читается как «выражение»")
    assert saved.status_code == 302
    task.refresh_from_db()
    assert (task.answer, task.answer_kind) == ("2x", "expression")


# --- The import ----------------------------------------------------------------------------

BLOCK = {"type": "block", "key": "b", "title": "Блок"}


def task_row(key="t1", **fields):
    return {"type": "task", "key": key, "block": "b", "title": "Задача", "statement": "<p>…</p>", **fields}


def test_the_import_takes_kinds_and_tolerances_and_guesses_a_missing_kind(tmp_path):
    path = write(
        tmp_path,
        [
            BLOCK,
            task_row("pi", answer="3,14", answer_kind="number", answer_tolerance=0.01),
            task_row("roots", answer="x = 2 или x = 3", answer_kind="equation", answer_tolerance="0,001"),
            task_row("half", answer="1/2"),
            task_row("city", answer="Москва"),
        ],
    )

    import_problems(path)

    tasks = {task.external_key: (task.answer_kind, task.answer_tolerance) for task in Task.objects.all()}
    assert tasks == {
        "pi": ("number", Decimal("0.01")),
        "roots": ("equation", Decimal("0.001")),
        "half": ("number", None),
        "city": ("text", None),
    }
    assert "задачи: создано 0, обновлено 0, без изменений 4" in import_problems(path)  # compared as stored


def test_the_import_names_file_line_and_field_of_answers_that_do_not_fit_their_kind(tmp_path):
    path = write(
        tmp_path,
        [
            BLOCK,
            task_row("a", answer="Москва", answer_kind="number"),
            task_row("b", answer="4", answer_kind="число"),
            task_row("c", answer="4", answer_kind="number", answer_tolerance=-1),
            task_row("d", answer="Москва", answer_tolerance=0.5),
        ],
    )

    message, errors = import_failing(path)

    assert errors == [
        "bank.jsonl, строка 2, поле answer: Ответ не читается как «число»: не понятно слово «Москва». "
        "Исправьте ответ или выберите другой вид ответа.",
        "bank.jsonl, строка 3, поле answer_kind: неизвестный вид ответа «число»; ожидается number (число), "
        "expression (выражение), equation (уравнение), set (множество или промежуток), text (текст).",
        "bank.jsonl, строка 4, поле answer_tolerance: ожидается неотрицательное число до 999999.999999 с не более "
        "чем 6 знаками после запятой, например 0.01, а не -1.",
        "bank.jsonl, строка 5, поле answer_tolerance: Погрешность учитывается только в ответах видов «число», "
        "«уравнение», «множество или промежуток»: оставьте поле пустым.",
    ]
    assert message == "bank.jsonl: найдено ошибок: 4. Ничего не записано."
    assert not Task.objects.exists()
