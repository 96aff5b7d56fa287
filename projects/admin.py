"""The projects back office (spec 000 «Проекты»): projects with their terms and members,
terms with their courses, courses with their lessons, groups with their students, the
students' records, document types and attachments.

Rights follow the roles (accounts.roles): administrators and main administrators hold every
projects.* permission and manage every project here; teachers may only add a project (it
becomes theirs: they are its author and administrator) and work on it on the site's pages.

Students are often minors. Their document numbers show masked («••••••34») to everyone but
main administrators, who alone see and edit them, and who alone read the record of who was
shown a number in full on the site (DocumentView). Attachments live in private storage with
no URL: the admin shows their names and links only to the site's permission-checked view.

Writes go through projects.services: a new project through `project_create` (its author
becomes its administrator), members through `member_set` / `member_remove`, courses and
lessons through `course_save` / `lesson_save`, whose rules (a course within its term, a
lesson ending after it starts and within its course) the forms check first, so a refused
row is a form error, not a server error. What the admins of terms, courses, lessons and
groups save or delete retires the projects' cached values (core.admin.ContentAdmin): a
term's courses and schedule show it at once.
"""

import os

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef
from django.forms.models import BaseInlineFormSet, construct_instance
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import MAIN_ADMIN
from core.admin import ContentAdmin, ReadOnlyAdminMixin
from core.models import row_count
from projects.models import (
    Attachment,
    DocumentType,
    DocumentView,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentDocument,
    StudentGroup,
    Term,
)
from projects.selectors import has_global_access
from projects.services import (
    AREA,
    attendance_mark,
    course_save,
    lesson_save,
    member_remove,
    member_set,
    project_create,
    validate_course,
    validate_course_groups,
    validate_lesson,
)

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
AUTHOR_STAYS_ADMIN = _("Автор проекта остаётся его администратором.")
# The owners an attachment may belong to (spec 000: project, term, course, lesson, student).
ATTACHMENT_OWNERS = ("project", "term", "projectcourse", "projectlesson", "student")
# The site's permission-checked download view (projects.views.pages); without it the admin
# shows the file's name only.
ATTACHMENT_DOWNLOAD_URL = "projects:attachment"


