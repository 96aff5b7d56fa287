import factory

from accounts.tests.factories import UserFactory
from problems.models import Block, Reference, Solution, Task


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    title = factory.Sequence(lambda n: f"Блок {n}")
    order_number = factory.Sequence(lambda n: n + 1)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    title = factory.Sequence(lambda n: f"Теорема {n}")
    description = "<p>Квадрат гипотенузы равен сумме квадратов катетов: c² = a² + b².</p>"


class TaskFactory(factory.django.DjangoModelFactory):
    """A published task."""

    class Meta:
        model = Task

    title = factory.Sequence(lambda n: f"Задача {n}")
    statement = "<p>Найдите √16 + π·0.</p>"
    block = factory.SubFactory(BlockFactory)
    answer = "4"
    status = Task.Status.PUBLISHED
    author = factory.SubFactory(UserFactory)


class SolutionFactory(factory.django.DjangoModelFactory):
    """A public solution by the task's author."""

    class Meta:
        model = Solution

    task = factory.SubFactory(TaskFactory)
    title = "Решение"
    text = "<p>√16 = 4, значит ответ 4.</p>"
    author = factory.LazyAttribute(lambda solution: solution.task.author)
    is_private = False
