"""Every changelist of the admin, on the bench database, as the main administrator (who
sees every row): the median time of a request, its number of queries and its slowest
query. Staff work there on the same data as the site's readers.

    .venv/bin/python bench/admin.py                   # 5 requests a changelist after one warm-up
    .venv/bin/python bench/admin.py --requests 20 --sql

Like bench/pages.py, it reads the database that bench/data.py fills, with DEBUG off and a
persistent connection; run it with DATABASE_URL set. No target: the figures say where the
back office would need work first.
"""

import argparse
import statistics
import time
import warnings

from pages import allowed_host, print_table, setup_bench

MAIN_ADMIN = "bench-main@bench.example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5, help="timed requests per changelist (default 5)")
    parser.add_argument("--sql", action="store_true", help="print each changelist's slowest query in full")
    args = parser.parse_args()

    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    database = setup_bench()
    from django.contrib import admin
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    main_admin = User.objects.filter(email=MAIN_ADMIN).first()
    if main_admin is None:
        raise SystemExit(f"The bench database has no {MAIN_ADMIN}: fill it with bench/data.py.")
    client = Client(raise_request_exception=True)
    client.force_login(main_admin)
    host = allowed_host()

    print(f"Database {database}, {args.requests} requests a changelist after 1 warm-up, as {MAIN_ADMIN}")
    rows, slowest_sql = [], []
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        client.get(url, HTTP_HOST=host)
        times = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, HTTP_HOST=host)
                times.append((time.perf_counter() - started) * 1000)
        slowest = max(captured.captured_queries, key=lambda query: float(query["time"]))
        rows.append(
            [
                model._meta.label,
                str(response.status_code),
                f"{statistics.median(times):.1f}",
                str(len(captured)),
                f"{float(slowest['time']) * 1000:.0f}",
            ]
        )
        slowest_sql.append((model._meta.label, slowest["sql"]))
    print_table(["changelist", "status", "median ms", "queries", "slowest query ms"], rows)
    if args.sql:
        for label, sql in slowest_sql:
            print(f"\n{label}:\n  {sql}")


if __name__ == "__main__":
    main()
