"""Server time and queries of the site's key pages, in process, on the bench database.

    .venv/bin/python bench/pages.py                         # every key page, 60 requests each
    .venv/bin/python bench/pages.py --page task --requests 200
    .venv/bin/python bench/pages.py --page lesson --sql        # and the SQL of its last request
    BENCH_DATABASE=volna_pagesdev .venv/bin/python bench/pages.py

It reads the database that bench/data.py fills (BENCH_DATABASE, or the settings' database
with `_bench` appended: see bench/common.py) on the settings' server; run it with
DATABASE_URL set, so that the connection persists between requests as in production
(conn_max_age). DEBUG is off, and so is the keeping of public pages for anonymous visitors
(PAGE_CACHE_SECONDS=0): this measures the views, not the cache. The objects shown are
picked by queries on the bench data (key_pages), and the pages are read by whom typically
reads them: an anonymous visitor on public pages, the bench volunteer where a signed-in
learner is the reader (the catalogue and a course page, which then also say what the
learner may enrol in, and the lessons), the bench teacher on the schedule of their
project. A page whose URL does not resolve (site search before it exists) is skipped, with
a note.

Each page gets 5 warm-up requests, then --requests (60) through Django's test Client,
each timed with perf_counter around the whole request and its queries counted with
CaptureQueriesContext. The table gives median, 95th percentile and max time, the number
of queries, the response size, and whether the page meets the targets: p95 ≤ 25 ms and
≤ 12 queries. A page that answers with another status or raises (the Client re-raises the
view's exception) is marked as failed and the others go on. The exit status is 1 if any
page misses the targets or fails, and the last line names them.

The random variant is two pages, as in the browser: «variant-draw» is the form's GET
(?blocks=…&versions=1, every block ticked as the form starts) that draws one random
published task per block and answers with a redirect (302) to the drawn variant's own
URL — the one page expected to answer 302; «variant» is that page (?tasks=…), showing the
tasks, for one draw made when the pages are picked. Saving a variant is a POST (and a
write) and is not measured.

bench/load.py imports the page list from here.
"""

import argparse
import statistics
import sys
import time
import timeit
import warnings
from dataclasses import dataclass
from urllib.parse import unquote, urlencode

from common import bench_database, setup_django

REQUESTS = 60
WARM_UP = 5
TARGET_P95_MS = 25
TARGET_QUERIES = 12
BENCH_USERS = {
    "volunteer": "bench-volunteer@bench.example",
    "teacher": "bench-teacher@bench.example",
}
# Typical searches of the site's visitors (the problem bank's and the methodics' words).
SEARCH_QUERIES = {"search-equation": "уравнение", "search-triangle": "треугольник", "search-game": "игра команда"}


@dataclass(frozen=True)
class Page:
    name: str
    url: str | None  # None when the URL does not resolve (yet): `note` says why
    user: str | None = None  # a key of BENCH_USERS; None for an anonymous visitor
    status: int = 200
    note: str = ""


def setup_bench() -> str:
    """Load Django (DEBUG off) with every connection on the bench database; its name."""
    setup_django()
    database = bench_database()  # reads the settings
    setup_django(database)
    return database


def _found(value, what: str):
    if value is None:
        raise SystemExit(f"The bench database has no {what}: fill it with bench/data.py.")
    return value


def bench_user(key: str):
    from accounts.models import User

    return _found(User.objects.filter(email=BENCH_USERS[key]).first(), f"user {BENCH_USERS[key]}")


