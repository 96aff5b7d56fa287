"""Background work of core, and the one way services hand work to the Celery workers.

`delay_on_commit` sends a task when the transaction that asked for it commits. The
periodic tasks of every app are scheduled in config/settings.py (CELERY_BEAT_SCHEDULE).
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from celery import Task, shared_task
from django.db import transaction

from core import thumbnails
from core.files import orphan_delete, orphaned_files

logger = logging.getLogger(__name__)

# As `manage.py sweep_files` by default: a younger file may belong to a row still being saved.
SWEEP_FILES_OLDER_THAN = timedelta(hours=24)


def delay_on_commit(task: Task, calls: Iterable[tuple]) -> None:
    """Send `task` once for each tuple of arguments in `calls`, when the current transaction
    commits: never before (a worker would not see the rows yet), never after a rollback.

    A broker that cannot be reached fails nothing that committed: it is logged and the
    remaining calls are dropped, for the periodic task that looks for work left undone
    (unsent email, missing certificates) to pick up. Unlike Celery's own
    `DjangoTask.delay_on_commit`, which would fail the request after its data committed.
    Without a broker the task runs here and then (task_always_eager); its errors stay in
    its result and the log (CELERY_TASK_EAGER_PROPAGATES is off)."""
    calls = list(calls)
    if not calls:
        return

    def send():
        for args in calls:
            try:
                task.delay(*args)
            except Exception:
                logger.exception("Could not send %d task(s) %s; left to a periodic sweep", len(calls), task.name)
                return

    transaction.on_commit(send)


@shared_task
def sweep_files() -> int:
    """Daily, as `manage.py sweep_files`: removes the uploaded files no row names. A second
    run finds nothing left to remove."""
    orphans = list(orphaned_files(older_than=SWEEP_FILES_OLDER_THAN))
    for orphan in orphans:
        orphan_delete(orphan)
    return len(orphans)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def thumbnails_make(model: str, pk, field: str, name: str) -> None:
    """A new picture's thumbnails, sent when its save commits (core.thumbnails); a thumbnail
    made already is kept, so a second delivery changes nothing."""
    thumbnails.thumbnails_make(model=model, pk=pk, field=field, name=name)
