"""App servers for the tests, as in production: gunicorn instances run with
deploy/gunicorn.conf.py on free loopback ports, DEBUG off, serving the test database (whose
rows `transactional_db` commits). Used by the tests of several servers sharing one state
(test_two_servers.py) and of the production layout (test_deploy.py)."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from urllib3 import encode_multipart_formdata

from accounts.tests.factories import TEST_PASSWORD, UserFactory

HOST = "127.0.0.1"
STARTUP_SECONDS = 30
GUNICORN_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


@dataclass
class Answer:
    status: int
    body: bytes
    cookies: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def ask(
        self,
        method: str,
        path: str,
        *,
        cookies: dict | None = None,
        form: dict | None = None,
        files: dict | None = None,
    ) -> Answer:
        """One request, without following a redirect; cookies are sent as given (the site's
        are Secure with DEBUG off, which a client's cookie jar keeps from plain HTTP). A
        `form` goes urlencoded with the CSRF token, or with `files` ({field: (name, bytes)})
        as multipart/form-data."""
        headers, body = {}, None
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        if form is not None:
            fields = {"csrfmiddlewaretoken": cookies[settings.CSRF_COOKIE_NAME], **form}
            if files:
                body, headers["Content-Type"] = encode_multipart_formdata({**fields, **files})
            else:
                body = urlencode(fields, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        client = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            received = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                received.load(header)
            cookies_set = {name: morsel.value for name, morsel in received.items()}
            return Answer(response.status, response.read(), cookies_set, dict(response.headers.items()))
        finally:
            client.close()

    def get(self, path: str, **kwargs) -> Answer:
        return self.ask("GET", path, **kwargs)

    def post(self, path: str, *, cookies: dict, form: dict, files: dict | None = None) -> Answer:
        return self.ask("POST", path, cookies=cookies, form=form, files=files)

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
        "JWT_SIGNING_KEY": "two-servers-jwt-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        **variables,
    }


def collect_static(root: Path) -> Path:
    """The static files with their manifest, which whitenoise's storage wants with DEBUG off."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    environment = production_environment(STATIC_ROOT=str(root))
    subprocess.run(command, cwd=settings.BASE_DIR, env=environment, check=True, capture_output=True)
    return root


@contextmanager
def running(names: str, environment: dict, folder: Path, *, workers: int = 1) -> Iterator[list[Server]]:
    """One gunicorn instance per letter of `names` (deploy/gunicorn.conf.py, `workers`
    each), each answering /healthz, stopped at the end; their logs in `folder`."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = []
    try:
        for name in names:
            port, log = free_port(), folder / f"gunicorn-{name}.log"
            bound = {**environment, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": str(workers)}
            command = [gunicorn, "-c", GUNICORN_CONFIG, "config.wsgi:application"]
            with log.open("w") as output:
                process = subprocess.Popen(
                    command, cwd=settings.BASE_DIR, env=bound, stdout=output, stderr=subprocess.STDOUT
                )
            started.append(Server(name, port, process, log))
        for server in started:
            server.wait_until_up()
        yield started
    finally:
        for server in started:
            server.stop()


def user_who_signs_in(**factory_fields):
    """A user (accounts.tests.factories.UserFactory) whose TEST_PASSWORD is hashed as in
    production: the servers know Django's hashers, not the tests' fast one."""
    user = UserFactory(**factory_fields)
    user.password = make_password(TEST_PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def signed_in(server: Server, user) -> dict:
    """Signs `user` in through the login form of `server`: the cookies of the session."""
    cookies = server.get("/accounts/login/").cookies
    answer = server.post("/accounts/login/", cookies=cookies, form={"username": user.email, "password": TEST_PASSWORD})
    assert answer.status == 302, answer.text
    return cookies | answer.cookies
