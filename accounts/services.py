import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.core.mail import send_mail, send_mass_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Message, User
from accounts.roles import STAFF_ROLES, VOLUNTEER
from core.cache import CONTENT_AREAS, content_changed
from core.models import TimeStampedModel
from core.tasks import delay_on_commit

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
def user_register(
    *,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    username: str = "",
    email_confirmed: bool = False,
) -> User:
    """A new learner with the «Волонтёр» role: a local account, or with password None one
    that signs in through Yandex ID. The username is `username` (a Yandex login) or the
    address's local part, made unique. The address is unconfirmed, and a confirmation
    link is mailed to it, unless `email_confirmed` (Yandex ID vouches for it; demo data)."""
    user = User(
        username=username_available(username or email.split("@")[0]),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    if email_confirmed:
        user.confirmed_email = user.email
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=VOLUNTEER))
    if user.email and not email_confirmed:
        email_confirmation_send(user=user, email=user.email)
    return user


# --- Email confirmation ----------------------------------------------------------------

EMAIL_CONFIRMATION_SALT = "accounts.email_confirmation"
EMAIL_CONFIRMATION_MAX_AGE = timedelta(days=3)


class EmailConfirmationError(Exception):
    """A confirmation link that cannot be used; the message tells the person why, in Russian."""


EMAIL_TAKEN_BY_ANOTHER = gettext_lazy("Адрес %(email)s уже занят другой учётной записью. Укажите в профиле другой.")


def email_confirmation_send(*, user: User, email: str) -> None:
    """Mail `email` a link that confirms it as `user`'s address, valid for three days. The
    link is signed and names both the user and the address. By email only, never through
    `notify`: an in-site message would hand the link to whoever holds the account, and
    the link must prove that they hold the mailbox."""
    token = signing.dumps({"user": user.pk, "email": email}, salt=EMAIL_CONFIRMATION_SALT)
    link = settings.SITE_URL + reverse("accounts:email_confirm", args=[token])
    text = (
        f"Здравствуйте!\n\n"
        f"Чтобы подтвердить адрес {email} для учётной записи на «{settings.SITE_NAME}», откройте ссылку "
        f"и нажмите «Подтвердить»:\n\n{link}\n\n"
        f"Ссылка действует три дня. Если вы не регистрировались на «{settings.SITE_NAME}» и не меняли "
        f"адрес в профиле, ничего не делайте: без подтверждения адрес не будет считаться вашим."
    )
    _mail_on_commit([(f"Подтвердите электронную почту — {settings.SITE_NAME}", text, None, [email])])


def email_confirmation_read(*, token: str, lock: bool = False) -> tuple[User, str]:
    """The account and the address a confirmation link names, if the link may still
    confirm it: signed by us, at most three days old, for the account's current address
    or the new one waiting in `pending_email` (a link to an address since replaced
    confirms nothing), and for a new address, one that no other account has taken since."""
    try:
        payload = signing.loads(token, salt=EMAIL_CONFIRMATION_SALT, max_age=EMAIL_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as expired:
        raise EmailConfirmationError(
            _("Ссылка для подтверждения почты устарела: она действует три дня. Запросите новое письмо в профиле.")
        ) from expired
    except signing.BadSignature as bad:
        raise EmailConfirmationError(
            _("Ссылка для подтверждения почты неверна. Скопируйте её из письма целиком или запросите новое письмо.")
        ) from bad
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=payload["user"], is_active=True).first()
    email = payload["email"]
    if user is None or not email or email.lower() not in {user.email.lower(), user.pending_email.lower()}:
        raise EmailConfirmationError(
            _("Эта ссылка относится к адресу, который больше не ждёт подтверждения. Запросите новое письмо в профиле.")
        )
    if email.lower() != user.email.lower() and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise EmailConfirmationError(EMAIL_TAKEN_BY_ANOTHER % {"email": email})
    return user, email


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Follow a confirmation link (rules in `email_confirmation_read`): the address becomes
    the account's confirmed address, replacing the old one if it was a pending change."""
    user, email = email_confirmation_read(token=token, lock=True)
    if email.lower() != user.email.lower():
        user.email = email
        user.pending_email = ""
    user.confirmed_email = user.email
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "confirmed_email", "pending_email"])
    except IntegrityError as taken:
        # Another account took the address between the check and the write.
        raise EmailConfirmationError(EMAIL_TAKEN_BY_ANOTHER % {"email": email}) from taken
    return user


@transaction.atomic
def email_change_request(*, user: User, email: str) -> None:
    """Ask for a new address (the caller has checked the password and that the address is
    free): nothing changes but `pending_email` until the link mailed to the new address is
    followed. Giving the current address again withdraws a pending change."""
    email = email.strip()
    user.pending_email = "" if email.lower() == user.email.lower() else email
    user.save(update_fields=["pending_email"])
    if user.pending_email:
        email_confirmation_send(user=user, email=user.pending_email)


def email_confirmation_resend(*, user: User) -> str | None:
    """Mail the link again — to the pending new address if there is one, else to the
    account's own address while it is unconfirmed. Returns the address, or None when
    there is nothing to confirm."""
    email = user.pending_email or ("" if user.email_confirmed else user.email)
    if email:
        email_confirmation_send(user=user, email=email)
    return email or None


