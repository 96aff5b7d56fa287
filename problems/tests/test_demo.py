from io import StringIO

import pytest
from django.core.management import call_command

import accounts.demo
import problems.demo
from accounts.models import Message
from problems.models import Block, Favorite, Reference, Solution, Task, Variant, VariantTask

pytestmark = pytest.mark.django_db

FIRST_RUN = {
    "блоки задач": 6,
    "справочные материалы": 10,
    "задачи": 50,
    "предложенные задачи": 2,
    "избранные задачи": 4,
    "варианты": 1,
}


def snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Block,
            Reference,
            Task,
            Task.references.through,
            Solution,
            Favorite,
            Variant,
            VariantTask,
            Message,
        )
    }


def test_seeding_twice_creates_nothing_the_second_time_and_changes_nothing():
    accounts.demo.seed()

    assert problems.demo.seed() == FIRST_RUN
    before = snapshot()

    assert problems.demo.seed() == dict.fromkeys(FIRST_RUN, 0)
    assert snapshot() == before


def test_demo_users_get_suggestions_favourites_and_a_variant():
    accounts.demo.seed()
    problems.demo.seed()

    suggested = Task.objects.filter(status=Task.Status.MODERATION).order_by("pk")
    assert [task.author.email for task in suggested] == ["teacher@volna.example"] * 2
    assert [task.title for task in suggested] == ["Площадь и сторона ромба", "Биквадратное уравнение"]
    assert all(task.solutions.exists() for task in suggested)
    favourites = Favorite.objects.filter(user__email="volunteer@volna.example")
    assert sorted(favourites.values_list("task__external_key", flat=True)) == ["eq-02", "geo-01", "prob-08", "trig-04"]
    variant = Variant.objects.get(owner__email="volunteer@volna.example")
    assert variant.title == "Тренировочный вариант"
    assert list(variant.entries.values_list("task__external_key", flat=True)) == list(problems.demo.DEMO_VARIANT_TASKS)


def test_without_the_demo_accounts_only_the_bank_is_loaded():
    assert problems.demo.seed() == {
        **dict.fromkeys(FIRST_RUN, 0),
        "блоки задач": 6,
        "справочные материалы": 10,
        "задачи": 50,
    }


def test_seed_demo_loads_the_problem_bank():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert "блоки задач: 6, справочные материалы: 10, задачи: 50, предложенные задачи: 2" in out.getvalue()
    assert Task.objects.filter(status=Task.Status.PUBLISHED).count() == 50
