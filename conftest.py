import os
import shutil

import pytest
from django.core.cache import cache

from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER
from accounts.tests.factories import UserFactory
from config.settings import file_storages
from core.search import statement

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# `make test` runs the tests in two processes (pytest-xdist: gw0, gw1); each has two databases
# of the machine's Redis to itself: gw0 15 and 14, gw1 13 and 12 (a run without -n, 15 and 14).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
# The tests' own database of the machine's Redis (the fixture `redis_url`).
REDIS_TEST_URL = f"redis://127.0.0.1:6379/{15 - 2 * _WORKER}"
# The Celery broker and result backend of the fixture `celery_worker`, another database of it.
CELERY_TEST_BROKER_URL = f"redis://127.0.0.1:6379/{14 - 2 * _WORKER}"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        **file_storages({}),  # the local folders, whatever S3_* the shell has (the fixture `s3`: buckets)
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Pages are kept for visitors and lists cached as in production (core.cache), so a
    # page that a service forgets to retire fails its test. A test's rows vanish with its
    # rolled-back transaction, which bumps no version: every test starts with no cache.
    cache.clear()
    # The site search's SQL is compiled once per process: afresh for a test that changes
    # what it is built from (core.search.MAX_RANKED, say).
    statement.cache_clear()


@pytest.fixture
def volunteer(db):
    return UserFactory(roles=[VOLUNTEER])


@pytest.fixture
def teacher(db):
    return UserFactory(roles=[TEACHER])


@pytest.fixture
def administrator(db):
    return UserFactory(roles=[ADMIN])


@pytest.fixture
def main_admin(db):
    return UserFactory(roles=[MAIN_ADMIN])


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright. Without it the test is skipped
    — except where REQUIRE_BROWSER is set (CI), where a missing browser is a failure."""
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (Debian package `chromium`)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from
    # the live server's test code are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def redis_url():
    """The tests' own database of the machine's Redis (REDIS_TEST_URL), emptied before and
    after the test: its URL. Without a Redis there the test is skipped — except where
    REQUIRE_REDIS is set (CI), where that is a failure."""
    import redis

    with redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1) as client:
        try:
            client.flushdb()
        except redis.ConnectionError as error:
            message = f"no Redis at {REDIS_TEST_URL} ({error})"
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail(message)
            pytest.skip(message)
        yield REDIS_TEST_URL
        client.flushdb()


@pytest.fixture
def celery_worker_environment():
    """What the worker of `celery_worker` reads on top of its defaults: override this
    fixture in a test module to give it other settings (EMAIL_BACKEND, REDIS_URL, S3_* …)."""
    return {}


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path, celery_worker_environment):
    """A real `celery -A config worker` (threads pool, two threads) for the test, stopped at
    its end: broker and results in a database of the machine's Redis (CELERY_TEST_BROKER_URL,
    emptied before and after), the test database (so rows must be committed: this fixture
    brings `transactional_db`), the test's media folders, then `celery_worker_environment`.
    Meanwhile this process sends tasks there instead of running them eagerly. Yields a
    core.testing.CeleryWorker; its `environment` serves any other process that must share
    the worker. Without Redis the test is skipped — except where REQUIRE_REDIS is set (CI)."""
    import redis

    from core.testing import CeleryWorker, database_url_of_the_tests

    with redis.Redis.from_url(CELERY_TEST_BROKER_URL, socket_connect_timeout=1) as client:
        try:
            client.flushdb()
        except redis.ConnectionError as error:
            message = f"no Redis at {CELERY_TEST_BROKER_URL} ({error})"
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail(message)
            pytest.skip(message)
        environment = {
            "DATABASE_URL": database_url_of_the_tests(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "S3_BUCKET": "",  # local folders, as the tests' settings have them
            **celery_worker_environment,
        }
        worker = CeleryWorker(broker_url=CELERY_TEST_BROKER_URL, environment=environment, log=tmp_path / "celery.log")
        try:
            yield worker.start()
        finally:
            worker.stop()
            client.flushdb()


@pytest.fixture(scope="session")
def s3_server():
    """An S3 API on loopback (moto's server in a thread), for the whole run."""
    from core.testing import S3Server

    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    """Files in object storage for this test: empty buckets on the loopback S3 API (one,
    `volna`, holding public media under `media/` and private files under `private/`), and
    STORAGES made from `s3.env` as config.settings makes them from the environment — the
    variables a server started as a subprocess needs too."""
    s3_server.reset()
    settings.STORAGES = {**settings.STORAGES, **file_storages(s3_server.env)}
    return s3_server


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# A test client already signed in as each role.


@pytest.fixture
def as_volunteer(client, volunteer):
    client.force_login(volunteer)
    return client


@pytest.fixture
def as_teacher(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def as_administrator(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def as_main_admin(client, main_admin):
    client.force_login(main_admin)
    return client
