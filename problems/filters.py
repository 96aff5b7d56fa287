import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IntegerFilter, SearchFilter
from core.input_checks import BIGINT_MAX
from problems.models import Block, Reference, Task, TaskAttempt


class TaskFilter(django_filters.FilterSet):
    """A block page's search over its tasks' titles and statements."""

    q = SearchFilter(label=_("Поиск по задачам"), placeholder=_("Название или условие"))

    class Meta:
        model = Task
        fields = ["q"]


class BankTaskFilter(TaskFilter):
    """The API's list of tasks: a block page's search, over one block (`block`) or all."""

    block = IntegerFilter(field_name="block_id", min_value=1, max_value=BIGINT_MAX, label=_("Блок"))

    class Meta:
        model = Task
        fields = ["q", "block"]


class ReferenceFilter(django_filters.FilterSet):
    """The handbook's search over reference materials' titles and contents."""

    q = SearchFilter(label=_("Поиск по справочнику"), placeholder=_("Название или текст"))

    class Meta:
        model = Reference
        fields = ["q"]


class AttemptFilter(django_filters.FilterSet):
    """«Мои решения»: a user's checked answers, of one block and of one verdict."""

    block = django_filters.ModelChoiceFilter(
        field_name="task__block",
        queryset=Block.objects.order_by("order_number", "title", "pk"),
        label=_("Блок"),
        empty_label=_("Все блоки"),
    )
    verdict = django_filters.ChoiceFilter(
        label=_("Ответы"),
        choices=(("right", _("Верные")), ("wrong", _("Неверные"))),
        empty_label=_("Все"),
        method="filter_verdict",
    )

    class Meta:
        model = TaskAttempt
        fields = ["block", "verdict"]

    def filter_verdict(self, queryset, name, value):
        return queryset.filter(verdict=value == "right")
