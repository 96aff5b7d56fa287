"""Helpers for the apps' tests: of the Django admin (building POST data from what a page
rendered, running actions, reading messages), pictures made in memory (real images, as
Pillow and the upload checks want) with the thumbnails made of stored ones, and an S3 API
on loopback for files in object storage (the fixture `s3`)."""

import io
from datetime import timedelta
from functools import cached_property

from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from easy_thumbnails.files import get_thumbnailer
from PIL import Image


def seen(visitor: Client, url: str, **params) -> str:
    """The page as `visitor` gets it (200 asserted): for an anonymous client without
    cookies, a page kept for visitors (core.cache) once it has been read."""
    response = visitor.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def signed_in(user) -> Client:
    """A new test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def admin_change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def form_values(form) -> dict:
    """A rendered form's POST data, under the form's prefix (files left out)."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, forms.FileField):
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
        elif value is not None:
            data[form.add_prefix(name)] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    return data


def change_form_data(client, url, **overrides) -> dict:
    """The POST data of an admin add/change page as rendered, inlines included, with `overrides` applied."""
    context = client.get(url).context
    data = form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data.update(form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_values(form))
    return {**data, **overrides}


def action_data(action, *objects, **extra) -> dict:
    return {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra}


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def action_names(response) -> set[str]:
    action_form = response.context["action_form"]
    return {name for name, _label in action_form.fields["action"].choices} if action_form else set()


def assert_redirects_to_admin_login(response):
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# --- Pictures -------------------------------------------------------------------------


def image_bytes(size=(8, 8), colour="teal", image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format)
    return buffer.getvalue()


def jpeg_with_gps_bytes(size=(16, 8)) -> bytes:
    """A phone's photo: a JPEG whose EXIF names the camera and where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPSInfo: a latitude in Moscow
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_upload(name="рисунок.png", size=(8, 8), colour="teal") -> SimpleUploadedFile:
    """A PNG as a browser uploads it."""
    return SimpleUploadedFile(name, image_bytes(size, colour), content_type="image/png")


def thumbnail_names(fieldfile) -> list[str]:
    """The names of the thumbnails easy-thumbnails made of an image field's file."""
    source = get_thumbnailer(fieldfile).get_source_cache()
    return [thumbnail.name for thumbnail in source.thumbnails.all()] if source else []


# --- Object storage -------------------------------------------------------------------


class S3Server:
    """An S3 API on loopback (moto's server, in a thread of the tests' process) for the
    `s3` fixture: `reset()` empties it and creates the buckets; `env` holds the S3_*
    variables that point the site at it (config.settings.file_storages), for this process
    or a server started as a subprocess."""

    ACCESS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing", "S3_REGION": "us-east-1"}

    def __init__(self):
        from moto.server import ThreadedMotoServer

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self.env: dict[str, str] = {}

    def stop(self) -> None:
        self._server.stop()

    def reset(self, *, bucket: str = "volna", private_bucket: str = "") -> None:
        """No bucket nor object left from before; `bucket` (and `private_bucket`) made."""
        import requests

        requests.post(f"{self.endpoint_url}/moto-api/reset", timeout=10).raise_for_status()
        self.env = {"S3_ENDPOINT_URL": self.endpoint_url, **self.ACCESS, "S3_BUCKET": bucket}
        if private_bucket:
            self.env["S3_PRIVATE_BUCKET"] = private_bucket
        from core.s3 import public_read_policy

        for name in {bucket, private_bucket} - {""}:
            self.client.create_bucket(Bucket=name)
        self.client.put_bucket_policy(Bucket=bucket, Policy=public_read_policy(bucket))

    @property
    def bucket(self) -> str:
        return self.env["S3_BUCKET"]

    @property
    def private_bucket(self) -> str:
        return self.env.get("S3_PRIVATE_BUCKET") or self.bucket

    @cached_property
    def client(self):
        """A boto3 client of the server, signed in as the site is."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.ACCESS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=self.ACCESS["S3_SECRET_ACCESS_KEY"],
            region_name=self.ACCESS["S3_REGION"],
        )

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The keys of the objects in `bucket` under `prefix`, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def backdate(self, bucket: str, key: str, *, hours: float) -> None:
        """Make an object look `hours` older: S3 lets no client set the time an object was
        last changed, so moto's record of it is changed in this process."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        stored = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets[bucket].keys[key]
        stored.last_modified -= timedelta(hours=hours)


# --- A real Celery worker ---------------------------------------------------------------