def user_saved(*, changed: Iterable[str]) -> None:
    """After a user's own profile or the admin saved the account: a changed name shows on
    the public pages of what the person wrote (methodics, comments, tasks, courses), which
    are retired."""
    if {"first_name", "last_name"} & set(changed):
        content_changed(*CONTENT_AREAS)


KEEP = object()  # an argument not given: that value stays as it is


def person_contacts_update(*, user: User, phone_number=KEEP, photo=KEEP) -> None:
    """Change the person's phone and photo where they are kept (User.contact_holder): in
    the volunteer profile when there is one — spec 001's columns, where a volunteer's phone
    is required — else on the account. Only the values given change; an empty one (None,
    "", False) clears it. A new photo is checked and re-encoded by its field on save."""
    holder = user.contact_holder
    photo_field = "profile_image" if isinstance(holder, User) else "photo"  # `user` may be request.user's lazy wrapper
    changed = []
    if phone_number is not KEEP:
        holder.phone_number = phone_number or ""
        changed.append("phone_number")
    if photo is not KEEP:
        setattr(holder, photo_field, photo or "")
        changed.append(photo_field)
    if not changed:
        return
    holder.clean_fields(exclude=[field.name for field in holder._meta.fields if field.name not in changed])
    if isinstance(holder, TimeStampedModel):
        changed.append("updated_at")
    holder.save(update_fields=changed)


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


# Email that a task could not send (the broker or the mail server down for longer than its
# retries) is sent again by the periodic `email_unsent_messages`, for a day.
EMAIL_RESEND_AFTER = timedelta(minutes=10)
EMAIL_RESEND_WITHIN = timedelta(days=1)


def _email_messages(messages: list[Message]) -> None:
    """Email each message to its recipient once the transaction commits, through the task
    `accounts.tasks.email_message`: a mail server that fails is retried there, and never
    fails the request nor undoes what the message records."""
    from accounts.tasks import email_message

    delay_on_commit(email_message, [(message_id,) for message_id in emails_of(messages)])


def message_email(*, message_id: int) -> bool:
    """Email a message to its recipient's address, once whatever the number of calls: the
    row is locked, a message emailed already is left alone, and `emailed_at` is stamped in
    the transaction that sent it. A mail server that fails raises (SMTPException, OSError)
    and stamps nothing. Whether it was emailed now."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=message_id, emailed_at__isnull=True)
            .first()
        )
        if message is None or not message.recipient.email:
            return False
        inbox_url = settings.SITE_URL + reverse("accounts:inbox")
        opening = f"\n\nОткрыть: {settings.SITE_URL}{message.link}" if message.link else ""
        text = f"{message.text}{opening}\n\n—\n{settings.SITE_NAME}: {inbox_url}"
        send_mail(message.title, text, None, [message.recipient.email])
        message.emailed_at = timezone.now()
        message.save(update_fields=["emailed_at"])
    return True


def messages_unemailed() -> list[int]:
    """The messages whose email has not gone out EMAIL_RESEND_AFTER after they were sent
    (its task lost or out of retries), if sent within EMAIL_RESEND_WITHIN: the ids."""
    now = timezone.now()
    unsent = Message.objects.filter(
        emailed_at__isnull=True,
        created_at__lte=now - EMAIL_RESEND_AFTER,
        created_at__gte=now - EMAIL_RESEND_WITHIN,
    ).exclude(recipient__email="")
    return list(unsent.order_by("pk").values_list("pk", flat=True))


def _mail_on_commit(emails: list[tuple]) -> None:
    """Send (subject, text, from, [to]) emails once the transaction commits; a mail server
    that fails is logged and does not undo what was written."""

    def send():
        try:
            send_mass_mail(emails)
        except Exception:
            logger.exception("Could not send %d email(s)", len(emails))

    if emails:
        transaction.on_commit(send)


def notify(
    *,
    recipients: Iterable[User],
    title: str,
    text: str,
    link: str = "",
    sender: User | None = None,
    attachment: File | None = None,
    email: bool = True,
) -> list[Message]:
    """The one way the platform tells people something: an in-site message to every
    recipient (once each), and the same text by email. `link` is the site path of what the
    message speaks of (a `reverse()`, perhaps with an #anchor): the message page shows it
    as «Открыть», the email gives it as an absolute address. An `attachment` (a file with
    a name) goes with every message, each with a copy of its own in storage. `email=False`:
    a task of the caller's hands the emails on (`emails_of`), in the one task message the
    caller sends anyway."""
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError(f"A notification's link is a path on this site, not {link!r}.")
    unique = {user.pk: user for user in recipients}
    messages = Message.objects.bulk_create(
        [
            Message(
                sender=sender,
                recipient=user,
                title=title,
                text=text,
                link=link,
                attachment=ContentFile(b"".join(attachment.chunks()), name=attachment.name) if attachment else "",
            )
            for user in unique.values()
        ]
    )
    if email:
        _email_messages(messages)
    return messages


def emails_of(messages: list[Message]) -> list[int]:
    """The ids of the messages to email (their recipient has an address), for a task that
    hands them on to `accounts.tasks.email_message` (see `notify`)."""
    return [message.pk for message in messages if message.recipient.email]


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
