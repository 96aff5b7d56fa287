"""The problem bank's API (/api/v1/problems/…) through real requests with a Bearer token:
the role matrix of every endpoint, unpublished tasks and private solutions never shown to
whom the site does not show them, the random draw and favourites, the lists' queries."""

import pytest

from accounts.roles import TEACHER
from accounts.tests.api_clients import ROLES, api_as, user_of_role
from accounts.tests.factories import UserFactory
from problems.models import Favorite, Task
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/problems"


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- Blocks and tasks ---------------------------------------------------------------------


class TestBlocks:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_reads_the_blocks_with_their_published_counts(self, request, role):
        second, first = BlockFactory(title="Проценты", order_number=2), BlockFactory(title="Дроби", order_number=1)
        TaskFactory.create_batch(2, block=first)
        TaskFactory(block=first, status=Task.Status.MODERATION)

        response = api_as(user_of_role(request, role)).get(f"{API}/blocks/")

        assert response.status_code == 200
        assert [(row["title"], row["task_count"]) for row in response.json()["results"]] == [
            ("Дроби", 2),
            ("Проценты", 0),
        ]
        assert second.pk in ids(response)

    def test_the_list_takes_the_same_queries_for_3_and_25(self, django_assert_max_num_queries):
        api = api_as()
        for count in (3, 25):
            for _ in range(count - len(ids(api.get(f"{API}/blocks/", {"page_size": 100})))):
                TaskFactory(block=BlockFactory())
            with django_assert_max_num_queries(2):
                response = api.get(f"{API}/blocks/", {"page_size": 25})
            assert len(response.json()["results"]) == count


class TestTasks:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_lists_published_tasks_by_block_and_search(self, request, role):
        block, other = BlockFactory(), BlockFactory()
        first = TaskFactory(block=block, title="Скорость поезда", statement="<p>Поезд <b>едет</b> быстро.</p>")
        second = TaskFactory(block=block, title="Бассейн")
        TaskFactory(block=other)
        TaskFactory(block=block, status=Task.Status.DRAFT, title="Поезд-черновик")
        api = api_as(user_of_role(request, role))

        by_block = api.get(f"{API}/tasks/", {"block": block.pk})
        searched = api.get(f"{API}/tasks/", {"block": block.pk, "q": "поезд"})

        assert by_block.status_code == 200
        assert ids(by_block) == [first.pk, second.pk]
        assert by_block.json()["results"][0]["excerpt"] == "Поезд едет быстро."
        assert ids(searched) == [first.pk]
        assert len(ids(api.get(f"{API}/tasks/"))) == 3
        assert api.get(f"{API}/tasks/", {"block": "x"}).status_code == 400

    def test_a_signed_in_reader_sees_their_stars(self, volunteer):
        starred, plain = TaskFactory(), TaskFactory()
        Favorite.objects.create(user=volunteer, task=starred)

        rows = api_as(volunteer).get(f"{API}/tasks/").json()["results"]

        assert {row["id"]: row["is_favorite"] for row in rows} == {starred.pk: True, plain.pk: False}

    @pytest.mark.parametrize(("role", "most"), [("anonymous", 2), ("volunteer", 4)])
    def test_a_page_takes_the_same_queries_for_3_and_25(self, request, django_assert_max_num_queries, role, most):
        """Anonymous: the count and the page; signed in: the token's user and the stars too."""
        user = user_of_role(request, role)
        api, block = api_as(user), BlockFactory()
        for count in (3, 25):
            for task in TaskFactory.create_batch(count - block.tasks.count(), block=block):
                if user and task.pk % 2:
                    Favorite.objects.create(user=user, task=task)
            with django_assert_max_num_queries(most):
                response = api.get(f"{API}/tasks/", {"block": block.pk, "page_size": 25})
            assert len(response.json()["results"]) == count
            with django_assert_max_num_queries(most):
                assert api.get(f"{API}/tasks/", {"q": "задача", "page_size": 25}).json()["count"] == count


class TestTask:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_reads_a_published_task_without_its_answer(self, request, role):
        task = TaskFactory(title="Корни", answer="4")
        task.references.add(ReferenceFactory())

        response = api_as(user_of_role(request, role)).get(f"{API}/tasks/{task.pk}/")

        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["status"], body["reference_count"]) == ("Корни", "published", 1)
        assert "answer" not in body

    @pytest.mark.parametrize(
        ("role", "status"),
        [("anonymous", 404), ("volunteer", 404), ("teacher", 404), ("administrator", 200), ("main_admin", 200)],
    )
    def test_a_task_on_moderation_is_its_authors_and_the_moderators(self, request, role, status):
        author = UserFactory(roles=[TEACHER])
        task = TaskFactory(status=Task.Status.MODERATION, author=author)

        assert api_as(user_of_role(request, role)).get(f"{API}/tasks/{task.pk}/").status_code == status
        assert api_as(author).get(f"{API}/tasks/{task.pk}/").status_code == 200
        assert api_as(user_of_role(request, role)).get(f"{API}/tasks/{task.pk}/solutions/").status_code == status


