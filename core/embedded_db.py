"""The zero-setup database: an embedded PostgreSQL from the pgserver package.

Used when DATABASE_URL is unset (development, `make run`, `make test` on a fresh
machine). The server binaries come with the pgserver wheel; data lives in
EMBEDDED_PGDATA, and the server stops when the last process using it exits.
"""

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "volna"


def embedded_database(pgdata: Path) -> dict:
    """Start (or join) the embedded server and return Django's settings for it."""
    # platformdirs warns that XDG_RUNTIME_DIR is unset (usual outside a desktop session);
    # pgserver then keeps its runtime files under /tmp, which is what we want.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    # pgserver announces every start at INFO level; the operator needs none of it.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
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
