"""The assignment rush (issue 21): a class of 250 pupils opens a teacher's assignment of 10
tasks by its code, as guests, and all send their work within one second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna .venv/bin/python bench/assignment_rush.py
    .venv/bin/python bench/assignment_rush.py --pupils 20            # a quick check

Target: 0 errors, every response as expected, and ≤ 5 s from the first submit to the last
result page (bench/exam_rush.py's TARGET_SECONDS).

It runs the site as production does, with bench/exam_rush.py's machinery (bench/background.py):
gunicorn with the deployed settings (deploy/gunicorn.conf.py: --workers 2 gthread workers ×
--threads, 8 by default), REDIS_URL on a Redis database of its own (--redis-url, database 9
by default; emptied at the start and the end), DEBUG off, on the bench database
(bench/common.py; BENCH_DATABASE names another). No Celery worker: sending a work enqueues
nothing.

Data, made the first time and re-used (a later run finds them and deletes the works of the
last one): the teacher assignment-rush-teacher@bench.example, the block «Задания классу
(bench)» of 10 published tasks with short answers of every kind (numbers, expressions,
equations, sets, text), a saved variant of them and its assignment «Самостоятельная
(bench)», checked at the end (every answer goes through core.mathanswers on «Отправить»).

Before the waves, 8 guests go through the whole journey to warm both workers up (URLconf,
templates, SymPy's parser and the tasks' parsed answers); their works are deleted. Wave 1
(join), the starts spread over --spread seconds: each pupil opens /a/<code>/, gives a name
(«Ученик NNN (bench)») and follows the redirect to the tasks page, which must carry an
answer field for every task and the CSRF token. Wave 2 (submit), --pause seconds later,
spread the same way: each pupil POSTs their answers with «Отправить» — pupil n gets
(n − 1) mod 11 answers wrong, so scores run from 10 down to 0 — and follows the redirect to
the result page, which must show the score. Per wave: requests, non-2xx/3xx, errors, wrong
pages, p50 / p95 / max and first start → last response (wave 1 has no time target: a class
does not start in one second). Then the database: exactly one submitted work per pupil,
10 answers each, the score the answers imply; `timeit` before and after. Exit status 1 on
any miss.
"""

import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from background import deployed_gunicorn, production_environment, redis_database, require_migrated
from exam_rush import (
    TARGET_SECONDS,
    Exchange,
    WaveFigures,
    connection_visitor,
    rush_arguments,
    rush_parser,
    wave,
)
from load import HOST, free_port, server_environment
from pages import missed_status, print_table, setup_bench, yardstick_ms

PUPILS = 250
WARM_UP = 8
REDIS_URL = os.environ.get("BENCH_ASSIGNMENT_REDIS_URL", "redis://127.0.0.1:6379/9")

TEACHER_EMAIL = "assignment-rush-teacher@bench.example"
BLOCK_TITLE = "Задания классу (bench)"
TITLE = "Самостоятельная (bench)"
PUPIL_NAME = "Ученик {:03d} (bench)"
WARM_UP_NAME = "Разминка {} (bench)"


@dataclass(frozen=True)
class TaskSpec:
    kind: str  # an AnswerKind value
    statement: str
    answer: str
    right: str  # what a pupil who knows types (another form of the answer)
    wrong: str


TASKS = (
    TaskSpec("number", "Найдите √49 + 3.", "10", "10,0", "9"),
    TaskSpec("number", "Вычислите ½ + ¼.", "0,75", "3/4", "0,7"),
    TaskSpec("expression", "Раскройте скобки: (x + 1)².", "x² + 2x + 1", "(x+1)(x+1)", "x² + 1"),
    TaskSpec("expression", "Упростите (x² − 1)/(x − 1).", "x + 1", "1 + x", "x − 1"),
    TaskSpec("equation", "Решите уравнение x² + x − 6 = 0.", "x = 2 или x = −3", "x₁ = −3; x₂ = 2", "x = 2"),
    TaskSpec("equation", "Решите уравнение 2x − 4 = 0.", "x = 2", "2", "x = −2"),
    TaskSpec("set", "Решите неравенство x − 1 > 0.", "(1; +∞)", "x > 1", "x ≥ 1"),
    TaskSpec("set", "Найдите корни x(x − 3) = 0 как множество.", "{0; 3}", "{3; 0}", "{0}"),
    TaskSpec("text", "Столица России?", "Москва", "москва", "Казань"),
    TaskSpec("number", "Найдите sin 30°.", "1/2", "0,5", "√3/2"),
)


