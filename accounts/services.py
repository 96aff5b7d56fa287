import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Message, User
from accounts.roles import STAFF_ROLES, VOLUNTEER

logger = logging.getLogger(__name__)

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


def username_available(base: str) -> str:
    """A free username built from `base`: its allowed characters, then -2, -3… if taken."""
    base = re.sub(r"[^\w.@+-]", "", base)[: USERNAME_MAX_LENGTH - 4] or "user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def user_register(*, email: str, first_name: str, last_name: str, password: str | None, username: str = "") -> User:
    """A new learner with the «Волонтёр» role: a local account, or with password None one
    that signs in through Yandex ID. The username is `username` (a Yandex login) or the
    address's local part, made unique."""
    user = User(
        username=username_available(username or email.split("@")[0]),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=VOLUNTEER))
    return user


def user_sync_staff_status(*, user: User) -> None:
    """Staff status (entry to the admin) follows from the roles: main administrators,
    administrators and teachers have it, volunteers do not. Superusers keep it."""
    is_staff = user.is_superuser or user.groups.filter(name__in=STAFF_ROLES).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str]) -> None:
    """Give the user exactly these roles and the staff status they imply."""
    user.groups.set(Group.objects.filter(name__in=roles))
    user_sync_staff_status(user=user)


# --- Messages and notifications --------------------------------------------------------


def _email_messages(messages: list[Message]) -> None:
    """Send each message to its recipient's address once the transaction commits; a mail
    server that fails is logged and does not undo what the message records."""
    inbox_url = settings.SITE_URL + reverse("accounts:inbox")
    emails = [
        (message.title, f"{message.text}\n\n—\n{settings.SITE_NAME}: {inbox_url}", None, [message.recipient.email])
        for message in messages
        if message.recipient.email
    ]

    def send():
        try:
            send_mass_mail(emails)
        except Exception:
            logger.exception("Could not email %d notification(s)", len(emails))

    if emails:
        transaction.on_commit(send)


def notify(*, recipients: Iterable[User], title: str, text: str, sender: User | None = None) -> list[Message]:
    """The one way the platform tells people something: an in-site message to every
    recipient (once each), and the same text by email."""
    unique = {user.pk: user for user in recipients}
    messages = Message.objects.bulk_create(
        [Message(sender=sender, recipient=user, title=title, text=text) for user in unique.values()]
    )
    _email_messages(messages)
    return messages


def can_message(*, sender: User, recipient: User) -> bool:
    """Volunteers write to administrators and teachers (and they to anyone); volunteers do
    not write to each other, and nobody writes to themselves."""
    if sender.pk == recipient.pk or not recipient.is_active:
        return False
    return sender.is_staff or recipient.is_staff


@transaction.atomic
def message_send(*, sender: User, recipient: User, title: str, text: str, attachment=None) -> Message:
    """A message from one user to another, where the roles allow it; emailed as well."""
    if not can_message(sender=sender, recipient=recipient):
        raise PermissionDenied("Этому пользователю нельзя написать.")
    message = Message(sender=sender, recipient=recipient, title=title, text=text, attachment=attachment or "")
    message.full_clean()
    message.save()
    _email_messages([message])
    return message


def message_mark_read(*, message: Message) -> None:
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
