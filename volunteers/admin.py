from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Exists, OuterRef, Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ChoiceListFilter, ContentAdmin, ReadOnlyAdminMixin
from core.text import phone_text
from volunteers.models import (
    Badge,
    Direction,
    Level,
    Location,
    LocationChange,
    PendingLevel,
    Volunteer,
    VolunteerBadge,
    VolunteerLevel,
)
from volunteers.services import badge_award, levels_confirm, levels_reject, volunteer_create, volunteer_update

# --- Catalogues --------------------------------------------------------------------------


class SiteListAdmin(ContentAdmin):
    """The site's reference lists that public pages show (the catalogue's filters, a
    course's direction, level and regions): saving or deleting one retires those pages."""

    content_area = "site"


@admin.register(Location)
class LocationAdmin(SiteListAdmin):
    """Regions. Administrators edit them (the full list comes from `import_locations`);
    teachers only view them."""

    list_display = ("code", "region")
    search_fields = ("region", "=code")
    ordering = ("code",)


@admin.register(Direction)
class DirectionAdmin(SiteListAdmin):
    """Directions of volunteering. Administrators edit them; teachers only view them."""

    list_display = ("title", "description")
    search_fields = ("title", "description")


@admin.register(Level)
class LevelAdmin(SiteListAdmin):
    """The three levels. Administrators edit only their descriptions: the rows themselves
    are fixed by a data migration and code finds them by rank, so nobody adds, deletes or
    renames a level. Teachers only view them."""

    list_display = ("rank", "name", "description")
    list_display_links = ("name",)
    search_fields = ("name", "description")
    readonly_fields = ("rank", "name")
    fields = ("rank", "name", "description")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    """Badges. Administrators edit them and award them from the volunteers list (action
    «Выдать значок»); teachers only view them."""

    list_display = ("name", "description")
    search_fields = ("name", "description")


# --- Volunteers --------------------------------------------------------------------------


class EffectiveLevelFilter(ChoiceListFilter):
    """Volunteers whose effective level (the highest confirmed) is the chosen one: a
    Профессионал also holds a confirmed Новичок row, but is not a novice."""

    title = _("уровень")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [(str(level.pk), level.name) for level in Level.objects.all()]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # One of lookups() (ChoiceListFilter); a level deleted since lists nobody.
        level = Level.objects.filter(pk=self.value()).first()
        if level is None:
            return queryset.none()
        return queryset.of_effective_level(level)


class PendingLevelFilter(ChoiceListFilter):
    title = _("есть заявка на уровень")
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", _("Да")), ("no", _("Нет"))]

    def queryset(self, request, queryset):
        pending = Exists(VolunteerLevel.objects.filter(volunteer=OuterRef("pk"), confirmed=False))
        if self.value() == "yes":
            return queryset.filter(pending)
        if self.value() == "no":
            return queryset.exclude(pending)
        return queryset


class VolunteerLevelInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown, not edited: a level is confirmed or refused with the actions of «Уровни
    волонтёров», which record who confirmed it and tell the volunteer. Ticking
    `confirmed` here would do neither (and break the confirmation constraint)."""

    model = VolunteerLevel
    extra = 0
    fields = ("level", "confirmed", "who_confirmed", "confirmed_at", "created_at")
    readonly_fields = fields
    verbose_name_plural = _("Уровни")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("level", "who_confirmed").order_by("level__rank")


class VolunteerBadgeInline(admin.TabularInline):
    """Badges are added (awarded through `badge_award`, see VolunteerAdmin.save_formset)
    and taken away here; an award itself is not rewritten."""

    model = VolunteerBadge
    extra = 0
    fields = ("badge", "awarded_by", "created_at")
    readonly_fields = ("awarded_by", "created_at")
    autocomplete_fields = ("badge",)
    verbose_name_plural = _("Значки")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("badge", "awarded_by")

    def has_change_permission(self, request, obj=None):
        return False


class LocationChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The region history is a record: nobody adds, edits or deletes it."""

    model = LocationChange
    extra = 0
    fields = ("changed_at", "old_location", "new_location")
    readonly_fields = fields
    verbose_name_plural = _("История регионов")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("old_location", "new_location")


