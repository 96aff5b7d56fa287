"""/api/v1/search/ through real requests with a Bearer token: the site search (config.views)
as JSON — the same results for every role, only what anyone may see, a kind's pages, the
suggestion, and a fixed number of queries."""

import pytest
from django.core.cache import cache

from accounts.tests.api_clients import ROLES, api_as, user_of_role
from courses.tests.factories import CourseFactory
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from problems.models import Task
from problems.tests.factories import ReferenceFactory, SolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search/"


def found(response, kind: str) -> list[str]:
    return [row["title"] for row in response.json()["results"] if row["kind"] == kind]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_finds_what_anyone_may_see(request, role):
    task = TaskFactory(title="Треугольник на плоскости", statement="<p>Найдите площадь треугольника.</p>")
    TaskFactory(title="Треугольник-черновик", status=Task.Status.DRAFT)
    SolutionFactory(task=task, title="Тайное решение", text="<p>Треугольник режем пополам.</p>", is_private=True)
    MethodicFactory(title="Треугольник из верёвки")
    MethodicFactory(title="Треугольник-набросок", status=Methodic.Status.DRAFT, published_at=None)
    CourseFactory(title="Треугольник спасателя")
    CourseFactory(title="Треугольник скрытый", published=False)
    ReferenceFactory(title="Площадь треугольника")

    response = api_as(user_of_role(request, role)).get(SEARCH, {"q": "треугольник"})

    assert response.status_code == 200
    body = response.json()
    assert found(response, "tasks") == ["Треугольник на плоскости"]
    assert found(response, "methodics") == ["Треугольник из верёвки"]
    assert found(response, "courses") == ["Треугольник спасателя"]
    assert found(response, "references") == ["Площадь треугольника"]
    assert {group["kind"]: group["count"] for group in body["groups"]} == {
        "courses": 1,
        "methodics": 1,
        "tasks": 1,
        "references": 1,
    }
    assert body["count"] == 4 and body["next"] is None and body["suggestion"] is None
    [task_row] = [row for row in body["results"] if row["kind"] == "tasks"]
    assert task_row["id"] == task.pk
    assert task_row["url"] == f"http://testserver/problems/tasks/{task.pk}/"
    assert "<mark>" in task_row["snippet"]
    assert "Тайное" not in response.content.decode() and "режем" not in response.content.decode()


def test_a_kind_page_by_page(db):
    tasks = [TaskFactory(title=f"Уравнение {number}") for number in range(25)]
    api = api_as()

    first = api.get(SEARCH, {"q": "уравнение", "kind": "tasks"}).json()
    second = api.get(first["next"]).json()

    assert first["count"] == 25 and len(first["results"]) == 20 and first["previous"] is None
    assert len(second["results"]) == 5 and second["next"] is None and second["previous"] is not None
    assert {row["id"] for row in first["results"] + second["results"]} == {task.pk for task in tasks}


def test_nothing_found_suggests_and_nothing_asked_finds_nothing(db):
    TaskFactory(title="Треугольник")
    api = api_as()

    assert api.get(SEARCH, {"q": "треугольнек"}).json()["suggestion"] == "треугольник"
    empty = api.get(SEARCH, {"q": "  ?! "}).json()
    assert (empty["count"], empty["results"], empty["groups"]) == (0, [], [])


@pytest.mark.parametrize(("role", "most"), [("anonymous", 4), ("volunteer", 5)])
def test_the_same_queries_for_3_and_25_matches(request, django_assert_max_num_queries, role, most):
    """The search's one query, inside index_scans (here a savepoint, the planner's setting,
    the query, the release); signed in, the token's user too. Found results are kept in
    the cache, which is emptied before each count so that the search runs."""
    api = api_as(user_of_role(request, role))
    for count in (3, 25):
        for number in range(count - Task.objects.count()):
            TaskFactory(title=f"Задача о поездах {number}")
        cache.clear()
        with django_assert_max_num_queries(most):
            response = api.get(SEARCH, {"q": "поезд", "page_size": 25})
        assert response.json()["count"] == count


def test_the_url_name():
    from django.urls import reverse

    assert reverse("api:search") == SEARCH
