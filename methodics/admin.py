"""The methodics back office: methodics with their steps and media, the category tree,
tags, and the moderation of comments.

Rights follow the roles (accounts.roles), one permission and the roles on each methodic
(methodics.selectors, core.roles):
- administrators (and main administrators) hold `methodics.moderate_methodic`: they change
  every methodic, publish and unpublish any, give roles on any, and hide any comment;
- teachers add methodics and see the published ones and the drafts they hold a role on;
  they change those they are moderators or administrators of (another's opens read-only,
  its steps and media too), publish, delete and give roles on those they administer
  (their own), and hide comments under those they moderate.
The roles on a methodic are an inline of its people; what it saves goes through the
services, so the people are told as on the site.
A methodic's total duration is never typed: it follows its steps (`methodic_refresh_duration`
after every save). Publishing, unpublishing and hiding go through methodics.services, so
the rules and the notifications are the site's; what the forms and deletions write retires
the cached public pages of methodics (core.admin.ContentAdmin).
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ContentAdmin
from methodics.models import Category, Comment, Methodic, MethodicMedia, MethodicMember, MethodicStep, Tag
from methodics.selectors import (
    can_delete,
    can_edit,
    can_manage_roles,
    can_moderate,
    category_path,
    methodics_administered_by,
    methodics_editable_by,
    methodics_visible_to,
)
from methodics.services import (
    MethodicsError,
    comment_hide,
    member_add,
    member_change,
    member_remove,
    methodic_publish,
    methodic_refresh_duration,
    methodic_save,
    methodic_unpublish,
)

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
PATH_SEPARATOR = " → "


def administered_by(request, methodics):
    """The methodics of `methodics` that the user may publish and unpublish."""
    if can_moderate(request.user):
        return methodics
    return methodics.filter(pk__in=methodics_administered_by(request.user).values("pk"))


# --- Categories and tags -------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(ContentAdmin):
    """The category tree: each row shows its path from the root («Игры → Подвижные игры»).
    A category with subcategories cannot be deleted (PROTECT); its methodics lose it."""

    content_area = "methodics"

    list_display = ("full_path", "methodic_count")
    search_fields = ("name", "parent__name")
    autocomplete_fields = ("parent",)
    fields = ("name", "parent")

    def get_queryset(self, request):
        # Three levels of ancestors in the same query: the demo tree and real ones are shallower.
        return (
            super()
            .get_queryset(request)
            .select_related("parent__parent__parent")
            .annotate(methodic_count=Count("methodics"))
        )

    def get_ordering(self, request):
        return ("parent__parent__name", "parent__name", "name")

    @admin.display(description=_("Категория"), ordering="name")
    def full_path(self, category):
        return PATH_SEPARATOR.join(item.name for item in category_path(category))

    @admin.display(description=_("Методик"), ordering="methodic_count")
    def methodic_count(self, category):
        return category.methodic_count


@admin.register(Tag)
class TagAdmin(ContentAdmin):
    content_area = "methodics"

    list_display = ("name", "methodic_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(methodic_count=Count("methodics"))

    @admin.display(description=_("Методик"), ordering="methodic_count")
    def methodic_count(self, tag):
        return tag.methodic_count


# --- Methodics -----------------------------------------------------------------------------


class AuthorOnlyInline:
    """Steps and media change with their methodic: only where the methodic may be changed."""

    def _may_edit(self, request, obj) -> bool:
        return obj is None or can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class MethodicStepInline(AuthorOnlyInline, admin.TabularInline):
    """The course of the lesson. Numbers may be swapped in one save (their unique
    constraint is checked at the commit)."""

    model = MethodicStep
    fields = ("order_number", "duration", "description", "expected_result", "image")
    extra = 0
    formfield_overrides = SMALL_TEXTAREA


class MethodicMediaInline(AuthorOnlyInline, admin.TabularInline):
    """Images, audio and video files (checked by their content) and links to video hosts."""

    model = MethodicMedia
    fields = ("kind", "file", "url", "caption")
    extra = 0


class MethodicMemberInline(admin.TabularInline):
    """The people with a role on the methodic (its author is its administrator without a
    row): changed by its administrators only, read by whoever may change the methodic."""

    model = MethodicMember
    fields = ("user", "role")
    autocomplete_fields = ("user",)
    extra = 0

    def _may_manage(self, request, obj) -> bool:
        return obj is None or can_manage_roles(request.user, obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_manage(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)


def save_members(formset, *, by) -> None:
    """The inline's rows through the services: the person is told of each change."""
    rows = formset.save(commit=False)
    for member in formset.deleted_objects:
        member_remove(member=member, by=by)
    for member in rows:
        stored = MethodicMember.objects.select_related("user").filter(pk=member.pk).first()
        if stored is not None and stored.user_id == member.user_id:
            stored.methodic = member.methodic
            member_change(member=stored, role=member.role, by=by)
            continue
        if stored is not None:  # another person typed over a row: that one's role goes
            stored.methodic = member.methodic
            member_remove(member=stored, by=by)
        member_add(methodic=member.methodic, user=member.user, role=member.role, by=by)