class BadgeAwardForm(forms.Form):
    badge = forms.ModelChoiceField(Badge.objects.all(), label=_("Значок"))


def _photo(volunteer: Volunteer, alias: str, size: int) -> str:
    """The photo's thumbnail through its checked view (the photo is private)."""
    if not volunteer.photo:
        return "—"
    url = reverse("volunteers:photo", args=[volunteer.pk, alias])
    return format_html('<img src="{}" width="{}" height="{}" alt="" loading="lazy">', url, size, size)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    """Volunteer profiles. Administrators add, edit and delete them and award badges;
    teachers only view them. Profiles are saved through the services, so a new profile
    holds Новичок and every change of region is kept in «История регионов»."""

    list_display = (
        "avatar",
        "full_name",
        "email",
        "phone",
        "call_sign",
        "location",
        "effective_level",
        "pending_request",
    )
    list_display_links = ("full_name",)
    list_filter = (
        ("location", admin.RelatedOnlyFieldListFilter),
        "directions",
        EffectiveLevelFilter,
        PendingLevelFilter,
    )
    search_fields = ("user__first_name", "user__last_name", "user__email", "phone_number", "call_sign")
    autocomplete_fields = ("user", "location", "directions")
    fieldsets = (
        (None, {"fields": ("user", "phone_number", "birth_date", "location", "directions", "call_sign")}),
        (_("Фотография"), {"fields": ("photo_preview", "photo")}),
        (_("Даты"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = ("photo_preview", "created_at", "updated_at")
    inlines = (VolunteerLevelInline, VolunteerBadgeInline, LocationChangeInline)
    actions = ("award_badge",)

    def get_queryset(self, request):
        # Everything the list shows, in a fixed number of queries whatever the page size.
        return (
            super()
            .get_queryset(request)
            .with_effective_level()
            .select_related("user", "location")
            .prefetch_related(
                Prefetch(
                    "level_records", queryset=VolunteerLevel.objects.select_related("level").order_by("level__rank")
                )
            )
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # A profile belongs to its user for good; moving it to another account is not an edit.
        return ("user", *readonly) if obj is not None else readonly

    def get_inlines(self, request, obj):
        # A new profile gets its first level and region record from the service.
        return self.inlines if obj is not None else ()

    # --- columns ---

    @admin.display(description=_("Фото"))
    def avatar(self, volunteer):
        return _photo(volunteer, "avatar_small", 48)

    @admin.display(description=_("Миниатюра"))
    def photo_preview(self, volunteer):
        return _photo(volunteer, "avatar", 160)

    @admin.display(description=_("Имя и фамилия"), ordering="user__last_name")
    def full_name(self, volunteer):
        return volunteer.user.get_full_name() or volunteer.user.username

    @admin.display(description=_("Электронная почта"), ordering="user__email")
    def email(self, volunteer):
        return volunteer.user.email or "—"

    @admin.display(description=_("Телефон"), ordering="phone_number")
    def phone(self, volunteer):
        return phone_text(volunteer.phone_number) or "—"

    @admin.display(description=_("Уровень"))
    def effective_level(self, volunteer):
        return volunteer.effective_level or "—"

    @admin.display(description=_("Заявка на уровень"))
    def pending_request(self, volunteer):
        level = volunteer.pending_level
        if level is None:
            return "—"
        url = f"{reverse('admin:volunteers_volunteerlevel_changelist')}?volunteer__id__exact={volunteer.pk}"
        return format_html('<a href="{}">{}</a>', url, level)

    # --- saving through the services ---

    def save_model(self, request, obj, form, change):
        if change:
            volunteer_update(volunteer=obj)
            return
        names = ["phone_number", "birth_date", "location", "call_sign"]
        if form.cleaned_data.get("photo"):
            names.append("photo")
        created = volunteer_create(user=obj.user, **{name: form.cleaned_data[name] for name in names})
        # The admin goes on with `obj` (directions, the log entry, the redirect): make it
        # the saved profile.
        obj.pk, obj.photo = created.pk, created.photo
        obj.created_at, obj.updated_at = created.created_at, created.updated_at
        obj._state.adding, obj._state.db = False, created._state.db

    def save_formset(self, request, form, formset, change):
        if formset.model is not VolunteerBadge:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for record in formset.deleted_objects:
            record.delete()
        for record in formset.new_objects:
            badge_award(badge=record.badge, volunteers=[form.instance], awarded_by=request.user)
        return None

    # --- actions ---

    @admin.action(description=_("Выдать значок"), permissions=["change"])
    def award_badge(self, request, queryset):
        """An intermediate page asks which badge; then `badge_award` gives it to those of
        the selected volunteers who do not hold it yet."""
        form = BadgeAwardForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            badge = form.cleaned_data["badge"]
            selected = queryset.count()
            awarded = badge_award(badge=badge, volunteers=queryset, awarded_by=request.user)
            if awarded:
                message = gettext("Значок «%(badge)s» выдан волонтёрам: %(awarded)d из %(selected)d.")
                level = messages.SUCCESS
            else:
                message = gettext("Значок «%(badge)s» уже есть у всех выбранных волонтёров (%(selected)d).")
                level = messages.WARNING
            self.message_user(request, message % {"badge": badge, "awarded": awarded, "selected": selected}, level)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Выдать значок"),
            "opts": self.model._meta,
            "form": form,
            "volunteers": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/volunteers/volunteer/award_badge.html", context)


# --- Levels ------------------------------------------------------------------------------


@admin.register(VolunteerLevel)
class VolunteerLevelAdmin(admin.ModelAdmin):
    """Every level a volunteer holds or asked for. Administrators confirm or refuse the
    pending requests with the actions (the pending ones alone: «Ожидают подтверждения»,
    below); teachers only view the list. Rows are never edited, added or
    deleted by hand: requests come from the volunteers' profiles, and the services record
    who confirmed and tell the volunteer."""

    list_display = ("volunteer", "level", "confirmed", "who_confirmed", "confirmed_at", "created_at")
    list_filter = ("level", "confirmed")
    search_fields = ("volunteer__user__first_name", "volunteer__user__last_name", "volunteer__user__email")
    # Pending first, the oldest request at the top: the queue an administrator works through.
    ordering = ("confirmed", "created_at", "pk")
    fields = ("volunteer", "level", "confirmed", "who_confirmed", "confirmed_at", "created_at", "updated_at")
    readonly_fields = fields
    actions = ("confirm_levels", "reject_levels")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("volunteer__user", "level", "who_confirmed")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The change permission opens the actions; a single row is only shown, read-only.
        return obj is None and super().has_change_permission(request)

    @staticmethod
    def _record_ids(queryset) -> list[int]:
        return list(queryset.values_list("pk", flat=True))

    @admin.action(description=_("Подтвердить уровень"), permissions=["change"])
    def confirm_levels(self, request, queryset):
        confirmed = levels_confirm(record_ids=self._record_ids(queryset), confirmed_by=request.user)
        if confirmed:
            self.message_user(request, gettext("Подтверждено заявок: %(count)d.") % {"count": confirmed})
        else:
            self.message_user(
                request, gettext("Среди выбранных нет заявок, ожидающих подтверждения."), messages.WARNING
            )

    @admin.action(description=_("Отклонить"), permissions=["change"])
    def reject_levels(self, request, queryset):
        rejected = levels_reject(record_ids=self._record_ids(queryset), rejected_by=request.user)
        if rejected:
            self.message_user(request, gettext("Отклонено заявок: %(count)d.") % {"count": rejected})
        else:
            self.message_user(
                request, gettext("Среди выбранных нет заявок, ожидающих подтверждения."), messages.WARNING
            )


@admin.register(PendingLevel)
class PendingLevelAdmin(VolunteerLevelAdmin):
    """«Ожидают подтверждения»: the queue of level requests, oldest first. Same rights as
    the levels list: administrators confirm or refuse, teachers view."""

    list_display = ("volunteer", "level", "created_at")
    list_filter = ("level",)
