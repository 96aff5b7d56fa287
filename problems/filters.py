import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import SearchFilter
from problems.models import Reference, Task


class TaskFilter(django_filters.FilterSet):
    """A block page's search over its tasks' titles and statements."""

    q = SearchFilter(label=_("Поиск по задачам"), placeholder=_("Название или условие"))

    class Meta:
        model = Task
        fields = ["q"]


class ReferenceFilter(django_filters.FilterSet):
    """The handbook's search over reference materials' titles and contents."""

    q = SearchFilter(label=_("Поиск по справочнику"), placeholder=_("Название или текст"))

    class Meta:
        model = Reference
        fields = ["q"]
