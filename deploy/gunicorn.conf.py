"""gunicorn's settings for Volna in production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

One instance per app server (deploy/systemd/volna-web.service), bound to the address nginx
names in its upstream (deploy/nginx.conf). Every value may be overridden from the
environment (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_ACCESS_LOG)
without editing this file.

Threads, not only processes: a request of ours spends most of its time waiting for
PostgreSQL and Redis, so a worker with a few threads serves a burst (250 learners opening
one quiz within a second, bench/exam_rush.py) without a process per request. Each thread
keeps its own database connection (CONN_MAX_AGE): PostgreSQL's max_connections must exceed
instances × workers × threads + Celery's processes.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request that takes longer is stuck: the worker is replaced. Large exports and
# certificates run in Celery, so no page needs more.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Workers are renewed now and then, so that a slow leak in a library never grows unbounded;
# the jitter keeps them from restarting at once.
max_requests = 2000
max_requests_jitter = 200

# nginx on the same machine sets X-Forwarded-For/-Proto (TRUSTED_PROXY_COUNT=1).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# nginx logs every request with the app server's time (deploy/nginx.conf): a second line per
# request here cost 1.6 % of the workers' time in the exam rush's wave 2 (py-spy, 7 December
# 2026). GUNICORN_ACCESS_LOG=- writes it to the journal, for a server run without nginx.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Load the application before forking: workers share its memory and a broken release fails
# at start, not at the first request.
preload_app = True

# Python's cycle collector, tuned for a web worker: what the preloaded application made is
# moved out of its sight before each fork (gc.freeze, as Python's documentation advises for
# a process that forks without exec — the workers share those pages, and no collection
# walks them again), and a worker collects its youngest objects every 50,000 allocations,
# not 700: a request makes and drops tens of thousands, nearly all freed by their counts.
# Measured with bench/exam_rush.py (250 learners, 2 workers × 8 threads; 7 December 2026,
# `timeit` 4.1–4.7 ms): wave 2 7.30 and 7.69 s before, 6.76, 7.18 and 6.85 s after; wave 1
# 2.46 and 2.63 s before, 2.09, 2.17 and 2.29 s after.
GC_THRESHOLDS = (50_000, 50, 100)


def pre_fork(server, worker):
    gc.freeze()


def post_fork(server, worker):
    gc.set_threshold(*GC_THRESHOLDS)
