import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from problems.models import Reference, Task


def _search_widget(placeholder: str) -> forms.TextInput:
    return forms.TextInput(attrs={"type": "search", "placeholder": placeholder})


class TaskFilter(django_filters.FilterSet):
    """A block page's search over its tasks' titles and statements."""

    q = django_filters.CharFilter(
        label=_("Поиск по задачам"), method="search", widget=_search_widget(_("Название или условие"))
    )

    class Meta:
        model = Task
        fields = ["q"]

    def search(self, queryset, name, value):
        # icontains for now (it also matches inside the statement's HTML tags); full-text
        # search with Russian morphology comes later.
        words = value.strip()
        if not words:
            return queryset
        return queryset.filter(Q(title__icontains=words) | Q(statement__icontains=words))


class ReferenceFilter(django_filters.FilterSet):
    """The handbook's search over reference materials' titles and contents."""

    q = django_filters.CharFilter(
        label=_("Поиск по справочнику"), method="search", widget=_search_widget(_("Название или текст"))
    )

    class Meta:
        model = Reference
        fields = ["q"]

    def search(self, queryset, name, value):
        words = value.strip()
        if not words:
            return queryset
        return queryset.filter(Q(title__icontains=words) | Q(description__icontains=words))
