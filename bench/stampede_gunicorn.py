"""gunicorn settings of bench/stampede.py (`-c`), and nothing of the product: each worker
counts in Redis (BENCH_COUNTS_URL) the SQL queries it runs and the requests that ran any.

A request served from a kept page runs no query (an anonymous visitor without cookies:
no session, no user), so the requests with queries are the rebuilds of the page. The
queries are counted by a wrapper on every connection (Django's `execute_wrappers`), the
requests by Django's request_started / request_finished signals, per thread (gthread
workers run several requests at once).

With BENCH_WITHOUT_LOCK set the workers build a missed page without core.cache's lock
(each caller builds and stores it), to show what the lock saves.
"""

import os
import threading

COUNTS_KEY = "bench:stampede"


def post_worker_init(worker):
    import redis
    from django.core.signals import request_finished, request_started
    from django.db import connections
    from django.db.backends.signals import connection_created

    counts = redis.Redis.from_url(os.environ["BENCH_COUNTS_URL"])
    this_request = threading.local()

    def count_query(execute, sql, params, many, context):
        this_request.queries = getattr(this_request, "queries", 0) + 1
        return execute(sql, params, many, context)

    def wrap(sender, connection, **kwargs):
        if count_query not in connection.execute_wrappers:
            connection.execute_wrappers.append(count_query)

    def started(**kwargs):
        this_request.queries = 0

    def finished(**kwargs):
        queries = getattr(this_request, "queries", 0)
        counts.hincrby(COUNTS_KEY, "requests", 1)
        if queries:
            counts.hincrby(COUNTS_KEY, "rebuilds", 1)
            counts.hincrby(COUNTS_KEY, "queries", queries)

    connection_created.connect(wrap, weak=False)
    for connection in connections.all(initialized_only=True):
        wrap(None, connection)
    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)

    if os.environ.get("BENCH_WITHOUT_LOCK"):
        from core import cache as kept

        def built_without_lock(full_key, build, seconds):
            value, keep = build()
            kept.cache.set(full_key, value if keep else kept._NOT_KEPT, seconds if keep else kept.LOCK_SECONDS)
            return value

        kept._built = built_without_lock
