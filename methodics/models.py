from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import SanitizedRichTextField, ThumbnailedUploadField, UploadFileField
from core.models import TimeStampedModel
from core.roles import ItemRole
from core.search import SearchableManager, search_vector_field
from core.text import NameCases
from core.uploads import inspect


class Category(models.Model):
    """A category of methodics; categories form a tree (spec 000 categories.parrent_cat)."""

    name = models.CharField(_("название"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("родительская категория"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    verbose_name_cases = NameCases(_("категорию"), _("категории"), genitive_plural=_("категорий"))

    class Meta:
        db_table = "categories"
        verbose_name = _("категория")
        verbose_name_plural = _("категории")
        ordering = ("name",)
        # nulls_distinct=False: two top-level categories may not share a name either.
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="categories_unique_in_parent", nulls_distinct=False)
        ]

    def __str__(self):
        return self.name


class Tag(models.Model):
    name = models.CharField(_("тег"), max_length=50, unique=True)

    verbose_name_cases = NameCases(_("тег"), _("тега"), genitive_plural=_("тегов"))

    class Meta:
        db_table = "tags"
        verbose_name = _("тег")
        verbose_name_plural = _("теги")
        ordering = ("name",)

    def __str__(self):
        return self.name


class Methodic(TimeStampedModel):
    """A lesson plan (spec 000 methodics). `total_duration` is the sum of its steps, kept
    by methodics.services; `updated_at` is the «дата изменения»."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        PUBLISHED = "published", _("Опубликована")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), on_delete=models.PROTECT, related_name="methodics"
    )
    title = models.CharField(_("название"), max_length=200)
    short_description = models.CharField(_("краткое описание"), max_length=300)
    goal = models.TextField(_("цель"))
    description = SanitizedRichTextField(_("описание"), blank=True)
    materials = models.TextField(_("расходные материалы"), blank=True)
    cover = ThumbnailedUploadField(
        _("обложка"), upload_to="methodics/covers/", blank=True, kind="image", max_mb_setting="PHOTO_MAX_MB"
    )
    presentation = UploadFileField(
        _("презентация"),
        upload_to="methodics/presentations/",
        blank=True,
        kind="presentation",
        max_mb_setting="METHODIC_FILE_MAX_MB",
    )
    literature = models.TextField(_("литература"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("категория"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="methodics",
    )
    tags = models.ManyToManyField(
        Tag, verbose_name=_("теги"), blank=True, related_name="methodics", db_table="methodics_tags"
    )
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("опубликована"), null=True, blank=True)
    total_duration = models.PositiveIntegerField(_("продолжительность, мин"), default=0, editable=False)
    useful_count = models.PositiveIntegerField(
        _("пригодилось"), default=0, editable=False, help_text=_("Сколько читателей отметили «Пригодилось».")
    )
    search_vector = search_vector_field(A=("title",), B=("goal", "short_description"), C=("description", "materials"))

    objects = SearchableManager()

    verbose_name_cases = NameCases(_("методику"), _("методики"), genitive_plural=_("методик"))

    class Meta:
        db_table = "methodics"
        verbose_name = _("методика")
        verbose_name_plural = _("методики")
        ordering = ("-published_at", "-pk")
        permissions = [("moderate_methodic", _("Может модерировать методики"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="methodics_status_published"),
            # The library's list of authors: those with a published methodic (index only).
            models.Index(fields=["status", "author"], name="methodics_status_author"),
            # The API's list for a signed-in reader — the published ones and their own drafts
            # (every draft for moderators), newest first: read off this index, not sorted
            # (bench/api.py «methodics-teacher»: 33 ms for the page's query without it).
            models.Index(fields=["-published_at", "-id"], name="methodics_newest"),
            GinIndex(fields=["search_vector"], name="methodics_search_idx"),
            # The library sorted by «Пригодилось» (published ones, ties by newest).
            models.Index(
                fields=["-useful_count", "-published_at", "-id"],
                condition=Q(status="published"),
                name="methodics_most_useful",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("methodics:detail", args=[self.pk])


class MethodicMember(TimeStampedModel):
    """A user's role on a methodic (spec 000 user_role, item type 1) — given by its
    administrators on its «Доступ» page. The methodic's author is its administrator by
    being its author (`Methodic.author`), with no row: so a methodic made any way (the
    admin, the demo data, a bulk import) has one, and changing the author moves the rights
    with it. methodics.selectors says what each role allows."""

    Role = ItemRole

    methodic = models.ForeignKey(Methodic, verbose_name=_("методика"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="methodic_roles",
    )
    role = models.CharField(_("роль"), max_length=10, choices=ItemRole.choices)

    verbose_name_cases = NameCases(
        _("участника методики"),
        _("участника методики"),
        accusative_plural=_("участников методики"),
        genitive_plural=_("участников методики"),
    )

    class Meta:
        db_table = "methodic_members"
        verbose_name = _("участник методики")
        verbose_name_plural = _("участники методики")
        ordering = ("methodic", "pk")
        constraints = [models.UniqueConstraint(fields=["methodic", "user"], name="methodic_members_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"

    def clean(self):
        if self.methodic_id is not None and self.user_id is not None and self.user_id == self.methodic.author_id:
            raise ValidationError({"user": _("Это автор методики: у автора и так все права администратора.")})


class MethodicStep(models.Model):
    """One step of the course of the lesson («ход занятия», spec 000 timing_steps)."""

    methodic = models.ForeignKey(Methodic, verbose_name=_("методика"), on_delete=models.CASCADE, related_name="steps")
    order_number = models.PositiveSmallIntegerField(_("№"), validators=[MinValueValidator(1)])
    duration = models.PositiveSmallIntegerField(_("длительность, мин"), validators=[MinValueValidator(1)])
    description = models.TextField(_("что происходит"))
    expected_result = models.TextField(_("ожидаемый результат"), blank=True)
    image = ThumbnailedUploadField(
        _("иллюстрация"), upload_to="methodics/steps/", blank=True, kind="image", max_mb_setting="PHOTO_MAX_MB"
    )

    verbose_name_cases = NameCases(_("шаг занятия"), _("шага занятия"), genitive_plural=_("шагов занятия"))

    class Meta:
        db_table = "methodic_steps"
        verbose_name = _("шаг занятия")
        verbose_name_plural = _("ход занятия")
        ordering = ("methodic", "order_number")
        constraints = [
            models.CheckConstraint(condition=Q(order_number__gte=1), name="methodic_steps_order_positive"),
            models.CheckConstraint(condition=Q(duration__gte=1), name="methodic_steps_duration_positive"),
            models.UniqueConstraint(
                fields=["methodic", "order_number"],
                name="methodic_steps_order_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self):
        return f"{self.order_number}. {self.description[:60]}"


class MethodicMedia(models.Model):
    """An image, audio or video file of a methodic, or a link to a video host; each with a
    caption (spec 000: images, music, video; the «real example photo»)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Изображение")
        AUDIO = "audio", _("Аудио")
        VIDEO = "video", _("Видео")
        LINK = "link", _("Ссылка на видео")

    methodic = models.ForeignKey(Methodic, verbose_name=_("методика"), on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices)
    file = UploadFileField(
        _("файл"), upload_to="methodics/media/", blank=True, kind="media", max_mb_setting="METHODIC_FILE_MAX_MB"
    )
    url = models.URLField(_("ссылка"), blank=True)
    caption = models.CharField(_("подпись"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("добавлено"), auto_now_add=True)

    verbose_name_cases = NameCases(_("медиафайл"), _("медиафайла"), genitive_plural=_("медиафайлов"))

    class Meta:
        db_table = "methodic_media"
        verbose_name = _("медиафайл")
        verbose_name_plural = _("медиафайлы")
        ordering = ("methodic", "kind", "pk")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file="")) | (~Q(kind="link") & ~Q(file="") & Q(url="")),
                name="methodic_media_file_or_link",
            ),
        ]

    def __str__(self):
        return self.caption or self.file.name or self.url

    def clean(self):
        # The file's content must match its kind (a link has no file).
        if self.kind != self.Kind.LINK and self.file:
            try:
                inspect(self.file, self.kind)
            except ValidationError as error:
                raise ValidationError({"file": error.messages}) from None