class TestSolutions:
    @pytest.fixture
    def task(self, db):
        task = TaskFactory(answer="4")
        task.public = SolutionFactory(task=task, title="Открытое")
        task.private = SolutionFactory(task=task, title="Скрытое", is_private=True, author=UserFactory(roles=[TEACHER]))
        return task

    @pytest.mark.parametrize(
        ("role", "sees_private"),
        [
            ("anonymous", False),
            ("volunteer", False),
            ("teacher", False),
            ("administrator", True),
            ("main_admin", True),
        ],
    )
    def test_a_private_solution_only_to_its_author_and_administrators(self, request, task, role, sees_private):
        response = api_as(user_of_role(request, role)).get(f"{API}/tasks/{task.pk}/solutions/")

        assert response.status_code == 200
        body = response.json()
        assert body["answer"] == "4"
        assert [row["title"] for row in body["results"]] == ["Открытое", "Скрытое"][: 2 if sees_private else 1]
        assert ("Скрытое" in response.content.decode()) is sees_private

    def test_the_author_sees_their_private_solution(self, task):
        body = api_as(task.private.author).get(f"{API}/tasks/{task.pk}/solutions/").json()

        assert [(row["title"], row["is_mine"]) for row in body["results"]] == [("Открытое", False), ("Скрытое", True)]

    def test_no_other_list_carries_a_solution(self, task, volunteer):
        for url in (f"{API}/tasks/", f"{API}/tasks/{task.pk}/", f"{API}/favorites/"):
            assert "Скрытое" not in api_as(volunteer).get(url).content.decode()

    def test_the_list_takes_the_same_queries_for_3_and_25(self, task, volunteer, django_assert_max_num_queries):
        """The token's user, the task, the user's permissions (two), the count, the page."""
        api = api_as(volunteer)
        for count in (3, 25):
            SolutionFactory.create_batch(count - task.solutions.filter(is_private=False).count(), task=task)
            with django_assert_max_num_queries(6):
                response = api.get(f"{API}/tasks/{task.pk}/solutions/", {"page_size": 25})
            assert len(response.json()["results"]) == count


# --- The random variant -------------------------------------------------------------------


class TestRandomVariant:
    @pytest.mark.parametrize("role", ROLES)
    def test_one_published_task_per_chosen_block(self, request, role):
        first, second, empty, unchosen = BlockFactory(), BlockFactory(), BlockFactory(), BlockFactory()
        first_tasks = {task.pk for task in TaskFactory.create_batch(3, block=first)}
        second_tasks = {TaskFactory(block=second).pk}
        TaskFactory(block=second, status=Task.Status.DRAFT)
        TaskFactory(block=unchosen)

        response = api_as(user_of_role(request, role)).post(
            f"{API}/variants/random/", {"blocks": [second.pk, first.pk, empty.pk]}, format="json"
        )

        assert response.status_code == 200
        body = response.json()
        [from_first, from_second] = [task["id"] for task in body["tasks"]]  # in the blocks' order
        assert from_first in first_tasks and from_second in second_tasks
        assert body["skipped_blocks"] == [empty.pk]
        assert "answer" not in body["tasks"][0]

    def test_bad_choices_are_refused(self, db):
        empty = BlockFactory()
        api = api_as()

        assert api.post(f"{API}/variants/random/", {"blocks": []}, format="json").status_code == 400
        unknown = api.post(f"{API}/variants/random/", {"blocks": [empty.pk + 1000]}, format="json")
        assert unknown.status_code == 400 and "blocks" in unknown.json()
        nothing = api.post(f"{API}/variants/random/", {"blocks": [empty.pk]}, format="json")
        assert nothing.json() == {"blocks": ["В выбранных блоках нет опубликованных задач."]}


# --- Favourites ---------------------------------------------------------------------------


class TestFavorites:
    URL = f"{API}/favorites/"

    @pytest.mark.parametrize("role", ROLES)
    def test_signed_in_users_keep_their_own(self, request, role):
        task = TaskFactory()
        Favorite.objects.create(user=UserFactory(), task=task)  # someone else's
        user = user_of_role(request, role)
        api = api_as(user)

        listed = api.get(self.URL)
        added = api.post(self.URL, {"task": task.pk}, format="json")
        removed = api.delete(f"{self.URL}{task.pk}/")

        if role == "anonymous":
            assert (listed.status_code, added.status_code, removed.status_code) == (401, 401, 401)
            assert Favorite.objects.count() == 1
        else:
            assert listed.status_code == 200 and listed.json()["results"] == []
            assert added.status_code == 201 and removed.status_code == 204
            assert Favorite.objects.get().user != user

    def test_add_list_and_remove(self, volunteer):
        task = TaskFactory(title="Дроби")
        api = api_as(volunteer)

        assert api.post(self.URL, {"task": task.pk}, format="json").status_code == 201
        assert api.post(self.URL, {"task": task.pk}, format="json").status_code == 200
        [row] = api.get(self.URL).json()["results"]
        assert (row["task"]["id"], row["task"]["title"], row["task"]["is_favorite"]) == (task.pk, "Дроби", True)
        assert api.delete(f"{self.URL}{task.pk}/").status_code == 204
        assert api.delete(f"{self.URL}{task.pk}/").status_code == 404
        assert not Favorite.objects.exists()

    def test_only_published_tasks_are_starred(self, volunteer):
        draft = TaskFactory(status=Task.Status.DRAFT)

        assert api_as(volunteer).post(self.URL, {"task": draft.pk}, format="json").status_code == 404
        assert api_as(volunteer).post(self.URL, {"task": "x"}, format="json").status_code == 400

    def test_the_list_takes_the_same_queries_for_3_and_25(self, volunteer, django_assert_max_num_queries):
        api = api_as(volunteer)
        for count in (3, 25):
            for task in TaskFactory.create_batch(count - Favorite.objects.count()):
                Favorite.objects.create(user=volunteer, task=task)
            with django_assert_max_num_queries(3):
                response = api.get(self.URL, {"page_size": 25})
            assert len(response.json()["results"]) == count


def test_the_url_names():
    from django.urls import reverse

    assert reverse("api:problems-task-list") == f"{API}/tasks/"
    assert reverse("api:problems-task-solutions", args=[4]) == f"{API}/tasks/4/solutions/"
    assert reverse("api:problems-variant-random") == f"{API}/variants/random/"
    assert reverse("api:problems-favorite-detail", args=[4]) == f"{API}/favorites/4/"
