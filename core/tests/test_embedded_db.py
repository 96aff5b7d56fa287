"""The embedded PostgreSQL recovers from a list of processes left broken by a killed one."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from core.embedded_db import HANDLE_LIST, handle_list_repair

START = "import sys; from pathlib import Path; from core.embedded_db import embedded_database; "
START += "embedded_database(Path(sys.argv[1]))"


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("content", ["", "garbage", "{}", '{"pids": [1]}', "[1, 2", "\xff"])
def test_an_unreadable_list_counts_as_no_processes(tmp_path, content):
    (tmp_path / HANDLE_LIST).write_text(content, encoding="latin-1")

    assert handle_list_repair(tmp_path) == []
    assert not (tmp_path / HANDLE_LIST).exists()  # pgserver's «no processes»


def test_processes_that_are_gone_are_dropped(tmp_path):
    (tmp_path / HANDLE_LIST).write_text(json.dumps([dead_pid(), os.getpid(), "1", True]))

    assert handle_list_repair(tmp_path) == [os.getpid()]
    assert json.loads((tmp_path / HANDLE_LIST).read_text()) == [os.getpid()]


def test_a_missing_list_is_left_missing(tmp_path):
    assert handle_list_repair(tmp_path) == []
    assert not (tmp_path / HANDLE_LIST).exists()


def server_stopped(pgdata, seconds: float = 15) -> bool:
    """Whether PostgreSQL's postmaster.pid is gone within `seconds`: the server removes it
    as the last thing it does, a moment after the process that stopped it has exited."""
    deadline = time.monotonic() + seconds
    while (pgdata / "postmaster.pid").exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_the_embedded_server_starts_over_a_broken_list_and_stops_with_the_last_process(tmp_path):
    """A real pgserver, in processes of their own as `make run` and `manage.py` are (about 2 s)."""
    pgdata = tmp_path / "pgdata"

    def start():
        environment = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
        result = subprocess.run(
            [sys.executable, "-c", START, str(pgdata)], env=environment, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        listed = (pgdata / HANDLE_LIST).read_text() if (pgdata / HANDLE_LIST).exists() else None
        assert server_stopped(pgdata), f"the server outlived its last process; list: {listed}"

    pgdata.mkdir()
    (pgdata / HANDLE_LIST).write_text("")  # even before initdb, which refuses a folder holding a file
    start()
    for broken in ["", "garbage", json.dumps([dead_pid()])]:
        (pgdata / HANDLE_LIST).write_text(broken)
        start()


def test_a_process_stopped_with_sigterm_leaves_the_list_and_stops_the_server(tmp_path):
    pgdata = tmp_path / "pgdata"
    environment = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    waiting = subprocess.Popen(
        [sys.executable, "-c", START + "; print('ready', flush=True); import time; time.sleep(60)", str(pgdata)],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert waiting.stdout.readline() == "ready\n"
    assert json.loads((pgdata / HANDLE_LIST).read_text()) == [waiting.pid]

    waiting.send_signal(signal.SIGTERM)

    assert waiting.wait(timeout=60) == 128 + signal.SIGTERM
    assert json.loads((pgdata / HANDLE_LIST).read_text()) == []
    assert server_stopped(pgdata)
