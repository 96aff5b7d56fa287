"""Shared pieces of the apps' admins: the admin site every app registers with, the base
of their custom list filters and of the admins of public content. Nothing is registered
here."""

import functools
import json
import re

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext, gettext_lazy

from core.cache import content_changed
from core.text import NameCases


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in: the site's backends take an email as well as a username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = gettext_lazy("Email или имя пользователя")


class AdminSite(admin.AdminSite):
    """`admin.site` (core.apps.AdminConfig makes it the default). It differs from Django's
    in two things on every model admin's pages:

    - the rows ticked for an action (`_selected_action`) must be ids of the model, else
      400. Django's response_action hands them to `pk__in` unchecked, so «²» or 5,000
      digits was a 500 on every list with actions;
    - the model's name stands in the case Russian needs (`_in_cases`): Django's Russian
      admin puts the nominative verbose_name everywhere, «Изменить задача».
    """

    login_form = AdminLoginForm

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            view = _selected_rows_checked(view, model_admin.model._meta.pk)
            view = _in_cases(view, model_admin)
        return super().admin_view(view, cacheable)


def _selected_rows_checked(view, pk_field):
    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST":
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                try:
                    pk_field.to_python(value)
                except ValidationError:
                    raise BadRequest(f"{ACTION_CHECKBOX_NAME}: не номер строки.") from None
        return view(request, *args, **kwargs)

    return checked


# --- The model's name in cases -------------------------------------------------------
#
# Django builds the titles, the delete pages, the inlines' «add another» link and the
# success messages from the nominative verbose_name. Its own texts stay (so a Django
# upgrade keeps its wording); only the name put into them changes, to the form of
# `verbose_name_cases` (core.text.NameCases) that the admin, the inline or the model
# declares. The result is set on the page's context before the page renders and on the
# messages the view queued; a text of Django's that does not match stays as it was.
# core/tests/test_admin_cases.py pins every text to Django's own.

ADD_ANOTHER = "Добавить ещё %(name)s"
DELETE_SELECTED = "Удалить %(selected)s"
# delete_selected's message (its count through model_ngettext, English plural rules: «5 задачи»).
BULK_DELETED = "Successfully deleted %(count)d %(items)s."
BULK_DELETED_OURS = "Удалено: {counted}."
_TITLES = ("Add %s", "Change %s", "View %s", "Select %s to change", "Select %s to view", "Select %s")
# Django's success messages (its msgids, joined by a space, translated when used) -> ours.
_MESSAGES = (
    (("The {name} “{obj}” was added successfully.", "You may edit it again below."), "{added} {edit}"),
    (("The {name} “{obj}” was added successfully. You may add another {name} below.",), "{added} {another}"),
    (("The {name} “{obj}” was added successfully.",), "{added}"),
    (("The {name} “{obj}” was changed successfully. You may edit it again below.",), "{changed} {edit}"),
    (("The {name} “{obj}” was changed successfully. You may add another {name} below.",), "{changed} {another}"),
    (("The {name} “{obj}” was changed successfully.",), "{changed}"),
    (("The %(name)s “%(obj)s” was deleted successfully.",), "{deleted}"),
)
_OURS = {
    "added": "Вы добавили {name} «{obj}».",
    "changed": "Вы изменили {name} «{obj}».",
    "deleted": "Вы удалили {name} «{obj}».",
    "edit": "Ниже можно продолжить правку.",
    "another": "Ниже можно добавить ещё {name}.",
}


