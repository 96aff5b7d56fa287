"""Background work done once whatever the number of deliveries: Celery may run a task
again (a retry; with late acknowledgement, a worker that died mid-task), so a task whose
effect must not repeat — a message with a file, say — passes a key its sender made for
the request and runs its work through `once`."""

from collections.abc import Callable

from django.db import transaction

from core.models import CompletedJob


def once(key: str, work: Callable[[], object]) -> bool:
    """Run `work` unless it has run for `key`; whether it ran now. The key is recorded in
    the transaction that does the work: a failed attempt records nothing (the retry does
    the work), and a delivery that comes at the same time waits for the first one's
    commit, then finds the key."""
    if CompletedJob.objects.filter(key=key).exists():
        return False  # the usual repeat: answered without waiting for a lock
    with transaction.atomic():
        _job, created = CompletedJob.objects.get_or_create(key=key)
        if created:
            work()
    return created
