from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.storage import OwnFolder, PrivateStorage
from core.validators import MaxUploadSizeValidator


class VolnaUserManager(UserManager):
    def get_by_email(self, email: str):
        """The account with this address, whatever the letter case (raises DoesNotExist)."""
        return self.get(email__iexact=email.strip())


class User(AbstractUser):
    """A person on the site. Roles are groups (see accounts.roles); the email is unique
    whatever its letter case, and empty only for a Yandex account that shared none."""

    email = models.EmailField(_("электронная почта"), blank=True)

    objects = VolnaUserManager()

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


class Message(models.Model):
    """An in-site message (spec 000, table messages): from a user, or from the platform
    itself when `sender` is empty (notifications). Read when `read_at` is set."""

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
    attachment = models.FileField(
        _("вложение"),
        upload_to=OwnFolder("messages"),
        storage=PrivateStorage(),
        blank=True,
        validators=[
            FileExtensionValidator(["pdf", "doc", "docx", "odt", "txt", "jpg", "jpeg", "png", "xlsx", "csv"]),
            MaxUploadSizeValidator("ATTACHMENT_MAX_MB"),
        ],
    )
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        db_table = "messages"
        verbose_name = _("сообщение")
        verbose_name_plural = _("сообщения")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["recipient", "read_at"], name="messages_recipient_unread")]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
