"""A learner's progress: «Решено задач: N из M» and ✓ on a block's page, «Мои решения»,
the random variant of unsolved tasks only, and the attempts in the admin."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from core.answerkind import AnswerKind
from problems.models import Task, TaskAttempt
from problems.selectors import random_task_ids
from problems.tests.factories import BlockFactory, TaskFactory
from problems.tests.test_browsing import block_url, page_of, queries_for, task_url
from problems.views.variants import draw_versions

pytestmark = pytest.mark.django_db

ATTEMPTS_URL = "/problems/attempts/"
RANDOM_URL = "/problems/variants/random/"
SOLVED_MARK = '<span aria-hidden="true">✓</span><span class="visually-hidden">решена</span>'


def attempt(user, task, verdict=True, answer="4"):
    return TaskAttempt.objects.create(user=user, task=task, answer=answer, verdict=verdict)


def solved_titles(page: str) -> list[str]:
    return re.findall(r">([^<>]+)</a> <span class=\"task-solved\">", page)


# --- A block's page ------------------------------------------------------------------------


class TestBlockProgress:
    def test_a_signed_in_learner_sees_what_they_solved(self, client, volunteer):
        block = BlockFactory()
        solved, wrong, untouched = (TaskFactory(block=block, title=title) for title in ("Первая", "Вторая", "Третья"))
        hidden = TaskFactory(block=block, status=Task.Status.MODERATION)
        attempt(volunteer, solved, verdict=False)
        attempt(volunteer, solved)
        attempt(volunteer, solved)  # solved twice is one task
        attempt(volunteer, wrong, verdict=False)
        attempt(volunteer, hidden)  # not in the bank now
        attempt(UserFactory(), untouched)  # someone else's
        client.force_login(volunteer)

        page = page_of(client.get(block_url(block)))

        assert "Решено задач: 1 из 3" in page
        assert solved_titles(page) == ["Первая"]
        assert page.count(SOLVED_MARK) == 1

    def test_anonymous_visitors_see_no_progress(self, client, volunteer):
        task = TaskFactory()
        attempt(volunteer, task)

        page = page_of(client.get(block_url(task.block)))

        assert "Решено задач" not in page and "task-solved" not in page

    def test_progress_counts_the_whole_block_whatever_the_page(self, client, volunteer):
        block = BlockFactory()
        tasks = TaskFactory.create_batch(25, block=block)
        for task in tasks[:3] + tasks[-2:]:
            attempt(volunteer, task)
        client.force_login(volunteer)

        first, second = (page_of(client.get(block_url(block), {"page": number})) for number in (1, 2))

        assert "Решено задач: 5 из 25" in first and "Решено задач: 5 из 25" in second
        assert (first.count(SOLVED_MARK), second.count(SOLVED_MARK)) == (3, 2)

    def test_in_a_fixed_number_of_queries_however_many_solved(self, client, volunteer):
        few, many = BlockFactory(), BlockFactory()
        TaskFactory.create_batch(3, block=few)
        for task in TaskFactory.create_batch(40, block=many):
            attempt(volunteer, task)
            attempt(volunteer, task, verdict=False)
        client.force_login(volunteer)

        # session, user with the unread messages count, the block, the page, stars, progress
        assert queries_for(client, block_url(few)) == queries_for(client, block_url(many)) == 6


# --- «Мои решения» ------------------------------------------------------------------------


class TestMyAttempts:
    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(ATTEMPTS_URL)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("role", ["volunteer", "teacher", "administrator", "main_admin"])
    def test_every_signed_in_user_sees_their_own_newest_first(self, request, client, role):
        user = request.getfixturevalue(role)
        mine = TaskFactory(title="Моя задача", answer="0,5", answer_kind=AnswerKind.NUMBER)
        attempt(user, mine, verdict=False, answer="0,6")
        attempt(user, mine, verdict=True, answer="1/2")
        attempt(UserFactory(), TaskFactory(title="Чужая задача"), answer="чужой ответ")
        client.force_login(user)

        page = page_of(client.get(ATTEMPTS_URL))

        assert "Мои решения" in page and "Ответов: 2" in page
        assert page.index("1/2") < page.index("0,6")  # newest first
        assert f'href="{task_url(mine)}">Моя задача</a>' in page
        assert "✓</span> верно" in page and "✗</span> неверно" in page
        assert "Чужая задача" not in page and "чужой ответ" not in page

    def test_filtered_by_block_and_by_verdict(self, client, volunteer):
        algebra, geometry = BlockFactory(title="Алгебра"), BlockFactory(title="Геометрия")
        attempt(volunteer, TaskFactory(block=algebra, title="Уравнение"), verdict=True, answer="x = 1")
        attempt(volunteer, TaskFactory(block=algebra, title="Неравенство"), verdict=False, answer="x > 2")
        attempt(volunteer, TaskFactory(block=geometry, title="Угол"), verdict=False, answer="30°")
        client.force_login(volunteer)

        def titles(**params) -> list[str]:
            return re.findall(r'<td>\s*<a href="[^"]+">([^<]+)</a>', page_of(client.get(ATTEMPTS_URL, params)))

        assert titles() == ["Угол", "Неравенство", "Уравнение"]
        assert titles(block=algebra.pk) == ["Неравенство", "Уравнение"]
        assert titles(verdict="wrong") == ["Угол", "Неравенство"]
        assert titles(block=algebra.pk, verdict="right") == ["Уравнение"]

    def test_a_task_taken_out_of_the_bank_is_named_without_a_link(self, client, volunteer):
        task = TaskFactory(title="На доработке", status=Task.Status.MODERATION)
        attempt(volunteer, task)
        client.force_login(volunteer)

        page = page_of(client.get(ATTEMPTS_URL))

        assert 'На доработке <span class="hint">(сейчас не опубликована)</span>' in page
        assert task_url(task) not in page

    def test_paginated_in_a_fixed_number_of_queries(self, client, volunteer):
        client.force_login(volunteer)
        attempt(volunteer, TaskFactory())
        few = queries_for(client, ATTEMPTS_URL)
        for task in TaskFactory.create_batch(40):
            attempt(volunteer, task)

        assert queries_for(client, ATTEMPTS_URL) == few
        assert "Страница 1 из 2" in page_of(client.get(ATTEMPTS_URL))

    def test_the_bank_links_to_it_for_signed_in_users(self, client, volunteer):
        assert ATTEMPTS_URL not in page_of(client.get("/problems/"))
        client.force_login(volunteer)
        assert f'href="{ATTEMPTS_URL}">Мои решения</a>' in page_of(client.get("/problems/"))


# --- Unsolved tasks only ----------------------------------------------------------------


class TestUnsolvedVariant:
    @pytest.fixture
    def bank(self, volunteer):
        first, second = BlockFactory(title="Первый"), BlockFactory(title="Второй")
        first_tasks = TaskFactory.create_batch(4, block=first)
        second_tasks = TaskFactory.create_batch(2, block=second)
        for task in first_tasks[:3] + second_tasks:
            attempt(volunteer, task)
        attempt(volunteer, first_tasks[3], verdict=False)  # tried, not solved
        return first, second, first_tasks[3]

    def test_the_draw_skips_solved_tasks(self, volunteer, bank):
        first, second, unsolved = bank

        for _ in range(20):
            drawn = random_task_ids([first.pk, second.pk], per_block=2, unsolved_by=volunteer)
            assert drawn == {first.pk: [unsolved.pk]}
            assert draw_versions([first.pk, second.pk], 3, unsolved_by=volunteer) == [[unsolved.pk]] * 3
        assert len(random_task_ids([first.pk], per_block=20)[first.pk]) > 1  # everyone else: all of them

    def test_a_signed_in_learner_asks_for_unsolved_tasks(self, client, volunteer, bank):
        first, second, unsolved = bank
        client.force_login(volunteer)
        assert "Только нерешённые задачи" in page_of(client.get(RANDOM_URL))

        response = client.get(RANDOM_URL, {"blocks": [first.pk, second.pk], "versions": 1, "unsolved": "on"})

        assert response.status_code == 302
        assert response["Location"] == f"{RANDOM_URL}?unsolved=1&tasks={unsolved.pk}"
        page = page_of(client.get(response["Location"]))
        assert "Все задачи уже решены в блоках: «Второй»." in page
        assert re.search(r'name="unsolved"[^>]* checked', page)

    def test_when_everything_is_solved_the_form_says_so(self, client, volunteer, bank):
        _first, second, _unsolved = bank
        client.force_login(volunteer)

        page = page_of(client.get(RANDOM_URL, {"blocks": [second.pk], "versions": 1, "unsolved": "on"}))

        assert "В выбранных блоках нет нерешённых задач." in page

    def test_anonymous_visitors_are_not_offered_the_choice(self, client, volunteer, bank):
        _first, second, _unsolved = bank

        assert "Только нерешённые задачи" not in page_of(client.get(RANDOM_URL))
        response = client.get(RANDOM_URL, {"blocks": [second.pk], "versions": 1, "unsolved": "on"})
        assert response.status_code == 302 and "unsolved" not in response["Location"]


# --- The admin ----------------------------------------------------------------------------


def test_administrators_read_attempts_in_the_admin_and_teachers_do_not(client, administrator, teacher):
    row = attempt(UserFactory(last_name="Соколова"), TaskFactory(title="Бассейн"), answer="12 ч")
    client.force_login(administrator)

    found = client.get("/admin/problems/taskattempt/", {"q": "Соколова"})
    assert found.status_code == 200 and list(found.context["cl"].result_list) == [row]
    assert client.get(f"/admin/problems/taskattempt/{row.pk}/change/").status_code == 200
    assert client.get("/admin/problems/taskattempt/add/").status_code == 403
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/problems/taskattempt/")
    for _ in range(10):
        attempt(UserFactory(), TaskFactory())
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/problems/taskattempt/")
    assert len(few) == len(many)
    client.force_login(teacher)
    assert client.get("/admin/problems/taskattempt/").status_code == 403
