"""The site search's server time, in process on the bench database: cold and warm.

    .venv/bin/python bench/search.py                    # 60 requests a row
    .venv/bin/python bench/search.py --requests 200 --sql

The site search keeps what it found in the shared cache (config.views.search_groups), so
bench/pages.py, which asks for the same URL again and again, times it warm after its first
request. Here each search of bench/pages.py (and a page of one kind of results) is timed
twice: «cold», the cache emptied before every request (outside the timed part) but for
the areas' versions, which a running site always has (a version is kept without expiry;
until 7 December 2026 they were emptied too, which added their re-creation, six round
trips to Redis, to every cold row) — the view's own work for words never searched, with
the cost of building and storing the cached value — and «warm», as the next reader of
the same words gets it. As in
bench/pages.py: Django's test Client, DEBUG off, kept pages off (PAGE_CACHE_SECONDS=0),
an anonymous visitor, 5 warm-up requests, the target p95 ≤ 25 ms.

The machine's speed varies from day to day and with what else runs: the table is printed
between two `timeit` figures, the README's yardstick
(`python3 -m timeit -n 20 "sum(i*i for i in range(100000))"`, best of 5).
"""

import argparse
import statistics
import sys
import time
import warnings
from urllib.parse import urlencode

from pages import (
    SEARCH_QUERIES,
    TARGET_P95_MS,
    WARM_UP,
    allowed_host,
    missed_status,
    print_queries,
    print_table,
    setup_bench,
    shown_url,
    yardstick_ms,
)

REQUESTS = 60


def measure(client, url: str, host: str, *, cold: bool, requests: int) -> tuple[list[float], list[int], list]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.views import SEARCHED_AREAS
    from core.cache import versions

    times, queries, sql = [], [], []
    for number in range(WARM_UP + requests):
        if cold:
            cache.clear()
            versions(SEARCHED_AREAS)  # the areas' versions are always there on a running site
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST=host)
            elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise AssertionError(f"{url} answered {response.status_code}")
        if number >= WARM_UP:
            times.append(elapsed_ms)
            queries.append(len(captured))
            sql = captured.captured_queries
    return times, queries, sql


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help=f"timed requests per row (default {REQUESTS})")
    parser.add_argument("--sql", action="store_true", help="then print each cold row's queries (of its last request)")
    args = parser.parse_args()

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    database = setup_bench()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.PAGE_CACHE_SECONDS = 0
    search = reverse("search")
    urls = {name: f"{search}?{urlencode({'q': words})}" for name, words in SEARCH_QUERIES.items()}
    one_kind = {"q": SEARCH_QUERIES["search-equation"], "kind": "tasks", "page": 2}
    urls["search-tasks-page-2"] = f"{search}?{urlencode(one_kind)}"
    client, host = Client(raise_request_exception=True), allowed_host()

    print(f"Database {database}, {args.requests} requests a row after {WARM_UP} warm-up")
    print(f"timeit before: {yardstick_ms():.2f} ms")
    rows, missed, cold_sql = [], [], {}
    for name, url in urls.items():
        for cold in (True, False):
            times, queries, sql = measure(client, url, host, cold=cold, requests=args.requests)
            p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
            low, high = min(queries), max(queries)
            state = "cold" if cold else "warm"
            if p95 > TARGET_P95_MS:
                missed.append(f"{name} {state} (p95 {p95:.1f} ms)")
            if cold:
                cold_sql[name] = sql
            rows.append(
                [
                    name,
                    shown_url(url),
                    state,
                    *(f"{ms:.1f}" for ms in (statistics.median(times), p95, max(times))),
                    str(low) if low == high else f"{low}–{high}",
                    "yes" if p95 <= TARGET_P95_MS else "no",
                ]
            )
    print_table(["page", "URL", "cache", "median ms", "p95 ms", "max ms", "queries", f"p95 ≤ {TARGET_P95_MS} ms"], rows)
    print(f"timeit after: {yardstick_ms():.2f} ms")
    for name, sql in cold_sql.items() if args.sql else ():
        print_queries(f"{name}, cold", sql)
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
