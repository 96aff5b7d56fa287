"""What the bench scripts share: loading Django for a script, and the bench database."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database: str | None = None) -> None:
    """Load Django as in production (DEBUG off: no query log); with `database`, every
    connection of this process goes to that database on the settings' server."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False
    if database:
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = database


def bench_database() -> str:
    """The database that bench/data.py fills and the page runners read: BENCH_DATABASE, or
    the settings' database name with `_bench` appended, on the same server."""
    from django.conf import settings

    return os.environ.get("BENCH_DATABASE") or f"{settings.DATABASES['default']['NAME']}_bench"
