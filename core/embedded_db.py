"""The zero-setup database: an embedded PostgreSQL from the pgserver package.

Used when DATABASE_URL is unset (development, `make run`, `make test` on a fresh
machine). The server binaries come with the pgserver wheel; data lives in
EMBEDDED_PGDATA, and the server stops when the last process using it exits.
"""

import json
import logging
import signal
import sys
import threading
import warnings
from pathlib import Path

import psutil

DATABASE_NAME = "volna"

# pgserver's list of the processes using the server (`DiskList`, a JSON list of pids): the
# last one to exit stops the server.
HANDLE_LIST = ".handle_pids.json"


def handle_list_repair(pgdata: Path) -> list[int]:
    """Rewrite pgserver's list of processes using the server with only the live ones.

    pgserver reads the list with a bare `json.loads` and never forgets a process that did
    not exit through `atexit` (killed, or stopped by SIGTERM). A file cut short while it was
    written (empty) made every later start fail with JSONDecodeError, and a dead pid left in
    it kept the server from ever stopping. Unreadable content counts as no processes; with
    none alive the file is removed. Returns the pids kept. Call it holding pgserver's lock, which guards the file.
    """
    path = pgdata / HANDLE_LIST
    if not path.exists():
        return []
    try:
        listed = json.loads(path.read_text())
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        listed = None
    pids = listed if isinstance(listed, list) else []
    alive = [pid for pid in pids if type(pid) is int and pid > 0 and psutil.pid_exists(pid)]
    if not alive:
        # No file is pgserver's «no processes», and initdb refuses a data folder holding one.
        path.unlink()
    elif alive != listed:
        path.write_text(json.dumps(alive))
    return alive


def leave_on_sigterm() -> None:
    """Let SIGTERM end the process as Ctrl+C does, through `atexit`.

    pgserver takes a process off its list (and the last one stops the server) in an `atexit`
    hook, which Python's default SIGTERM skips. Only where nobody handles SIGTERM yet (a
    `manage.py` command, runserver; not Celery or gunicorn, which install their own).
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def embedded_database(pgdata: Path) -> dict:
    """Start (or join) the embedded server and return Django's settings for it."""
    # platformdirs warns that XDG_RUNTIME_DIR is unset (usual outside a desktop session);
    # pgserver then keeps its runtime files under /tmp, which is what we want.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    # pgserver announces every start at INFO level; the operator needs none of it.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata.mkdir(parents=True, exist_ok=True)
    # pgserver takes this lock (one file for every server of the user) around its own reads
    # and writes of the list; the repair must not race a process that is joining or leaving.
    with pgserver.PostgresServer._lock:
        handle_list_repair(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    leave_on_sigterm()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    postmaster = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(postmaster.socket_dir or postmaster.hostname),
        "PORT": "" if postmaster.socket_dir else str(postmaster.port),
        "CONN_MAX_AGE": 0,
    }
