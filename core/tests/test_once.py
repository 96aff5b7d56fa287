"""core.once: work done at most once per key, and again after a failed attempt."""

import pytest

from core.models import CompletedJob
from core.once import once

pytestmark = pytest.mark.django_db


def test_work_runs_once_per_key():
    done = []
    assert once("report:1", lambda: done.append(1)) is True
    assert once("report:1", lambda: done.append(2)) is False
    assert once("report:2", lambda: done.append(3)) is True
    assert done == [1, 3]


def test_a_failed_attempt_records_nothing_and_the_retry_does_the_work():
    def fail():
        raise ConnectionError("the mail server is away")

    with pytest.raises(ConnectionError):
        once("report:1", fail)
    assert not CompletedJob.objects.exists()

    done = []
    assert once("report:1", lambda: done.append(1)) is True
    assert done == [1]