@dataclass(frozen=True)
class Rush:
    assignment_id: int
    code: str
    task_ids: tuple[int, ...]
    url: str  # /a/<code>/
    join_url: str

    def wrong_count(self, number: int) -> int:
        return (number - 1) % (len(TASKS) + 1)

    def score(self, number: int) -> int:
        return len(TASKS) - self.wrong_count(number)

    def answers(self, number: int) -> list[tuple[str, str]]:
        wrong = self.wrong_count(number)
        return [
            (f"answer_{task_id}", spec.wrong if index < wrong else spec.right)
            for index, (task_id, spec) in enumerate(zip(self.task_ids, TASKS, strict=True))
        ]


def rush_prepare() -> Rush:
    """The teacher, the tasks, the variant and the assignment, made the first time; the
    works of an earlier run deleted."""
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.urls import reverse

    from accounts.models import User
    from accounts.roles import TEACHER
    from problems import assignments
    from problems.models import Assignment, Block, Task, Variant
    from problems.services import variant_save

    with transaction.atomic():
        teacher, made = User.objects.get_or_create(
            email=TEACHER_EMAIL,
            defaults={"username": "assignment-rush-teacher", "first_name": "Бенч", "is_staff": True},
        )
        if made:
            teacher.set_unusable_password()
            teacher.save()
            teacher.groups.add(Group.objects.get(name=TEACHER))
        block, _ = Block.objects.get_or_create(title=BLOCK_TITLE, defaults={"order_number": 1000})
        tasks = []
        for number, spec in enumerate(TASKS, 1):
            task, _ = Task.objects.update_or_create(
                external_key=f"bench-assignment-rush-{number}",
                defaults={
                    "title": f"Задача {number} (bench)",
                    "statement": f"<p>{spec.statement}</p>",
                    "block": block,
                    "answer": spec.answer,
                    "answer_kind": spec.kind,
                    "status": Task.Status.PUBLISHED,
                    "author": teacher,
                },
            )
            tasks.append(task)
        variant = Variant.objects.filter(owner=teacher, title=TITLE).first()
        if variant is None:
            variant = variant_save(owner=teacher, title=TITLE, kind="manual", task_ids=[task.pk for task in tasks])
        assignment = Assignment.objects.filter(variant=variant).first()
        if assignment is None:
            assignment = assignments.assignment_create(
                variant=variant, teacher=teacher, title=TITLE, deadline=None, check_mode=Assignment.CheckMode.AT_END
            )
    rush = Rush(
        assignment_id=assignment.pk,
        code=assignment.code,
        task_ids=tuple(task.pk for task in assignments.assignment_tasks(assignment)),
        url=reverse("assignments:open", args=[assignment.code]),
        join_url=reverse("assignments:join", args=[assignment.code]),
    )
    if len(rush.task_ids) != len(TASKS):
        raise SystemExit(f"The variant «{TITLE}» is not this script's: delete its assignment and variant, and rerun.")
    rush_reset(rush)
    return rush


def rush_reset(rush: Rush) -> None:
    from problems.models import AssignmentSubmission

    AssignmentSubmission.objects.filter(assignment_id=rush.assignment_id).delete()


class PageInputs(HTMLParser):
    """The name and value of every <input> of a page (the first of each name)."""

    def __init__(self, page: str):
        super().__init__()
        self.values: dict[str, str] = {}
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.values.setdefault(attributes["name"], attributes.get("value") or "")


