"""What one learner of the exam rush costs the site, step by step, in process: the quiz page,
the submission, the result page — server time, SQL queries and Redis commands of each.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna .venv/bin/python bench/exam_steps.py
    .venv/bin/python bench/exam_steps.py --learners 100 --sql

bench/exam_rush.py times 250 learners at once against gunicorn: its figures depend on the
whole machine (the Celery worker, PostgreSQL and the bench's own threads share its two
cores) and vary by a second or two from run to run. This one measures what a change to the
learner's pages saves, steadily enough to compare two versions of the code run one after the
other: the same exam course and learners (bench/exam_rush.py prepares them, and resets them
at the start and the end), each learner's three requests in turn through Django's test
Client, DEBUG off, with the cache, sessions and Celery's broker on a Redis database of the
bench's own (--redis-url; emptied at the start and the end; the tasks the submissions send
stay there unrun; the submission is form-encoded, as a browser sends it). The first
--warm-up learners are not counted. It prints the median and p95 of each step, its SQL
statements (BEGIN and COMMIT not among them) and its Redis commands (by command), between
two readings of the README's `timeit` yardstick; --sql also prints the queries of the last
learner's steps. "CPU ms" is this thread's own time (time.thread_time: not PostgreSQL's
or Redis's, nor the waits for them), the median. --calls counts the Python functions each
step calls (sys.setprofile; the times are then not the site's): a count the machine's speed
does not move, for comparing two versions of the code on a machine whose speed wanders.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from contextlib import contextmanager
from urllib.parse import urlencode

from background import redis_database
from pages import allowed_host, print_table, setup_bench, yardstick_ms

REDIS_URL = "redis://127.0.0.1:6379/11"
FORM = "application/x-www-form-urlencoded"
LEARNERS = 60
WARM_UP = 10


def recording(queries: list[str]):
    """A database wrapper that notes each statement's SQL (with its placeholders): unlike
    Django's debug cursor, it formats no parameters into it, which would add their cost
    to the step's."""

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    return record


@contextmanager
def counting_calls(counting: bool):
    """[the number of Python functions called within], when `counting`."""
    calls = [0]

    def count(_frame, event, _argument):
        if event == "call":
            calls[0] += 1

    if counting:
        sys.setprofile(count)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=LEARNERS, help=f"learners measured in turn ({LEARNERS})")
    parser.add_argument("--warm-up", type=int, default=WARM_UP, help=f"first learners not counted ({WARM_UP})")
    parser.add_argument("--redis-url", default=REDIS_URL, help=f"a Redis database of the bench's own ({REDIS_URL})")
    parser.add_argument("--sql", action="store_true", help="then print the last learner's queries")
    parser.add_argument("--calls", action="store_true", help="count each step's Python calls (slows every step)")
    args = parser.parse_args()
    if args.learners <= args.warm_up:
        parser.error("--learners must exceed --warm-up")
    os.environ |= {
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    database = setup_bench()
    import redis
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test import Client
    from exam_rush import exam_prepare, exam_reset, sign_in

    commands = Counter()
    execute_command = redis.Redis.execute_command

    def counted(client, *args, **options):
        commands[args[0]] += 1
        return execute_command(client, *args, **options)

    redis.Redis.execute_command = counted  # counts only: every command still goes to Redis
    with redis_database(args.redis_url):
        exam = exam_prepare(args.learners)
        sessions = sign_in(exam.learners)
        try:
            host = allowed_host()
            print(f"Database {database}, {args.learners} learners in turn, the first {args.warm_up} not counted")
            print(f"timeit before: {yardstick_ms():.2f} ms")
            figures, last_sql = defaultdict(list), {}
            for number, learner in enumerate(exam.learners):
                client = Client(HTTP_HOST=host)
                client.cookies[settings.SESSION_COOKIE_NAME] = sessions[learner.user_id]
                answers = defaultdict(list)
                for name, value in exam.answers(learner):
                    answers[name].append(value)
                steps = (
                    ("quiz page", lambda c=client: c.get(exam.quiz_url)),
                    # Encoded as the browser sends the form (and bench/exam_rush.py does).
                    (
                        "submission",
                        lambda c=client, a=dict(answers): c.post(exam.submit_url, urlencode(a, doseq=True), FORM),
                    ),
                    ("result page", lambda c=client: c.get(exam.quiz_url)),
                )
                for step, request in steps:
                    commands.clear()
                    with connection.execute_wrapper(recording(queries := [])):
                        started, cpu_started = time.perf_counter(), time.thread_time()
                        with counting_calls(args.calls) as calls:
                            response = request()
                        elapsed_ms = (time.perf_counter() - started) * 1000
                        cpu_ms = (time.thread_time() - cpu_started) * 1000
                    if response.status_code not in (200, 302):
                        raise SystemExit(f"{step} of learner {learner.number} answered {response.status_code}")
                    if number >= args.warm_up:
                        figures[step].append((elapsed_ms, cpu_ms, len(queries), dict(commands), calls[0]))
                    last_sql[step] = queries
            rows = []
            for step, measured in figures.items():
                times = [ms for ms, _, _, _, _ in measured]
                _, _, query_count, redis_commands, _ = measured[-1]
                rows.append(
                    [
                        step,
                        f"{statistics.median(times):.1f}",
                        f"{statistics.quantiles(times, n=20, method='inclusive')[-1]:.1f}",
                        f"{statistics.median(cpu for _, cpu, _, _, _ in measured):.1f}",
                        str(query_count),
                        f"{statistics.median(count for *_, count in measured):.0f}" if args.calls else "-",
                        ", ".join(f"{count} {name}" for name, count in sorted(redis_commands.items())),
                    ]
                )
            print_table(["step", "median ms", "p95 ms", "CPU ms", "queries", "Python calls", "Redis commands"], rows)
            print(f"timeit after: {yardstick_ms():.2f} ms")
            for step, sql in last_sql.items() if args.sql else ():
                print(f"\n{step}: {len(sql)} queries")
                for index, text in enumerate(sql, 1):
                    print(f"  {index:2}. {text[:200]}")
        finally:
            Session.objects.filter(session_key__in=sessions.values()).delete()
            exam_reset(exam)
    return 0


if __name__ == "__main__":
    sys.exit(main())
