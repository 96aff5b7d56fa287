"""Core's background work (core.tasks) and the schedule of every app's periodic tasks."""

import os
import time

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from config.celery import app
from core.tasks import sweep_files
from core.testing import png_upload

pytestmark = pytest.mark.django_db


def stored(name: str, *, hours_old: float) -> str:
    name = default_storage.save(name, ContentFile(b"left behind"))
    moment = time.time() - hours_old * 3600
    os.utime(default_storage.path(name), (moment, moment))
    return name


def test_sweep_files_removes_old_files_no_row_names_once():
    from courses.tests.factories import CourseFactory

    named = CourseFactory(cover=png_upload("обложка.png")).cover.name
    os.utime(default_storage.path(named), (time.time() - 48 * 3600,) * 2)
    old, young = stored("methodics/covers/старая.png", hours_old=48), stored("courses/covers/новая.png", hours_old=1)

    assert sweep_files.delay().get() == 1

    assert not default_storage.exists(old)
    assert default_storage.exists(young)
    assert default_storage.exists(named)
    assert sweep_files.delay().get() == 0


def test_every_scheduled_task_exists_and_expires_before_the_next_run():
    schedule = settings.CELERY_BEAT_SCHEDULE
    app.loader.import_default_modules()  # as a worker and beat do: every app's tasks.py

    assert {entry["task"] for entry in schedule.values()} == {
        "accounts.tasks.email_unsent_messages",
        "courses.tasks.issue_missing_certificates",
        "courses.tasks.remind_webinars",
        "core.tasks.sweep_files",
    }
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name
        assert entry["options"]["expires"] > 0, name
