import pytest

import accounts.demo
from methodics import demo
from methodics.models import Category, Comment, Methodic, MethodicMedia, MethodicStep, Tag

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, ...]:
    models = (Category, Tag, Methodic, MethodicStep, MethodicMedia, Comment)
    return tuple(model.objects.count() for model in models)


def test_seed_creates_the_demo_library_once():
    accounts.demo.seed()

    counts = demo.seed()

    assert counts == {"категории методик": 7, "методики": 12, "комментарии к методикам": 5}
    methodics = Methodic.objects.all()
    assert methodics.count() == 12
    assert {methodic.author.email for methodic in methodics} == {"teacher@volna.example"}
    assert methodics.filter(status=Methodic.Status.DRAFT).count() == 2
    assert Category.objects.filter(parent__isnull=True).count() == 4
    assert Methodic.objects.filter(category__name="Игры на знакомство").count() == 2
    for methodic in methodics:
        steps = list(methodic.steps.all())
        assert 2 <= len(steps) <= 5
        assert methodic.total_duration == sum(step.duration for step in steps)
    illustrated = methodics.exclude(cover="")
    assert illustrated.count() == 5
    first = illustrated.first()
    assert first.cover.storage.exists(first.cover.name)
    assert all(step.image for step in first.steps.all())
    assert MethodicMedia.objects.filter(kind="image").count() == 5
    assert set(Comment.objects.values_list("author__email", flat=True)) == {
        "volunteer@volna.example",
        "anna@volna.example",
    }

    before = snapshot()
    assert demo.seed() == {"категории методик": 0, "методики": 0, "комментарии к методикам": 0}
    assert snapshot() == before


def test_seed_without_the_demo_teacher_creates_only_categories():
    assert demo.seed() == {"категории методик": 7, "методики": 0, "комментарии к методикам": 0}
    assert not Methodic.objects.exists()


def test_the_seed_demo_command_runs_the_methodics_seed():
    from django.core.management import call_command

    call_command("seed_demo", "--dry-run")
    assert not Methodic.objects.exists()
