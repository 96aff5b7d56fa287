"""Pages kept for anonymous visitors (core.cache.kept_for_visitors)."""

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path

from accounts.tests.factories import TEST_PASSWORD
from core.cache import kept_for_visitors, kept_until_content_changes
from courses.services import enrol, lesson_finish
from courses.tests.factories import CourseFactory, add_chapter, add_lesson
from problems.models import Variant
from problems.services import favorite_toggle, variant_save
from problems.tests.factories import BlockFactory, TaskFactory
from volunteers.tests.factories import VolunteerFactory


@kept_for_visitors
def with_token(request):
    return HttpResponse(f"form {get_token(request)}")


@kept_for_visitors
def with_message(request):
    messages.info(request, "Сообщение")
    return HttpResponse("page")


urlpatterns = [path("token/", with_token), path("message/", with_message)]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_kept(settings):
    settings.PAGE_CACHE_SECONDS = 60


def queries(django_assert_num_queries, client, url, count, **params):
    with django_assert_num_queries(count):
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_visitor_gets_the_kept_page_until_something_changes(client, django_assert_num_queries):
    block = BlockFactory(title="Дроби")
    TaskFactory(block=block, title="Сложение дробей")
    url = f"/problems/blocks/{block.pk}/"

    first = queries(django_assert_num_queries, client, url, 2)
    again = queries(django_assert_num_queries, client, url, 0)
    TaskFactory(block=block, title="Вычитание дробей")
    after = queries(django_assert_num_queries, client, url, 2)

    assert again == first
    assert "Вычитание дробей" not in first
    assert "Вычитание дробей" in after


def test_what_people_do_keeps_the_kept_pages(client, django_assert_num_queries):
    task = TaskFactory(title="Сложение дробей")
    url = f"/problems/blocks/{task.block_id}/"
    course = CourseFactory()
    lesson = add_lesson(add_chapter(course))
    learner = VolunteerFactory()
    queries(django_assert_num_queries, client, url, 2)

    assert Client().login(username=learner.user.username, password=TEST_PASSWORD)  # last_login
    lesson_finish(enrolment=enrol(volunteer=learner, course=course), lesson=lesson)
    favorite_toggle(user=learner.user, task=task)
    variant_save(owner=learner.user, title="Мой вариант", kind=Variant.Kind.MANUAL, task_ids=[task.pk])

    queries(django_assert_num_queries, client, url, 0)
    learner.user.first_name = "Переименованный"  # an author's name is shown: content
    learner.user.save()
    queries(django_assert_num_queries, client, url, 2)


def test_each_url_is_kept_apart(client):
    TaskFactory(title="Квадратное уравнение")
    TaskFactory(title="Треугольник")

    assert "Треугольник" not in client.get("/search/", {"q": "уравнение"}).content.decode()
    assert "Треугольник" in client.get("/search/", {"q": "треугольник"}).content.decode()


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


def test_errors_are_not_kept(client):
    assert client.get("/problems/blocks/999999/").status_code == 404
    block = BlockFactory(pk=999999)

    assert client.get(f"/problems/blocks/{block.pk}/").status_code == 200


def test_off_with_zero_seconds(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    block = TaskFactory().block
    url = f"/problems/blocks/{block.pk}/"

    queries(django_assert_num_queries, client, url, 2)
    queries(django_assert_num_queries, client, url, 2)


def test_a_kept_value_is_built_again_after_any_change_of_content(settings):
    built = []

    def build():
        built.append(len(built))
        return {"built": len(built)}

    assert kept_until_content_changes("list", build) == {"built": 1}
    assert kept_until_content_changes("list", build) == {"built": 1}
    assert kept_until_content_changes("other", build) == {"built": 2}
    BlockFactory()
    assert kept_until_content_changes("list", build) == {"built": 3}
    settings.PAGE_CACHE_SECONDS = 0
    assert kept_until_content_changes("list", build) == {"built": 4}
