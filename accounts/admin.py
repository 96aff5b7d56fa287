from axes import admin as axes_admin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.forms import EMAIL_TAKEN, email_taken
from accounts.models import KarmaEntry, Message, User
from accounts.roles import MAIN_ADMIN, VOLUNTEER
from accounts.selectors import photo_url
from accounts.services import user_saved, user_sync_staff_status
from core.admin import ChoiceListFilter, ReadOnlyAdminMixin
from core.text import NameCases, phone_text, plural


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "first_name", "last_name")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email and email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


def _shown(fields, shown_instead: dict):
    """`fields` with some replaced by others (or left out, for None)."""
    for name in fields:
        name = shown_instead.get(name, name)
        if name is not None:
            yield name


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Administrators (permission accounts.*_user) see and edit accounts; only holders of
    accounts.assign_roles — the main administrators — change roles and the accounts of
    main administrators. Staff status is not edited by hand: it follows from the roles."""

    add_form = UserCreationAdminForm
    list_display = ("username", "email", "first_name", "last_name", "role_list", "karma", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")
    search_fields = ("username", "email", "first_name", "last_name", "phone_number")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        # An address changed here counts as unconfirmed until its owner follows the link
        # (resent from the profile): confirmation is never set by hand.
        (_("Личные данные"), {"fields": ("first_name", "last_name", "email", "email_confirmed", "pending_email")}),
        (_("Профиль"), {"fields": ("phone_number", "curr_job_place", "address", "photo_preview", "profile_image")}),
        (_("Роли и доступ"), {"fields": ("groups", "is_active", "is_staff", "is_superuser")}),
        # The total follows the ledger (accounts.karma); nobody sets it by hand.
        (_("Карма"), {"fields": ("karma", "karma_history")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = (
        "email_confirmed",
        "pending_email",
        "photo_preview",
        "volunteer_contacts",
        "is_staff",
        "last_login",
        "date_joined",
        "karma",
        "karma_history",
    )

    def has_change_permission(self, request, obj=None):
        """An administrator must not take over a main administrator's account (by setting
        its password, address or activity): accounts that hold the highest rights are
        changed only by those who may assign roles."""
        if obj is not None and not request.user.has_perm("accounts.assign_roles") and self.holds_highest_rights(obj):
            return False
        return super().has_change_permission(request, obj)

    @staticmethod
    def holds_highest_rights(user):
        return user.is_superuser or user.groups.filter(name=MAIN_ADMIN).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        """A volunteer's phone and photo are the volunteer profile's (spec 001): shown here,
        edited on the volunteer's page — the account's own stay empty (User.contact_holder)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.volunteer_profile is None:
            return fieldsets
        shown_instead = {"phone_number": "volunteer_contacts", "profile_image": None}
        return tuple(
            (title, {**options, "fields": tuple(_shown(options["fields"], shown_instead))})
            for title, options in fieldsets
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("accounts.assign_roles"):
            readonly.append("groups")
        if not request.user.is_superuser:
            readonly.append("is_superuser")
        return readonly

    @admin.display(description=_("Роли"))
    def role_list(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "—"

    @admin.display(description=_("фотография"))
    def photo_preview(self, user):
        photo = user.photo
        if not photo:
            return "—"
        return format_html('<img src="{}" alt="" width="160" height="160">', photo_url(photo))

    @admin.display(description=_("телефон и фотография"))
    def volunteer_contacts(self, user):
        volunteer = user.volunteer_profile
        return format_html(
            '{} · <a href="{}">{}</a>',
            phone_text(volunteer.phone_number) or "—",
            reverse("admin:volunteers_volunteer_change", args=[volunteer.pk]),
            _("меняются в анкете волонтёра"),
        )

    @admin.display(description=_("почта подтверждена"), boolean=True)
    def email_confirmed(self, user):
        return user.email_confirmed

    @admin.display(description=_("журнал кармы"))
    def karma_history(self, user):
        count = user.karma_entries.count()
        if not count:
            return _("записей нет")
        url = reverse("admin:accounts_karmaentry_changelist") + f"?user__id__exact={user.pk}"
        return format_html('<a href="{}">{}</a>', url, plural(count, "запись", "записи", "записей"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_saved(changed=form.changed_data)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not change and not user.groups.exists():
            user.groups.add(Group.objects.get(name=VOLUNTEER))
        user_sync_staff_status(user=user)


class ReadStateFilter(ChoiceListFilter):
    title = _("прочитано")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return (("yes", _("Прочитанные")), ("no", _("Непрочитанные")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Holders of the accounts.view_message / delete_message permissions (administrators,
    main administrators) look messages up and delete abusive ones. Nobody writes or edits
    them here: a message is sent on the site (accounts.services.message_send checks who may
    write to whom and emails it), and what was sent stays as it was sent. Attachments have
    no public address, so only their file name is shown."""

    list_display = ("title", "sender_display", "recipient", "created_at", "is_read")
    list_filter = (ReadStateFilter, "created_at")
    list_select_related = ("sender", "recipient")
    search_fields = ("title", "text", "recipient__email", "sender__email")
    raw_id_fields = ("sender", "recipient")
    date_hierarchy = "created_at"
    # Not the attachment field itself: its widget would ask the private storage for a URL.
    fields = ("sender", "recipient", "title", "text", "link", "attachment_name", "created_at", "emailed_at", "read_at")
    readonly_fields = ("attachment_name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("отправитель"), ordering="sender__last_name")
    def sender_display(self, message):
        return message.sender or _("Платформа «%(site)s»") % {"site": settings.SITE_NAME}

    @admin.display(description=_("прочитано"), boolean=True)
    def is_read(self, message):
        return message.is_read

    @admin.display(description=_("вложение"))
    def attachment_name(self, message):
        return message.attachment.name.rsplit("/", 1)[-1] if message.attachment else "—"


@admin.register(KarmaEntry)
class KarmaEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The karma ledger, read-only for holders of accounts.view_karmaentry (administrators,
    main administrators): lines are written by the rules (accounts.karma) and taken back
    by them only; a total is restored with the command recount_karma."""

    list_display = ("created_at", "user", "points", "reason", "object_shown")
    list_filter = ("reason", "created_at")
    list_select_related = ("user", "content_type")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    date_hierarchy = "created_at"
    fields = ("user", "points", "reason", "content_type", "object_id", "object_shown", "created_at")
    readonly_fields = ("object_shown",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("obj")

    @admin.display(description=_("объект"))
    def object_shown(self, entry):
        return str(entry.obj) if entry.obj is not None else _("удалён")


# --- Login lock-outs (django-axes; its own admin is off: AXES_ENABLE_ADMIN) ---------------


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """Failed logins of the last AXES_COOLOFF_TIME, one row per account, address and
    browser. Ten from one address or for one account lock it; deleting the rows lifts the
    lock at once. Administrators and main administrators see and delete them."""

    actions = ("lift_lockout",)
    verbose_name_cases = NameCases(
        _("запись о попытке доступа"),
        _("записи о попытке доступа"),
        genitive_plural=_("записей о попытках доступа"),
        accusative_plural=_("записи о попытках доступа"),
    )

    @admin.action(description=_("Снять блокировку"), permissions=("delete",))
    def lift_lockout(self, request, queryset):
        _total, deleted = queryset.delete()
        count = deleted.get(AccessAttempt._meta.label, 0)
        self.message_user(request, _("Блокировка снята, удалено записей о попытках: %(count)s.") % {"count": count})

    @admin.display(description=_("состояние"))
    def status(self, attempt):
        remaining = settings.AXES_FAILURE_LIMIT - attempt.failures_since_start
        if remaining > 0:
            return _("осталось попыток: %(count)s") % {"count": remaining}
        return _("заблокирован")