# Models of Django and of other packages registered in our admin: their names in cases,
# by model label (they cannot declare `verbose_name_cases` themselves). The names that
# stay English have one form for every case; only their counted forms matter.
OTHER_MODELS_CASES = {
    "auth.group": NameCases("группу", "группы", genitive_plural="групп"),
    "social_django.usersocialauth": NameCases(
        "user social auth", "user social auth", genitive_plural="user social auths", few="user social auths"
    ),
    "social_django.nonce": NameCases("nonce", "nonce", genitive_plural="nonces", few="nonces"),
    "social_django.association": NameCases(
        "association", "association", genitive_plural="associations", few="associations"
    ),
    "token_blacklist.outstandingtoken": NameCases(
        "Outstanding Token", "Outstanding Token", genitive_plural="Outstanding Tokens", few="Outstanding Tokens"
    ),
    "token_blacklist.blacklistedtoken": NameCases(
        "Blacklisted Token", "Blacklisted Token", genitive_plural="Blacklisted Tokens", few="Blacklisted Tokens"
    ),
    "easy_thumbnails.source": NameCases("source", "source", genitive_plural="sources", few="sources"),
    "easy_thumbnails.thumbnail": NameCases("thumbnail", "thumbnail", genitive_plural="thumbnails", few="thumbnails"),
}


def name_cases(model_admin) -> NameCases | None:
    """The cases a model admin or an inline declares (`verbose_name_cases`), else its
    model's, else OTHER_MODELS_CASES'."""
    return (
        getattr(model_admin, "verbose_name_cases", None)
        or getattr(model_admin.model, "verbose_name_cases", None)
        or OTHER_MODELS_CASES.get(model_admin.model._meta.label_lower)
    )


def _in_cases(view, model_admin):
    @functools.wraps(view)
    def in_cases(request, *args, **kwargs):
        queued = getattr(getattr(request, "_messages", None), "_queued_messages", None)
        before = len(queued) if queued is not None else 0
        response = view(request, *args, **kwargs)
        cases = name_cases(model_admin)
        opts = model_admin.model._meta
        if cases is not None and queued is not None:
            for message in queued[before:]:
                message.message = message_in_cases(message.message, opts.verbose_name, cases, opts.verbose_name_plural)
        if isinstance(response, TemplateResponse) and response.context_data is not None and not response.is_rendered:
            context_in_cases(response.context_data, model_admin.model._meta, cases)
        return response

    return in_cases


def context_in_cases(context, opts, cases: NameCases | None):
    """The titles, the delete pages' sentences and the inlines' «Добавить ещё» of an admin
    page's context with the name in the case each needs."""
    for inline_formset in context.get("inline_admin_formsets", ()):
        inline_cases = name_cases(inline_formset.opts)
        if inline_cases is not None:
            data = json.loads(inline_formset.inline_formset_data())
            data["options"]["addText"] = ADD_ANOTHER % {"name": inline_cases.accusative}
            inline_formset.inline_formset_data = json.dumps(data)  # the template reads it as a value
    if cases is None:
        return
    context["verbose_name_cases"] = cases  # admin/change_list_object_tools.html, admin/change_form.html
    name, plural = str(opts.verbose_name), str(opts.verbose_name_plural)
    accusative_plural = cases.accusative_plural or plural
    title = context.get("title")
    for msgid in _TITLES:
        if title == gettext(msgid) % name:
            context["title"] = gettext(msgid) % cases.accusative
    cannot_delete = gettext("Cannot delete %(name)s")
    if title == cannot_delete % {"name": name}:
        context["title"] = cannot_delete % {"name": cases.accusative}
    elif title == cannot_delete % {"name": plural}:
        context["title"] = cannot_delete % {"name": accusative_plural}
    changelist = context.get("cl")
    if changelist is not None and changelist.title == title:
        changelist.title = context["title"]
    refused = context.get("perms_lacking") or context.get("protected")
    if "object_name" in context:  # delete_confirmation.html: «удалить задачу», «Удаление задачи»
        context["object_name"] = cases.genitive if refused else cases.accusative
    # delete_selected_confirmation.html (ours): «удалить выбранные задачи?», «Удаление выбранных задач …»
    if context.get("objects_name") == name:  # one row
        context["objects_name"] = cases.genitive if refused else cases.accusative
    elif context.get("objects_name") == plural and cases.genitive_plural:
        context["objects_name"] = f"выбранных {cases.genitive_plural}" if refused else _selected(cases, plural)
    action_form = context.get("action_form")
    if action_form is not None and "action" in action_form.fields:
        delete_selected = gettext("Delete selected %(verbose_name_plural)s") % {"verbose_name_plural": plural}
        action_form.fields["action"].choices = [
            (action, DELETE_SELECTED % {"selected": _selected(cases, plural)} if label == delete_selected else label)
            for action, label in action_form.fields["action"].choices
        ]


