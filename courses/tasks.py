"""Background work of courses: certificates (on passing, missing ones, an operator's
`generate_certificates --async`) and webinar reminders."""

from collections.abc import Sequence

from celery import shared_task
from django.utils.dateparse import parse_datetime

from accounts.tasks import email_message
from courses import services

# A storage that fails for now (a full disk, object storage out of reach) is worth retrying.
STORAGE_ERRORS = (OSError,)


@shared_task(autoretry_for=STORAGE_ERRORS, retry_backoff=5, retry_backoff_max=300, retry_jitter=True, max_retries=5)
def issue_passed_certificate(enrolment_id: int, email_message_ids: Sequence[int] = ()) -> int | None:
    """Sent when a course is passed: first the email of the message that says so
    (`email_message_ids`, handed on to accounts.tasks.email_message, which sends each once),
    then its certificate, and a message that it is ready — once
    (services.certificate_issue_on_passing): a second delivery changes nothing. One task
    message from the request instead of two: every learner of an exam rush who passes sends
    one (bench/exam_rush.py: a send was 663 Python calls, 8.8 % of the app servers' time in
    wave 2 for two)."""
    for message_id in email_message_ids:
        email_message.delay(message_id)
    certificate = services.certificate_issue_on_passing(enrolment_id=enrolment_id)
    return certificate.pk if certificate else None


@shared_task
def issue_missing_certificates() -> int:
    """Every fifteen minutes (CELERY_BEAT_SCHEDULE): courses passed a while ago whose
    certificate is still missing get it, as if just passed."""
    missing = services.enrolments_missing_certificate()
    for enrolment_id in missing:
        issue_passed_certificate.delay(enrolment_id)
    return len(missing)


@shared_task(ignore_result=False)
def issue_certificates(items: list[list], rendered_since: str | None = None) -> dict:
    """One chunk of `generate_certificates --async`: (enrolment id, force) pairs, issued as
    the command's sync mode does; its report as JSON, which the command waits for. Forced work is not done again for a
    certificate rendered since the command started (`rendered_since`), so a second
    delivery of the chunk renders nothing."""
    report = services.certificates_issue(
        [(pk, force) for pk, force in items],
        unless_rendered_since=parse_datetime(rendered_since) if rendered_since else None,
    )
    return report.as_dict()


@shared_task
def remind_webinars() -> int:
    """Every five minutes (CELERY_BEAT_SCHEDULE): the learners of each webinar that starts
    within the hour are reminded of it, once per webinar and start."""
    return sum(len(services.webinar_remind(webinar_id=pk)) for pk in services.webinars_due_reminder())