def is_main_admin(user) -> bool:
    """Main administrators (and superusers) alone see students' document numbers in full."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_projects_is_main_admin"):
        user._projects_is_main_admin = user.is_superuser or user.groups.filter(name=MAIN_ADMIN).exists()
    return user._projects_is_main_admin


class ServiceValidatedForm(forms.ModelForm):
    """Runs a services' validation function on the row as the form would save it, so that
    the service's refusal shows as a form error. `required` names the fields the check
    needs: when one of them is already in error, the check waits for a valid value."""

    validator = None
    required: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors or cleaned.get(name) is None for name in self.required):
            return cleaned
        candidate = construct_instance(self, self.instance)
        try:
            type(self).validator(candidate)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class ProjectCourseForm(ServiceValidatedForm):
    validator = staticmethod(validate_course)
    required = ("term", "start_date", "finish_date")

    def clean(self):
        cleaned = super().clean()
        groups, term = cleaned.get("groups"), cleaned.get("term")
        if groups and term is not None:
            try:
                # course_save refuses the same; checked here to show it as a form error.
                validate_course_groups(ProjectCourse(term=term), list(groups))
            except ValidationError as error:
                self.add_error("groups", error)
        return cleaned


class ProjectLessonForm(ServiceValidatedForm):
    validator = staticmethod(validate_lesson)
    required = ("course", "date")

    def clean(self):
        course = self.cleaned_data.get("course")
        if course is not None and (course.start_date is None or course.finish_date is None):
            return self.cleaned_data  # the course's own form reports its dates
        return super().clean()


# --- Projects and members ----------------------------------------------------------------


class ProjectMemberFormSet(BaseInlineFormSet):
    """The author's row stays, with the administrator's role."""

    def clean(self):
        super().clean()
        author_id = self.instance.author_id
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.instance.pk is None:
                continue
            if form.instance.user_id != author_id:
                continue
            deleted = self.can_delete and self._should_delete_form(form)
            if deleted or form.cleaned_data.get("role") != ProjectMember.Role.ADMIN:
                raise ValidationError(AUTHOR_STAYS_ADMIN)


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    formset = ProjectMemberFormSet
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0


class TermInline(admin.TabularInline):
    model = Term
    fields = ("name", "start_date", "finish_date")
    extra = 0
    show_change_link = True


def save_members(formset) -> None:
    """Members change through the services (the author's row is never removed)."""
    rows = formset.save(commit=False)
    for member in formset.deleted_objects:
        member_remove(project=member.project, user=member.user)
    for member in rows:
        member_set(project=member.project, user=member.user, role=member.role)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Projects with their terms and members. A new project's author (the one adding it,
    unless an administrator names another) becomes its administrator."""

    list_display = ("name", "author", "created_at")
    list_select_related = ("author",)
    search_fields = ("name", "short_description", "address", "author__email", "author__last_name")
    autocomplete_fields = ("author",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "short_description", "author", "label_image")}),
        (_("Описание"), {"fields": ("description", "contacts", "address", "note")}),
        (_("Состояние"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (TermInline, ProjectMemberInline)
    date_hierarchy = "created_at"
    formfield_overrides = SMALL_TEXTAREA

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Only someone who manages every project names another author.
        return fields if has_global_access(request.user) else (*fields, "author")

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        return fields if has_global_access(request.user) else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean()
            obj.save()
            if "author" in form.changed_data:
                member_set(project=obj, user=obj.author, role=ProjectMember.Role.ADMIN)
            return
        fields = {name: value for name, value in form.cleaned_data.items() if name != "author" and value is not None}
        project = project_create(author=obj.author if obj.author_id else request.user, **fields)
        # The inlines are bound to `obj`: it becomes the project the service created.
        obj.__dict__.update(project.__dict__)

    def save_formset(self, request, form, formset, change):
        if formset.model is ProjectMember:
            return save_members(formset)
        return super().save_formset(request, form, formset, change)


@admin.register(ProjectMember)
class ProjectMemberAdmin(admin.ModelAdmin):
    """Who holds which role in which project. The author's row cannot be deleted here."""

    list_display = ("user", "project", "role")
    list_filter = ("role", "project")
    list_select_related = ("user", "project")
    search_fields = ("user__email", "user__last_name", "user__first_name", "project__name")
    autocomplete_fields = ("project", "user")

    def get_readonly_fields(self, request, obj=None):
        return ("project", "user") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change and obj.user_id == obj.project.author_id and obj.role != ProjectMember.Role.ADMIN:
            # The form cannot know it before the project is chosen; refused after the fact.
            obj.role = ProjectMember.Role.ADMIN
            self.message_user(request, AUTHOR_STAYS_ADMIN, messages.WARNING)
        member = member_set(project=obj.project, user=obj.user, role=obj.role)
        obj.pk = member.pk

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.user_id == obj.project.author_id:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        kept = 0
        for member in queryset.select_related("project", "user"):
            try:
                member_remove(project=member.project, user=member.user)
            except ValidationError:
                kept += 1
        if kept:
            self.message_user(
                request, gettext("Авторы проектов остались администраторами: %(count)d.") % {"count": kept}
            )


# --- Terms, courses, lessons --------------------------------------------------------------


class ProjectCourseInline(admin.TabularInline):
    model = ProjectCourse
    form = ProjectCourseForm
    fields = ("name", "start_date", "finish_date", "address")
    extra = 0
    show_change_link = True


@admin.register(Term)
class TermAdmin(ContentAdmin):
    content_area = AREA
    list_display = ("name", "project", "start_date", "finish_date")
    list_filter = ("project",)
    list_select_related = ("project",)
    search_fields = ("name", "project__name")
    autocomplete_fields = ("project",)
    fields = ("project", "name", "start_date", "finish_date", "description", "label_image")
    inlines = (ProjectCourseInline,)
    date_hierarchy = "start_date"
    formfield_overrides = SMALL_TEXTAREA

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProjectCourse:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for course in formset.deleted_objects:
            course.delete()
        for course in rows:
            course_save(course=course)
        formset.save_m2m()
        return None


class ProjectLessonInline(admin.TabularInline):
    model = ProjectLesson
    form = ProjectLessonForm
    fields = ("date", "start_time", "finish_time", "methodic")
    autocomplete_fields = ("methodic",)
    extra = 0
    show_change_link = True


