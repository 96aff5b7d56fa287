"""gunicorn's settings for Volna in production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

One instance per app server (deploy/systemd/volna-web.service), bound to the address nginx
names in its upstream (deploy/nginx.conf). Every value may be overridden from the
environment (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_THREADS) without editing this file.

Threads, not only processes: a request of ours spends most of its time waiting for
PostgreSQL and Redis, so a worker with a few threads serves a burst (250 learners opening
one quiz within a second, bench/exam_rush.py) without a process per request. Each thread
keeps its own database connection (CONN_MAX_AGE): PostgreSQL's max_connections must exceed
instances × workers × threads + Celery's processes.
"""

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

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# Load the application before forking: workers share its memory and a broken release fails
# at start, not at the first request.
preload_app = True
