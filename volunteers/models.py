from datetime import date
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.fields import private_photo
from core.models import TimeStampedModel
from core.text import NameCases

OLDEST_PLAUSIBLE_AGE = 100


class Location(models.Model):
    """A region of Russia (spec 001 «Географический регион»); courses open by region."""

    code = models.SmallIntegerField(_("код региона"), unique=True, null=True, blank=True)
    region = models.CharField(_("регион"), max_length=120, unique=True)

    verbose_name_cases = NameCases(_("регион"), _("региона"), genitive_plural=_("регионов"))

    class Meta:
        db_table = "locations"
        verbose_name = _("регион")
        verbose_name_plural = _("регионы")
        ordering = ("region",)

    def __str__(self):
        return self.region


class Direction(models.Model):
    """A direction of volunteering (spec 001 «Направление»)."""

    title = models.CharField(_("название"), max_length=120, unique=True)
    description = models.TextField(_("описание"), blank=True)

    verbose_name_cases = NameCases(_("направление"), _("направления"), genitive_plural=_("направлений"))

    class Meta:
        db_table = "directions"
        verbose_name = _("направление")
        verbose_name_plural = _("направления")
        ordering = ("title",)

    def __str__(self):
        return self.title


class Level(models.Model):
    """Новичок < Бывалый < Профессионал: the three rows exist in every database (data
    migration); `rank` orders them."""

    class Name(models.TextChoices):
        NOVICE = "Новичок", _("Новичок")
        EXPERIENCED = "Бывалый", _("Бывалый")
        PROFESSIONAL = "Профессионал", _("Профессионал")

    name = models.CharField(_("уровень"), max_length=20, choices=Name.choices, unique=True)
    rank = models.PositiveSmallIntegerField(_("порядок"), unique=True, validators=[MinValueValidator(1)])
    description = models.TextField(_("описание и условия достижения"), blank=True)

    verbose_name_cases = NameCases(_("уровень"), _("уровня"), genitive_plural=_("уровней"))

    class Meta:
        db_table = "levels"
        verbose_name = _("уровень")
        verbose_name_plural = _("уровни")
        ordering = ("rank",)
        constraints = [models.CheckConstraint(condition=models.Q(rank__gte=1), name="levels_rank_positive")]

    def __str__(self):
        return self.name


class Badge(models.Model):
    name = models.CharField(_("название"), max_length=40, unique=True)
    description = models.TextField(_("описание и условия получения"), blank=True)

    verbose_name_cases = NameCases(_("значок"), _("значка"), genitive_plural=_("значков"))

    class Meta:
        db_table = "badges"
        verbose_name = _("значок")
        verbose_name_plural = _("значки")
        ordering = ("name",)

    def __str__(self):
        return self.name


