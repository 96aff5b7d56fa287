"""Reads of the problem bank. Private solutions are filtered here, once, for every caller
(pages, exports, search): `solutions_visible_to`."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from accounts.models import User
from core.models import row_count
from problems.models import Block, Solution, Task, TaskAttempt


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


RANDOM_TASKS_SQL_TEMPLATE = """
SELECT chosen.block_id, pick.id
FROM unnest(%(blocks)s::bigint[]) AS chosen(block_id)
CROSS JOIN generate_series(1, %(per_block)s) AS draw(number)
CROSS JOIN LATERAL (SELECT random() + draw.number * 0 AS point) AS target
CROSS JOIN LATERAL (
    (SELECT id, 0 AS wrapped FROM tasks
     WHERE block_id = chosen.block_id AND status = 'published' AND draw_key >= target.point{unsolved}
     ORDER BY draw_key LIMIT 1)
    UNION ALL
    (SELECT id, 1 AS wrapped FROM tasks
     WHERE block_id = chosen.block_id AND status = 'published'{unsolved}
     ORDER BY draw_key LIMIT 1)
    ORDER BY wrapped LIMIT 1
) AS pick
"""
RANDOM_TASKS_SQL = RANDOM_TASKS_SQL_TEMPLATE.format(unsolved="")
# The same draw among the tasks a user has not solved: the range scan steps over each task
# they solved, one probe of task_attempts' (user, task) index (which holds the verdict), so
# a draw costs the length of the run of solved tasks it lands in. On the bench bank (90,000
# published tasks in 30 blocks), all 30 blocks, 2 draws each: 1.0 ms plain; 1.3 / 2.1 /
# 5.4 ms with 1 / 50 / 90 % of the tasks solved, spread over the keys; 3 / 21 ms with 1 / 7 %
# solved in one run of keys per block, the worst case for that many (200 tasks a block).
RANDOM_UNSOLVED_TASKS_SQL = RANDOM_TASKS_SQL_TEMPLATE.format(
    unsolved="""
       AND NOT EXISTS (SELECT 1 FROM task_attempts AS solved
                       WHERE solved.user_id = %(user)s AND solved.task_id = tasks.id AND solved.verdict)"""
)


def random_task_ids(
    block_ids: list[int], *, per_block: int = 1, unsolved_by: User | None = None
) -> dict[int, list[int]]:
    """Up to `per_block` distinct random published task ids for each block (fewer if the
    block has fewer; blocks without published tasks are absent); with `unsolved_by`, only
    tasks that user has not solved (solved_by). One query whose cost grows with the
    number of blocks and draws, not of tasks: each draw is one index range scan on
    (block, status, draw_key) to the first task whose random key follows a random point
    (wrapping around) — past the tasks the user solved, when asked to. Keys are uniform,
    so no task is systematically favoured, whenever and however it was added.

    SQL of its own, one of the site's two statements outside the ORM (with
    core.search.index_scans): the ORM has no LATERAL join, and its way — one `ORDER BY
    random()` query a block — took 119–179 ms for 30 blocks of a 100,000-task bank against
    1.4–1.5 ms here, and grew 5–7× with the bank where the target allows 2×
    (bench/README.md, «Random variant»)."""
    if not block_ids:
        return {}
    params = {"blocks": list(block_ids), "per_block": per_block}
    sql = RANDOM_TASKS_SQL
    if unsolved_by is not None:
        sql, params["user"] = RANDOM_UNSOLVED_TASKS_SQL, unsolved_by.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    picked: dict[int, list[int]] = {}
    for block_id, task_id in rows:
        ids = picked.setdefault(block_id, [])
        if task_id not in ids:
            ids.append(task_id)
    return picked


# --- Progress ---------------------------------------------------------------------------------


def correct_attempts(user: User) -> QuerySet[TaskAttempt]:
    return TaskAttempt.objects.filter(user=user, verdict=True)


def solved_by(user: User) -> Exists:
    """Whether a task (the outer query's row) is solved by the user: they have at least one
    right answer to it. `tasks.filter(~solved_by(user))` are the ones still to solve."""
    return Exists(correct_attempts(user).filter(task=OuterRef("pk")))


def block_progress(user: User, block: Block, shown_task_ids: list[int]) -> tuple[int, set[int]]:
    """How many of the block's published tasks the user solved, and which of the shown
    ones: one aggregate query, whatever the number shown."""
    progress = (
        correct_attempts(user)
        .filter(task__block=block, task__status=Task.Status.PUBLISHED)
        .aggregate(
            solved=Count("task", distinct=True),
            shown=ArrayAgg("task", distinct=True, filter=Q(task__in=shown_task_ids), default=Value([])),
        )
    )
    return progress["solved"], set(progress["shown"])


def attempts_of(user: User) -> QuerySet[TaskAttempt]:
    """The user's checked answers, newest first, with each task and its block (not the
    task's statement, which may be long)."""
    return (
        TaskAttempt.objects.filter(user=user)
        .select_related("task__block")
        .defer("task__statement", "task__search_vector", "task__block__description")
        .order_by("-created_at", "-pk")
    )
