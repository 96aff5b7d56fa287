"""Benchmark of the random variant (`problems.selectors.random_task_ids`) on PostgreSQL: does
its cost stay the same when the bank grows from 1,000 to 100,000 published tasks?

    .venv/bin/python bench/problems_random_variant.py                 # 30 blocks, 1,000 then 100,000 tasks
    .venv/bin/python bench/problems_random_variant.py --runs 500 --sizes 1000 10000 100000

It runs on the PostgreSQL server of the project settings (DATABASE_URL, or the embedded
PostgreSQL), in a separate scratch database: `<database>_bench_variant_<random>`, created and
migrated at the start (Django's test-database machinery) and dropped at the end, also after
a failure or Ctrl-C. Nothing in the project's own database is touched.

In it: 30 blocks, then for each size the published tasks, inserted afresh with one
`INSERT … SELECT generate_series` and VACUUM ANALYZEd, in two layouts of ids:

- interleaved: task n goes to block n mod 30 — a bank that grows a task at a time, to any
  block (suggestions, the admin);
- clustered: each block's tasks have consecutive ids — a bank loaded by import_problems.

For each it times `random_task_ids` for all 30 blocks — 20 warm-up calls, then the median
(and 95th percentile) of --runs calls — and counts its queries. For comparison it times the
naive way too: one `ORDER BY random() LIMIT 1` query per block. DEBUG is off, as in
production.
"""

import argparse
import statistics
import time
import uuid

from common import setup_django

BLOCKS = 30
LAYOUTS = {
    # SQL for the index (1-based) into the array of block ids of task number n (1..size).
    "interleaved": "1 + n %% {blocks}",
    "clustered": "1 + ((n - 1) * {blocks}) / {size}",
}


def create_scratch_database() -> tuple[str, str]:
    """(the project's database name, the scratch database's name); the connection now uses the scratch one."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    scratch = f"{original}_bench_variant_{uuid.uuid4().hex[:8]}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return original, scratch


def drop_scratch_database(original: str) -> None:
    from django.db import connection

    connection.creation.destroy_test_db(original, verbosity=0)


def insert_published_tasks(block_ids: list[int], size: int, layout: str) -> float:
    """Replace every task by `size` published ones; returns the seconds it took."""
    from django.db import connection

    started = time.perf_counter()
    block_of_n = LAYOUTS[layout].format(blocks=len(block_ids), size=size)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tasks CASCADE")
        cursor.execute(
            f"""
            INSERT INTO tasks (created_at, updated_at, title, statement, image, answer, status,
                               rejection_reason, block_id)
            SELECT now(), now(), 'Задача ' || n, '<p>Найдите √' || n || ' + π · 0.</p>', '', '', 'published',
                   '', (%s::bigint[])[{block_of_n}]
            FROM generate_series(1, %s) AS n
            """,
            [block_ids, size],
        )
        cursor.execute("VACUUM ANALYZE tasks")  # as autovacuum leaves a bank after a big insert
    return time.perf_counter() - started


def timed(call, runs: int) -> list[float]:
    for _ in range(20):
        call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(block_ids: list[int], runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from problems.models import Task
    from problems.selectors import published_tasks, random_task_ids

    with CaptureQueriesContext(connection) as queries:
        picked = random_task_ids(block_ids)
    assert sorted(picked) == sorted(block_ids), "every block must get a task"
    assert all(len(ids) == 1 for ids in picked.values())
    assert Task.objects.filter(pk__in=[ids[0] for ids in picked.values()], status="published").count() == BLOCKS
    times = timed(lambda: random_task_ids(block_ids), runs)

    def naive():
        for block_id in block_ids:
            published_tasks().filter(block_id=block_id).order_by("?").values_list("pk", flat=True).first()

    naive_times = timed(naive, max(10, runs // 10))
    return {
        "tasks": published_tasks().count(),
        "queries": len(queries),
        "median_ms": statistics.median(times),
        "p95_ms": statistics.quantiles(times, n=20)[-1],
        "naive_median_ms": statistics.median(naive_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000], help="published tasks")
    parser.add_argument("--runs", type=int, default=200, help="timed calls per size (200)")
    parser.add_argument("--layout", choices=[*LAYOUTS, "both"], default="both", help="ids of a block (both)")
    args = parser.parse_args()
    sizes = sorted(args.sizes)
    layouts = list(LAYOUTS) if args.layout == "both" else [args.layout]
    setup_django()
    from django.db import connection

    from problems.models import Block

    original, scratch = create_scratch_database()
    print(f"Scratch database {scratch} on {connection.settings_dict['HOST'] or 'localhost'} (dropped at the end).")
    print(f"PostgreSQL {connection.cursor().connection.info.server_version}; {BLOCKS} blocks, {args.runs} runs.")
    try:
        blocks = Block.objects.bulk_create(
            Block(title=f"Блок {number}", order_number=number) for number in range(1, BLOCKS + 1)
        )
        block_ids = [block.pk for block in blocks]
        for layout in layouts:
            results = []
            for size in sizes:
                seconds = insert_published_tasks(block_ids, size, layout)
                result = measure(block_ids, args.runs)
                results.append(result)
                print(
                    f"{layout:>11}, {result['tasks']:>7,} tasks (inserted in {seconds:4.1f} s): "
                    f"random_task_ids median {result['median_ms']:6.3f} ms, p95 {result['p95_ms']:6.3f} ms, "
                    f"{result['queries']} query | "
                    f"ORDER BY random() per block {result['naive_median_ms']:6.1f} ms, {BLOCKS} queries"
                )
            first, last = results[0], results[-1]
            print(
                f"{layout:>11}: {last['tasks']:,} / {first['tasks']:,} tasks — random_task_ids "
                f"{last['median_ms'] / first['median_ms']:.2f}× (target ≤ 2×), queries {first['queries']} and "
                f"{last['queries']}; "
                f"ORDER BY random() {last['naive_median_ms'] / first['naive_median_ms']:.1f}×."
            )
    finally:
        drop_scratch_database(original)


if __name__ == "__main__":
    main()
