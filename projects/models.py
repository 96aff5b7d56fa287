from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.fields import SanitizedRichTextField, ThumbnailedUploadField, UploadFileField, private_photo
from core.models import TimeStampedModel
from core.roles import ItemRole
from core.storage import OwnFolder, PrivateStorage
from core.text import NameCases
from methodics.models import Methodic


def label_image(upload_to: str):
    return ThumbnailedUploadField(
        _("изображение"), upload_to=upload_to, blank=True, kind="image", max_mb_setting="PHOTO_MAX_MB"
    )


class Attachment(models.Model):
    """A file attached to a project, term, course, lesson or student (spec 000 «attach»):
    one model for all of them. Files have no public URL: members download them through a
    view that checks their project role."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("content_type", "object_id")
    file = UploadFileField(
        _("файл"),
        upload_to=OwnFolder("projects/attachments"),
        storage=PrivateStorage(),
        kind="document",
        max_mb_setting="ATTACHMENT_MAX_MB",
    )
    title = models.CharField(_("название"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем загружено"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("загружено"), auto_now_add=True)

    verbose_name_cases = NameCases(_("вложение"), _("вложения"), genitive_plural=_("вложений"))

    class Meta:
        db_table = "attachments"
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachments_owner")]

    def __str__(self):
        return self.title or self.file.name


class Project(TimeStampedModel):
    name = models.CharField(_("название"), max_length=200)
    short_description = models.CharField(_("кратко"), max_length=300)
    description = SanitizedRichTextField(_("описание"), blank=True)
    label_image = label_image("projects/labels/")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), on_delete=models.PROTECT, related_name="authored_projects"
    )
    contacts = models.TextField(_("контакты"), blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    note = models.TextField(_("примечание"), blank=True)
    attachments = GenericRelation(Attachment)

    verbose_name_cases = NameCases(_("проект"), _("проекта"), genitive_plural=_("проектов"))

    class Meta:
        db_table = "projects"
        verbose_name = _("проект")
        verbose_name_plural = _("проекты")
        ordering = ("name",)

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])


class ProjectMember(models.Model):
    """A user's role in a project (spec 000 user_role). The project's author is its
    administrator (a row created with the project)."""

    Role = ItemRole  # the one vocabulary of item roles (core.roles)

    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="project_roles"
    )
    role = models.CharField(_("роль"), max_length=10, choices=ItemRole.choices)

    verbose_name_cases = NameCases(
        _("участника проекта"),
        _("участника проекта"),
        accusative_plural=_("участников проекта"),
        genitive_plural=_("участников проекта"),
    )

    class Meta:
        db_table = "project_members"
        verbose_name = _("участник проекта")
        verbose_name_plural = _("участники проекта")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="project_members_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class Term(models.Model):
    """A period of study — a semester, a camp shift (spec 000 term)."""

    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    label_image = label_image("projects/terms/")
    start_date = models.DateField(_("начало"))
    finish_date = models.DateField(_("окончание"))
    attachments = GenericRelation(Attachment)

    verbose_name_cases = NameCases(_("период обучения"), _("периода обучения"), genitive_plural=_("периодов обучения"))

    class Meta:
        db_table = "terms"
        verbose_name = _("период обучения")
        verbose_name_plural = _("периоды обучения")
        ordering = ("project", "start_date")
        constraints = [
            models.CheckConstraint(condition=Q(finish_date__gte=F("start_date")), name="terms_dates_ordered"),
        ]

    def __str__(self):
        return self.name


class StudentGroup(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("название"), max_length=200)
    note = models.TextField(_("примечание"), blank=True)

    verbose_name_cases = NameCases(_("группу"), _("группы"), genitive_plural=_("групп"))

    class Meta:
        db_table = "student_groups"
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ("project", "name")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="student_groups_unique")]

    def __str__(self):
        return self.name


class DocumentType(models.Model):
    name = models.CharField(_("вид документа"), max_length=100, unique=True)

    verbose_name_cases = NameCases(_("вид документа"), _("вида документа"), genitive_plural=_("видов документов"))

    class Meta:
        db_table = "document_types"
        verbose_name = _("вид документа")
        verbose_name_plural = _("виды документов")
        ordering = ("name",)

    def __str__(self):
        return self.name


class Student(TimeStampedModel):
    """A learner of an offline project — often a minor: contacts, birthday and documents
    are shown only to the project's administrators and moderators."""

    project = models.ForeignKey(Project, verbose_name=_("проект"), on_delete=models.CASCADE, related_name="students")
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birthday = models.DateField(_("дата рождения"), null=True, blank=True)
    phone = PhoneNumberField(_("телефон"), blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    avatar = private_photo(_("фотография"), prefix="projects/students")  # a minor's: views.pages.student_photo
    note = models.TextField(_("примечание"), blank=True)
    attachments = GenericRelation(Attachment)

    verbose_name_cases = NameCases(
        _("учащегося"),
        _("учащегося"),
        accusative_plural=_("учащихся"),
        genitive_plural=_("учащихся"),
        few=_("учащихся"),
    )

    class Meta:
        db_table = "students"
        verbose_name = _("учащийся")
        verbose_name_plural = _("учащиеся")
        ordering = ("last_name", "first_name")

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


class StudentDocument(models.Model):
    student = models.ForeignKey(Student, verbose_name=_("учащийся"), on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(DocumentType, verbose_name=_("вид"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("номер"), max_length=50)

    verbose_name_cases = NameCases(_("документ"), _("документа"), genitive_plural=_("документов"))

    class Meta:
        db_table = "student_documents"
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        constraints = [
            models.UniqueConstraint(fields=["student", "document_type", "number"], name="student_documents_unique")
        ]

    def __str__(self):
        return f"{self.document_type}: {self.masked_number}"

    @property
    def masked_number(self) -> str:
        """All but the last two characters hidden: «••••••34»."""
        return "•" * max(len(self.number) - 2, 0) + self.number[-2:]


class DocumentView(models.Model):
    """A student's document number shown in full to someone on the site («Показать»), and
    when: the audit main administrators read. The viewer is protected: an account that has
    seen documents is deactivated, not deleted, so the record keeps saying who it was."""

    document = models.ForeignKey(
        StudentDocument, verbose_name=_("документ"), on_delete=models.CASCADE, related_name="views"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кем просмотрено"), on_delete=models.PROTECT, related_name="+"
    )
    viewed_at = models.DateTimeField(_("когда"), auto_now_add=True)

    verbose_name_cases = NameCases(
        _("просмотр документа"), _("просмотра документа"), genitive_plural=_("просмотров документов")
    )

    class Meta:
        db_table = "student_document_views"
        verbose_name = _("просмотр документа")
        verbose_name_plural = _("просмотры документов")
        ordering = ("-viewed_at", "-pk")
        indexes = [models.Index(fields=["-viewed_at"], name="student_document_views_recent")]

    def __str__(self):
        return f"{self.document} — {self.user}"


class GroupMembership(models.Model):
    """A student in a group from a date (spec 000 learning_groups); attendance counts only
    lessons held while the student was in the group."""

    group = models.ForeignKey(
        StudentGroup, verbose_name=_("группа"), on_delete=models.CASCADE, related_name="memberships"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("учащийся"), on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField(_("в группе с"))
    left_on = models.DateField(_("в группе по"), null=True, blank=True)

    verbose_name_cases = NameCases(
        _("участие в группе"),
        _("участия в группе"),
        genitive_plural=_("участий в группе"),
        accusative_plural=_("участия в группе"),
    )

    class Meta:
        db_table = "group_memberships"
        verbose_name = _("участие в группе")
        verbose_name_plural = _("состав группы")
        ordering = ("group", "student__last_name", "student__first_name")
        constraints = [
            models.UniqueConstraint(fields=["group", "student"], name="group_memberships_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")), name="group_memberships_dates"
            ),
        ]

    def __str__(self):
        return f"{self.student} — {self.group}"


class ProjectCourse(models.Model):
    """A course of a term (spec 000 courses) — not an online course of the courses app."""

    term = models.ForeignKey(Term, verbose_name=_("период"), on_delete=models.CASCADE, related_name="courses")
    name = models.CharField(_("название"), max_length=200)
    description = models.TextField(_("описание"), blank=True)
    label_image = label_image("projects/courses/")
    start_date = models.DateField(_("начало"))
    finish_date = models.DateField(_("окончание"))
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    contacts = models.TextField(_("контакты"), blank=True)
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("преподаватели"),
        blank=True,
        related_name="+",
        db_table="project_courses_tutors",
    )
    groups = models.ManyToManyField(
        StudentGroup, verbose_name=_("группы"), blank=True, related_name="courses", db_table="project_courses_groups"
    )
    web_links = models.TextField(_("ссылки"), blank=True, help_text=_("По одной на строке."))
    note = models.TextField(_("примечание"), blank=True)
    attachments = GenericRelation(Attachment)

    verbose_name_cases = NameCases(_("курс проекта"), _("курса проекта"), genitive_plural=_("курсов проекта"))

    class Meta:
        db_table = "project_courses"
        verbose_name = _("курс проекта")
        verbose_name_plural = _("курсы проекта")
        ordering = ("term", "start_date", "name")
        constraints = [
            models.CheckConstraint(condition=Q(finish_date__gte=F("start_date")), name="project_courses_dates_ordered"),
        ]

    def __str__(self):
        return self.name


class ProjectLesson(models.Model):
    """A scheduled lesson of a project course: when, which methodic, who teaches, who was
    absent (spec 000 lessons)."""

    course = models.ForeignKey(ProjectCourse, verbose_name=_("курс"), on_delete=models.CASCADE, related_name="lessons")
    date = models.DateField(_("дата"))
    start_time = models.TimeField(_("начало"))
    finish_time = models.TimeField(_("окончание"))
    description = models.TextField(_("описание"), blank=True)
    label_image = label_image("projects/lessons/")
    methodic = models.ForeignKey(
        Methodic, verbose_name=_("методика"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    tutors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("преподаватели"),
        blank=True,
        related_name="+",
        db_table="project_lessons_tutors",
    )
    absent_students = models.ManyToManyField(
        Student, verbose_name=_("отсутствовали"), blank=True, related_name="absences", db_table="project_lessons_absent"
    )
    web_links = models.TextField(_("ссылки"), blank=True, help_text=_("По одной на строке."))
    note = models.TextField(_("примечание"), blank=True)
    attachments = GenericRelation(Attachment)

    verbose_name_cases = NameCases(_("занятие"), _("занятия"), genitive_plural=_("занятий"))

    class Meta:
        db_table = "project_lessons"
        verbose_name = _("занятие")
        verbose_name_plural = _("занятия")
        ordering = ("course", "date", "start_time")
        constraints = [
            models.CheckConstraint(condition=Q(finish_time__gt=F("start_time")), name="project_lessons_times_ordered"),
        ]

    def __str__(self):
        return f"{self.course}: {self.date:%d.%m.%Y} {self.start_time:%H:%M}"
