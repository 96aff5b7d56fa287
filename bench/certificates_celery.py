"""Certificates at ≥ 150/s with two Celery worker processes, while the site stays quick
(issue 17): `manage.py generate_certificates --async` on 10,000 passed enrolments, and a
light load on key pages meanwhile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna .venv/bin/python bench/certificates_celery.py
    .venv/bin/python bench/certificates_celery.py --count 200 --seconds 5    # a quick check
    .venv/bin/python bench/certificates_celery.py --rate 40 --pages catalogue,course,lesson,schedule

The certificates are issued in a scratch database on the settings' server, as
bench/certificates.py makes it (`<database>_bench_certificates_<random>`, created and
migrated at the start, dropped at the end, also after a failure or Ctrl-C), with --count
(10,000) volunteers and their passed enrolments in one course, written by COPY (bench/data.py's
Loader) in a few seconds. The PDFs go to a temporary folder (PRIVATE_MEDIA_ROOT), removed at
the end. A Celery worker (`celery -A config worker --concurrency 2`: two worker processes)
works on that database, with REDIS_URL and CELERY_BROKER_URL (and so the result backend) on
a Redis database of its own (--worker-redis-url, 11; emptied at the start and the end). The
command runs as an operator runs it — `manage.py generate_certificates --course ID --async`
in a process of its own with the worker's environment — and fans the work out to the
worker in chunks, waiting for their results.

Beside it, the site serves the bench database (bench/common.py, filled by bench/data.py)
with gunicorn as deployed (deploy/gunicorn.conf.py: --workers 2 × --threads 4, gthread),
REDIS_URL on another Redis database (--web-redis-url, 10), DEBUG off, pages kept for
visitors as in production. A light load asks for a few key pages of bench/pages.py (by
their readers; default catalogue, course, lesson, task) at a steady --rate (20 requests/s
in all, from --clients 4 keep-alive connections, each going round the pages): first for
--seconds (15) with nothing else running — the idle figures — then from the command's start
to its end — the busy ones.

Printed: the certificates per second end to end (from the command's start to its exit:
Django's start-up, the plan, the fan-out, the rendering and the last results; target
≥ 150/s) and between the first and the last certificate made; the CPU time of the worker's
processes per certificate (read from /proc: steadier than wall time on a busy machine); the
checks that every enrolment got its certificate row and PDF, and the command's own summary;
for each page, requests, p50 and p95 idle and busy, and the ratio of the p95s (target ≤ 2×,
and no response but the expected one; if any, the end of gunicorn's log but its access
lines); the `timeit` yardstick (the README's «Benchmarks») before and after. The exit status
is 1 when a target is missed. The worker runs at its systemd unit's Nice=, its session too
(bench/background.py's session_nice, standing for the unit's CPUWeight=); --worker-nice 0
shows it at the web's priority.

Everything here shares the machine's cores — the worker processes, gunicorn, PostgreSQL,
the command and this script's clients: compare figures taken in one run.
"""

import argparse
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from background import (
    PYTHON,
    add_worker_arguments,
    celery_worker,
    cpu_seconds,
    deployed_gunicorn,
    log_problems,
    production_environment,
    redis_database,
    require_migrated,
    worker_settings,
)
from certificates import FIRST_NAMES, LAST_NAMES, child
from common import ROOT, setup_django
from data import Loader
from load import HOST, free_port, server_environment, session_cookies
from pages import Page, key_pages, missed_status, print_table, setup_bench, shown_url, yardstick_ms
from stampede import latency

COUNT = 10_000
TARGET_RATE = 150  # certificates per second, end to end
TARGET_RATIO = 2.0  # a page's p95 busy ÷ idle
PAGES = "catalogue,course,lesson,task"
RATE = 20.0  # requests per second of the light load, in all
CLIENTS = 4
IDLE_SECONDS = 15
WARM_UP = 5  # requests of each page before the idle figures
WEB_REDIS_URL = os.environ.get("BENCH_WEB_REDIS_URL", "redis://127.0.0.1:6379/10")
WORKER_REDIS_URL = os.environ.get("BENCH_WORKER_REDIS_URL", "redis://127.0.0.1:6379/11")
COMMAND_TIMEOUT = 1800


# --- The scratch data (a step of its own, in a fresh interpreter) -----------------------------


