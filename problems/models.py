import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Random
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.answerkind import AnswerKind
from core.fields import SanitizedRichTextField, UploadImageField, tolerance_field
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


# The kinds whose answers are compared with a tolerance (core.mathanswers.check).
KINDS_WITH_TOLERANCE = (AnswerKind.NUMBER, AnswerKind.EQUATION, AnswerKind.SET)


def answer_errors(*, answer: str, kind: str, tolerance) -> dict[str, str]:
    """What is wrong with a task's short answer for its kind, by field, in Russian (the
    model's validation and the import's): it must read as an answer of that kind
    (core.mathanswers.parse, whose hint says what was not understood) and be one the
    checker can compare a learner's answer with; a tolerance only where it counts."""
    from core import mathanswers  # not at import time: SymPy is slow to load

    errors = {}
    if tolerance is not None and kind not in KINDS_WITH_TOLERANCE:
        labels = ", ".join(f"«{AnswerKind(value).label}»" for value in KINDS_WITH_TOLERANCE)
        errors["answer_tolerance"] = f"Погрешность учитывается только в ответах видов {labels}: оставьте поле пустым."
    if not answer or kind not in AnswerKind.values:
        return errors
    try:
        mathanswers.parse(kind, answer, max_length=mathanswers.MAX_EXPECTED_LENGTH)
    except mathanswers.AnswerSyntaxError as error:
        hint = error.hint[:1].lower() + error.hint[1:]
        errors["answer"] = (
            f"Ответ не читается как «{AnswerKind(kind).label}»: {hint}. Исправьте ответ или выберите другой вид ответа."
        )
        return errors
    # Understood, but some answers (sin x = 0: infinitely many roots) cannot be compared with.
    comparable = kind == AnswerKind.TEXT or len(answer) > mathanswers.MAX_ANSWER_LENGTH or "answer_tolerance" in errors
    if not comparable and mathanswers.check(kind, answer, answer, tolerance=tolerance).correct is not True:
        errors["answer"] = (
            f"Ответ читается как «{AnswerKind(kind).label}», но сравнить с ним ответ ученика нельзя: "
            "запишите его иначе (например, корни уравнения через «или») или выберите вид «текст»."
        )
    return errors


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
    # How a learner's typed answer is compared with `answer` (core.mathanswers.check):
    # numbers and expressions by value, equations by their roots, sets by their elements.
    answer_kind = models.CharField(_("вид ответа"), max_length=12, choices=AnswerKind.choices, default=AnswerKind.TEXT)
    answer_tolerance = tolerance_field(
        _("Для десятичных ответов: насколько ответ может отличаться от верного, например 0,01.")
    )
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

    def clean(self):
        super().clean()
        errors = answer_errors(answer=self.answer, kind=self.answer_kind, tolerance=self.answer_tolerance)
        if errors:
            raise ValidationError(errors)

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


