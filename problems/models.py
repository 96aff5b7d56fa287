import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Random
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import SanitizedRichTextField, UploadImageField
from core.models import TimeStampedModel
from core.search import SearchableManager, search_vector_field
from core.text import NameCases


def image_field(upload_to: str):
    field = UploadImageField(
        _("изображение"), upload_to=upload_to, blank=True, kind="image", max_mb_setting="PHOTO_MAX_MB"
    )
    # An imported picture is stored once by its content and named by every row that shows
    # it (problems.importers): deleting a row keeps it (core.files).
    field.shares_files = True
    return field


class Block(models.Model):
    """A topic of tasks (spec 002 «блок»), in the order the bank lists them."""

    title = models.CharField(_("название"), max_length=200, unique=True)
    description = models.TextField(_("описание"), blank=True)
    order_number = models.PositiveSmallIntegerField(_("порядковый номер"), default=1, validators=[MinValueValidator(1)])
    external_key = models.CharField(_("внешний ключ"), max_length=100, unique=True, null=True, blank=True)

    verbose_name_cases = NameCases(_("блок задач"), _("блока задач"), genitive_plural=_("блоков задач"))

    class Meta:
        db_table = "blocks"
        verbose_name = _("блок задач")
        verbose_name_plural = _("блоки задач")
        ordering = ("order_number", "title")
        constraints = [models.CheckConstraint(condition=Q(order_number__gte=1), name="blocks_order_positive")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problems:block", args=[self.pk])


class Reference(TimeStampedModel):
    """Reference material («справочник»): a formula, theorem or rule."""

    title = models.CharField(_("название"), max_length=200)
    description = SanitizedRichTextField(_("содержание"))
    image = image_field("problems/references/")
    external_key = models.CharField(_("внешний ключ"), max_length=100, unique=True, null=True, blank=True)
    search_vector = search_vector_field(A=("title",), B=("description",))

    objects = SearchableManager()

    verbose_name_cases = NameCases(
        _("справочный материал"),
        _("справочного материала"),
        genitive_plural=_("справочных материалов"),
        few=_("справочных материала"),
        accusative_plural=_("справочные материалы"),
    )

    class Meta:
        db_table = "reference_materials"
        verbose_name = _("справочный материал")
        verbose_name_plural = _("справочник")
        ordering = ("title",)
        indexes = [GinIndex(fields=["search_vector"], name="reference_materials_search_idx")]

    def __str__(self):
        return self.title


class Task(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        MODERATION = "moderation", _("На модерации")
        PUBLISHED = "published", _("Опубликована")
        REJECTED = "rejected", _("Отклонена")

    title = models.CharField(_("название"), max_length=200)
    statement = SanitizedRichTextField(_("условие"))
    image = image_field("problems/tasks/")
    block = models.ForeignKey(Block, verbose_name=_("блок"), on_delete=models.PROTECT, related_name="tasks")
    references = models.ManyToManyField(
        Reference, verbose_name=_("справочные материалы"), blank=True, related_name="tasks", db_table="tasks_references"
    )
    answer = models.CharField(_("краткий ответ"), max_length=255, blank=True)
    status = models.CharField(_("статус"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    rejection_reason = models.TextField(_("причина отклонения"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("модератор"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("проверена"), null=True, blank=True)
    external_key = models.CharField(_("внешний ключ"), max_length=100, unique=True, null=True, blank=True)
    # A uniform random number given by the database to every row, for drawing random
    # tasks by an index range scan (problems.selectors.random_task_ids).
    draw_key = models.FloatField(_("ключ случайного выбора"), db_default=Random(), editable=False)
    # The task's statement only: its answer and solutions are shown on request, and a
    # private solution to its author and administrators alone, so none of them is searched.
    search_vector = search_vector_field(A=("title",), B=("statement",))

    objects = SearchableManager()

    verbose_name_cases = NameCases(_("задачу"), _("задачи"), genitive_plural=_("задач"))

    class Meta:
        db_table = "tasks"
        verbose_name = _("задача")
        verbose_name_plural = _("задачи")
        ordering = ("block", "pk")
        permissions = [("moderate_task", _("Может модерировать задачи"))]
        indexes = [
            # Random variants: the first draw_key above a random number, inside a block's
            # published tasks.
            models.Index(fields=["block", "status", "draw_key"], name="tasks_block_status_draw", include=["id"]),
            GinIndex(fields=["search_vector"], name="tasks_search_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problems:task", args=[self.pk])


class Solution(TimeStampedModel):
    """A solution of a task; a private one is seen only by its author and administrators
    (spec 002), wherever solutions appear (problems.selectors.solutions_visible_to)."""

    task = models.ForeignKey(Task, verbose_name=_("задача"), on_delete=models.CASCADE, related_name="solutions")
    title = models.CharField(_("название"), max_length=200)
    text = SanitizedRichTextField(_("решение"))
    image = image_field("problems/solutions/")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_private = models.BooleanField(_("скрытое"), default=False, help_text=_("Видят только автор и администраторы."))

    verbose_name_cases = NameCases(_("решение"), _("решения"), genitive_plural=_("решений"))

    class Meta:
        db_table = "solutions"
        verbose_name = _("решение")
        verbose_name_plural = _("решения")
        ordering = ("task", "pk")

    def __str__(self):
        return self.title


class Favorite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="favorites"
    )
    task = models.ForeignKey(Task, verbose_name=_("задача"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("добавлена"), auto_now_add=True)

    verbose_name_cases = NameCases(
        _("избранную задачу"),
        _("избранной задачи"),
        genitive_plural=_("избранных задач"),
        few=_("избранные задачи"),
        accusative_plural=_("избранные задачи"),
    )

    class Meta:
        db_table = "favorites"
        verbose_name = _("избранная задача")
        verbose_name_plural = _("избранное")
        ordering = ("-created_at",)
        constraints = [models.UniqueConstraint(fields=["user", "task"], name="favorites_unique")]

    def __str__(self):
        return f"{self.user}: {self.task}"


def share_token() -> str:
    return secrets.token_urlsafe(12)


class Variant(TimeStampedModel):
    """A saved set of tasks in order: random (one per block) or hand-picked. Shared
    read-only through its token link."""

    class Kind(models.TextChoices):
        RANDOM = "random", _("Случайный")
        MANUAL = "manual", _("Свой")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("владелец"), on_delete=models.CASCADE, related_name="variants"
    )
    title = models.CharField(_("название"), max_length=200)
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    share_token = models.CharField(_("ссылка"), max_length=32, unique=True, default=share_token, editable=False)
    tasks = models.ManyToManyField(Task, verbose_name=_("задачи"), through="VariantTask", related_name="+")

    verbose_name_cases = NameCases(_("вариант"), _("варианта"), genitive_plural=_("вариантов"))

    class Meta:
        db_table = "variants"
        verbose_name = _("вариант")
        verbose_name_plural = _("варианты")
        ordering = ("-updated_at",)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problems:variant", args=[self.pk])


class VariantTask(models.Model):
    variant = models.ForeignKey(Variant, verbose_name=_("вариант"), on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey(Task, verbose_name=_("задача"), on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("номер"), validators=[MinValueValidator(1)])

    verbose_name_cases = NameCases(_("задачу варианта"), _("задачи варианта"), genitive_plural=_("задач варианта"))

    class Meta:
        db_table = "variant_tasks"
        verbose_name = _("задача варианта")
        verbose_name_plural = _("задачи варианта")
        ordering = ("variant", "position")
        constraints = [
            models.CheckConstraint(condition=Q(position__gte=1), name="variant_tasks_position_positive"),
            models.UniqueConstraint(
                fields=["variant", "position"],
                name="variant_tasks_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.task}"
