"""Reads of the problem bank. Private solutions are filtered here, once, for every caller
(pages, exports, search): `solutions_visible_to`."""

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from problems.models import Block, Solution, Task


def is_bank_administrator(user: User) -> bool:
    """Administrators see every solution, private ones too (spec 002). They are told by a
    permission their roles hold and teachers' do not (accounts.roles): deleting solutions."""
    return user.is_authenticated and (user.is_superuser or user.has_perm("problems.delete_solution"))


def published_tasks() -> QuerySet[Task]:
    return Task.objects.filter(status=Task.Status.PUBLISHED)


def blocks_with_counts() -> QuerySet[Block]:
    return Block.objects.annotate(task_count=Count("tasks", filter=Q(tasks__status=Task.Status.PUBLISHED)))


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
SELECT picks.block_id, picks.task_id
FROM unnest(%(blocks)s::bigint[]) AS chosen(block_id)
CROSS JOIN LATERAL (
    SELECT min(id) AS low, max(id) AS high FROM tasks
    WHERE block_id = chosen.block_id AND status = 'published'
) AS bounds
CROSS JOIN generate_series(1, %(per_block)s) AS draw(number)
CROSS JOIN LATERAL (
    SELECT chosen.block_id, id AS task_id FROM tasks
    WHERE block_id = chosen.block_id AND status = 'published'
      AND id >= bounds.low + floor(random() * (bounds.high - bounds.low + 1))::bigint
      AND draw.number > 0  -- correlated with the draw, so each draw is evaluated anew
    ORDER BY id LIMIT 1
) AS picks
WHERE bounds.low IS NOT NULL
"""


def random_task_ids(block_ids: list[int], *, per_block: int = 1) -> dict[int, list[int]]:
    """`per_block` random published task ids for each block (fewer if the block has
    fewer; blocks without published tasks are absent). One query whose cost grows with
    the number of blocks, not of tasks: per block, two index lookups on (block, status,
    id) and one jump to a random id in the block's range (ids are nearly dense, so the
    draw is close to uniform; a gap makes the task after it a little likelier)."""
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