def validate_birth_date(value: date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError(_("Дата рождения не может быть в будущем."), code="future")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < settings.VOLUNTEER_MIN_AGE:
        raise ValidationError(
            _("Волонтёром можно стать с %(age)s лет."), code="too_young", params={"age": settings.VOLUNTEER_MIN_AGE}
        )
    if age > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(_("Проверьте год рождения."), code="implausible")


class VolunteerQuerySet(models.QuerySet):
    def with_effective_level(self) -> "VolunteerQuerySet":
        """The volunteers with their effective level read in their own query, for
        `Volunteer.effective_level` (as a JSON object of the level's fields: one subquery
        gives the whole row)."""
        return self.annotate(effective_level_read=_effective_level_read())

    def of_effective_level(self, level: Level) -> "VolunteerQuerySet":
        """The volunteers whose effective level is `level`."""
        best = _effective_records().values("level_id")[:1]
        return self.alias(effective_level_id=Subquery(best)).filter(effective_level_id=level.pk)


def _effective_records():
    return VolunteerLevel.objects.filter(volunteer=OuterRef("pk")).effective()


@cache
def _effective_level_read() -> Subquery:
    """Built once (every learner page asks it), resolved anew by every query using it."""
    fields = {field.attname: f"level__{field.attname}" for field in Level._meta.concrete_fields}
    return Subquery(_effective_records().values(level_read=JSONObject(**fields))[:1])


class Volunteer(TimeStampedModel):
    """A user's volunteer profile (spec 001 «Волонтер»). Levels and badges are rows of
    VolunteerLevel / VolunteerBadge; the effective level is the highest confirmed one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="volunteer"
    )
    phone_number = PhoneNumberField(_("телефон"))
    birth_date = models.DateField(_("дата рождения"), validators=[validate_birth_date])
    location = models.ForeignKey(
        Location, verbose_name=_("регион"), on_delete=models.PROTECT, related_name="volunteers"
    )
    directions = models.ManyToManyField(
        Direction,
        verbose_name=_("направления"),
        blank=True,
        related_name="volunteers",
        db_table="volunteers_directions",
    )
    call_sign = models.CharField(_("позывной на форуме"), max_length=50, blank=True)
    photo = private_photo(_("фотография"), prefix="volunteers/photos")  # shown by views.photo
    # The many-to-many fields are named as spec 001 names them.
    level = models.ManyToManyField(Level, verbose_name=_("уровни"), through="VolunteerLevel", related_name="+")
    badges = models.ManyToManyField(
        Badge, verbose_name=_("значки"), through="VolunteerBadge", related_name="volunteers"
    )
    courses = models.ManyToManyField(
        "courses.Course", verbose_name=_("курсы"), through="courses.VolunteerCourse", related_name="+"
    )

    objects = VolunteerQuerySet.as_manager()

    verbose_name_cases = NameCases(
        _("волонтёра"), _("волонтёра"), accusative_plural=_("волонтёров"), genitive_plural=_("волонтёров")
    )

    class Meta:
        db_table = "volunteers"
        verbose_name = _("волонтёр")
        verbose_name_plural = _("волонтёры")
        ordering = ("user__last_name", "user__first_name")

    def __str__(self):
        return str(self.user)

    @property
    def effective_level(self) -> Level | None:
        """The highest confirmed level (VolunteerLevelQuerySet.effective): as read with the
        volunteer (Volunteer.objects.with_effective_level(), for lists), else read now."""
        if not hasattr(self, "effective_level_read"):
            return self.read_effective_level()
        values = self.effective_level_read
        if values is None:
            return None
        names = [field.attname for field in Level._meta.concrete_fields]  # from_db's order
        return Level.from_db(self._state.db, names, [values[name] for name in names])

    def read_effective_level(self) -> Level | None:
        """The effective level as the database has it now (one query)."""
        record = self.level_records.effective().select_related("level").first()
        return None if record is None else record.level

    @property
    def pending_level(self) -> Level | None:
        """The level asked for and not yet confirmed, if any."""
        return next((record.level for record in self.level_records.all() if not record.confirmed), None)


class VolunteerLevelQuerySet(models.QuerySet):
    def effective(self) -> "VolunteerLevelQuerySet":
        """The confirmed records, highest level first: a volunteer's effective level — the
        one that opens courses to them — is the level of the first of theirs (spec 001).
        The one statement of that rule; Volunteer.effective_level and
        VolunteerQuerySet.with_effective_level / of_effective_level read it."""
        return self.filter(confirmed=True).order_by("-level__rank")


class VolunteerLevel(TimeStampedModel):
    """A level a volunteer holds or asked for. Новичок is confirmed at once; higher levels
    wait for an administrator, who is recorded with the time of confirmation."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("волонтёр"), on_delete=models.CASCADE, related_name="level_records"
    )
    level = models.ForeignKey(Level, verbose_name=_("уровень"), on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField(_("подтверждён"), default=False)
    who_confirmed = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем подтверждено"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("когда подтверждён"), null=True, blank=True)

    objects = VolunteerLevelQuerySet.as_manager()

    verbose_name_cases = NameCases(
        _("уровень волонтёра"), _("уровня волонтёра"), genitive_plural=_("уровней волонтёров")
    )

    class Meta:
        db_table = "volunteers_levels"
        verbose_name = _("уровень волонтёра")
        verbose_name_plural = _("уровни волонтёров")
        ordering = ("volunteer", "level__rank")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "level"], name="volunteers_levels_unique"),
            # A confirmed row says when; an unconfirmed one names no confirmer.
            models.CheckConstraint(
                condition=models.Q(confirmed=True, confirmed_at__isnull=False)
                | models.Q(confirmed=False, confirmed_at__isnull=True, who_confirmed__isnull=True),
                name="volunteers_levels_confirmation_consistent",
            ),
        ]
        # The admin's queue, pending requests first and oldest first (volunteers.admin).
        indexes = [models.Index(fields=["confirmed", "created_at", "id"], name="volunteers_levels_queue")]

    def __str__(self):
        return f"{self.volunteer} — {self.level}"


class PendingLevelManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(confirmed=False)


class PendingLevel(VolunteerLevel):
    """Level requests waiting for an administrator: their own section of the admin."""

    objects = PendingLevelManager()

    verbose_name_cases = NameCases(
        _("заявку на уровень"),
        _("заявки на уровень"),
        genitive_plural=_("заявок на уровень"),
        accusative_plural=_("заявки на уровень"),
    )

    class Meta:
        proxy = True
        verbose_name = _("заявка на уровень")
        verbose_name_plural = _("ожидают подтверждения")


class VolunteerBadge(models.Model):
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("волонтёр"), on_delete=models.CASCADE)
    badge = models.ForeignKey(Badge, verbose_name=_("значок"), on_delete=models.CASCADE)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем выдан"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("выдан"), auto_now_add=True)

    verbose_name_cases = NameCases(
        _("значок волонтёра"), _("значка волонтёра"), genitive_plural=_("значков волонтёров")
    )

    class Meta:
        db_table = "volunteers_badges"
        verbose_name = _("значок волонтёра")
        verbose_name_plural = _("значки волонтёров")
        ordering = ("-created_at",)
        constraints = [models.UniqueConstraint(fields=["volunteer", "badge"], name="volunteers_badges_unique")]

    def __str__(self):
        return f"{self.volunteer} — {self.badge}"


class LocationChange(models.Model):
    """The history of a volunteer's region (spec 001 leaves the policy open: changes are
    allowed, and administrators can see each one)."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("волонтёр"), on_delete=models.CASCADE, related_name="location_changes"
    )
    old_location = models.ForeignKey(
        Location, verbose_name=_("был регион"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    new_location = models.ForeignKey(
        Location, verbose_name=_("стал регион"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("когда"), auto_now_add=True)

    verbose_name_cases = NameCases(_("смену региона"), _("смены региона"), genitive_plural=_("смен региона"))

    class Meta:
        db_table = "volunteers_location_changes"
        verbose_name = _("смена региона")
        verbose_name_plural = _("смены регионов")
        ordering = ("-changed_at",)

    def __str__(self):
        return f"{self.volunteer}: {self.old_location or '—'} → {self.new_location}"
