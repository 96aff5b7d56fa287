"""Server time and queries of the JSON API's list endpoints, in process, on the bench database.

    .venv/bin/python bench/api.py                      # every list, 60 requests each
    .venv/bin/python bench/api.py --endpoint tasks-search --requests 200 --sql

As bench/pages.py, whose helpers it uses (the same database, Django's test Client in
process, DEBUG off, a persistent connection, 5 warm-up requests, the targets p95 ≤ 25 ms and
≤ 12 queries): each request carries `Authorization: Bearer <access>` of the bench user who
typically reads the list — the bench volunteer on the catalogue and «my courses», the bench
teacher on the methodics they may see (their drafts among the published ones) — or none
(anonymous clients on the problem bank, the library and search). The objects the lists
are filtered by are those bench/pages.py picks for the pages (key_pages): the catalogue's
most common direction and level, the block with the most tasks, the methodics category
with the most methodics. Search keeps what it found in the shared cache, so it is timed
warm (the same words again, as bench/pages.py does) and cold (the cache emptied before
each request, outside the timed part, as bench/search.py does).

The API's throttles (60 anonymous / 600 signed-in requests a minute) are on, counted in
the cache as in production, at rates no run reaches (API_ANON_RATE, API_USER_RATE).

The exit status is 1 if a list misses a target or fails; the last line names them. The
machine is shared (other runs, tests) and its speed varies from day to day: the figures
are indicative, printed between two readings of the README's timeit yardstick.
"""

import argparse
import os
import statistics
import sys
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit

from pages import (
    BENCH_USERS,
    REQUESTS,
    SEARCH_QUERIES,
    TABLE_HEADER,
    TARGET_P95_MS,
    TARGET_QUERIES,
    WARM_UP,
    Page,
    allowed_host,
    bench_user,
    key_pages,
    measure_pages,
    missed_status,
    print_queries,
    print_table,
    setup_bench,
    shown_url,
    yardstick_ms,
)
from search import measure as measure_search

SEARCH_WORDS = SEARCH_QUERIES["search-equation"]
TASK_WORDS = "уравнение"


def api_endpoints() -> list[Page]:
    """The API's lists, with what they are filtered by picked as for the pages."""
    from django.urls import resolve, reverse

    picked = {page.name: page.url for page in key_pages()}
    catalogue_filters = dict(parse_qsl(urlsplit(picked["catalogue-filtered"]).query))
    block_id = resolve(picked["block"]).kwargs["block_id"]
    category_filter = dict(parse_qsl(urlsplit(picked["methodics-category"]).query))

    def url(name: str, **params) -> str:
        return f"{reverse(f'api:{name}')}?{urlencode(params)}" if params else reverse(f"api:{name}")

    return [
        Page("courses", url("course-list"), "volunteer"),
        Page("courses-filtered", url("course-list", **catalogue_filters), "volunteer"),
        Page("my-courses", url("my-courses"), "volunteer"),
        Page("blocks", url("problems-block-list")),
        Page("tasks-block", url("problems-task-list", block=block_id)),
        Page("tasks-block-search", url("problems-task-list", block=block_id, q=TASK_WORDS)),
        Page("tasks-search", url("problems-task-list", q=TASK_WORDS)),
        Page("methodics", url("methodic-list")),
        Page("methodics-category", url("methodic-list", **category_filter)),
        Page("methodics-teacher", url("methodic-list"), "teacher"),
        Page("search", url("search", q=SEARCH_WORDS)),
    ]


def bearer_clients() -> dict:
    """A client per reader: anonymous (None), and each bench user with their access token."""
    from django.test import Client

    from accounts.tokens import tokens_for

    clients = {None: Client(raise_request_exception=True)}
    for key in BENCH_USERS:
        token = tokens_for(bench_user(key))["access"]
        clients[key] = Client(raise_request_exception=True, headers={"Authorization": f"Bearer {token}"})
    return clients


def search_cold_row(url: str, host: str, requests: int) -> tuple[list[str], str | None, list]:
    """Search with the cache emptied before each request: its row, what it missed, its SQL."""
    from django.test import Client

    times, queries, sql = measure_search(Client(raise_request_exception=True), url, host, cold=True, requests=requests)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
    misses = [f"p95 {p95:.1f} ms > {TARGET_P95_MS} ms"] if p95 > TARGET_P95_MS else []
    if max(queries) > TARGET_QUERIES:
        misses.append(f"{max(queries)} queries > {TARGET_QUERIES}")
    low, high = min(queries), max(queries)
    row = [
        "search-cold",
        shown_url(url),
        "anonymous",
        *(f"{ms:.1f}" for ms in (statistics.median(times), p95, max(times))),
        str(low) if low == high else f"{low}–{high}",
        "",
        "no: " + "; ".join(misses) if misses else "yes",
    ]
    return row, f"search-cold ({', '.join(misses)})" if misses else None, sql


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=REQUESTS, help=f"timed requests a list (default {REQUESTS})")
    parser.add_argument("--endpoint", help="run this list only (a name from the table)")
    parser.add_argument("--sql", action="store_true", help="then print each list's queries (of its last request)")
    args = parser.parse_args()

    # Throttled as in production, at rates no run reaches; tokens that outlive a long run.
    for name in ("API_ANON_RATE", "API_USER_RATE"):
        os.environ[name] = "1000000/minute"
    os.environ.setdefault("JWT_ACCESS_MINUTES", "120")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    database = setup_bench()

    endpoints = api_endpoints()
    names = [endpoint.name for endpoint in endpoints] + ["search-cold"]
    if args.endpoint and args.endpoint not in names:
        parser.error(f"no list named {args.endpoint!r}: one of {', '.join(names)}")
    chosen = [endpoint for endpoint in endpoints if args.endpoint in (None, endpoint.name)]
    host = allowed_host()

    print(f"Database {database}, {args.requests} requests a list after {WARM_UP} warm-up")
    print(f"timeit before: {yardstick_ms():.2f} ms")
    rows, missed, results = measure_pages(chosen, bearer_clients(), args.requests, host)
    cold_sql = None
    if args.endpoint in (None, "search-cold"):
        search = next(endpoint for endpoint in endpoints if endpoint.name == "search")
        row, miss, cold_sql = search_cold_row(search.url, host, args.requests)
        rows.append(row)
        missed += [miss] if miss else []
    print_table(TABLE_HEADER, rows)
    print(f"Targets: p95 ≤ {TARGET_P95_MS} ms and ≤ {TARGET_QUERIES} queries.")
    print(f"timeit after: {yardstick_ms():.2f} ms")
    print("Indicative: the machine is shared with other runs; compare the timeit figures with the README's.")
    for result in results if args.sql else []:
        print_queries(result.page.name, result.last_sql)
    if args.sql and cold_sql is not None:
        print_queries("search-cold", cold_sql)
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
