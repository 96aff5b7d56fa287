"""Production settings, read as an operator sets them (README, «Configuration»)."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60 + "-a-long-and-random-production-key",
    "JWT_SIGNING_KEY": "j" * 60 + "-another-long-and-random-key",
    "ALLOWED_HOSTS": "volna.example",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    # Checks without --database connect to none: a server that is not there, not the embedded one.
    "DATABASE_URL": "postgres://volna@127.0.0.1:1/volna",
    # Likewise no Redis is reached: a check only reads the settings.
    "REDIS_URL": "redis://127.0.0.1:1/0",
}


def manage(*args, **env):
    # Not an operator's: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    # A variable given as None is unset, whatever this process has.
    merged = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    environment = {name: value for name, value in merged.items() if value is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_the_documented_production_variables_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_https_settings_is_warned_about():
    result = manage("check", "--deploy", **{**PRODUCTION, "SECURE_SSL_REDIRECT": "false", "SECURE_HSTS_SECONDS": "0"})

    assert "security.W004" in result.stdout + result.stderr  # HSTS
    assert "security.W008" in result.stdout + result.stderr  # redirect


def test_redis_url_makes_the_cache_and_the_sessions_shared():
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"
    shared = manage("shell", "--no-imports", "-c", show, **PRODUCTION)
    own = manage("shell", "--no-imports", "-c", show, **{**PRODUCTION, "REDIS_URL": ""})

    assert shared.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ], shared.stderr
    assert own.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ], own.stderr


def test_development_mail_goes_to_files_unless_a_backend_is_given():
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    # No embedded PostgreSQL is started: the settings only parse this URL.
    development = {"DEBUG": None, "EMAIL_BACKEND": None, "EMAIL_FILE_PATH": None}
    development["DATABASE_URL"] = PRODUCTION["DATABASE_URL"]
    smtp_backend = "django.core.mail.backends.smtp.EmailBackend"

    files = manage("shell", "--no-imports", "-c", show, **development)
    smtp = manage("shell", "--no-imports", "-c", show, **{**development, "EMAIL_BACKEND": smtp_backend})
    production = manage("shell", "--no-imports", "-c", show, **{**PRODUCTION, "EMAIL_BACKEND": None})

    assert files.stdout.split() == [
        "django.core.mail.backends.filebased.EmailBackend",
        str(settings.BASE_DIR / ".data" / "emails"),
    ], files.stderr
    assert smtp.stdout.split()[0] == smtp_backend, smtp.stderr
    assert production.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend", production.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_run_serves_links_on_the_address_it_serves():
    """`make -n` only prints the commands: no virtualenv is made or needed."""

    def run(*args, **env):
        environment = {name: value for name, value in {**os.environ, **env}.items() if value is not None}
        result = subprocess.run(
            ["make", "-n", "run", *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "SITE_URL=http://0.0.0.0:9000 .venv/bin/python manage.py runserver 0.0.0.0:9000" in run(
        "HOST=0.0.0.0:9000", SITE_URL=None
    )
    assert "SITE_URL=http://127.0.0.1:8000 .venv/bin/python manage.py seed_demo" in run(SITE_URL=None)
    given = run("HOST=0.0.0.0:9000", SITE_URL="https://volna.example")
    assert "SITE_URL=https://volna.example .venv/bin/python manage.py runserver 0.0.0.0:9000" in given


def test_production_without_a_shared_cache_is_warned_about():
    result = manage("check", "--deploy", **{**PRODUCTION, "REDIS_URL": ""})

    assert "core.W001" in result.stdout + result.stderr
    assert "LocMemCache" in result.stdout + result.stderr


def test_production_keeping_no_pages_needs_no_shared_cache():
    result = manage("check", "--deploy", **{**PRODUCTION, "REDIS_URL": "", "PAGE_CACHE_SECONDS": "0"})

    assert "core.W001" not in result.stdout + result.stderr


def test_the_https_redirect_spares_the_health_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    page = client.get("/courses/?page=2")
    health = client.get("/healthz")

    assert page.status_code == 301
    assert page["Location"] == "https://testserver/courses/?page=2"
    assert health.status_code == 200
    assert health.content == b"ok"


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_refuses_to_start_without_a_key_for_the_api_tokens():
    missing = manage("check", **{**PRODUCTION, "JWT_SIGNING_KEY": ""})
    short = manage("check", **{**PRODUCTION, "JWT_SIGNING_KEY": "too-short"})

    assert missing.returncode != 0
    assert "JWT_SIGNING_KEY must be set when DEBUG is off." in missing.stderr
    assert short.returncode != 0
    assert "JWT_SIGNING_KEY must be at least 32 bytes long" in short.stderr