class Comment(models.Model):
    methodic = models.ForeignKey(
        Methodic, verbose_name=_("методика"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), on_delete=models.CASCADE, related_name="methodic_comments"
    )
    text = models.TextField(_("комментарий"), max_length=3000)
    created_at = models.DateTimeField(_("написан"), auto_now_add=True)
    is_hidden = models.BooleanField(_("скрыт"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто скрыл"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("когда скрыт"), null=True, blank=True)

    verbose_name_cases = NameCases(_("комментарий"), _("комментария"), genitive_plural=_("комментариев"))

    class Meta:
        db_table = "methodic_comments"
        verbose_name = _("комментарий")
        verbose_name_plural = _("комментарии")
        ordering = ("created_at", "pk")

    def __str__(self):
        return self.text[:60]


class UsefulMark(models.Model):
    """A reader's «Пригодилось» on a methodic: one per reader, taken back by deleting it.
    Methodic.useful_count counts them (methodics.services); each gives the methodic's
    author a point of karma while it stays."""

    methodic = models.ForeignKey(
        Methodic, verbose_name=_("методика"), on_delete=models.CASCADE, related_name="useful_marks"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("читатель"), on_delete=models.CASCADE, related_name="useful_marks"
    )
    created_at = models.DateTimeField(_("отмечено"), auto_now_add=True)

    verbose_name_cases = NameCases(
        _("отметку «Пригодилось»"),
        _("отметки «Пригодилось»"),
        genitive_plural=_("отметок «Пригодилось»"),
        accusative_plural=_("отметки «Пригодилось»"),
    )

    class Meta:
        db_table = "methodic_useful_marks"
        verbose_name = _("отметка «Пригодилось»")
        verbose_name_plural = _("отметки «Пригодилось»")
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=["methodic", "user"], name="methodic_useful_marks_once_per_reader"),
        ]

    def __str__(self):
        return f"«{self.methodic}» пригодилась: {self.user}"
