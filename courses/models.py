import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import SanitizedRichTextField, ThumbnailedUploadField, UploadFileField, tolerance_field
from core.models import TimeStampedModel
from core.search import SearchableManager, search_vector_field
from core.storage import PrivateStorage
from core.text import NameCases
from volunteers.models import Direction, Level, Location, Volunteer

# What makes a course or a lesson shown to learners: it is ready, visible and published.
# The one statement of that rule — for queries `shown()` (the catalogue's index too), for
# a row at hand `is_shown`.
SHOWN_FLAGS = ("ready", "visible", "published")


def shown(path: str = "") -> Q:
    """The courses (or lessons) shown to learners; `path` reaches them from another model
    («lesson__»)."""
    return Q(**{f"{path}{flag}": True for flag in SHOWN_FLAGS})


class Authored(TimeStampedModel):
    """Who created a row and who changed it last (spec 001's user_created / user_modified);
    the admin and the services fill them in."""

    # Required (spec 001). PROTECT: an account that created or last changed content is
    # not deleted with it — the admin refuses and lists the rows (deactivate it instead).
    user_created = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кем создано"), on_delete=models.PROTECT, related_name="+"
    )
    user_modified = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кем изменено"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Skill(Authored):
    title = models.CharField(_("навык"), max_length=120, unique=True)
    description = models.CharField(_("описание"), max_length=255)

    verbose_name_cases = NameCases(_("навык"), _("навыка"), genitive_plural=_("навыков"))

    class Meta:
        db_table = "skills"
        verbose_name = _("навык")
        verbose_name_plural = _("навыки")
        ordering = ("title",)

    def __str__(self):
        return self.title


class FAQ(Authored):
    question = models.CharField(_("вопрос"), max_length=120)
    answer = models.CharField(_("ответ"), max_length=255)

    verbose_name_cases = NameCases(
        _("вопрос и ответ"),
        _("вопроса и ответа"),
        genitive_plural=_("вопросов и ответов"),
        accusative_plural=_("вопросы и ответы"),
    )

    class Meta:
        db_table = "faq"
        verbose_name = _("вопрос и ответ")
        verbose_name_plural = _("частые вопросы")
        ordering = ("question",)

    def __str__(self):
        return self.question