def _selected(cases: NameCases, plural: str) -> str:
    """The rows ticked, in the accusative: «выбранные задачи», «выбранные справочные
    материалы» (not Django's «выбранные справочник»), «выбранных волонтёров»."""
    if cases.animate:
        return f"выбранных {cases.accusative_plural}"
    return f"выбранные {cases.accusative_plural or plural}"


def message_in_cases(message, name, cases: NameCases, plural=None):
    """One of Django's success messages about a `name` row, in our words with the
    accusative, or the bulk deletion's about rows of `name` (verbose_name_plural `plural`)
    with their number in the form Russian needs; any other message as it is."""
    if plural is not None and cases.genitive_plural:
        counted = _bulk_deleted_count(str(message), str(name), str(plural))
        if counted is not None:
            return BULK_DELETED_OURS.format(counted=cases.counted(counted, name))
    safe = isinstance(message, SafeData)
    name = conditional_escape(name) if safe else str(name)
    text = str(message)
    for msgids, ours in _MESSAGES:
        django_text = " ".join(gettext(msgid) for msgid in msgids)
        django_text = django_text.replace("%(name)s", "{name}").replace("%(obj)s", "{obj}")
        head, _obj, tail = django_text.partition("{obj}")
        head, tail = head.format(name=name), tail.format(name=name)
        if text.startswith(head) and text.endswith(tail) and len(text) >= len(head) + len(tail):
            obj = text[len(head) : len(text) - len(tail)]
            ours = ours.format(**_OURS)
            if safe:
                return format_html(ours, name=cases.accusative, obj=mark_safe(obj))  # obj: Django's escaped link
            return ours.format(name=cases.accusative, obj=obj)
    return message


def _bulk_deleted_count(text: str, name: str, plural: str) -> int | None:
    """The number in delete_selected's «Успешно удалены 5 задачи.», if `text` is that message."""
    pattern = re.escape(gettext(BULK_DELETED))
    pattern = pattern.replace(re.escape("%(count)d"), r"(\d+)").replace(
        re.escape("%(items)s"), f"(?:{re.escape(name)}|{re.escape(plural)})"
    )
    match = re.fullmatch(pattern, text)
    return int(match[1]) if match else None


class ReadOnlyAdminMixin:
    """An admin page or inline that shows rows and never adds, changes or deletes one: what
    the site records by itself (a ledger, an audit, a history of changes)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChoiceListFilter(admin.SimpleListFilter):
    """The base of every custom list filter (core/tests/test_bad_input.py checks it): the
    value reaches `queryset()` only when it is one of the filter's own `lookups()`.

    Django checks the values of the filters it builds for fields, but hands a
    SimpleListFilter whatever the address bar holds, and its queryset() turned «²» or
    5,000 digits into a 500. Here an unknown value is what Django makes of a bad value for
    a field's filter: IncorrectLookupParameters, so the list reloads without the filters
    (?e=1)."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        if value not in (None, "") and value not in {str(key) for key, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}: нет такого значения фильтра.")


class ContentAdmin(admin.ModelAdmin):
    """The admin of public content of one cache area (`content_area`, core.cache): what
    its change forms, inlines, deletions and bulk deletion write retires the area's
    cached pages and lists when it commits. Actions that change rows call the app's
    services, which say so themselves."""

    content_area: str

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_changed(self.content_area)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_changed(self.content_area)  # inlines and many-to-many links

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed(self.content_area)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_changed(self.content_area)
