"""Shared pieces of the apps' admins: the admin site every app registers with, the base
of their custom list filters and of the admins of public content. Nothing is registered
here."""

import functools

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, ValidationError

from core.cache import content_changed


class AdminSite(admin.AdminSite):
    """`admin.site` (core.apps.AdminConfig makes it the default). It differs from Django's
    in one check on every model admin's pages: the rows ticked for an action
    (`_selected_action`) must be ids of the model, else 400. Django's response_action
    hands them to `pk__in` unchecked, so «²» or 5,000 digits was a 500 on every list with
    actions."""

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin):
            view = _selected_rows_checked(view, model_admin.model._meta.pk)
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
