from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.fields import UploadFileField
from core.storage import OwnFolder, PrivateStorage
from core.text import NameCases


class VolnaUserManager(UserManager):
    def get_by_email(self, email: str):
        """The account with this address, whatever the letter case (raises DoesNotExist)."""
        return self.get(email__iexact=email.strip())


class User(AbstractUser):
    """A person on the site. Roles are groups (see accounts.roles); the email is unique
    whatever its letter case, and empty only for a Yandex account that shared none.

    The email counts as confirmed only while it is the address its owner confirmed
    (`confirmed_email`, set by a signed link or taken from Yandex ID): an address changed
    any other way — in the admin, say — is unconfirmed again without anyone having to
    remember to reset a flag. A new address asked for in the profile waits in
    `pending_email` until the link mailed to it is followed."""

    email = models.EmailField(_("электронная почта"), blank=True)
    confirmed_email = models.EmailField(
        _("подтверждённая почта"),
        blank=True,
        help_text=_("Адрес, который владелец подтвердил по ссылке из письма или через Яндекс ID."),
    )
    pending_email = models.EmailField(
        _("новая почта, ждёт подтверждения"),
        blank=True,
        help_text=_("Станет адресом учётной записи, когда владелец пройдёт по ссылке из письма."),
    )

    objects = VolnaUserManager()

    verbose_name_cases = NameCases(_("пользователя"), _("пользователя"), _("пользователей"))

    class Meta:
        db_table = "users"
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ("last_name", "first_name", "username")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="users_email_ci_unique",
                violation_error_message=_("Пользователь с такой электронной почтой уже зарегистрирован."),
            ),
        ]
        permissions = [("assign_roles", _("Может назначать роли пользователям"))]

    def __str__(self):
        return self.get_full_name() or self.email or self.username

    @property
    def email_confirmed(self) -> bool:
        # lower(), as the unique constraint compares addresses.
        return bool(self.email) and self.email.lower() == self.confirmed_email.lower()


class Message(models.Model):
    """An in-site message (spec 000, table messages): from a user, or from the platform
    itself when `sender` is empty (notifications). Read when `read_at` is set; its copy by
    email is sent once, in the background, and stamped in `emailed_at` (accounts.tasks).
    A notification about an object holds the site path to it in `link` («Открыть»)."""

    sender = models.ForeignKey(
        User,
        verbose_name=_("отправитель"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_messages",
        help_text=_("Пусто — сообщение платформы."),
    )
    recipient = models.ForeignKey(
        User, verbose_name=_("получатель"), on_delete=models.CASCADE, related_name="received_messages"
    )
    title = models.CharField(_("тема"), max_length=200)
    text = models.TextField(_("текст"))
    attachment = UploadFileField(
        _("вложение"),
        upload_to=OwnFolder("messages"),
        storage=PrivateStorage(),
        blank=True,
        kind="document",
        max_mb_setting="ATTACHMENT_MAX_MB",
    )
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)
    emailed_at = models.DateTimeField(
        _("отправлено письмом"),
        null=True,
        blank=True,
        help_text=_("Когда копия ушла на почту получателя; пусто — ещё не ушла (или у получателя нет адреса)."),
    )
    link = models.CharField(
        _("ссылка"),
        max_length=500,
        blank=True,
        help_text=_("Путь на сайте к тому, о чём сообщение (например, /courses/12/); пусто — ссылки нет."),
    )

    verbose_name_cases = NameCases(_("сообщение"), _("сообщения"))

    class Meta:
        db_table = "messages"
        verbose_name = _("сообщение")
        verbose_name_plural = _("сообщения")
        ordering = ("-created_at", "-pk")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="messages_recipient_unread"),
            # The periodic resend of unsent email reads these few rows only.
            models.Index(fields=["created_at"], condition=Q(emailed_at__isnull=True), name="messages_unemailed"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
