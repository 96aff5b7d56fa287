"""Background work of accounts: the email copy of every message (`notify`, `message_send`)."""

import logging
import smtplib

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)

# What a mail server that is down, slow or refusing for now raises (SMTPException is an
# OSError too; both named for the reader).
MAIL_SERVER_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(
    bind=True,
    autoretry_for=MAIL_SERVER_ERRORS,
    retry_backoff=5,  # 5, 10, 20 … 160 s, each drawn at random below that (retry_jitter)
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=6,  # about five minutes in all; later the periodic `email_unsent_messages`
)
def email_message(self, message_id: int) -> bool:
    """A message's email, sent once (accounts.services.message_email stamps it): a retry or
    a second delivery of a message emailed already sends nothing."""
    try:
        return services.message_email(message_id=message_id)
    except MAIL_SERVER_ERRORS:
        if not self.request.is_eager:
            raise  # retried with backoff
        # Without a broker Celery would retry at once, back to back, inside the request:
        # once is enough there; the message stays unstamped for `email_unsent_messages`.
        logger.exception("Could not email message %s", message_id)
        return False


@shared_task
def email_unsent_messages() -> int:
    """Every ten minutes (CELERY_BEAT_SCHEDULE): sends again the email of messages still
    unsent ten minutes after they were written, for a day. A message emailed meanwhile is
    skipped by `email_message`, so nothing goes twice."""
    unsent = services.messages_unemailed()
    for message_id in unsent:
        email_message.delay(message_id)
    return len(unsent)
