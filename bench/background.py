"""The processes a production-like bench runs beside the site, started and stopped by the
bench: gunicorn with the deployed settings (deploy/gunicorn.conf.py), a Celery worker, and
a Redis database of the bench's own. bench/exam_rush.py and bench/certificates_celery.py use
them; gunicorn itself is served by bench/load.py's `serving`.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from common import ROOT
from load import HOST, STARTUP_TIMEOUT, log_tail, serving, stop

PYTHON = Path(sys.executable)
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
WORKER_UNIT = ROOT / "deploy" / "systemd" / "volna-worker.service"


def collect_static(environment: dict) -> None:
    """whitenoise's manifest storage (DEBUG off) wants the static files collected."""
    command = [PYTHON, ROOT / "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, env=environment, check=True, cwd=ROOT)


@contextmanager
def deployed_gunicorn(environment: dict, port: int, *, workers: int, threads: int) -> Iterator[Path]:
    """gunicorn as deployed — `gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`,
    gthread workers, no access log unless GUNICORN_ACCESS_LOG=- in the environment asks for it
    (as in production, where nginx keeps it) — with GUNICORN_BIND, GUNICORN_WORKERS and
    GUNICORN_THREADS from the arguments; up once /healthz answers, stopped at the end. Yields
    its log file."""
    collect_static(environment)
    environment = environment | {
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    command = [PYTHON.with_name("gunicorn"), "-c", GUNICORN_CONFIG, "config.wsgi:application"]
    with serving(command, environment, port, "volna-gunicorn-") as log:
        yield log


def deployed_worker_idle() -> bool:
    """Whether the worker's systemd unit gives it only the CPU nothing else wants
    (`CPUWeight=idle`): the benches run their worker so unless told otherwise."""
    return re.search(r"^CPUWeight=idle$", WORKER_UNIT.read_text(), re.MULTILINE) is not None


@contextmanager
def idle_cgroup(name: str) -> Iterator[Path | None]:
    """A cgroup of the CPU controller marked idle (cpu.idle: the kernel runs its processes
    only when no other process wants the CPU), as systemd makes one for a unit with
    `CPUWeight=idle`; removed at the end. Yields its cgroup.procs — None where this process
    may not make one (not root, no such controller): the caller says so and goes on."""
    for hierarchy in (Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")):
        if (hierarchy / "cpu.idle").exists() or "cpu" in _read(hierarchy / "cgroup.subtree_control").split():
            group = hierarchy / name
            try:
                group.mkdir(exist_ok=True)
                (group / "cpu.idle").write_text("1")
            except OSError:
                continue
            try:
                yield group / "cgroup.procs"
            finally:
                for pid in _read(group / "cgroup.procs").split():  # leftovers: back to the root
                    (hierarchy / "cgroup.procs").write_text(pid)
                group.rmdir()
            return
    yield None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def deployed_worker_nice() -> int:
    """The Nice= of the worker's systemd unit (deploy/systemd/volna-worker.service): the
    benches run their worker so unless told otherwise."""
    found = re.search(r"^Nice=(-?\d+)$", WORKER_UNIT.read_text(), re.MULTILINE)
    return int(found.group(1)) if found else 0


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """--worker-nice and --worker-idle: how the bench runs its Celery worker, by default as
    its systemd unit runs it in production."""
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=deployed_worker_nice(),
        help=f"the Celery worker's nice, its session's too ({deployed_worker_nice()}: its systemd unit's Nice=)",
    )
    parser.add_argument(
        "--worker-idle",
        action=argparse.BooleanOptionalAction,
        default=deployed_worker_idle(),
        help="the worker in an idle cgroup, as its unit's CPUWeight=idle (the unit's choice by default)",
    )


def worker_settings(arguments: argparse.Namespace) -> str:
    """How the worker runs, by add_worker_arguments' options, in words for a bench's heading."""
    return f"nice {arguments.worker_nice}" + (", idle cgroup" if arguments.worker_idle else "")


def session_nice(pid: int, nice: int) -> None:
    """Linux's scheduler shares the CPU between groups first — a systemd unit's cgroup or,
    without systemd, a session's autogroup — then within each: a process at nice 10 in a
    session of its own still gets as much as gunicorn's whole session. So the session of
    `pid` gets `nice` as a whole (/proc/PID/autogroup), as the worker's unit weighs its
    cgroup (CPUWeight=) in production. Nothing on a kernel without autogroups."""
    autogroup = Path(f"/proc/{pid}/autogroup")
    if nice and autogroup.exists():
        autogroup.write_text(str(nice))


@contextmanager
def celery_worker(
    environment: dict, *, concurrency: int, name: str, nice: int = 0, idle: bool = False
) -> Iterator[tuple[Path, subprocess.Popen]]:
    """`celery -A config worker --concurrency N` (prefork: N worker processes) with this
    environment (its CELERY_BROKER_URL), under `nice -n <nice>` if not 0, its session too
    (session_nice), and with `idle` in an idle cgroup (idle_cgroup) — or, where none can be
    made, at nice 19 as a whole session, the nearest — until it says it is ready; stopped at
    the end with a warm shutdown (the tasks in hand finish), also after a failure or
    Ctrl-C. Yields its log file and its process."""
    command = ["nice", "-n", str(nice)] if nice else []
    command += [PYTHON.with_name("celery"), "-A", "config", "worker", "--concurrency", str(concurrency)]
    # No gossip, mingle or heartbeats: a lone worker needs none, and starts faster without.
    command += ["--loglevel", "INFO", "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with tempfile.TemporaryDirectory(prefix="volna-celery-") as log_dir:
        log = Path(log_dir) / "celery.log"
        with log.open("w") as log_file:
            # A session of its own: Ctrl-C reaches the bench only, which stops the worker in order.
            worker = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            with idle_cgroup(f"{name}-worker") if idle else nullcontext() as procs:
                if procs is not None:
                    procs.write_text(str(worker.pid))  # its pool processes, forked later, follow
                elif idle:
                    print("No idle cgroup can be made here: the worker runs at nice 19 instead.")
                session_nice(worker.pid, 19 if idle and procs is None else nice)
                deadline = time.monotonic() + STARTUP_TIMEOUT
                while " ready." not in log.read_text(errors="replace"):
                    if worker.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"The Celery worker did not start; its log ends with:\n{log_tail(log)}")
                    time.sleep(0.2)
                yield log, worker
        finally:
            stop(worker)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a running process and of its descendants alive now
    (/proc): a Celery worker and its pool processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pids += map(int, (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # gone meanwhile
    return total


@contextmanager
def redis_database(url: str) -> Iterator[object]:
    """A client of the Redis database at `url`, emptied at the start and at the end: the
    bench's cache, sessions and broker, shared with nobody."""
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


def production_environment(environment: dict, *, redis_url: str, private_root: Path) -> dict:
    """A server's environment (bench/load.py's server_environment) with the cache, the
    sessions and Celery's broker on `redis_url`, private files (certificates) in
    `private_root`, and emails dropped (every passed or failed course sends one)."""
    return environment | {
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "PRIVATE_MEDIA_ROOT": str(private_root),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    }


def require_migrated(database: str) -> None:
    """Stop with a clear message when the bench database lacks migrations of the code (made
    since bench/data.py filled it): the servers would fail on the first missing column."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
        url = os.environ.get("DATABASE_URL", "postgres://…").rsplit("/", 1)[0]
        raise SystemExit(
            f"The database {database} lacks {len(plan)} migration(s) ({names}…): "
            f"DATABASE_URL={url}/{database} .venv/bin/python manage.py migrate"
        )


ACCESS_LINE = re.compile(r'^\S+ "[A-Z]+ \S+ HTTP/[\d.]+" \d{3} ')


def gunicorn_master(log: Path) -> int:
    """The process id of the gunicorn whose log this is, as it logs it when starting."""
    found = re.search(r"\[(\d+)\] \[INFO\] Starting gunicorn", log.read_text(errors="replace"))
    if found is None:
        raise SystemExit(f"No «Starting gunicorn» in {log}")
    return int(found.group(1))


def log_problems(log: Path, lines: int = 40) -> str:
    """The last lines of gunicorn's log but its access lines: errors, tracebacks, restarts."""
    kept = [line for line in log.read_text(errors="replace").splitlines() if not ACCESS_LINE.match(line)]
    return "\n".join(kept[-lines:])
