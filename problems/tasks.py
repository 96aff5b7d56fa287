"""Background work of the problem bank (Celery; see config/celery.py)."""

from celery import shared_task

from problems.services import variant_export_deliver


@shared_task
def variant_export_send(
    *,
    key: str,
    user_id: int,
    title: str,
    file_title: str,
    version_ids: list[list[int]],
    with_answers: bool,
    file_format: str,
) -> None:
    """A class set's export (problems.views.variants.variant_export), delivered once per key."""
    variant_export_deliver(
        key=key,
        user_id=user_id,
        title=title,
        file_title=file_title,
        version_ids=version_ids,
        with_answers=with_answers,
        file_format=file_format,
    )
