"""The problem bank's back office (spec 002): blocks, the reference handbook, tasks with
their solutions, favourites and variants — and the moderation of suggested tasks.

Rights follow the roles (accounts.roles) and one permission:
- administrators (and main administrators) edit everything, and moderate;
- users holding `problems.moderate_task` — administrators, and teachers given it by hand —
  work through «Очередь модерации» (the task list filtered to «На модерации», oldest
  first): they preview a task with all its solutions and approve or reject it with a
  reason; `task_approve` / `task_reject` record who did it and tell the author;
- teachers see every task but change only their own unpublished ones, and whatever they
  save goes (back) to moderation through `task_submit`: nobody but a moderator publishes.
A task's state is never edited by hand: it changes through the services only. What the
forms and deletions of the bank's content write retires its cached public pages
(core.admin.ContentAdmin); favourites and variants are private and retire nothing.

Class assignments (problems.assignments) are for administrators only, as pupils' names are
in them: their list, and each with its pupils' works and answers, read only — the site
records those by itself. Administrators may delete an assignment with its works.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ChoiceListFilter, ContentAdmin, ReadOnlyAdminMixin
from problems.forms_suggestions import MATH_KEYBOARD
from problems.models import (
    Assignment,
    AssignmentAnswer,
    AssignmentSubmission,
    Block,
    Favorite,
    Reference,
    Solution,
    Task,
    TaskAttempt,
    Variant,
    VariantTask,
)
from problems.selectors import is_bank_administrator
from problems.services import ProblemsError, task_approve, task_reject, task_submit

MODERATE_PERMISSION = "problems.moderate_task"
MATH_KEYBOARD_JS = "js/math-keyboard.js"
# Plain fields that get the virtual keyboard of math symbols; rich-text editors get it anyway.
MATH_FIELDS = ("title", "answer")


def can_moderate(user) -> bool:
    return user.has_perm(MODERATE_PERMISSION)


def with_math_keyboard(db_field, formfield):
    if formfield is not None and db_field.name in MATH_FIELDS:
        formfield.widget.attrs.update(MATH_KEYBOARD)
    return formfield


class AdministratorsOnlyMixin:
    """Personal rows of users (their favourites and saved variants): administrators look
    after them here; everyone else manages their own on the site's pages."""

    def has_view_permission(self, request, obj=None):
        return is_bank_administrator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_bank_administrator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_bank_administrator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_bank_administrator(request.user) and super().has_delete_permission(request, obj)


# --- Blocks and the handbook ---------------------------------------------------------------


@admin.register(Block)
class BlockAdmin(ContentAdmin):
    """Topics of tasks, in the order the bank lists them. Administrators and teachers add
    and edit them; administrators delete an empty one (a block with tasks is protected)."""

    content_area = "problems"

    list_display = ("title", "order_number", "task_count")
    list_editable = ("order_number",)
    search_fields = ("title", "description")
    ordering = ("order_number", "title")
    fields = ("title", "order_number", "description", "external_key")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    @admin.display(description=_("Задач"), ordering="task_count")
    def task_count(self, block):
        return block.task_count


@admin.register(Reference)
class ReferenceAdmin(ContentAdmin):
    """The handbook: formulas, theorems, rules. Administrators and teachers add and edit
    them; the task editor picks them by search."""

    content_area = "problems"

    list_display = ("title", "updated_at")
    search_fields = ("title", "description")
    fields = ("title", "description", "image", "external_key", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    class Media:
        js = (MATH_KEYBOARD_JS,)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_math_keyboard(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))


# --- Tasks and moderation ------------------------------------------------------------------


class SolutionInline(admin.StackedInline):
    """Solutions on the task's page: all of them for administrators; a teacher edits here
    only the solutions they wrote (private solutions of others are never shown to them)."""

    model = Solution
    fields = ("title", "text", "image", "is_private", "author")
    readonly_fields = ("author",)
    extra = 0
    verbose_name_plural = _("Решения")

    def get_queryset(self, request):
        solutions = super().get_queryset(request).select_related("author")
        if is_bank_administrator(request.user):
            return solutions
        return solutions.filter(author=request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_math_keyboard(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))


class TaskRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отклонения"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Автор получит её в уведомлении и сможет исправить задачу."),
        error_messages={"required": _("Укажите причину отклонения.")},
    )