class Course(Authored):
    class Format(models.TextChoices):
        ONLINE = "Онлайн", _("Онлайн")
        OFFLINE = "Очно", _("Очно")
        BLENDED = "Смешанный", _("Смешанный")

    title = models.CharField(_("название"), max_length=120)
    direction = models.ForeignKey(
        Direction, verbose_name=_("направление"), on_delete=models.PROTECT, related_name="courses"
    )
    # The many-to-many fields are named as spec 001 names them: `location` (the regions
    # where the course is open) and `contents` (its chapters).
    location = models.ManyToManyField(
        Location,
        verbose_name=_("регионы"),
        through="CourseLocation",
        blank=True,
        related_name="courses",
        help_text=_("Пусто — курс открыт во всех регионах."),
    )
    level = models.ForeignKey(Level, verbose_name=_("уровень"), on_delete=models.PROTECT, related_name="courses")
    format = models.CharField(_("формат"), max_length=60, choices=Format.choices, default=Format.ONLINE)
    start_date = models.DateField(_("дата начала"))
    # Columns named as spec 001 names them (its `cover_path`; `sertificate_path` below, the
    # typo fixed as in the table names); the ORM's names are the shorter ones.
    cover = ThumbnailedUploadField(
        _("обложка"),
        upload_to="courses/covers/",
        blank=True,
        kind="image",
        max_mb_setting="PHOTO_MAX_MB",
        db_column="cover_path",
    )
    short_description = models.CharField(_("краткое описание"), max_length=120)
    full_description = SanitizedRichTextField(_("полное описание"))
    skills = models.ManyToManyField(Skill, verbose_name=_("навыки"), through="CourseSkill", blank=True)
    faq = models.ManyToManyField(FAQ, verbose_name=_("частые вопросы"), through="CourseFAQ", blank=True)
    contents = models.ManyToManyField(
        "Chapter", verbose_name=_("главы"), through="CourseChapter", blank=True, related_name="courses"
    )
    duration = models.SmallIntegerField(
        _("продолжительность, мин"), default=0, editable=False, help_text=_("Сумма продолжительностей уроков.")
    )
    number_of_classes = models.SmallIntegerField(_("количество занятий"), default=0, editable=False)
    attempts_limit = models.SmallIntegerField(
        _("попыток на прохождение"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("0 — без ограничений."),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("руководитель курса"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Выдаёт сертификаты курса; если не указан — автор курса."),
    )
    ready = models.BooleanField(_("готов"), default=False)
    visible = models.BooleanField(_("виден"), default=False)
    published = models.BooleanField(_("опубликован"), default=False)
    search_vector = search_vector_field(A=("title",), B=("short_description",), C=("full_description",))

    objects = SearchableManager()

    verbose_name_cases = NameCases(_("курс"), _("курса"), genitive_plural=_("курсов"))

    class Meta:
        db_table = "courses"
        verbose_name = _("курс")
        verbose_name_plural = _("курсы")
        ordering = ("start_date", "title")
        constraints = [
            models.CheckConstraint(
                condition=Q(attempts_limit__gte=0, attempts_limit__lte=10), name="courses_attempts_limit_range"
            ),
        ]
        indexes = [
            models.Index(fields=["ready", "visible", "published"], name="courses_shown_idx"),
            # The catalogue's order over the shown courses: a page is read off the index, unsorted.
            models.Index(
                fields=["start_date", "title", "id"],
                condition=shown(),
                name="courses_catalogue_order_idx",
            ),
            GinIndex(fields=["search_vector"], name="courses_search_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("courses:detail", args=[self.pk])

    @property
    def is_shown(self) -> bool:
        return all(getattr(self, flag) for flag in SHOWN_FLAGS)


class CourseLocation(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("курс"), on_delete=models.CASCADE)
    location = models.ForeignKey(Location, verbose_name=_("регион"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    verbose_name_cases = NameCases(_("регион курса"), _("региона курса"), genitive_plural=_("регионов курса"))

    class Meta:
        db_table = "courses_locations"
        verbose_name = _("регион курса")
        verbose_name_plural = _("регионы курса")
        constraints = [models.UniqueConstraint(fields=["course", "location"], name="courses_locations_unique")]

    def __str__(self):
        return f"{self.course} — {self.location}"


class CourseSkill(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("курс"), on_delete=models.CASCADE)
    skill = models.ForeignKey(Skill, verbose_name=_("навык"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    verbose_name_cases = NameCases(_("навык курса"), _("навыка курса"), genitive_plural=_("навыков курса"))

    class Meta:
        db_table = "courses_skills"
        verbose_name = _("навык курса")
        verbose_name_plural = _("навыки курса")
        constraints = [models.UniqueConstraint(fields=["course", "skill"], name="courses_skills_unique")]

    def __str__(self):
        return f"{self.course} — {self.skill}"


class CourseFAQ(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("курс"), on_delete=models.CASCADE)
    faq = models.ForeignKey(FAQ, verbose_name=_("вопрос"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    verbose_name_cases = NameCases(_("вопрос курса"), _("вопроса курса"), genitive_plural=_("вопросов курса"))

    class Meta:
        db_table = "courses_faq"
        verbose_name = _("вопрос курса")
        verbose_name_plural = _("вопросы курса")
        constraints = [models.UniqueConstraint(fields=["course", "faq"], name="courses_faq_unique")]

    def __str__(self):
        return f"{self.course} — {self.faq}"


class Chapter(Authored):
    title = models.CharField(_("название"), max_length=120, blank=True, help_text=_("Можно не заполнять."))
    lessons = models.ManyToManyField(
        "Lesson", verbose_name=_("уроки"), through="ChapterLesson", blank=True, related_name="chapters"
    )

    verbose_name_cases = NameCases(_("главу"), _("главы"), genitive_plural=_("глав"))

    class Meta:
        db_table = "chapters"
        verbose_name = _("глава")
        verbose_name_plural = _("главы")
        ordering = ("title", "pk")

    def __str__(self):
        return self.title or _("Глава №%(id)s") % {"id": self.pk}


def _order_constraints(parent: str, child: str, table: str) -> list:
    """Order numbers ≥ 1, unique within the parent; deferrable, so that a reordering can
    swap numbers inside one transaction (spec 001)."""
    return [
        models.CheckConstraint(condition=Q(order_number__gte=1), name=f"{table}_order_positive"),
        models.UniqueConstraint(
            fields=[parent, "order_number"],
            name=f"{table}_order_unique",
            deferrable=models.Deferrable.DEFERRED,
        ),
        models.UniqueConstraint(fields=[parent, child], name=f"{table}_unique", deferrable=models.Deferrable.DEFERRED),
    ]


class CourseChapter(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("курс"), on_delete=models.CASCADE, related_name="course_chapters")
    chapter = models.ForeignKey(Chapter, verbose_name=_("глава"), on_delete=models.CASCADE, related_name="+")
    order_number = models.SmallIntegerField(_("порядковый номер"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    verbose_name_cases = NameCases(_("главу курса"), _("главы курса"), genitive_plural=_("глав курса"))

    class Meta:
        db_table = "courses_chapters"
        verbose_name = _("глава курса")
        verbose_name_plural = _("главы курса")
        ordering = ("course", "order_number")
        constraints = _order_constraints("course", "chapter", "courses_chapters")

    def __str__(self):
        return f"{self.order_number}. {self.chapter}"


class Lesson(Authored):
    class Type(models.TextChoices):
        TEXT = "Урок", _("Урок")
        VIDEO = "Видеоурок", _("Видеоурок")
        WEBINAR = "Вебинар", _("Вебинар")
        QUIZ = "Тест", _("Тест (квиз)")

    title = models.CharField(_("название"), max_length=120)
    description = SanitizedRichTextField(_("описание"), blank=True)
    type = models.CharField(_("тип"), max_length=20, choices=Type.choices, default=Type.TEXT)
    tags = models.CharField(_("ключевые слова"), max_length=255, blank=True)
    duration = models.SmallIntegerField(_("продолжительность, мин"), validators=[MinValueValidator(1)])
    ready = models.BooleanField(_("готов"), default=False)
    visible = models.BooleanField(_("виден"), default=False)
    published = models.BooleanField(_("опубликован"), default=False)
    additional = models.BooleanField(_("дополнительный"), default=False)
    diploma = models.BooleanField(_("дипломный"), default=False)

    verbose_name_cases = NameCases(_("урок"), _("урока"), genitive_plural=_("уроков"))

    class Meta:
        db_table = "lessons"
        verbose_name = _("урок")
        verbose_name_plural = _("уроки")
        ordering = ("title",)
        constraints = [models.CheckConstraint(condition=Q(duration__gte=1), name="lessons_duration_positive")]

    def __str__(self):
        return self.title

    @property
    def is_shown(self) -> bool:
        return all(getattr(self, flag) for flag in SHOWN_FLAGS)


class ChapterLesson(models.Model):
    chapter = models.ForeignKey(
        Chapter, verbose_name=_("глава"), on_delete=models.CASCADE, related_name="chapter_lessons"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, related_name="+")
    order_number = models.SmallIntegerField(_("порядковый номер"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    verbose_name_cases = NameCases(_("урок главы"), _("урока главы"), genitive_plural=_("уроков главы"))

    class Meta:
        db_table = "chapters_lessons"
        verbose_name = _("урок главы")
        verbose_name_plural = _("уроки главы")
        ordering = ("chapter", "order_number")
        constraints = _order_constraints("chapter", "lesson", "chapters_lessons")

    def __str__(self):
        return f"{self.order_number}. {self.lesson}"


class VideoLesson(Authored):
    """The video of a «Видеоурок»: an uploaded file (HTML5 player) or a link to a host."""

    lesson = models.ForeignKey(Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, related_name="videos")
    video = UploadFileField(
        _("файл видео"), upload_to="courses/videos/", blank=True, kind="video", max_mb_setting="VIDEO_MAX_MB"
    )
    url = models.URLField(_("ссылка на видео"), blank=True, help_text=_("Если видео на внешнем сервисе."))

    verbose_name_cases = NameCases(_("видео урока"), _("видео урока"), genitive_plural=_("видео уроков"))

    class Meta:
        db_table = "video_lessons"
        verbose_name = _("видео урока")
        verbose_name_plural = _("видео уроков")
        constraints = [
            models.CheckConstraint(condition=~Q(video="") | ~Q(url=""), name="video_lessons_file_or_url"),
        ]

    def __str__(self):
        return f"{self.lesson}: {self.video.name or self.url}"


class Webinar(Authored):
    lesson = models.ForeignKey(Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, related_name="webinars")
    url_webinar = models.URLField(_("ссылка на вебинар"))
    start_date = models.DateTimeField(_("начало"))
    # Compared with start_date, so a webinar moved to a later day is reminded of again.
    reminded_at = models.DateTimeField(
        _("напоминание отправлено"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Когда записанным на курс напомнили о вебинаре (за час до начала)."),
    )

    verbose_name_cases = NameCases(_("вебинар"), _("вебинара"), genitive_plural=_("вебинаров"))

    class Meta:
        db_table = "webinars"
        verbose_name = _("вебинар")
        verbose_name_plural = _("вебинары")
        ordering = ("start_date",)

    def __str__(self):
        return f"{self.lesson}: {self.start_date:%d.%m.%Y %H:%M}"


class VolunteerCourse(TimeStampedModel):
    """One enrolment per volunteer and course; its status moves Вы записаны → Активный →
    Пройден (or Не пройден, after which a retake starts a new attempt)."""

    class Status(models.TextChoices):
        ENROLLED = "Вы записаны", _("Вы записаны")
        ACTIVE = "Активный", _("Активный")
        PASSED = "Пройден", _("Пройден")
        FAILED = "Не пройден", _("Не пройден")

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("волонтёр"), on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(Course, verbose_name=_("курс"), on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.ENROLLED)
    assessment = models.FloatField(_("оценка"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)])
    attempts = models.SmallIntegerField(
        _("попытка"), default=1, validators=[MinValueValidator(1)], help_text=_("Номер текущей попытки.")
    )

    verbose_name_cases = NameCases(_("запись на курс"), _("записи на курс"), genitive_plural=_("записей на курсы"))

    class Meta:
        db_table = "volunteers_courses"
        verbose_name = _("запись на курс")
        verbose_name_plural = _("записи на курсы")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "course"], name="volunteers_courses_unique"),
            models.CheckConstraint(
                condition=Q(assessment__gte=0, assessment__lte=100), name="volunteers_courses_assessment_range"
            ),
            models.CheckConstraint(condition=Q(attempts__gte=1), name="volunteers_courses_attempts_positive"),
        ]
        # The admin's list, newest first: its first page without sorting every enrolment.
        indexes = [models.Index(fields=["created_at", "id"], name="volunteers_courses_newest")]

    def __str__(self):
        return f"{self.volunteer} — {self.course}: {self.status}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.status == self.Status.ENROLLED:
            self.create_lesson_progress()

    def create_lesson_progress(self) -> int:
        """spec 001: on «Вы записаны», a VolunteerLesson row for every lesson of the course,
        in one INSERT of the missing ones; doing it again creates nothing. Returns how many
        rows were created."""
        lesson_ids = set(ChapterLesson.objects.filter(chapter__courses=self.course).values_list("lesson_id", flat=True))
        missing = lesson_ids - set(
            VolunteerLesson.objects.filter(volunteer_id=self.volunteer_id, lesson_id__in=lesson_ids).values_list(
                "lesson_id", flat=True
            )
        )
        VolunteerLesson.objects.bulk_create(
            [VolunteerLesson(volunteer_id=self.volunteer_id, lesson_id=lesson_id) for lesson_id in missing],
            ignore_conflicts=True,  # a concurrent request may have inserted some meanwhile
        )
        return len(missing)


class VolunteerLesson(TimeStampedModel):
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("волонтёр"), on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, related_name="progress")
    passed = models.BooleanField(_("пройден"), default=False)
    start_date = models.DateTimeField(_("открыт"), null=True, blank=True)
    end_date = models.DateTimeField(_("завершён"), null=True, blank=True)

    verbose_name_cases = NameCases(
        _("прохождение урока"),
        _("прохождения урока"),
        genitive_plural=_("прохождений уроков"),
        accusative_plural=_("прохождения уроков"),
    )

    class Meta:
        db_table = "volunteers_lessons"
        verbose_name = _("прохождение урока")
        verbose_name_plural = _("прохождение уроков")
        constraints = [models.UniqueConstraint(fields=["volunteer", "lesson"], name="volunteers_lessons_unique")]

    def __str__(self):
        return f"{self.volunteer} — {self.lesson}"


def certificate_code() -> str:
    return secrets.token_urlsafe(18)


def validate_passing_assessment(value: float) -> None:
    if not settings.COURSE_PASS_MARK <= value <= 100:
        raise ValidationError(
            _("Итоговая оценка сертификата — от %(low)s до 100."), params={"low": settings.COURSE_PASS_MARK}
        )


class Certificate(TimeStampedModel):
    """A passed course's certificate (spec 001 «Сертификат»). One per volunteer and course:
    a retake that improves the assessment re-issues it with the same code. The PDF lives in
    private storage under an unguessable name and is served only to those allowed."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("волонтёр"), on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, verbose_name=_("курс"), on_delete=models.CASCADE, related_name="certificates")
    final_assessment = models.FloatField(
        _("итоговая оценка"), validators=[validate_passing_assessment, MaxValueValidator(100)]
    )
    file = models.FileField(
        _("файл сертификата"),
        upload_to="certificates/%Y/",
        storage=PrivateStorage(),
        db_column="certificate_path",
    )
    issued = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем выдан"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    code = models.CharField(_("код проверки"), max_length=32, unique=True, default=certificate_code, editable=False)

    verbose_name_cases = NameCases(_("сертификат"), _("сертификата"), genitive_plural=_("сертификатов"))

    class Meta:
        db_table = "certificates"
        verbose_name = _("сертификат")
        verbose_name_plural = _("сертификаты")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "course"], name="certificates_unique"),
            models.CheckConstraint(
                condition=Q(final_assessment__gte=0, final_assessment__lte=100), name="certificates_assessment_range"
            ),
            # Required (spec 001): a certificate is saved with its PDF (services.certificate_issue).
            models.CheckConstraint(condition=~Q(file=""), name="certificates_file_present"),
        ]

    def __str__(self):
        return f"{self.volunteer} — {self.course}"

    def get_absolute_url(self):
        return reverse("certificates:verify", args=[self.code])


# --- Quizzes ------------------------------------------------------------------------------


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Один вариант")
        MULTIPLE = "multiple", _("Несколько вариантов")
        TEXT = "text", _("Короткий ответ (проверяется автоматически)")
        NUMBER = "number", _("Число (проверяется по значению)")
        EXPRESSION = "expression", _("Выражение (проверяется по значению)")
        OPEN = "open", _("Развёрнутый ответ (проверяет преподаватель)")

    # Checked by core.mathanswers (its kinds have the same values); the first line of
    # accepted_answers is the expected value, further lines other accepted values.
    VALUE_KINDS = (Kind.NUMBER, Kind.EXPRESSION)

    lesson = models.ForeignKey(Lesson, verbose_name=_("тест"), on_delete=models.CASCADE, related_name="questions")
    order_number = models.SmallIntegerField(_("порядковый номер"), validators=[MinValueValidator(1)])
    kind = models.CharField(_("вид вопроса"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(_("вопрос"))
    accepted_answers = models.TextField(
        _("правильные ответы"),
        blank=True,
        help_text=_(
            "Для короткого ответа: каждый допустимый вариант с новой строки (регистр и пробелы не важны). "
            "Для числа и выражения: верное значение, например 0,5 или 2√2; с новой строки — другие допустимые."
        ),
    )
    tolerance = tolerance_field(_("Только для числа: насколько ответ может отличаться от верного, например 0,01."))
    points = models.PositiveSmallIntegerField(_("баллы"), default=1, validators=[MinValueValidator(1)])

    verbose_name_cases = NameCases(_("вопрос теста"), _("вопроса теста"), genitive_plural=_("вопросов теста"))

    class Meta:
        db_table = "quiz_questions"
        verbose_name = _("вопрос теста")
        verbose_name_plural = _("вопросы теста")
        ordering = ("lesson", "order_number")
        constraints = [
            models.CheckConstraint(condition=Q(order_number__gte=1), name="quiz_questions_order_positive"),
            models.CheckConstraint(
                condition=Q(tolerance__isnull=True) | Q(kind="number", tolerance__gte=0),
                name="quiz_questions_tolerance_of_numbers",
                violation_error_message=_("Погрешность бывает только у числового ответа и не меньше нуля."),
            ),
            models.UniqueConstraint(
                fields=["lesson", "order_number"],
                name="quiz_questions_order_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self):
        return f"{self.order_number}. {self.text[:60]}"


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("вопрос"), on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("вариант"), max_length=255)
    is_correct = models.BooleanField(_("верный"), default=False)

    verbose_name_cases = NameCases(_("вариант ответа"), _("варианта ответа"), genitive_plural=_("вариантов ответа"))

    class Meta:
        db_table = "quiz_choices"
        verbose_name = _("вариант ответа")
        verbose_name_plural = _("варианты ответа")
        ordering = ("question", "pk")

    def __str__(self):
        return self.text


class QuizAttempt(models.Model):
    """A volunteer's submitted quiz, within one enrolment (a lesson may belong to several
    courses) and one course attempt (`number`). Scored at once when every question is
    auto-checked; otherwise it waits for a teacher (score stays empty until then)."""

    class Status(models.TextChoices):
        AWAITING_REVIEW = "review", _("Ждёт проверки")
        CHECKED = "checked", _("Проверен")

    enrolment = models.ForeignKey(
        VolunteerCourse, verbose_name=_("запись на курс"), on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("тест"), on_delete=models.CASCADE, related_name="attempts")
    number = models.SmallIntegerField(_("попытка"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices)
    score = models.FloatField(
        _("результат, %"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    submitted_at = models.DateTimeField(_("отправлен"), auto_now_add=True)
    checked_at = models.DateTimeField(_("проверен"), null=True, blank=True)

    verbose_name_cases = NameCases(_("попытку теста"), _("попытки теста"), genitive_plural=_("попыток теста"))

    class Meta:
        db_table = "quiz_attempts"
        verbose_name = _("попытка теста")
        verbose_name_plural = _("попытки тестов")
        ordering = ("-submitted_at",)
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson", "number"], name="quiz_attempts_unique"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="quiz_attempts_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.enrolment.volunteer} — {self.lesson} (№{self.number})"


class Answer(models.Model):
    """One answer of an attempt. `fraction` is the share of the question's points earned
    (0–1): set at once for auto-checked kinds, by a teacher for open answers."""

    attempt = models.ForeignKey(
        QuizAttempt, verbose_name=_("попытка"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("вопрос"), on_delete=models.CASCADE, related_name="+")
    choices = models.ManyToManyField(
        Choice, verbose_name=_("выбранные варианты"), blank=True, db_table="quiz_answers_choices"
    )
    text = models.TextField(_("ответ"), blank=True)
    understood_as = models.TextField(
        _("ответ, как он понят"), blank=True, help_text=_("Для числа и выражения: как проверка прочла ответ.")
    )
    fraction = models.FloatField(
        _("доля баллов"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    teacher_comment = models.TextField(_("комментарий преподавателя"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем проверено"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("проверено"), null=True, blank=True)

    verbose_name_cases = NameCases(_("ответ"), _("ответа"), genitive_plural=_("ответов"))

    class Meta:
        db_table = "quiz_answers"
        verbose_name = _("ответ")
        verbose_name_plural = _("ответы")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="quiz_answers_unique"),
            models.CheckConstraint(
                condition=Q(fraction__isnull=True) | Q(fraction__gte=0, fraction__lte=1),
                name="quiz_answers_fraction_range",
            ),
        ]

    def __str__(self):
        return f"{self.attempt}: {self.question}"


class TeacherScope(models.Model):
    """Which courses a teacher may edit (spec 001): of every direction, or of the listed
    directions only. A teacher without a row edits every direction."""

    teacher = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("преподаватель"),
        on_delete=models.CASCADE,
        related_name="teacher_scope",
    )
    all_directions = models.BooleanField(_("может редактировать все направления"), default=True)
    directions = models.ManyToManyField(
        Direction,
        verbose_name=_("свои направления"),
        blank=True,
        related_name="+",
        db_table="teacher_scopes_directions",
    )

    verbose_name_cases = NameCases(
        _("ограничение преподавателя"), _("ограничения преподавателя"), genitive_plural=_("ограничений преподавателей")
    )

    class Meta:
        db_table = "teacher_scopes"
        verbose_name = _("ограничение преподавателя")
        verbose_name_plural = _("ограничения преподавателей")

    def __str__(self):
        return str(self.teacher)