def add_enrolments(database: str, count: int) -> int:
    """A course and `count` volunteers with a passed enrolment in it, in the scratch
    database: the users, volunteers and enrolments by COPY. The course's id."""
    setup_django(database)
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from courses.models import Course, VolunteerCourse
    from volunteers.models import Direction, Level, Location, Volunteer

    loader = Loader(timezone.now())
    direction = Direction.objects.create(title="Бенчмарк сертификатов", description="Сертификаты.")
    location = Location.objects.create(code=None, region="Бенчмарк сертификатов")
    password = make_password(None)
    # User 1 heads the course; users 2… are the volunteers 1….
    loader.copy(
        User,
        (
            {
                "id": number + 1,
                "username": f"certificates-{number}",
                "email": f"certificates-{number}@bench.example",
                "first_name": FIRST_NAMES[number % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[number % len(LAST_NAMES)],
                "password": password,
            }
            for number in range(count + 1)
        ),
    )
    loader.copy(
        Volunteer,
        (
            {
                "id": number,
                "user_id": number + 1,
                "phone_number": f"+7916{number:07d}",
                "birth_date": date(2000, 1, 1),
                "location_id": location.pk,
            }
            for number in range(1, count + 1)
        ),
    )
    loader.reset_sequences()
    course = Course.objects.create(
        title="Первая помощь на массовых мероприятиях: практический курс",
        direction=direction,
        level=Level.objects.get(rank=1),
        start_date=date(2026, 9, 1),
        short_description="Бенчмарк.",
        full_description="<p>Бенчмарк.</p>",
        duration=390,
        responsible_id=1,
        user_created_id=1,
        user_modified_id=1,
    )
    loader.copy(
        VolunteerCourse,
        (
            {
                "volunteer_id": number,
                "course_id": course.pk,
                "status": VolunteerCourse.Status.PASSED,
                "assessment": 60 + number % 41,
            }
            for number in range(1, count + 1)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return course.pk


# --- The light load ---------------------------------------------------------------------------


class LightLoad:
    """`clients` threads, each with a keep-alive connection, going round `pages` (each
    client from its own) at rate/clients requests a second, until stopped: the
    milliseconds of each page's answers, and the answers not as expected."""

    def __init__(self, port: int, pages: list[Page], cookies: dict, *, rate: float, clients: int):
        self.port, self.pages, self.cookies = port, pages, cookies
        self.interval = clients / rate
        self.clients = clients
        self.times = {page.name: [] for page in pages}
        self.failures = {page.name: [] for page in pages}
        self.stopping = threading.Event()
        self.threads = []

    def ask(self, connection: http.client.HTTPConnection, page: Page) -> None:
        headers = {"Cookie": self.cookies[page.user]} if page.user else {}
        started = time.perf_counter()
        try:
            connection.request("GET", page.url, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # opened again by the next request
            self.failures[page.name].append(f"{type(error).__name__}: {error}")
            return
        self.times[page.name].append(1000 * (time.perf_counter() - started))
        if response.status != page.status:
            self.failures[page.name].append(f"answered {response.status}")

    def client(self, number: int) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        due = time.perf_counter() + number * self.interval / self.clients  # the clients take turns
        turn = number
        try:
            while not self.stopping.wait(max(0.0, due - time.perf_counter())):
                self.ask(connection, self.pages[turn % len(self.pages)])
                turn += 1
                due = max(due + self.interval, time.perf_counter())  # late: go on at once, no burst
        finally:
            connection.close()

    def __enter__(self) -> "LightLoad":
        self.threads = [threading.Thread(target=self.client, args=(number,)) for number in range(self.clients)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join()


def warm_up(port: int, pages: list[Page], cookies: dict) -> None:
    """Each page a few times, one at a time; stops if one does not answer as expected."""
    load = LightLoad(port, pages, cookies, rate=1, clients=1)
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    for page in pages:
        for _ in range(WARM_UP):
            load.ask(connection, page)
        if load.failures[page.name]:
            raise SystemExit(f"{page.name} ({page.url}) {load.failures[page.name][0]}, not {page.status}")
    connection.close()


# --- The certificates -------------------------------------------------------------------------


def certificates_made(scratch, course_id: int, table: str, file_column: str) -> tuple[int, float | None, float | None]:
    """Certificates of the course with a file in the scratch database (the model's `table`,
    the file's `file_column`): how many, and the first and last made (Unix time)."""
    with scratch.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), extract(epoch FROM min(created_at)), extract(epoch FROM max(created_at)) "
            f"FROM {table} WHERE course_id = %s AND {file_column} <> ''",
            [course_id],
        )
        count, first, last = cursor.fetchone()
    return count, first and float(first), last and float(last)


def issue(database: str, course_id: int, environment: dict, count: int) -> dict:
    """`generate_certificates --course ID --async` in a process of its own, its progress
    polled in the scratch database every half second (a line every 5 s); its figures."""
    from django.db import connection

    from courses.models import Certificate

    scratch = connection.copy()
    scratch.settings_dict["NAME"] = database
    table, file_column = Certificate._meta.db_table, Certificate._meta.get_field("file").column
    command = [PYTHON, ROOT / "manage.py", "generate_certificates", "--course", str(course_id), "--async"]
    started = time.time()
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = {}
    reader = threading.Thread(target=lambda: output.update(zip(("out", "err"), process.communicate(), strict=True)))
    reader.start()
    told = started
    try:
        while reader.is_alive():
            reader.join(0.5)
            if time.time() - told >= 5:
                told = time.time()
                made = certificates_made(scratch, course_id, table, file_column)[0]
                print(f"  {told - started:5.1f} s: {made:,} of {count:,} certificates", flush=True)
            if time.time() - started > COMMAND_TIMEOUT:
                process.terminate()
        ended = time.time()
        made, first, last = certificates_made(scratch, course_id, table, file_column)
    finally:
        if process.poll() is None:
            process.kill()
        reader.join()
        scratch.close()
    return {
        "seconds": ended - started,
        "returncode": process.returncode,
        "made": made,
        "first": first - started if first else None,
        "last": last - started if last else None,
        "summary": (output.get("out") or b"").decode(errors="replace").strip(),
        "errors": (output.get("err") or b"").decode(errors="replace").strip(),
    }


def certificate_report(figures: dict, count: int, private: Path) -> list[str]:
    """Prints the certificates' figures and checks; what missed."""
    missed = []
    rate = count / figures["seconds"]
    verdict = "yes" if rate >= TARGET_RATE and figures["returncode"] == 0 else "no"
    print(
        f"N = {count:,}: the command's start → exit {figures['seconds']:.1f} s, {rate:.1f} certificates/s "
        f"(target ≥ {TARGET_RATE}/s): {verdict}"
    )
    if figures["first"] is not None:
        span = figures["last"] - figures["first"]
        rate_between = (figures["made"] - 1) / span if span > 0 else float("nan")
        print(
            f"  the first certificate {figures['first']:.1f} s after the start (start-up, plan, fan-out), the last "
            f"{figures['last']:.1f} s; between them {rate_between:.1f} certificates/s"
        )
    print(
        f"  {1000 * figures['worker_cpu'] / count:.1f} ms CPU per certificate in the worker's processes "
        "(PostgreSQL's and the command's not counted)"
    )
    files = sum(1 for _ in private.rglob("*.pdf"))
    print(f"  certificate rows {figures['made']:,}, PDF files {files:,} (of {count:,})")
    print(f"  the command's summary: {figures['summary']}")
    if figures["returncode"]:
        missed.append(f"generate_certificates --async exited with {figures['returncode']}")
        print(f"  its stderr ends with:\n{figures['errors'][-2000:]}")
    if figures["made"] != count or files != count:
        missed.append(f"{figures['made']} certificate rows and {files} PDFs, not {count}")
    if rate < TARGET_RATE:
        missed.append(f"{rate:.1f} certificates/s < {TARGET_RATE}/s")
    return missed


def page_report(pages: list[Page], idle: LightLoad, busy: LightLoad) -> list[str]:
    """Prints each page's figures idle and busy; what missed."""
    rows, missed = [], []
    for page in pages:
        quiet, loaded = idle.times[page.name], busy.times[page.name]
        failures = idle.failures[page.name] + busy.failures[page.name]
        if len(quiet) < 2 or len(loaded) < 2:
            rows.append([page.name, shown_url(page.url), str(len(quiet)), "", "", str(len(loaded)), "", "", "", ""])
            missed.append(f"{page.name} (too few requests to compare)")
            continue
        (quiet_p50, quiet_p95, _), (loaded_p50, loaded_p95, _) = latency(quiet), latency(loaded)
        ratio = float(loaded_p95) / float(quiet_p95)
        misses = [f"{len(failures)} not as expected ({failures[0]})"] if failures else []
        if ratio > TARGET_RATIO:
            misses.append(f"p95 {ratio:.2f}× idle > {TARGET_RATIO:g}×")
        if misses:
            missed.append(f"{page.name} ({', '.join(misses)})")
        rows.append(
            [
                page.name,
                shown_url(page.url),
                str(len(quiet)),
                quiet_p50,
                quiet_p95,
                str(len(loaded)),
                loaded_p50,
                loaded_p95,
                f"{ratio:.2f}",
                "no: " + "; ".join(misses) if misses else "yes",
            ]
        )
    header = ["page", "URL", "idle requests", "p50 ms", "p95 ms", "busy requests", "p50 ms", "p95 ms", "p95 ×"]
    print_table([*header, "meets targets"], rows)
    print(f"Targets: the busy p95 ≤ {TARGET_RATIO:g}× the idle p95, and every response as expected.")
    return missed


# --- The run ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=COUNT, help=f"passed enrolments to certify ({COUNT:,})")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (2)")
    parser.add_argument("--pages", default=PAGES, help=f"key pages of bench/pages.py under the light load ({PAGES})")
    parser.add_argument("--rate", type=float, default=RATE, help=f"requests per second of the light load ({RATE:g})")
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"connections of the light load ({CLIENTS})")
    parser.add_argument("--seconds", type=float, default=IDLE_SECONDS, help=f"of light load alone ({IDLE_SECONDS})")
    add_worker_arguments(parser)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (4, as deployed)")
    parser.add_argument("--web-redis-url", default=WEB_REDIS_URL, help=f"the site's Redis database ({WEB_REDIS_URL})")
    parser.add_argument(
        "--worker-redis-url", default=WORKER_REDIS_URL, help=f"the worker's and the command's ({WORKER_REDIS_URL})"
    )
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)  # a child's part
    args = parser.parse_args()
    if args.step:
        import json

        print(json.dumps(add_enrolments(args.step[0], int(args.step[1]))))
        return 0
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL (gunicorn's workers keep their connections only with it)")
    if args.web_redis_url == args.worker_redis_url:
        parser.error("the site and the worker need Redis databases of their own: their caches hold other data")
    # SIGTERM ends the script like Ctrl-C: through the `finally`s, which stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    os.environ["REDIS_URL"] = args.web_redis_url  # the readers' sessions, in the site's store
    bench = setup_bench()
    require_migrated(bench)
    from django.contrib.sessions.models import Session

    wanted = args.pages.split(",")
    pages = [page for page in key_pages() if page.name in wanted and page.url]
    if len(pages) != len(wanted):
        parser.error(f"--pages: names of bench/pages.py's key pages; found only {[page.name for page in pages]}")
    before = yardstick_ms()
    started = time.perf_counter()
    scratch = child("--step", "create-db")
    private = Path(tempfile.mkdtemp(prefix="volna-bench-certificates-"))
    missed = []
    try:
        course_id = child("--step", scratch, args.count, script=__file__)
        print(
            f"Scratch database {scratch} (dropped at the end): {args.count:,} passed enrolments of course "
            f"{course_id}, made in {time.perf_counter() - started:.1f} s; PDFs in {private} (removed at the end)"
        )
        print(
            f"Celery worker --concurrency {args.concurrency} ({worker_settings(args)}) on Redis "
            f"{args.worker_redis_url}; the site on {bench}: "
            f"gunicorn -c deploy/gunicorn.conf.py, {args.workers} workers × {args.threads} threads, Redis "
            f"{args.web_redis_url}; light load {args.rate:g} requests/s from {args.clients} clients on "
            f"{', '.join(page.name for page in pages)}; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        web = production_environment(server_environment(bench), redis_url=args.web_redis_url, private_root=private)
        worker = production_environment(
            server_environment(scratch), redis_url=args.worker_redis_url, private_root=private
        )
        port = free_port()
        with redis_database(args.web_redis_url), redis_database(args.worker_redis_url):
            cookies = session_cookies()
            try:
                with (
                    deployed_gunicorn(web, port, workers=args.workers, threads=args.threads) as log,
                    celery_worker(
                        worker,
                        concurrency=args.concurrency,
                        name="bench-certificates",
                        nice=args.worker_nice,
                        idle=args.worker_idle,
                    ) as (_, worker_process),
                ):
                    warm_up(port, pages, cookies)
                    print(f"Light load alone for {args.seconds:g} s", flush=True)
                    with LightLoad(port, pages, cookies, rate=args.rate, clients=args.clients) as idle:
                        time.sleep(args.seconds)
                    print("generate_certificates --async, with the light load", flush=True)
                    with LightLoad(port, pages, cookies, rate=args.rate, clients=args.clients) as busy:
                        cpu_before = cpu_seconds(worker_process.pid)
                        figures = issue(scratch, course_id, worker, args.count)
                        figures["worker_cpu"] = cpu_seconds(worker_process.pid) - cpu_before
                    if any(idle.failures.values()) or any(busy.failures.values()):
                        print(f"Pages answered otherwise than expected; gunicorn's log ends with:\n{log_problems(log)}")
            finally:
                keys = [cookie.split("=", 1)[1] for cookie in cookies.values()]
                Session.objects.filter(session_key__in=keys).delete()
        print()
        missed += certificate_report(figures, args.count, private)
    finally:
        shutil.rmtree(private, ignore_errors=True)
        child("--step", "drop-db", scratch)
    print()
    missed += page_report(pages, idle, busy)
    print(f"timeit: {before:.1f} ms before, {yardstick_ms():.1f} ms after (the README's line: 3.4 ms on a usual day)")
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