@admin.register(Task)
class TaskAdmin(ContentAdmin):
    """Tasks of the bank and the moderation queue («Очередь модерации»: the list filtered
    to «На модерации», the longest waiting first). Moderators preview a task («Просмотр»:
    statement and every solution, private ones included) and approve or reject it with
    the actions. Administrators edit every task, keeping its state; a teacher edits only
    their own unpublished tasks, and each save sends the task to moderation. A task added
    here goes to moderation too."""

    content_area = "problems"

    list_display = ("title", "block", "status", "author", "reviewer", "updated_at", "preview_link")
    list_filter = ("block", "status", "answer_kind", ("author", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("block", "author", "reviewer")
    search_fields = ("title", "statement", "answer")
    autocomplete_fields = ("block", "references", "author")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "block",
                    "statement",
                    "image",
                    "answer",
                    "answer_kind",
                    "answer_tolerance",
                    "references",
                )
            },
        ),
        (_("Модерация"), {"fields": ("status", "author", "reviewer", "reviewed_at", "rejection_reason")}),
        (_("Служебное"), {"fields": ("external_key", "created_at", "updated_at")}),
    )
    readonly_fields = ("status", "reviewer", "reviewed_at", "rejection_reason", "created_at", "updated_at")
    inlines = (SolutionInline,)
    actions = ("approve_tasks", "reject_tasks")

    class Media:
        js = (MATH_KEYBOARD_JS,)

    # --- rights ---

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or is_bank_administrator(request.user):
            return True
        return obj.author_id == request.user.pk and obj.status != Task.Status.PUBLISHED

    def has_moderate_permission(self, request):
        return can_moderate(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if is_bank_administrator(request.user):
            return readonly
        # A teacher's task is always their own; import keys are the operators' business.
        return (*readonly, "author", "external_key")

    # --- lists ---

    def get_ordering(self, request):
        if request.GET.get("status__exact") == Task.Status.MODERATION:
            return ("updated_at", "pk")  # the queue: the longest waiting first
        return super().get_ordering(request)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "varianttask":
            # Variants are built from published tasks only (problems.services.variant_save).
            queryset = queryset.filter(status=Task.Status.PUBLISHED)
        return queryset, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        if can_moderate(request.user):
            extra_context["moderation_queue_url"] = moderation_queue_url()
            extra_context["moderation_waiting"] = Task.objects.filter(status=Task.Status.MODERATION).count()
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("Просмотр"))
    def preview_link(self, task):
        url = reverse("admin:problems_task_preview", args=[task.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Просмотр"))

    # --- the change form ---

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_math_keyboard(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))

    def save_model(self, request, obj, form, change):
        if change and is_bank_administrator(request.user):
            super().save_model(request, obj, form, change)  # a correction keeps the task's state
            return
        # A new task, or a teacher's edit of their own: to the moderators (who are told),
        # never published as it is.
        task_submit(task=obj, author=obj.author or request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Solution:
            return super().save_formset(request, form, formset, change)
        for solution in formset.save(commit=False):
            if solution.author_id is None:
                solution.author = request.user
            solution.save()
        for solution in formset.deleted_objects:
            solution.delete()
        formset.save_m2m()
        return None

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, gettext("Задача отправлена на модерацию."), messages.INFO)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if not is_bank_administrator(request.user):
            self.message_user(request, gettext("Задача снова отправлена на модерацию."), messages.INFO)
        return super().response_change(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["preview_url"] = reverse("admin:problems_task_preview", args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    # --- preview ---

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<path:object_id>/preview/", preview, name="problems_task_preview"), *super().get_urls()]

    def preview_view(self, request, object_id):
        """The task as it will be read: statement, image, answer, references and solutions
        — every solution for moderators and administrators (they judge private ones too),
        the visible ones for anyone else who may see the task here."""
        task = self.get_object(request, unquote(object_id))
        if task is None:
            raise Http404(gettext("Задача не найдена."))
        if not self.has_view_or_change_permission(request, task):
            raise PermissionDenied
        solutions = task.solutions.select_related("author").order_by("pk")
        if not (can_moderate(request.user) or is_bank_administrator(request.user)):
            solutions = solutions.filter(Q(is_private=False) | Q(author=request.user))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Просмотр задачи"),
            "opts": self.opts,
            "task": task,
            "solutions": solutions,
            "references": task.references.all(),
            "may_moderate": can_moderate(request.user) and task.status == Task.Status.MODERATION,
            "may_change": self.has_change_permission(request, task),
            "changelist_url": moderation_queue_url(),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/problems/task/preview.html", context)

    # --- moderation actions ---

    @admin.action(description=_("Одобрить"), permissions=["moderate"])
    def approve_tasks(self, request, queryset):
        selected, approved = queryset.count(), 0
        for task in queryset.filter(status=Task.Status.MODERATION):
            try:
                task_approve(task=task, moderator=request.user)
            except ProblemsError:
                continue  # another moderator got there first
            approved += 1
        self._report(request, gettext("Одобрено и опубликовано задач: %(count)d."), approved, selected)

    @admin.action(description=_("Отклонить"), permissions=["moderate"])
    def reject_tasks(self, request, queryset):
        """An intermediate page asks for the reason the authors will be told; then
        `task_reject` turns down those of the selected tasks that wait for moderation."""
        selected = queryset.count()
        waiting = queryset.filter(status=Task.Status.MODERATION).select_related("block", "author")
        form = TaskRejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            rejected = 0
            for task in waiting:
                try:
                    task_reject(task=task, moderator=request.user, reason=form.cleaned_data["reason"])
                except ProblemsError:
                    continue
                rejected += 1
            self._report(request, gettext("Отклонено задач: %(count)d."), rejected, selected)
            return None
        tasks = list(waiting)
        if not tasks:
            self.message_user(request, gettext("Среди выбранных нет задач на модерации."), messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Отклонить задачи"),
            "opts": self.opts,
            "form": form,
            "tasks": tasks,
            "skipped": selected - len(tasks),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/problems/task/reject.html", context)

    def _report(self, request, message: str, done: int, selected: int) -> None:
        if done:
            self.message_user(request, message % {"count": done})
        skipped = selected - done
        if skipped:
            self.message_user(
                request,
                gettext("Не ждут модерации и не изменены: %(count)d.") % {"count": skipped},
                messages.WARNING,
            )


def moderation_queue_url() -> str:
    return f"{reverse('admin:problems_task_changelist')}?status__exact={Task.Status.MODERATION}"


@admin.register(Solution)
class SolutionAdmin(ContentAdmin):
    """Solutions of every task. Administrators see and edit all of them; a teacher sees the
    public ones and their own, and adds or edits solutions only of their own unpublished
    tasks — which goes to moderation again."""

    content_area = "problems"

    list_display = ("title", "task", "author", "is_private", "updated_at")
    list_filter = ("is_private", ("task__block", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("task", "author")
    search_fields = ("title", "text", "task__title")
    autocomplete_fields = ("task", "author")
    fields = ("task", "title", "text", "image", "is_private", "author", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    class Media:
        js = (MATH_KEYBOARD_JS,)

    def get_queryset(self, request):
        solutions = super().get_queryset(request)
        if is_bank_administrator(request.user):
            return solutions
        return solutions.filter(Q(is_private=False) | Q(author=request.user))

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or is_bank_administrator(request.user):
            return True
        return obj.author_id == request.user.pk and self._own_unpublished(request, obj.task)

    @staticmethod
    def _own_unpublished(request, task) -> bool:
        return task.author_id == request.user.pk and task.status != Task.Status.PUBLISHED

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if is_bank_administrator(request.user) else (*readonly, "author")

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        if not is_bank_administrator(request.user):
            fields = tuple(name for name in fields if name != "task")  # their few tasks, as a list
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "task" and not is_bank_administrator(request.user):
            kwargs["queryset"] = Task.objects.filter(author=request.user).exclude(status=Task.Status.PUBLISHED)
            kwargs["error_messages"] = {
                "invalid_choice": _("Решения можно добавлять только к своим неопубликованным задачам.")
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_math_keyboard(db_field, super().formfield_for_dbfield(db_field, request, **kwargs))

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        if is_bank_administrator(request.user):
            super().save_model(request, obj, form, change)
            return
        if not self._own_unpublished(request, obj.task):
            raise PermissionDenied
        super().save_model(request, obj, form, change)
        task_submit(task=obj.task, author=request.user)


# --- Favourites and variants ---------------------------------------------------------------


@admin.register(Favorite)
class FavoriteAdmin(AdministratorsOnlyMixin, admin.ModelAdmin):
    """Tasks users starred. Administrators only (see AdministratorsOnlyMixin)."""

    list_display = ("user", "task", "created_at")
    list_select_related = ("user", "task")
    search_fields = ("user__email", "user__last_name", "task__title")
    autocomplete_fields = ("user", "task")
    fields = ("user", "task", "created_at")
    readonly_fields = ("created_at",)


@admin.register(TaskAttempt)
class TaskAttemptAdmin(AdministratorsOnlyMixin, admin.ModelAdmin):
    """Answers learners checked on tasks' pages, as they were given: a record, read only.
    Administrators only (see AdministratorsOnlyMixin); they may delete rows."""

    list_display = ("user", "task", "answer", "verdict", "created_at")
    list_filter = ("verdict", ("task__block", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "task")
    search_fields = ("user__email", "user__last_name", "task__title", "answer")
    fields = ("user", "task", "answer", "verdict", "created_at")
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VariantTaskInline(admin.TabularInline):
    model = VariantTask
    fields = ("position", "task")
    autocomplete_fields = ("task",)
    extra = 0
    verbose_name_plural = _("Задачи (по порядку)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("task")


@admin.register(Variant)
class VariantAdmin(AdministratorsOnlyMixin, admin.ModelAdmin):
    """Variants users saved, with their tasks in order. Administrators only (see
    AdministratorsOnlyMixin)."""

    list_display = ("title", "owner", "kind", "task_count", "updated_at")
    list_filter = ("kind",)
    list_select_related = ("owner",)
    search_fields = ("title", "owner__email", "owner__last_name")
    autocomplete_fields = ("owner",)
    fields = ("title", "owner", "kind", "share_token", "created_at", "updated_at")
    readonly_fields = ("share_token", "created_at", "updated_at")
    inlines = (VariantTaskInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(task_count=Count("entries"))

    @admin.display(description=_("Задач"), ordering="task_count")
    def task_count(self, variant):
        return variant.task_count


# --- Class assignments ---------------------------------------------------------------------


class AssignmentSubmissionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The pupils' works on the assignment's page; each opens with its answers."""

    model = AssignmentSubmission
    fields = ("pupil", "started_at", "submitted_at", "score")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Работы учеников")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("ученик"))
    def pupil(self, submission):
        return submission.pupil_name


@admin.register(Assignment)
class AssignmentAdmin(AdministratorsOnlyMixin, admin.ModelAdmin):
    """Variants teachers gave to classes, with their pupils' works. Administrators only
    (pupils' names): they view them and may delete one with its works; nobody adds or
    changes one here — teachers give them on the site (problems.assignments)."""

    list_display = (
        "title", "variant", "teacher", "code", "check_mode", "deadline", "created_at", "submission_count",
        "submitted_count",
    )  # fmt: skip
    list_filter = ("check_mode", ("teacher", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("variant", "teacher")
    search_fields = ("code", "title", "teacher__last_name", "teacher__email")
    fields = ("title", "variant", "teacher", "code", "check_mode", "deadline", "created_at")
    readonly_fields = fields
    inlines = (AssignmentSubmissionInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                submission_count=Count("submissions"),
                submitted_count=Count("submissions", filter=Q(submissions__submitted_at__isnull=False)),
            )
        )

    @admin.display(description=_("Работ"), ordering="submission_count")
    def submission_count(self, assignment):
        return assignment.submission_count

    @admin.display(description=_("Отправлено"), ordering="submitted_count")
    def submitted_count(self, assignment):
        return assignment.submitted_count


class SubmittedFilter(ChoiceListFilter):
    title = _("работа отправлена")
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        return (("yes", _("Да")), ("no", _("Нет")))

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(submitted_at__isnull=self.value() == "no")


class AssignmentAnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AssignmentAnswer
    fields = ("task", "answer", "verdict", "checked_at")
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Ответы")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("task")


@admin.register(AssignmentSubmission)
class AssignmentSubmissionAdmin(AdministratorsOnlyMixin, admin.ModelAdmin):
    """Pupils' works on assignments with their answers, as the site recorded them: read
    only. Administrators only (see AssignmentAdmin); they may delete a work."""

    list_display = ("pupil", "assignment", "score", "started_at", "submitted_at")
    list_filter = (SubmittedFilter,)
    list_select_related = ("assignment", "user")
    search_fields = (
        "assignment__code", "assignment__title", "guest_name", "user__last_name", "user__first_name", "user__email",
    )  # fmt: skip
    fields = ("assignment", "pupil", "started_at", "submitted_at", "score")
    readonly_fields = fields
    date_hierarchy = "started_at"
    inlines = (AssignmentAnswerInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ученик"))
    def pupil(self, submission):
        return submission.pupil_name
