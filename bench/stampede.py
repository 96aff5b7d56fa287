"""A cache miss is never a stampede: how many times a kept page is rebuilt when 32 visitors
ask for it at once just after its area was retired.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna .venv/bin/python bench/stampede.py
    .venv/bin/python bench/stampede.py --page methodic --threads 16 --rounds 10
    .venv/bin/python bench/stampede.py --without-lock        # what core.cache's lock saves

It serves the bench database (bench/common.py) with gunicorn as bench/load.py does —
production settings, DEBUG off, pages kept for anonymous visitors PAGE_CACHE_SECONDS — on
2 workers (sync; gthread with --threads) and REDIS_URL on database 14 of the Redis at
127.0.0.1:6379 (BENCH_REDIS_URL to choose another), emptied at the start and at the end.
Each round: one anonymous request makes the page kept; the site's areas are retired from
this process as a service retires its own (core.cache.content_changed, on the same Redis);
then --connections (32) connections, opened beforehand and released together, each ask for
the page once, without cookies. The workers count the SQL queries they run and the requests
that ran any (bench/stampede_gunicorn.py): a request served from the kept page runs none,
so those requests are the rebuilds. Printed per round: requests, rebuilds, queries, latency
p50 / p95 / max; then all rounds together, and the machine's `timeit` figure (the README's
«Benchmarks»). The exit status is 1 when a round made more than one rebuild (without
--without-lock).
"""

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT
from load import HOST, STATIC_ROOT, free_port, server_environment, serving
from pages import key_pages, print_table, setup_bench, shown_url, yardstick_ms

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
AREAS = ("courses", "problems", "methodics", "site")
CONNECTIONS = 32
ROUNDS = 5
WORKERS = 2
PAGE = "search-equation"  # the slowest page to build: the widest window for a stampede
GUNICORN_CONFIG = Path(__file__).with_name("stampede_gunicorn.py")


def counts(client) -> dict:
    from stampede_gunicorn import COUNTS_KEY

    return {key.decode(): int(value) for key, value in client.hgetall(COUNTS_KEY).items()}


def burst(port: int, url: str, connections: int) -> list[tuple[int, float]]:
    """`connections` connections, opened first, each asking for `url` once when all are
    ready: the status and the milliseconds of each."""
    ready = threading.Barrier(connections)
    results = [None] * connections

    def visit(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            connection.connect()
            ready.wait()
            started = time.perf_counter()
            connection.request("GET", url)
            response = connection.getresponse()
            response.read()
            results[index] = (response.status, 1000 * (time.perf_counter() - started))
        finally:
            connection.close()

    threads = [threading.Thread(target=visit, args=(index,)) for index in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def latency(milliseconds: list[float]) -> list[str]:
    """p50, p95 and max."""
    centiles = statistics.quantiles(milliseconds, n=100, method="inclusive")
    return [f"{centiles[49]:.1f}", f"{centiles[94]:.1f}", f"{max(milliseconds):.1f}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", default=PAGE, help=f"an anonymous page of bench/pages.py (default {PAGE})")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help=f"default {CONNECTIONS}")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"default {ROUNDS}")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread); 1: sync workers")
    parser.add_argument("--without-lock", action="store_true", help="every caller builds a missed page itself")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL (gunicorn's workers keep their connections only with it)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    # This process retires the areas in the servers' cache: the same Redis, the same settings.
    os.environ["REDIS_URL"] = REDIS_URL
    database = setup_bench()
    import redis

    from core.cache import content_changed

    pages = {page.name: page for page in key_pages() if page.user is None and page.status == 200 and page.url}
    if args.page not in pages:
        parser.error(f"--page: one of {', '.join(pages)}")
    page = pages[args.page]
    environment = server_environment(database) | {
        "STATIC_ROOT": str(STATIC_ROOT),
        "PAGE_CACHE_SECONDS": os.environ.get("PAGE_CACHE_SECONDS", "60"),
        "BENCH_COUNTS_URL": REDIS_URL,
    }
    if args.without_lock:
        environment["BENCH_WITHOUT_LOCK"] = "1"
    python = Path(sys.executable)
    command = [python, ROOT / "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, env=environment, check=True, cwd=ROOT)
    port = free_port()
    workers = ["--worker-class", "sync"] if args.threads == 1 else ["--worker-class", "gthread", "--threads"]
    workers += [str(args.threads)] if args.threads > 1 else []
    command = [python.with_name("gunicorn"), "config.wsgi:application", "-c", GUNICORN_CONFIG]
    command += ["--workers", str(WORKERS), *workers, "--bind", f"{HOST}:{port}", "--error-logfile", "-"]
    lock = "without the lock" if args.without_lock else "with core.cache's lock"
    print(f"Database {database}; Redis {REDIS_URL}; gunicorn {WORKERS} workers × {args.threads} thread(s), {lock}")
    print(f"Page {args.page}: {shown_url(page.url)}; {args.connections} connections a round, {args.rounds} rounds")

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    rows, latencies, too_many = [], [], []
    try:
        with serving(command, environment, port, "volna-stampede-"):
            for number in range(1, args.rounds + 1):
                kept = burst(port, page.url, 1)[0]
                if kept[0] != 200:
                    raise SystemExit(f"{page.url} answered {kept[0]}")
                time.sleep(0.5)  # request_finished is sent once the response has left
                content_changed(*AREAS)
                before = counts(client)
                answers = burst(port, page.url, args.connections)
                time.sleep(0.5)
                after = counts(client)
                done = {key: after.get(key, 0) - before.get(key, 0) for key in ("requests", "rebuilds", "queries")}
                times = [milliseconds for _status, milliseconds in answers]
                latencies += times
                failed = sum(status != 200 for status, _milliseconds in answers)
                if done["rebuilds"] > 1:
                    too_many.append(number)
                rows.append([str(number), *map(str, done.values()), str(failed), *latency(times)])
    finally:
        client.flushdb()
        client.close()

    total = [sum(int(row[column]) for row in rows) for column in range(1, 5)]
    rows.append(["all", *map(str, total), *latency(latencies)])
    header = ["round", "requests", "rebuilds", "queries", "non-200", "p50 ms", "p95 ms", "max ms"]
    print_table(header, rows)
    print(f"timeit: {yardstick_ms():.1f} ms (the README's line: 3.4 ms on a usual day)")
    if too_many and not args.without_lock:
        print(f"More than one rebuild in round(s) {', '.join(map(str, too_many))}.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