@admin.register(Methodic)
class MethodicAdmin(ContentAdmin):
    """Methodics with their steps, media and people with a role. Teachers change those they
    moderate or administer (their own among them); site moderators every one.
    «Опубликовать» refuses a methodic without steps and tells the people with a role;
    «Снять с публикации» of another's methodic notifies its author."""

    content_area = "methodics"

    list_display = ("title", "author", "category", "status", "total_duration", "published_at")
    list_filter = ("status", "category", "tags", ("author", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("author", "category")
    search_fields = ("title", "goal", "short_description")
    autocomplete_fields = ("author", "category", "tags")
    readonly_fields = ("total_duration", "status", "published_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "author", "category", "tags", "short_description", "goal")}),
        (_("Содержание"), {"fields": ("description", "materials", "literature", "cover", "presentation")}),
        (_("Состояние"), {"fields": ("status", "published_at", "total_duration", "created_at", "updated_at")}),
    )
    inlines = (MethodicStepInline, MethodicMediaInline, MethodicMemberInline)
    actions = ("publish", "unpublish")
    date_hierarchy = "published_at"
    formfield_overrides = SMALL_TEXTAREA

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Only a moderator names another author; a teacher's methodic is their own.
        return fields if can_moderate(request.user) else (*fields, "author")

    def get_autocomplete_fields(self, request):
        fields = super().get_autocomplete_fields(request)
        return fields if can_moderate(request.user) else tuple(name for name in fields if name != "author")

    def get_queryset(self, request):
        # The site's rule (methodics_visible_to): another teacher's draft is not shown here either.
        return super().get_queryset(request) & methodics_visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or methodics_visible_to(request.user).filter(pk=obj.pk).exists()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or can_delete(request.user, obj))

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        methodic_save(methodic=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is MethodicMember:
            return save_members(formset, by=request.user)
        return super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        methodic_refresh_duration(methodic=form.instance)

    def _act(self, request, queryset, act, done: str) -> None:
        allowed = administered_by(request, queryset)
        skipped = queryset.count() - allowed.count()
        count = 0
        for methodic in allowed.select_related("author"):
            try:
                act(methodic)
            except MethodicsError as error:
                self.message_user(request, f"«{methodic.title}»: {error}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request, gettext("Пропущено чужих методик: %(count)d.") % {"count": skipped}, messages.WARNING
            )

    @admin.action(description=_("Опубликовать"), permissions=["change"])
    def publish(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda methodic: methodic_publish(methodic=methodic, by=request.user),
            gettext("Опубликовано методик: %(count)d."),
        )

    @admin.action(description=_("Снять с публикации"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._act(
            request,
            queryset,
            lambda methodic: methodic_unpublish(methodic=methodic, by=request.user),
            gettext("Снято с публикации методик: %(count)d."),
        )


# --- Comments ------------------------------------------------------------------------------


@admin.register(Comment)
class CommentAdmin(ContentAdmin):
    """Moderation of comments: people write them on the site (`comment_add`), here they
    are read and hidden («Скрыть»: the writer is told). Site moderators hide any comment, a
    teacher those under the methodics they moderate or administer. Nothing is edited by hand."""

    content_area = "methodics"

    list_display = ("text_start", "methodic", "author", "created_at", "is_hidden")
    list_filter = ("is_hidden",)
    list_select_related = ("methodic", "author")
    search_fields = ("text", "methodic__title", "author__email", "author__last_name")
    fields = ("methodic", "author", "text", "created_at", "is_hidden", "hidden_by", "hidden_at")
    readonly_fields = fields
    actions = ("hide",)
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        # Comments under another teacher's draft stay as hidden as the draft itself.
        comments = super().get_queryset(request)
        if can_moderate(request.user):
            return comments
        return comments.filter(methodic__in=methodics_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Комментарий"))
    def text_start(self, comment):
        return comment.text[:80]

    @admin.action(description=_("Скрыть"), permissions=["change"])
    def hide(self, request, queryset):
        comments = queryset.select_related("methodic", "author")
        if not can_moderate(request.user):
            comments = comments.filter(methodic__in=methodics_editable_by(request.user))
        hidden = 0
        for comment in comments.filter(is_hidden=False):
            comment_hide(comment=comment, by=request.user)
            hidden += 1
        self.message_user(request, gettext("Скрыто комментариев: %(count)d.") % {"count": hidden}, messages.SUCCESS)
        skipped = queryset.count() - comments.count()
        if skipped:
            self.message_user(
                request,
                gettext("Пропущено комментариев к чужим методикам: %(count)d.") % {"count": skipped},
                messages.WARNING,
            )
