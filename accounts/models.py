from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.fields import UploadFileField, private_photo
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
    # Spec 000 gives everyone a phone and a picture; spec 001 keeps a volunteer's in the
    # volunteer profile (volunteers.phone_number, volunteers.photo). One copy: these two stay
    # empty while a volunteer profile exists (volunteers.services.volunteer_create moves them
    # there); read them through `phone` and `photo`, which know where they are.
    phone_number = PhoneNumberField(_("телефон"), blank=True)
    address = models.CharField(_("адрес"), max_length=255, blank=True)
    curr_job_place = models.CharField(_("место работы"), max_length=255, blank=True)
    profile_image = private_photo(_("фотография"), prefix="accounts/photos")  # shown by accounts.views.photo

    karma = models.IntegerField(
        _("карма"),
        default=0,
        editable=False,
        help_text=_("Сумма журнала кармы; пересчитывается командой recount_karma."),
    )

    objects = VolnaUserManager()

    verbose_name_cases = NameCases(
        _("пользователя"), _("пользователя"), accusative_plural=_("пользователей"), genitive_plural=_("пользователей")
    )

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

    @property
    def volunteer_profile(self):
        """The person's volunteer profile (volunteers.Volunteer, through its one-to-one
        `volunteer`: accounts imports no app above it), or None. Read with the user when
        the query had select_related("volunteer"); one query otherwise."""
        return getattr(self, "volunteer", None)  # the relation's DoesNotExist is an AttributeError

    @property
    def contact_holder(self):
        """The row that holds this person's phone and photo: the volunteer profile when
        there is one (spec 001), else the account itself."""
        return self.volunteer_profile or self

    @property
    def phone(self):
        """The person's phone (a PhoneNumber, or "" when none), wherever it is kept."""
        return self.contact_holder.phone_number

    @property
    def photo(self):
        """The person's photo (a file of private storage, empty when none), wherever it is kept."""
        holder = self.contact_holder
        return self.profile_image if holder is self else holder.photo


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

    verbose_name_cases = NameCases(_("сообщение"), _("сообщения"), genitive_plural=_("сообщений"))

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


class KarmaEntry(models.Model):
    """One line of the karma ledger: who got how many points, why, for which object, when.
    `User.karma` is the sum of a user's lines (accounts.karma keeps it so; the command
    recount_karma restores it). The unique key makes each event count once.

    The object is a generic relation (content type + id), not a foreign key per kind:
    the objects live in the apps above accounts (a methodic, a reader's «Пригодилось»
    mark, a suggested task, a comment), which accounts must not import, and a new rule
    needs no new column. A line outlives its object: karma earned stays earned."""

    class Reason(models.TextChoices):
        METHODIC_PUBLISHED = "methodic_published", _("Методика опубликована")
        SUGGESTION_APPROVED = "suggestion_approved", _("Предложенная задача одобрена")
        METHODIC_USEFUL = "methodic_useful", _("Методика пригодилась читателю")
        COMMENT_HIDDEN = "comment_hidden", _("Комментарий скрыт модератором")

    user = models.ForeignKey(
        User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="karma_entries"
    )
    points = models.IntegerField(_("баллы"))
    reason = models.CharField(_("за что"), max_length=30, choices=Reason.choices)
    content_type = models.ForeignKey(ContentType, verbose_name=_("вид объекта"), on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(_("номер объекта"))
    obj = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    verbose_name_cases = NameCases(
        _("запись кармы"), _("записи кармы"), genitive_plural=_("записей кармы"), accusative_plural=_("записи кармы")
    )

    class Meta:
        db_table = "karma_entries"
        verbose_name = _("запись кармы")
        verbose_name_plural = _("журнал кармы")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reason", "content_type", "object_id"], name="karma_entries_event_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="karma_entries_user_history")]

    def __str__(self):
        return f"{self.points:+d} · {self.get_reason_display()}"