def database_url_of_the_tests() -> str:
    """The test database, as the DATABASE_URL a process started by a test is given."""
    from urllib.parse import quote

    from django.db import connection

    database = connection.settings_dict
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database["PASSWORD"] else ""
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{user}{password}@{quote(database['HOST'] or '', safe='')}{port}/{database['NAME']}"


class CeleryWorker:
    """A `celery -A config worker` subprocess for a test (the `celery_worker` fixture): the
    site's own code, with its settings read from `environment` as every process of the site
    reads them — this process's environment, then CELERY_BROKER_URL and
    CELERY_RESULT_BACKEND on `broker_url`, then `environment`. While it runs, this
    process's Celery app sends its tasks to the same broker instead of running them
    eagerly, so what a test does reaches the worker as a request's work would.

    `environment` is what another process needs to share the worker (a gunicorn started by
    a test, say): DATABASE_URL, the broker and the folders, with the caller's additions."""

    STARTUP_SECONDS = 60

    def __init__(self, *, broker_url: str, environment: dict[str, str], log, pool: str = "threads", concurrency=2):
        import os
        import uuid

        inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.broker_url = broker_url
        self.environment = {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": broker_url,
            **environment,
        }
        self.hostname = f"volna-tests-{uuid.uuid4().hex[:8]}@localhost"
        self.log = log
        self._process_environment = {**inherited, **self.environment, "PYTHONUNBUFFERED": "1"}
        self._arguments = ["--pool", pool, "--concurrency", str(concurrency), "--hostname", self.hostname]
        self._process = None
        self._saved_conf: dict = {}

    def start(self) -> "CeleryWorker":
        import subprocess
        import sys
        import time

        from django.conf import settings

        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", *self._arguments]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with open(self.log, "w") as output:
            self._process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=self._process_environment, stdout=output, stderr=subprocess.STDOUT
            )
        self._send_tasks_to(self.broker_url)
        deadline = time.monotonic() + self.STARTUP_SECONDS
        while time.monotonic() < deadline and self._process.poll() is None:
            if self.app.control.ping(destination=[self.hostname], timeout=0.5):
                return self
        self.stop()
        raise RuntimeError(f"The Celery worker did not answer; its log:\n{self.log_tail()}")

    def stop(self) -> None:
        """A warm shutdown (the tasks in hand finish), then this process's Celery app back
        to what it was."""
        import subprocess

        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._saved_conf:
            self.app.conf.update(self._saved_conf)
            self._forget_connections()
            self._saved_conf = {}

    def wait_for(self, condition, *, what: str, seconds: float = 30):
        """`condition()`'s first true value within `seconds`, or a failure naming `what`
        with the end of the worker's log."""
        import time

        import pytest

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.1)
        pytest.fail(f"Waited {seconds} s for {what}; the worker's log:\n{self.log_tail()}")

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text()[-characters:] if self.log.exists() else "(no log)"

    @property
    def app(self):
        """The site's Celery app (config.celery), which every task is bound to."""
        from celery import current_app

        return current_app._get_current_object()

    def _send_tasks_to(self, url: str) -> None:
        conf = self.app.conf
        self._saved_conf = {name: conf[name] for name in ("broker_url", "result_backend", "task_always_eager")}
        conf.update(broker_url=url, result_backend=url, task_always_eager=False)
        self._forget_connections()

    def _forget_connections(self) -> None:
        # Celery keeps its broker connections and result backend once made; made again
        # on their next use, they follow the configuration just changed.
        import threading

        self.app._after_fork()
        self.app._backend_cache = None
        self.app._local = threading.local()


class FailingOnceEmailBackend:
    """The tests' mail server, for a worker as much as for this process: the first time it
    is asked to send, it fails as an SMTP server that dropped the connection; from then on
    it delivers each message as a file `<random>.eml` in EMAIL_FILE_PATH (read them with
    `delivered_emails`). "The first time" holds across processes and threads: it is a file
    created exclusively in that folder."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        from pathlib import Path

        from django.conf import settings

        self.folder = Path(settings.EMAIL_FILE_PATH)

    def open(self):
        return False

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def send_messages(self, messages) -> int:
        import smtplib
        import uuid

        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            (self.folder / "failed-once").open("x").close()
        except FileExistsError:
            pass
        else:
            raise smtplib.SMTPServerDisconnected("the tests' mail server fails the first time")
        for message in messages:
            (self.folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)


def delivered_emails(folder) -> list:
    """The messages FailingOnceEmailBackend delivered to `folder`, as email.message.EmailMessage."""
    import email
    import email.policy
    from pathlib import Path

    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(Path(folder).glob("*.eml"))
    ]
