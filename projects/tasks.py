"""Background work of projects (Celery; see config/celery.py)."""

from celery import shared_task

from projects import services


@shared_task
def attendance_pdf_send(*, key: str, course_id: int, user_id: int) -> None:
    """A large course's attendance PDF (projects.views.attendance), delivered once per key."""
    services.attendance_pdf_send(key=key, course_id=course_id, user_id=user_id)
