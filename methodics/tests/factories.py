import factory
from django.utils import timezone

from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from methodics.models import Category, Methodic, MethodicStep, Tag


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Категория {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"тег{n}")


class MethodicFactory(factory.django.DjangoModelFactory):
    """A published methodic by a teacher, without steps (add them with `add_step`)."""

    class Meta:
        model = Methodic

    author = factory.SubFactory(UserFactory, roles=[TEACHER])
    title = factory.Sequence(lambda n: f"Методика {n}")
    short_description = "Игра на знакомство для группы из 10–20 человек."
    goal = "Познакомить участников и снять напряжение первого занятия."
    description = "<p>Участники встают в круг и по очереди называют имя и жест.</p>"
    materials = "Мяч, бейджи, маркеры."
    category = factory.SubFactory(CategoryFactory)
    status = Methodic.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


def add_step(methodic: Methodic, *, duration: int = 10, description: str = "Шаг занятия", **fields) -> MethodicStep:
    """A step at the end, through the service (so the total duration follows)."""
    from methodics.services import step_add

    return step_add(methodic=methodic, duration=duration, description=description, **fields)