@admin.register(ProjectCourse)
class ProjectCourseAdmin(ContentAdmin):
    """A term's course with its lessons. Dates outside the term, lessons outside the
    course's dates and a student in two of its groups are refused as form errors."""

    content_area = AREA
    form = ProjectCourseForm
    list_display = ("name", "term", "start_date", "finish_date")
    list_filter = (("term__project", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("term__project",)
    search_fields = ("name", "term__name", "term__project__name")
    autocomplete_fields = ("term", "tutors", "groups")
    fieldsets = (
        (None, {"fields": ("term", "name", "start_date", "finish_date", "tutors", "groups")}),
        (_("Описание"), {"fields": ("description", "label_image")}),
        (_("Подробности"), {"fields": ("address", "contacts", "web_links", "note")}),
    )
    inlines = (ProjectLessonInline,)
    formfield_overrides = SMALL_TEXTAREA

    def save_model(self, request, obj, form, change):
        course_save(course=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProjectLesson:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for lesson in formset.deleted_objects:
            lesson.delete()
        for lesson in rows:
            lesson_save(lesson=lesson)
        formset.save_m2m()
        return None


@admin.register(ProjectLesson)
class ProjectLessonAdmin(ContentAdmin):
    """Scheduled lessons. Absences are recorded through `attendance_mark`: only the
    students of the course's groups on that day count; the list offers the project's
    students."""

    content_area = AREA
    form = ProjectLessonForm
    list_display = ("__str__", "date", "start_time", "finish_time", "methodic", "tutor_list", "absent_count")
    list_filter = (("course__term__project", admin.RelatedOnlyFieldListFilter), "date")
    list_select_related = ("course", "methodic")
    search_fields = ("course__name", "description", "methodic__title")
    autocomplete_fields = ("course", "methodic", "tutors")
    filter_horizontal = ("absent_students",)
    fieldsets = (
        (None, {"fields": ("course", "date", "start_time", "finish_time", "methodic", "tutors")}),
        (_("Посещаемость"), {"fields": ("absent_students",)}),
        (_("Подробности"), {"fields": ("description", "label_image", "web_links", "note")}),
    )
    date_hierarchy = "date"
    formfield_overrides = SMALL_TEXTAREA

    def get_queryset(self, request):
        # Counted for the rows shown only: a join and GROUP BY counted the absences of every
        # lesson before the sort (the changelist of 25,380 lessons: 249 ms, now 119).
        absences = ProjectLesson.absent_students.through.objects.filter(projectlesson_id=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(absent_total=row_count(absences, per="projectlesson_id"))
            .prefetch_related("tutors")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._projects_lesson = obj
        return super().get_form(request, obj, change, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "absent_students":
            lesson = getattr(request, "_projects_lesson", None)
            # Only this project's students: the list must not show other projects' minors.
            kwargs["queryset"] = (
                Student.objects.filter(project__terms__courses__lessons=lesson) if lesson else Student.objects.none()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("Преподаватели"))
    def tutor_list(self, lesson):
        return ", ".join(str(tutor) for tutor in lesson.tutors.all()) or "—"

    @admin.display(description=_("Отсутствовали"), ordering="absent_total")
    def absent_count(self, lesson):
        return lesson.absent_total

    def save_model(self, request, obj, form, change):
        lesson_save(lesson=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        absent = form.cleaned_data.get("absent_students")
        if absent is not None:
            attendance_mark(lesson=form.instance, absent_ids=[student.pk for student in absent])


# --- Groups and students ------------------------------------------------------------------


class GroupMembershipForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        group, student = cleaned.get("group"), cleaned.get("student")
        if group is not None and student is not None and group.project_id != student.project_id:
            # The rule of services.membership_add, shown as a form error.
            self.add_error("student", gettext("Учащийся и группа из разных проектов."))
        return cleaned


class GroupMembershipInline(admin.TabularInline):
    model = GroupMembership
    form = GroupMembershipForm
    fields = ("student", "joined_on", "left_on")
    autocomplete_fields = ("student",)
    extra = 0


@admin.register(StudentGroup)
class StudentGroupAdmin(ContentAdmin):
    content_area = AREA
    list_display = ("name", "project", "student_count")
    list_filter = ("project",)
    list_select_related = ("project",)
    search_fields = ("name", "project__name")
    autocomplete_fields = ("project",)
    fields = ("project", "name", "note")
    inlines = (GroupMembershipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(student_total=Count("memberships"))

    @admin.display(description=_("Учащихся"), ordering="student_total")
    def student_count(self, group):
        return group.student_total


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    form = GroupMembershipForm
    list_display = ("student", "group", "joined_on", "left_on")
    list_filter = ("group__project",)
    list_select_related = ("student", "group")
    search_fields = ("student__last_name", "student__first_name", "group__name")
    autocomplete_fields = ("group", "student")
    date_hierarchy = "joined_on"


class StudentDocumentInline(admin.TabularInline):
    """Numbers in full: for main administrators only."""

    model = StudentDocument
    fields = ("document_type", "number")
    extra = 0


class MaskedStudentDocumentInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Everyone else sees the kind and the masked number, and changes nothing."""

    model = StudentDocument
    fields = ("document_type", "masked_number")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("документы (номера скрыты)")

    @admin.display(description=_("номер"))
    def masked_number(self, document):
        return document.masked_number


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    """Students' records with their contacts and birthday (staff who hold the permission
    see them); document numbers in full for main administrators only."""

    list_display = ("full_name", "project", "birthday", "phone", "email")
    list_filter = ("project",)
    list_select_related = ("project",)
    search_fields = ("last_name", "first_name", "middle_name")
    autocomplete_fields = ("project",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("project", "last_name", "first_name", "middle_name", "birthday", "avatar")}),
        (_("Контакты"), {"fields": ("phone", "email", "address")}),
        (_("Прочее"), {"fields": ("note", "created_at", "updated_at")}),
    )
    ordering = ("last_name", "first_name", "pk")
    formfield_overrides = SMALL_TEXTAREA

    def get_inlines(self, request, obj):
        return (StudentDocumentInline,) if is_main_admin(request.user) else (MaskedStudentDocumentInline,)

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, student):
        return student.full_name


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(DocumentView)
class DocumentViewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who was shown which student's document number in full on the site, and when
    (projects.services.document_reveal). Main administrators read it: projects.view_documentview
    is theirs alone (accounts.roles.MAIN_ADMIN_ONLY). Nobody adds, changes or deletes a row."""

    list_display = ("viewed_at", "user", "student", "document_kind", "project")
    list_filter = (("user", admin.RelatedOnlyFieldListFilter), "document__student__project")
    list_select_related = ("user", "document__document_type", "document__student__project")
    search_fields = ("user__email", "user__last_name", "document__student__last_name")
    fields = ("viewed_at", "user", "student", "document_kind", "project")
    readonly_fields = fields
    date_hierarchy = "viewed_at"

    @admin.display(description=_("учащийся"), ordering="document__student__last_name")
    def student(self, view):
        return view.document.student

    @admin.display(description=_("документ"))
    def document_kind(self, view):
        return view.document  # its kind and the masked number

    @admin.display(description=_("проект"))
    def project(self, view):
        return view.document.student.project


# --- Attachments --------------------------------------------------------------------------


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ("content_type", "object_id", "title", "file")

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        owner = content_type.model_class() if content_type is not None else None
        if owner is not None and object_id is not None and not owner._default_manager.filter(pk=object_id).exists():
            self.add_error("object_id", gettext("Нет такого объекта."))
        return cleaned


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Files of projects, terms, courses, lessons and students. They are downloaded only
    through the site's view, which checks the project role."""

    form = AttachmentForm
    list_display = ("title_or_name", "content_type", "object_id", "uploaded_by", "created_at", "download")
    list_filter = ("content_type",)
    list_select_related = ("content_type", "uploaded_by")
    search_fields = ("title", "file")
    readonly_fields = ("download", "uploaded_by", "created_at")
    fields = ("content_type", "object_id", "title", "file", "download", "uploaded_by", "created_at")
    date_hierarchy = "created_at"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(app_label="projects", model__in=ATTACHMENT_OWNERS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Вложение"), ordering="title")
    def title_or_name(self, attachment):
        return attachment.title or os.path.basename(attachment.file.name)

    @admin.display(description=_("Файл"))
    def download(self, attachment):
        if attachment.pk is None or not attachment.file:
            return "—"
        name = os.path.basename(attachment.file.name)
        try:
            url = reverse(ATTACHMENT_DOWNLOAD_URL, args=[attachment.pk])
        except NoReverseMatch:
            return name
        return format_html('<a href="{}">{}</a>', url, name)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
