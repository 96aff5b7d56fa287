"""The shared cache's areas (core.cache): values and pages kept under the versions of the
areas they are read from, retired by `content_changed`, built once on a miss."""

import threading
import time

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import path

from core.cache import cached, content_changed, kept_for_visitors, versions
from problems.tests.factories import BlockFactory, TaskFactory


@kept_for_visitors("problems")
def with_token(request):
    return HttpResponse(f"form {get_token(request)}")


@kept_for_visitors("problems")
def with_message(request):
    messages.info(request, "Сообщение")
    return HttpResponse("page")


def versions_in_a_request(request):
    from django.core.cache import cache

    first = versions(["courses"])
    cache.incr("area:courses")  # another server's change while this request runs
    after_another_server = versions(["courses"])
    content_changed("courses")
    return JsonResponse(
        {"first": first, "after_another_server": after_another_server, "after_its_own_change": versions(["courses"])}
    )


urlpatterns = [
    path("token/", with_token),
    path("message/", with_message),
    path("versions/", versions_in_a_request),
]


def queries(django_assert_num_queries, client, url, count, **params):
    with django_assert_num_queries(count):
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_visitor_gets_the_kept_page_until_its_area_changes(client, django_assert_num_queries):
    block = BlockFactory(title="Дроби")
    TaskFactory(block=block, title="Сложение дробей")
    url = f"/problems/blocks/{block.pk}/"
    first = queries(django_assert_num_queries, client, url, 2)
    TaskFactory(block=block, title="Вычитание дробей")  # behind the services' back: nobody said so

    assert queries(django_assert_num_queries, client, url, 0) == first
    content_changed("methodics", "courses")  # other areas keep it
    assert queries(django_assert_num_queries, client, url, 0) == first
    content_changed("problems")
    assert "Вычитание дробей" in queries(django_assert_num_queries, client, url, 2)


@pytest.mark.django_db
def test_each_url_is_kept_apart(client):
    TaskFactory(title="Квадратное уравнение")
    TaskFactory(title="Треугольник")

    assert "Треугольник" not in client.get("/search/", {"q": "уравнение"}).content.decode()
    assert "Треугольник" in client.get("/search/", {"q": "треугольник"}).content.decode()


@pytest.mark.django_db
def test_signed_in_users_always_reach_the_view(as_volunteer, volunteer):
    block = BlockFactory()
    url = f"/problems/blocks/{block.pk}/"
    Client().get(url)  # kept for visitors now

    page = as_volunteer.get(url).content.decode()

    assert volunteer.get_full_name() in page


def test_pages_that_need_a_cookie_are_not_kept(settings):
    settings.ROOT_URLCONF = __name__

    # A kept page would come back without the cookie the first one set.
    for _ in range(2):
        assert Client().get("/token/").cookies.get(settings.CSRF_COOKIE_NAME)
        assert Client().get("/message/").cookies.get("messages")


@pytest.mark.django_db
def test_errors_are_not_kept(client):
    assert client.get("/problems/blocks/999999/").status_code == 404
    block = BlockFactory(pk=999999)

    assert client.get(f"/problems/blocks/{block.pk}/").status_code == 200


@pytest.mark.django_db
def test_off_with_zero_seconds(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    block = TaskFactory().block
    url = f"/problems/blocks/{block.pk}/"

    queries(django_assert_num_queries, client, url, 2)
    queries(django_assert_num_queries, client, url, 2)


@pytest.mark.django_db  # content_changed retires again at the commit
def test_a_cached_value_is_built_again_only_when_one_of_its_areas_changes():
    built = []

    def build():
        built.append(len(built))
        return {"built": len(built)}

    assert cached("list", build, areas=["courses", "site"]) == {"built": 1}
    assert cached("list", build, areas=["site", "courses"]) == {"built": 1}
    assert cached("other", build, areas=["courses"]) == {"built": 2}
    content_changed("problems")
    assert cached("list", build, areas=["courses", "site"]) == {"built": 1}
    content_changed("site")
    assert cached("list", build, areas=["courses", "site"]) == {"built": 3}


@pytest.mark.django_db
def test_a_change_retires_now_and_again_when_it_commits(django_capture_on_commit_callbacks):
    built = []

    def build():
        built.append(1)
        return len(built)

    with django_capture_on_commit_callbacks(execute=True):
        content_changed("courses")
        assert cached("list", build, areas=["courses"]) == 1  # a request read it before the commit
    assert cached("list", build, areas=["courses"]) == 2


def test_a_lost_version_starts_anew_and_never_meets_an_old_key():
    from django.core.cache import cache

    before = versions(["courses"])
    cache.delete("area:courses")  # evicted

    assert versions(["courses"]) != before


@pytest.mark.django_db
def test_a_request_reads_each_version_once_and_sees_its_own_changes(settings):
    from django.core.cache import cache

    settings.ROOT_URLCONF = __name__
    before = versions(["courses"])
    seen = Client().get("/versions/").json()

    assert seen["first"] == seen["after_another_server"] == before  # one state of the site per request
    assert seen["after_its_own_change"] != before  # the request's own change: seen at once
    # Outside a request, and in the next one, every read goes to the cache.
    assert versions(["courses"]) == seen["after_its_own_change"]
    cache.incr("area:courses")
    current = versions(["courses"])
    assert current != seen["after_its_own_change"]
    assert Client().get("/versions/").json()["first"] == current


def test_a_miss_is_built_once_while_the_others_wait():
    started, built = threading.Barrier(16), []

    def build():
        built.append(1)
        time.sleep(0.2)  # a slow query
        return "value"

    results = []

    def read():
        started.wait()
        results.append(cached("slow", build, areas=["problems"]))

    threads = [threading.Thread(target=read) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert built == [1]
    assert results == ["value"] * 16


@pytest.mark.django_db
def test_a_retired_page_is_made_once_for_a_crowd_of_visitors():
    made = []

    @kept_for_visitors("problems")
    def slow_page(request):
        made.append(1)
        time.sleep(0.2)
        return HttpResponse("страница")

    started, statuses = threading.Barrier(16), []

    def visit():
        request = RequestFactory().get("/kept/")
        request.user = AnonymousUser()
        started.wait()
        response = slow_page(request)
        statuses.append((response.status_code, response.content.decode()))

    content_changed("problems")
    threads = [threading.Thread(target=visit) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert made == [1]
    assert statuses == [(200, "страница")] * 16
