"""The key pages under load: requests per second through gunicorn, measured with wrk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --duration 10 --page task    # a quick look at one page

It serves the bench database (BENCH_DATABASE, or the settings' database with `_bench`
appended: see bench/common.py) with gunicorn as in production: the project's own
config.wsgi, sync workers, one per CPU, on 127.0.0.1 and a free port, no access log, and
the settings of a production environment (public pages kept for anonymous visitors for
PAGE_CACHE_SECONDS, 60 by default, as in production) — DEBUG=false,
ALLOWED_HOSTS=127.0.0.1, this process's SECRET_KEY (so that the sessions made here are
valid there), DATABASE_URL this process's with the bench database in place of its own (the
settings then keep connections for 60 s), and the static files collected with their
manifest (whitenoise's storage wants one with DEBUG off) into .data/bench-static.
gunicorn's and Django's log go to a file whose last lines are printed if gunicorn fails.
It is stopped at the end, also after a failure or Ctrl-C.

Once /healthz answers, each page — /healthz first, the baseline of a page that does no
work, then the key pages of bench/pages.py, with the same objects and readers (a signed-in
reader's session cookie is made here in the bench database) — is asked once to check it
answers as expected (200; 302 for «variant-draw»: wrk would count a redirect to the login
page as a success), then loaded with `wrk -t2 -c32 -d<duration>s --latency`. The table
gives requests per second, their share of /healthz's, latency p50 and p99, responses
with a status ≥ 400 («Non-2xx or 3xx responses») and socket errors (connect, read, write,
timeout), and whether the page meets the targets: no error response and ≥ 5 % of
/healthz's rate. The exit status is 1 if any page misses them, 2 without wrk (a Debian
package: apt-get install wrk).

wrk, gunicorn and PostgreSQL share this machine's CPUs: compare figures taken in one run.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import ROOT
from pages import BENCH_USERS, Page, bench_user, key_pages, missed_status, print_table, setup_bench, shown_url

DURATION = 30
TARGET_SHARE = 5  # % of /healthz's requests per second
STATIC_ROOT = ROOT / ".data" / "bench-static"
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60
UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_environment(database: str) -> dict:
    from django.conf import settings

    url = urlsplit(os.environ["DATABASE_URL"])
    return os.environ | {
        "DATABASE_URL": urlunsplit(url._replace(path=f"/{database}")),
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.JWT_SIGNING_KEY,  # DEBUG off wants one too
        "ALLOWED_HOSTS": HOST,
        "STATIC_ROOT": str(STATIC_ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def session_cookies() -> dict:
    """A session in the bench database for each bench reader: the Cookie header to send."""
    from django.conf import settings
    from django.test import Client

    cookies = {}
    for key in BENCH_USERS:
        client = Client()
        client.force_login(bench_user(key))
        cookies[key] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return cookies


def status_of(port: int, url: str, cookie: str | None) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", url, headers={"Cookie": cookie} if cookie else {})
        return connection.getresponse().status
    finally:
        connection.close()


def log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            if status_of(port, "/healthz", None) == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz in {STARTUP_TIMEOUT} s; its log ends with:\n{log_tail(log)}")


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * UNITS_MS[unit]


def run_wrk(port: int, url: str, cookie: str | None, duration: int) -> dict:
    command = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, f"http://{HOST}:{port}{url}"], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        "p99": milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": sum(map(int, errors.groups())) if errors else 0,
    }


def stop(server: subprocess.Popen) -> None:
    """SIGTERM: gunicorn lets its workers finish their requests and exits."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=35)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def serving(command: list, environment: dict, port: int, prefix: str) -> Iterator[Path]:
    """gunicorn started with `command` (bound to `port`) until it answers /healthz, then
    stopped at the end, also after a failure or Ctrl-C; yields its log file."""
    with tempfile.TemporaryDirectory(prefix=prefix) as log_dir:
        log = Path(log_dir) / "gunicorn.log"
        with log.open("w") as log_file:
            # A session of its own: Ctrl-C reaches this script only, which stops gunicorn in order.
            server = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_until_up(server, port, log)
            yield log
        finally:
            stop(server)


def load(pages: list[Page], cookies: dict, environment: dict, duration: int) -> tuple[dict, list[str]]:
    """Serve with gunicorn and load each page with wrk: wrk's figures by page name, and
    the pages not loaded because they did not answer as expected."""
    python = Path(sys.executable)
    command = [python, ROOT / "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, env=environment, check=True, cwd=ROOT)
    port, workers = free_port(), os.cpu_count()
    command = [python.with_name("gunicorn"), "config.wsgi:application", "--workers", str(workers)]
    command += ["--worker-class", "sync", "--bind", f"{HOST}:{port}", "--error-logfile", "-"]  # no access log
    print(f"gunicorn: {workers} sync workers on {HOST}:{port}; wrk -t2 -c32 -d{duration}s --latency")
    results, not_loaded = {}, []
    with serving(command, environment, port, "volna-load-") as log:
        for page in pages:
            cookie = cookies.get(page.user)
            status = status_of(port, page.url, cookie)
            if status != page.status:
                not_loaded.append(f"{page.name} (answered {status}, not {page.status}: not loaded)")
                print(f"{page.name}: {page.url} answered {status}; gunicorn's log ends with:\n{log_tail(log)}")
                continue
            results[page.name] = run_wrk(port, page.url, cookie, duration)
            print(f"  {page.name}: {results[page.name]['rps']:.0f} requests/s", flush=True)
    return results, not_loaded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=DURATION, help=f"seconds of load per page (default {DURATION})")
    parser.add_argument("--page", help="load /healthz and this page only (a name from bench/pages.py)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: install it: apt-get install wrk", file=sys.stderr)
        return 2
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL (gunicorn's workers keep their connections only with it)")
    # SIGTERM ends the script like Ctrl-C: through the `finally`s, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database = setup_bench()
    from django.contrib.sessions.models import Session

    pages = [Page("healthz", "/healthz"), *key_pages()]
    if args.page:
        pages = [page for page in pages if page.name in ("healthz", args.page)]
        if len(pages) < 2:
            parser.error(f"no page named {args.page!r}")
    print(f"Database {database}")
    cookies = session_cookies()
    try:
        environment = server_environment(database)
        results, missed = load([page for page in pages if page.url], cookies, environment, args.duration)
    finally:
        Session.objects.filter(session_key__in=[cookie.split("=", 1)[1] for cookie in cookies.values()]).delete()

    rows = []
    for page in pages:
        result = results.get(page.name)
        if result is None:
            rows.append([page.name, shown_url(page.url), "", "", "", "", "", "", page.note or "not loaded"])
            continue
        share = 100 * result["rps"] / results["healthz"]["rps"]
        misses = [f"{result['non_2xx']} responses ≥ 400"] if result["non_2xx"] else []
        if share < TARGET_SHARE:
            misses.append(f"{share:.1f} % of /healthz < {TARGET_SHARE} %")
        if misses:
            missed.append(f"{page.name} ({', '.join(misses)})")
        figures = [f"{result['rps']:.1f}", f"{share:.1f}", f"{result['p50']:.1f}", f"{result['p99']:.1f}"]
        verdict = "no: " + "; ".join(misses) if misses else "yes"
        rows.append([page.name, shown_url(page.url), *figures, str(result["non_2xx"]), str(result["errors"]), verdict])
    header = ["page", "URL", "requests/s", "% of healthz", "p50 ms", "p99 ms", "non-2xx", "errors", "meets targets"]
    print_table(header, rows)
    print(f"Targets: no response ≥ 400 and ≥ {TARGET_SHARE} % of /healthz's requests per second.")
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