@dataclass(frozen=True)
class JoinFigures(WaveFigures):
    """Wave 1's figures: every response as expected, but no time target."""

    def misses(self) -> list[str]:
        return [miss for miss in super().misses() if not miss.endswith(f"> {TARGET_SECONDS:g} s")]


def run_waves(rush: Rush, port: int, args) -> tuple[list[WaveFigures], list[Exchange]]:
    origin = f"http://{HOST}:{port}"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + rush.url}

    visit = connection_visitor(port, args.timeout)

    def join(name: str, exchange: Exchange) -> None:
        def requests(connection):
            status, _, page = exchange.fetch(connection, "GET", rush.url)
            inputs = PageInputs(page).values
            if status != 200 or "token" not in inputs:
                exchange.status, exchange.problem = status, "no name form"
                return
            body = urlencode({"csrfmiddlewaretoken": inputs.get("csrfmiddlewaretoken", ""), "name": name,
                              "token": inputs["token"]})  # fmt: skip
            status, location, _ = exchange.fetch(connection, "POST", rush.join_url, body=body, headers=headers)
            if status != 302 or urlsplit(location).path != rush.url:
                exchange.status, exchange.problem = status, f"the name form answered {status} {location}"
                return
            exchange.status, _, exchange.page = exchange.fetch(connection, "GET", rush.url)
            exchange.answered = time.perf_counter()
            fields = PageInputs(exchange.page).values
            if exchange.status == 200 and not {f"answer_{pk}" for pk in rush.task_ids} <= set(fields):
                exchange.problem = "no answer field for every task"

        visit(exchange, requests)

    def submission_body(number: int, joined: Exchange) -> str | None:
        """The answers form's body, read off the tasks page before the wave (not in it)."""
        inputs = PageInputs(joined.page).values
        if "csrfmiddlewaretoken" not in inputs:
            return None
        token = ("csrfmiddlewaretoken", inputs["csrfmiddlewaretoken"])
        return urlencode([token, *rush.answers(number), ("submit", "")])

    def submit(number: int, exchange: Exchange, body: str | None) -> None:
        if body is None:
            exchange.problem = "no form to submit"
            return

        def requests(connection):
            if exchange.post_and_follow(connection, rush.url, body=body, headers=headers, then=rush.url):
                shown = f"Верных ответов: <strong>{rush.score(number)} из {len(TASKS)}</strong>"
                if shown not in exchange.page:
                    exchange.problem = f"the result page does not show {rush.score(number)} из {len(TASKS)}"

        visit(exchange, requests)

    # The warm-up: a few whole journeys, spread over both workers; their works deleted.
    warm_joined = [Exchange() for _ in range(WARM_UP)]
    wave(warm_joined, 0.0, lambda index, exchange: join(WARM_UP_NAME.format(index + 1), exchange))
    warm_sent = [Exchange(cookies=dict(each.cookies)) for each in warm_joined]
    warm_bodies = [submission_body(1, each) for each in warm_joined]
    wave(warm_sent, 0.0, lambda index, exchange: submit(1, exchange, warm_bodies[index]))
    failed = next((each for each in warm_joined + warm_sent if each.error or each.problem), None)
    if failed:
        raise SystemExit(f"The warm-up failed: {failed.status} {failed.error or failed.problem}")
    rush_reset(rush)

    joined = [Exchange() for _ in range(args.pupils)]
    print(f"Wave 1: {len(joined)} pupils open {rush.url} and give their names within {args.spread:g} s", flush=True)
    wave(joined, args.spread, lambda index, exchange: join(PUPIL_NAME.format(index + 1), exchange))
    time.sleep(args.pause)
    sent = [Exchange(cookies=dict(each.cookies)) for each in joined]
    bodies = [submission_body(number, each) for number, each in enumerate(joined, 1)]
    print(f"Wave 2: {len(sent)} pupils send their work within {args.spread:g} s", flush=True)
    wave(sent, args.spread, lambda index, exchange: submit(index + 1, exchange, bodies[index]))
    figures = [
        JoinFigures("wave 1: name → tasks page", joined),
        WaveFigures("wave 2: submit → result page", sent),
        WaveFigures("  the POST alone", sent, end="posted", with_targets=False),
    ]
    return figures, sent