def key_pages() -> list[Page]:
    """The key pages, with the objects they show picked by queries on the bench data."""
    from django.db.models import Case, Count, Q, When
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from courses.models import VolunteerCourse, VolunteerLesson
    from courses.selectors import course_lessons, courses_shown
    from methodics.models import Category, Methodic
    from methodics.selectors import published_methodics
    from problems.selectors import blocks_with_counts, published_tasks
    from problems.views.variants import blocks_in_order, draw_versions, joined, url_with
    from projects.models import ProjectMember, Term

    volunteer, teacher = bench_user("volunteer"), bench_user("teacher")
    enrolment = _found(
        VolunteerCourse.objects.filter(
            volunteer__user=volunteer,
            course__in=courses_shown(),
            status__in=[VolunteerCourse.Status.ENROLLED, VolunteerCourse.Status.ACTIVE],
        )
        .select_related("course")
        .order_by("pk")
        .first(),
        "current enrolment of the bench volunteer in a shown course",
    )
    course = enrolment.course
    # The lesson the volunteer reads next: the first one not passed (or the first one).
    lessons = _found(course_lessons(course) or None, f"shown lesson in course {course.pk}")
    progress = VolunteerLesson.objects.filter(volunteer_id=enrolment.volunteer_id, passed=True)
    passed = set(progress.values_list("lesson_id", flat=True))
    lesson = next((each for each in lessons if each.pk not in passed), lessons[0])
    # The catalogue's most common direction and level: the filtered list is as long as it gets.
    direction_id, level_id = _found(
        courses_shown()
        .values_list("direction_id", "level_id")
        .annotate(count=Count("pk"))
        .order_by("-count", "direction_id", "level_id")
        .first(),
        "shown course",
    )[:2]
    block = _found(blocks_with_counts().order_by("-task_count", "pk").first(), "block of tasks")
    task = _found(
        published_tasks()
        .filter(block=block)
        .annotate(reference_count=Count("references"))
        .order_by("-reference_count", "pk")
        .first(),
        f"published task in block {block.pk}",
    )
    block_ids = [each.pk for each in blocks_in_order()]
    drawn = draw_versions(block_ids, 1)[0]
    published = Q(methodics__status=Methodic.Status.PUBLISHED)
    category = _found(
        Category.objects.annotate(count=Count("methodics", filter=published)).order_by("-count", "pk").first(),
        "methodics category",
    )
    methodic = _found(
        published_methodics().annotate(step_count=Count("steps")).order_by("-step_count", "pk").first(),
        "published methodic",
    )
    # The schedule the teacher looks at: the current (else the latest) term of their project —
    # one they administer, else one they are a member of.
    project_id = _found(
        ProjectMember.objects.filter(user=teacher)
        .order_by(Case(When(role=ProjectMember.Role.ADMIN, then=0), default=1), "project_id")
        .values_list("project_id", flat=True)
        .first(),
        "project of the bench teacher",
    )
    today = timezone.localdate()
    term = _found(
        Term.objects.filter(project_id=project_id)
        .order_by(Case(When(start_date__lte=today, finish_date__gte=today, then=0), default=1), "-start_date")
        .first(),
        f"term in project {project_id}",
    )
    catalogue = reverse("courses:catalogue")
    filters = {"direction": direction_id, "level": level_id}
    pages = [
        Page("home", reverse("home")),
        Page("catalogue", catalogue, "volunteer"),
        Page("catalogue-filtered", f"{catalogue}?{urlencode(filters)}", "volunteer"),
        Page("course", course.get_absolute_url(), "volunteer"),
        Page("lesson", reverse("courses:lesson", args=[course.pk, lesson.pk]), "volunteer"),
        Page("block", reverse("problems:block", args=[block.pk])),
        Page("task", reverse("problems:task", args=[task.pk])),
        Page(
            "variant-draw",
            f"{reverse('problems:random_variant')}?{urlencode({'blocks': block_ids, 'versions': 1}, doseq=True)}",
            status=302,
        ),
        Page("variant", url_with("random_variant", {"tasks": joined(drawn)})),
        Page("methodics-category", f"{reverse('methodics:list')}?{urlencode({'category': category.pk})}"),
        Page("methodic", reverse("methodics:detail", args=[methodic.pk])),
        Page("schedule", reverse("projects:term", args=[term.pk]), "teacher"),
    ]
    try:
        search = reverse("search")
    except NoReverseMatch:
        pages += [Page(name, None, note="skipped: no URL named «search» yet") for name in SEARCH_QUERIES]
    else:
        pages += [Page(name, f"{search}?{urlencode({'q': words})}") for name, words in SEARCH_QUERIES.items()]
    return pages


def shown_url(url: str | None) -> str:
    """The URL as a reader sees it in the table (Cyrillic, not %-escapes; long ones cut)."""
    text = unquote(url) if url else "—"
    return text if len(text) <= 60 else f"{text[:57]}…"


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns as wide as their widest cell; text left-aligned, figures right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells):
        return "  ".join(
            str(cell).rjust(width) if str(cell)[:1].isdigit() else str(cell).ljust(width)
            for cell, width in zip(cells, widths, strict=True)
        ).rstrip()

    print(line(header))
    print(line(["-" * width for width in widths]))
    for row in rows:
        print(line(row))


def allowed_host() -> str:
    """A Host header the settings accept (DEBUG off checks it): 127.0.0.1 if allowed."""
    from django.conf import settings
    from django.http.request import validate_host

    candidates = ["127.0.0.1", "localhost", *settings.ALLOWED_HOSTS]
    host = next((host for host in candidates if validate_host(host, settings.ALLOWED_HOSTS)), None)
    return _found(host, "host in ALLOWED_HOSTS (set ALLOWED_HOSTS=127.0.0.1)")