class TaskAttempt(models.Model):
    """A signed-in learner's checked answer to a task (problems.services.task_answer_check):
    right or wrong. An answer the checker did not understand is no attempt and is not kept.
    A task is solved by a user who has a right attempt at it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(Task, verbose_name=_("задача"), on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("ответ"), max_length=200)
    verdict = models.BooleanField(_("верно"))
    created_at = models.DateTimeField(_("время"), auto_now_add=True)

    verbose_name_cases = NameCases(_("попытку решения"), _("попытки решения"), genitive_plural=_("попыток решения"))

    class Meta:
        db_table = "task_attempts"
        verbose_name = _("попытка решения")
        verbose_name_plural = _("попытки решения")
        ordering = ("-created_at", "-pk")
        indexes = [
            # Solved tasks (a block's progress, the unsolved-only draw): the verdict is read
            # from the index, not from the table.
            models.Index(fields=["user", "task"], name="task_attempts_user_task", include=["verdict"]),
            models.Index(fields=["user", "created_at"], name="task_attempts_user_time"),
        ]

    def __str__(self):
        return f"{self.user}: {self.task} ({'верно' if self.verdict else 'неверно'})"


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


# --- Class assignments (issue 21) ----------------------------------------------------------

# Six characters from an alphabet without look-alikes (no 0/O, 1/I/l): read aloud or off a
# board and typed in any case (problems.assignments.normalise_code).
ASSIGNMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ASSIGNMENT_CODE_LENGTH = 6


def assignment_code() -> str:
    return "".join(secrets.choice(ASSIGNMENT_CODE_ALPHABET) for _ in range(ASSIGNMENT_CODE_LENGTH))


class Assignment(models.Model):
    """A saved variant given to a class by its teacher: pupils open it by its link or code,
    solve it online and submit once (problems.assignments)."""

    class CheckMode(models.TextChoices):
        AT_ONCE = "at_once", _("Проверять сразу")
        AT_END = "at_end", _("Проверить в конце")

    # A variant given to a class keeps its tasks while the assignment's results exist; the
    # teacher's account, when closed, takes both (RESTRICT, not PROTECT, allows that).
    variant = models.ForeignKey(
        Variant, verbose_name=_("вариант"), on_delete=models.RESTRICT, related_name="assignments"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("преподаватель"), on_delete=models.CASCADE, related_name="assignments"
    )
    title = models.CharField(_("название"), max_length=200)
    deadline = models.DateTimeField(_("срок сдачи"), null=True, blank=True)
    code = models.CharField(
        _("код"), max_length=ASSIGNMENT_CODE_LENGTH, unique=True, default=assignment_code, editable=False
    )
    check_mode = models.CharField(
        _("проверка ответов"), max_length=10, choices=CheckMode.choices, default=CheckMode.AT_ONCE
    )
    created_at = models.DateTimeField(_("выдано"), auto_now_add=True)

    verbose_name_cases = NameCases(_("задание"), _("задания"), genitive_plural=_("заданий"))

    class Meta:
        db_table = "assignments"
        verbose_name = _("задание классу")
        verbose_name_plural = _("задания классам")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=rf"^[{ASSIGNMENT_CODE_ALPHABET}]{{{ASSIGNMENT_CODE_LENGTH}}}$"),
                name="assignments_code_alphabet",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("problems:assignment", args=[self.pk])


class AssignmentSubmission(models.Model):
    """One pupil's work on an assignment: a signed-in user's (one per user), or a guest's
    under the name they gave, told by `guest_key`, the token their browser keeps in a
    signed cookie. Submitted once: `submitted_at` is set and nothing changes after it."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("задание"), on_delete=models.CASCADE, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ученик"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    guest_name = models.CharField(_("имя гостя"), max_length=100, blank=True)
    guest_key = models.CharField(_("ключ гостя"), max_length=64, blank=True, editable=False)
    started_at = models.DateTimeField(_("начато"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("верных ответов"), default=0)

    verbose_name_cases = NameCases(_("работу"), _("работы"), genitive_plural=_("работ"))

    class Meta:
        db_table = "assignment_submissions"
        verbose_name = _("работа ученика")
        verbose_name_plural = _("работы учеников")
        ordering = ("assignment", "started_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "user"],
                condition=Q(user__isnull=False),
                name="assignment_submissions_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["assignment", "guest_key"],
                condition=Q(user__isnull=True),
                name="assignment_submissions_one_per_guest",
            ),
            # A signed-in pupil, or a guest with a name and a key: never both, never neither.
            models.CheckConstraint(
                condition=Q(user__isnull=False, guest_name="", guest_key="")
                | (Q(user__isnull=True) & ~Q(guest_name="") & ~Q(guest_key="")),
                name="assignment_submissions_user_or_guest",
            ),
        ]

    def __str__(self):
        return f"{self.assignment}: {self.pupil_name}"

    @property
    def pupil_name(self) -> str:
        if self.user_id is None:
            return self.guest_name
        return self.user.get_full_name() or self.user.username

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class AssignmentAnswer(models.Model):
    """A pupil's answer to one task of the assignment: `verdict` is None until it is
    checked (on «Проверить» or on the submission)."""

    submission = models.ForeignKey(
        AssignmentSubmission, verbose_name=_("работа"), on_delete=models.CASCADE, related_name="answers"
    )
    task = models.ForeignKey(Task, verbose_name=_("задача"), on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("ответ"), max_length=200, blank=True)
    verdict = models.BooleanField(_("верно"), null=True, blank=True)
    checked_at = models.DateTimeField(_("проверен"), null=True, blank=True)

    verbose_name_cases = NameCases(_("ответ"), _("ответа"), genitive_plural=_("ответов"))

    class Meta:
        db_table = "assignment_answers"
        verbose_name = _("ответ ученика")
        verbose_name_plural = _("ответы учеников")
        ordering = ("submission", "task")
        constraints = [
            models.UniqueConstraint(fields=["submission", "task"], name="assignment_answers_unique"),
        ]

    def __str__(self):
        return self.answer
