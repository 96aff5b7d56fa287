"""Two app servers, one Redis: content changed through one is gone for the visitors of the
other on their next request, and a page one of them keeps, the other serves.

Two gunicorn instances (config.wsgi, one sync worker each) on free loopback ports, set up
as in production — DEBUG off, pages kept for visitors 60 s, REDIS_URL on the tests' Redis
database (emptied) — serve the test database, whose rows `transactional_db` commits.
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection

from accounts.roles import TEACHER
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory, add_step

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "127.0.0.1"
STARTUP_SECONDS = 30
TITLE = "Снежный ком с именами"
LIBRARY = "/methodics/"


@dataclass
class Answer:
    status: int
    text: str
    cookies: dict = field(default_factory=dict)


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def ask(self, method: str, path: str, *, cookies: dict | None = None, form: dict | None = None) -> Answer:
        """One request, without following a redirect; cookies are sent as given (the site's
        are Secure with DEBUG off, which a client's cookie jar keeps from plain HTTP)."""
        headers, body = {}, None
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": cookies[settings.CSRF_COOKIE_NAME], **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        client = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            received = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                received.load(header)
            text = response.read().decode()
            return Answer(response.status, text, {name: morsel.value for name, morsel in received.items()})
        finally:
            client.close()

    def get(self, path: str, **kwargs) -> Answer:
        return self.ask("GET", path, **kwargs)

    def post(self, path: str, *, cookies: dict, form: dict) -> Answer:
        return self.ask("POST", path, cookies=cookies, form=form)

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.get("/healthz").status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"gunicorn {self.name} did not answer /healthz; its log:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def production_environment(**variables) -> dict:
    # Not an operator's: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "two-servers-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        **variables,
    }


def database_url_of_the_tests() -> str:
    """The test database, as the URL a server is given."""
    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{user}{password}@{quote(database['HOST'] or '', safe='')}{port}/{database['NAME']}"


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The static files with their manifest, which whitenoise's storage wants with DEBUG off."""
    root = tmp_path_factory.mktemp("static")
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    environment = production_environment(STATIC_ROOT=str(root))
    subprocess.run(command, cwd=settings.BASE_DIR, env=environment, check=True, capture_output=True)
    return root


@pytest.fixture
def servers(transactional_db, redis_url, static_root, tmp_path):
    """Instances A and B, one worker each, sharing the Redis of `redis_url`."""
    environment = production_environment(
        DATABASE_URL=database_url_of_the_tests(),
        REDIS_URL=redis_url,
        PAGE_CACHE_SECONDS="60",
        STATIC_ROOT=str(static_root),
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = []
    try:
        for name in "AB":
            port, log = free_port(), tmp_path / f"gunicorn-{name}.log"
            command = [gunicorn, "config.wsgi", "--workers", "1", "--bind", f"{HOST}:{port}"]
            with log.open("w") as output:
                process = subprocess.Popen(
                    command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
                )
            started.append(Server(name, port, process, log))
        for server in started:
            server.wait_until_up()
        yield started
    finally:
        for server in started:
            server.stop()


def kept_pages(redis_url: str) -> set[str]:
    """The paths of the pages kept in Redis («volna:1:page:<path>:<versions>»)."""
    with redis.Redis.from_url(redis_url) as client:
        keys = [key.decode() for key in client.scan_iter("volna:*:page:*")]
    return {key.split(":", 3)[3].rsplit(":", 1)[0] for key in keys}


def published_methodic() -> Methodic:
    author = UserFactory(roles=[TEACHER])
    # Hashed as in production: the servers know Django's hashers, not the tests' fast one.
    author.password = make_password(TEST_PASSWORD, hasher=PBKDF2PasswordHasher())
    author.save(update_fields=["password"])
    methodic = MethodicFactory(title=TITLE, author=author)
    add_step(methodic)
    return methodic


def signed_in(server: Server, user) -> dict:
    """Signs `user` in through the login form of `server`: the cookies of the session."""
    cookies = server.get("/accounts/login/").cookies
    answer = server.post("/accounts/login/", cookies=cookies, form={"username": user.email, "password": TEST_PASSWORD})
    assert answer.status == 302, answer.text
    return cookies | answer.cookies


def shown_to_visitors_of(server: Server, methodic: Methodic, redis_url: str) -> None:
    page = server.get(f"/methodics/{methodic.pk}/")
    assert page.status == 200
    assert TITLE in page.text
    assert TITLE in server.get(LIBRARY).text
    assert {f"/methodics/{methodic.pk}/", LIBRARY} <= kept_pages(redis_url)


def gone_for_visitors_of(server: Server, methodic: Methodic) -> None:
    assert server.get(f"/methodics/{methodic.pk}/").status == 404
    library = server.get(LIBRARY)
    assert library.status == 200
    assert TITLE not in library.text


def test_unpublished_with_the_site_s_button_on_a_the_methodic_is_gone_on_b(servers, redis_url):
    a, b = servers
    methodic = published_methodic()
    shown_to_visitors_of(b, methodic, redis_url)

    author = signed_in(a, methodic.author)
    answer = a.post(f"/methodics/{methodic.pk}/unpublish-own/", cookies=author, form={})

    assert answer.status == 302, answer.text
    assert Methodic.objects.get().status == Methodic.Status.DRAFT
    gone_for_visitors_of(b, methodic)


def test_unpublished_with_the_admin_s_action_on_a_the_methodic_is_gone_on_b(servers, redis_url):
    a, b = servers
    methodic = published_methodic()
    shown_to_visitors_of(b, methodic, redis_url)

    author = signed_in(a, methodic.author)
    action = {"action": "unpublish", "_selected_action": methodic.pk, "index": 0}
    answer = a.post("/admin/methodics/methodic/", cookies=author, form=action)

    assert answer.status == 302, answer.text
    assert Methodic.objects.get().status == Methodic.Status.DRAFT
    gone_for_visitors_of(b, methodic)


def test_a_page_kept_by_b_is_served_by_a_from_redis(servers, redis_url):
    a, b = servers
    methodic = published_methodic()
    shown_to_visitors_of(b, methodic, redis_url)
    # Renamed behind the services' back, so that no version moves: only B's kept page
    # still has the old title.
    Methodic.objects.filter(pk=methodic.pk).update(title="Переименована мимо сервисов")

    page = a.get(f"/methodics/{methodic.pk}/")

    assert page.status == 200
    assert TITLE in page.text
    assert "Переименована мимо сервисов" not in page.text
