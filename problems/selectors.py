"""Reads of the problem bank. Private solutions are filtered here, once, for every caller
(pages, exports, search): `solutions_visible_to`."""

from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from core.models import row_count
from problems.models import Block, Solution, Task


def is_bank_administrator(user: User) -> bool:
    """Administrators see every solution, private ones too (spec 002). They are told by a
    permission their roles hold and teachers' do not (accounts.roles): deleting solutions."""
    return user.is_authenticated and (user.is_superuser or user.has_perm("problems.delete_solution"))


def published_tasks() -> QuerySet[Task]:
    return Task.objects.filter(status=Task.Status.PUBLISHED)


def blocks_with_counts() -> QuerySet[Block]:
    """The blocks with `task_count`, their published tasks' number: a subquery per block
    shown (core.models.row_count), so counting the blocks themselves — a paginated list's
    count — does not count the tasks too, as a join with GROUP BY did."""
    published = published_tasks().filter(block=OuterRef("pk"))
    return Block.objects.annotate(task_count=row_count(published, per="block")).order_by("order_number", "title")


def solutions_visible_to(user: User, tasks=None) -> QuerySet[Solution]:
    """Public solutions, plus the private ones the user wrote — or all, for administrators."""
    solutions = Solution.objects.all()
    if tasks is not None:
        solutions = solutions.filter(task__in=tasks)
    if is_bank_administrator(user):
        return solutions
    if user.is_authenticated:
        return solutions.filter(Q(is_private=False) | Q(author=user))
    return solutions.filter(is_private=False)


def tasks_with_visible_solutions(user: User, tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks with `visible_solutions` prefetched for this user (exports, answer keys)."""
    return tasks.prefetch_related(
        Prefetch("solutions", queryset=solutions_visible_to(user).order_by("pk"), to_attr="visible_solutions"),
        "references",
    )


RANDOM_TASKS_SQL = """
SELECT chosen.block_id, pick.id
FROM unnest(%(blocks)s::bigint[]) AS chosen(block_id)
CROSS JOIN generate_series(1, %(per_block)s) AS draw(number)
CROSS JOIN LATERAL (SELECT random() + draw.number * 0 AS point) AS target
CROSS JOIN LATERAL (
    (SELECT id, 0 AS wrapped FROM tasks
     WHERE block_id = chosen.block_id AND status = 'published' AND draw_key >= target.point
     ORDER BY draw_key LIMIT 1)
    UNION ALL
    (SELECT id, 1 AS wrapped FROM tasks
     WHERE block_id = chosen.block_id AND status = 'published'
     ORDER BY draw_key LIMIT 1)
    ORDER BY wrapped LIMIT 1
) AS pick
"""


def random_task_ids(block_ids: list[int], *, per_block: int = 1) -> dict[int, list[int]]:
    """Up to `per_block` distinct random published task ids for each block (fewer if the
    block has fewer; blocks without published tasks are absent). One query whose cost grows
    with the number of blocks and draws, not of tasks: each draw is one index range scan on
    (block, status, draw_key) to the first task whose random key follows a random point
    (wrapping around). Keys are uniform, so no task is systematically favoured, whenever
    and however it was added."""
    if not block_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(RANDOM_TASKS_SQL, {"blocks": list(block_ids), "per_block": per_block})
        rows = cursor.fetchall()
    picked: dict[int, list[int]] = {}
    for block_id, task_id in rows:
        ids = picked.setdefault(block_id, [])
        if task_id not in ids:
            ids.append(task_id)
    return picked
