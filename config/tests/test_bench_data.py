"""bench/data.py, which fills the database every bench reads, keeps up with the models: at a
small scale it fills a scratch database of its own on the tests' server. (Session 7 made
the courses' author columns NOT NULL and the generator failed on them, unnoticed until a
bench was run a day later.)"""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection


def _connect(database: str, **options) -> psycopg.Connection:
    """A connection of psycopg's own to `database` on the tests' server."""
    params = connection.settings_dict
    return psycopg.connect(
        dbname=database,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        **options,
    )


@pytest.fixture
def scratch_database():
    name = f"volna_bench_check_{uuid.uuid4().hex[:8]}"
    yield name
    with _connect("postgres", autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_bench_data_generator_fills_a_database_at_a_small_scale(scratch_database):
    result = subprocess.run(
        [sys.executable, "bench/data.py", "--scale", "0.01"],
        cwd=settings.BASE_DIR,
        env=os.environ | {"BENCH_DATABASE": scratch_database},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "bench-teacher@bench.example" in result.stdout  # the known accounts it prints at the end
    with _connect(scratch_database, options="-c search_path=content,public") as filled:
        counts = filled.execute(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM courses), (SELECT count(*) FROM tasks),"
            " (SELECT count(*) FROM methodics), (SELECT count(*) FROM skills WHERE user_created_id IS NOT NULL)"
        ).fetchone()
    assert all(count > 0 for count in counts), counts
