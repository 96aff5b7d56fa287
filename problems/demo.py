"""Demo problem bank: the sample bank (problems/data/sample_bank.jsonl, loaded through the
importer), two tasks the demo teacher has suggested that wait for moderation, and the demo
volunteer's favourites and saved variant. Runs after accounts.demo."""

from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from accounts.models import User
from problems.importers import import_problem_bank
from problems.models import Block, Favorite, Reference, Solution, Task, Variant
from problems.services import favorite_toggle, task_submit, variant_save

SAMPLE_BANK = Path(__file__).resolve().parent / "data" / "sample_bank.jsonl"
TEACHER_EMAIL = "teacher@volna.example"
VOLUNTEER_EMAIL = "volunteer@volna.example"


@dataclass(frozen=True)
class DemoSuggestion:
    block: str  # external key
    title: str
    statement: str
    answer: str
    references: tuple[str, ...]
    solutions: tuple[tuple[str, str, bool], ...]  # (title, text, private)


DEMO_SUGGESTIONS = (
    DemoSuggestion(
        block="geometry",
        title="Площадь и сторона ромба",
        statement="<p>Диагонали ромба равны 10 и 24. Найдите площадь ромба и его сторону.</p>",
        answer="120; 13",
        references=("pythagoras",),
        solutions=(
            (
                "Решение",
                "<p>S = d₁ · d₂ / 2 = 10 · 24 / 2 = 120.</p><p>Диагонали ромба перпендикулярны и делятся точкой пересечения пополам, поэтому сторона — гипотенуза треугольника с катетами 5 и 12: a = √(5² + 12²) = √169 = 13.</p>",
                False,
            ),
        ),
    ),
    DemoSuggestion(
        block="equations",
        title="Биквадратное уравнение",
        statement="<p>Решите уравнение x⁴ − 5x² + 4 = 0.</p>",
        answer="−2; −1; 1; 2",
        references=("quadratic", "vieta"),
        solutions=(
            (
                "Решение",
                "<p>Пусть t = x², t ≥ 0. Тогда t² − 5t + 4 = 0, t = 1 или t = 4 (по теореме Виета: 1 + 4 = 5, 1 · 4 = 4).</p><p>x² = 1 ⇒ x = ±1; x² = 4 ⇒ x = ±2.</p>",
                False,
            ),
            (
                "Для учителя",
                "<p>Попросите учеников проверить, что оба значения t неотрицательны: при t &lt; 0 уравнение x² = t корней не имеет.</p>",
                True,
            ),
        ),
    ),
)

DEMO_FAVOURITES = ("eq-02", "geo-01", "trig-04", "prob-08")
DEMO_VARIANT_TITLE = "Тренировочный вариант"
DEMO_VARIANT_TASKS = ("arith-02", "alg-04", "eq-07", "geo-06", "trig-02", "prob-05")


def seed() -> dict[str, int]:
    """Import the sample bank (a second run finds every row unchanged), then create what is
    missing: the teacher's suggestions (matched by author and title), the volunteer's
    favourites and saved variant (matched by title)."""
    report = import_problem_bank(SAMPLE_BANK, dry_run=False)
    if report.errors:
        raise CommandError(f"Банк задач из {SAMPLE_BANK} не загружен:\n{report.errors}")
    suggestions = _seed_suggestions()
    favourites, variants = _seed_volunteer_choices()
    return {
        "блоки задач": report.blocks.created,
        "справочные материалы": report.references.created,
        "задачи": report.tasks.created,
        "предложенные задачи": suggestions,
        "избранные задачи": favourites,
        "варианты": variants,
    }


def _seed_suggestions() -> int:
    teacher = User.objects.filter(email__iexact=TEACHER_EMAIL).first()
    if teacher is None:
        return 0
    created = 0
    for demo in DEMO_SUGGESTIONS:
        if Task.objects.filter(author=teacher, title=demo.title).exists():
            continue
        with transaction.atomic():
            task = Task(
                block=Block.objects.get(external_key=demo.block),
                title=demo.title,
                statement=demo.statement,
                answer=demo.answer,
                author=teacher,
            )
            task.full_clean()
            task.save()
            task.references.set(Reference.objects.filter(external_key__in=demo.references))
            Solution.objects.bulk_create(
                Solution(task=task, title=title, text=text, is_private=private, author=teacher)
                for title, text, private in demo.solutions
            )
            task_submit(task=task, author=teacher)
        created += 1
    return created


def _seed_volunteer_choices() -> tuple[int, int]:
    user = User.objects.filter(email__iexact=VOLUNTEER_EMAIL).first()
    if user is None:
        return 0, 0
    favourites = 0
    for task in Task.objects.filter(external_key__in=DEMO_FAVOURITES).order_by("pk"):
        if not Favorite.objects.filter(user=user, task=task).exists():
            favorite_toggle(user=user, task=task)
            favourites += 1
    if Variant.objects.filter(owner=user, title=DEMO_VARIANT_TITLE).exists():
        return favourites, 0
    ids = dict(Task.objects.filter(external_key__in=DEMO_VARIANT_TASKS).values_list("external_key", "pk"))
    variant_save(
        owner=user,
        title=DEMO_VARIANT_TITLE,
        kind=Variant.Kind.MANUAL,
        task_ids=[ids[key] for key in DEMO_VARIANT_TASKS],
    )
    return favourites, 1