@dataclass(frozen=True)
class Result:
    page: Page
    times_ms: list[float]
    queries: list[int]
    size_kb: float
    last_sql: list[dict]  # the last request's queries: {"sql": …, "time": seconds as text}

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[-1]

    def misses(self) -> list[str]:
        found = []
        if self.p95 > TARGET_P95_MS:
            found.append(f"p95 {self.p95:.1f} ms > {TARGET_P95_MS} ms")
        if max(self.queries) > TARGET_QUERIES:
            found.append(f"{max(self.queries)} queries > {TARGET_QUERIES}")
        return found


def yardstick_ms() -> float:
    """The README's `python3 -m timeit -n 20 "sum(i*i for i in range(100000))"`, in
    process: best of 5 loops of 20, per loop — how fast the machine is today."""
    return min(timeit.repeat("sum(i*i for i in range(100000))", number=20, repeat=5)) / 20 * 1000


def print_queries(name: str, sql: list[dict]) -> None:
    print(f"\n{name}: {len(sql)} queries")
    for number, query in enumerate(sql, 1):
        print(f"{number:3}. {float(query['time']) * 1000:4.0f} ms  {query['sql']}")


def missed_status(missed: list[str]) -> int:
    """Prints what missed its targets; the script's exit status."""
    if missed:
        print("Missed: " + "; ".join(missed))
        return 1
    return 0


def measure(client, page: Page, requests: int, host: str) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get():
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(page.url, HTTP_HOST=host)
            elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != page.status:
            raise AssertionError(f"answered {response.status_code}, not {page.status}")
        return elapsed_ms, len(captured), len(response.content), captured.captured_queries

    for _ in range(WARM_UP):
        get()
    runs = [get() for _ in range(requests)]
    times, queries, sizes, sql = zip(*runs, strict=True)
    return Result(page, list(times), list(queries), max(sizes) / 1024, sql[-1])


TABLE_HEADER = ["page", "URL", "user", "median ms", "p95 ms", "max ms", "queries", "KB", "meets targets"]


def measure_pages(pages: list[Page], clients: dict, requests: int, host: str) -> tuple[list, list[str], list[Result]]:
    """Each page measured with the client of its user (`clients[page.user]`): the table's
    rows (TABLE_HEADER), what missed its targets or failed, and the results. A page that
    fails is noted and the others go on (bench/api.py measures the API's lists with it)."""
    rows, missed, results = [], [], []
    for page in pages:
        if page.url is None:
            rows.append([page.name, "—", page.user or "anonymous", "", "", "", "", "", page.note])
            continue
        try:
            result = measure(clients[page.user], page, requests, host)
        except Exception as error:  # the page is broken: say so, and go on with the others
            failure = f"{type(error).__name__}: {error}".splitlines()[0][:100]
            missed.append(f"{page.name} ({failure})")
            rows.append([page.name, shown_url(page.url), page.user or "anonymous", "", "", "", "", "", failure])
            continue
        results.append(result)
        low, high = min(result.queries), max(result.queries)
        misses = result.misses()
        if misses:
            missed.append(f"{page.name} ({', '.join(misses)})")
        times = [statistics.median(result.times_ms), result.p95, max(result.times_ms)]
        rows.append(
            [
                page.name,
                shown_url(page.url),
                page.user or "anonymous",
                *(f"{ms:.1f}" for ms in times),
                str(low) if low == high else f"{low}–{high}",
                f"{result.size_kb:.1f}",
                "no: " + "; ".join(misses) if misses else "yes",
            ]
        )
    return rows, missed, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help=f"timed requests per page (default {REQUESTS})")
    parser.add_argument("--page", help="run this page only (a name from the table)")
    parser.add_argument("--sql", action="store_true", help="then print each page's queries (of its last request)")
    args = parser.parse_args()

    # whitenoise looks for STATIC_ROOT, which only collectstatic makes; no static file is served here.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    database = setup_bench()
    from django.conf import settings
    from django.test import Client

    # The views' own work: pages kept for visitors (core.cache.kept_for_visitors) would be
    # served from the cache after the first request. bench/load.py keeps them, as production.
    settings.PAGE_CACHE_SECONDS = 0

    pages = key_pages()
    if args.page:
        pages = [page for page in pages if page.name == args.page]
        if not pages:
            parser.error(f"no page named {args.page!r}")
    host = allowed_host()
    clients = {key: Client(raise_request_exception=True) for key in [None, *BENCH_USERS]}
    for key in BENCH_USERS:
        clients[key].force_login(bench_user(key))

    print(f"Database {database}, {args.requests} requests a page after {WARM_UP} warm-up")
    try:
        rows, missed, results = measure_pages(pages, clients, args.requests, host)
    finally:
        for client in clients.values():
            client.logout()  # deletes the session made by force_login
    print_table(TABLE_HEADER, rows)
    print(f"Targets: p95 ≤ {TARGET_P95_MS} ms and ≤ {TARGET_QUERIES} queries.")
    for result in results if args.sql else []:
        print_queries(result.page.name, result.last_sql)
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