def database_checks(rush: Rush, pupils: int) -> tuple[list[list[str]], list[str]]:
    """One submitted work per pupil, every answer recorded, the score the answers imply."""
    from django.db.models import Count, Q

    from problems.models import AssignmentSubmission

    numbers = {PUPIL_NAME.format(number): number for number in range(1, pupils + 1)}
    works = list(
        AssignmentSubmission.objects.filter(assignment_id=rush.assignment_id)
        .annotate(answer_count=Count("answers"), right_count=Count("answers", filter=Q(answers__verdict=True)))
        .values_list("guest_name", "submitted_at", "score", "answer_count", "right_count")
    )
    per_name = Counter(name for name, *_ in works)
    checks = [
        ("works of the assignment", pupils, len(works)),
        ("pupils without a work (lost)", 0, sum(1 for name in numbers if name not in per_name)),
        ("works beyond one a pupil (duplicated)", 0, sum(count - 1 for count in per_name.values() if count > 1)),
        ("works of others", 0, sum(1 for name in per_name if name not in numbers)),
        ("works submitted", pupils, sum(1 for _, submitted, *_ in works if submitted is not None)),
        (f"works with all {len(TASKS)} answers", pupils, sum(1 for *_, count, _ in works if count == len(TASKS))),
        (
            "scores as the answers imply (stored and counted)",
            pupils,
            sum(
                1
                for name, _, score, _, right in works
                if name in numbers and score == right == rush.score(numbers[name])
            ),
        ),
    ]
    rows = [[what, str(expected), str(found), "yes" if found == expected else "no"] for what, expected, found in checks]
    missed = [f"{what}: {found}, not {expected}" for what, expected, found in checks if found != expected]
    return rows, missed


def main() -> int:
    parser = rush_parser(__doc__.split("\n\n")[0], people="pupils", count=PUPILS, redis_url=REDIS_URL)
    args = rush_arguments(parser, "pupils")

    database = setup_bench()
    require_migrated(database)
    before = yardstick_ms()
    started = time.perf_counter()
    rush = rush_prepare()
    print(
        f"Database {database}: «{TITLE}» {rush.url} ({len(TASKS)} tasks, checked at the end); {args.pupils} pupils; "
        f"prepared in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"gunicorn -c deploy/gunicorn.conf.py: {args.workers} workers × {args.threads} threads; "
        f"Redis {args.redis_url}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="volna-assignment-rush-") as private:
        environment = production_environment(
            server_environment(database), redis_url=args.redis_url, private_root=Path(private)
        )
        port = free_port()
        with (
            redis_database(args.redis_url),
            deployed_gunicorn(environment, port, workers=args.workers, threads=args.threads),
        ):
            figures, _ = run_waves(rush, port, args)
    checks, missed = database_checks(rush, args.pupils)
    rush_reset(rush)

    print()
    header = ["wave", "requests", "non-2xx/3xx", "errors", "wrong pages", "p50 ms", "p95 ms", "max ms"]
    print_table([*header, "first start → last response s", "meets targets"], [each.row() for each in figures])
    print(
        "Targets: every response as expected; wave 2 ≤ "
        f"{TARGET_SECONDS:g} s from its first start to its last response (wave 1: pupils × 3 requests, no time target)."
    )
    for each in figures:
        if each.misses():
            missed.append(f"{each.name.strip()}: {'; '.join(each.misses())}")
        if each.with_targets and each.example():
            print(f"  {each.name.strip()}, e.g.: {each.example()}")
    print()
    print_table(["after the waves", "expected", "found", "as expected"], checks)
    print(f"timeit: {before:.1f} ms before, {yardstick_ms():.1f} ms after (the README's line: 3.4 ms on a usual day)")
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
