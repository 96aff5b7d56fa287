from collections.abc import Callable

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.cache import SeldomChanging
from core.filters import SearchFilter
from core.widgets import PlainSelect
from courses.models import Course, CourseLocation
from volunteers.models import Direction, Level, Location


def catalogue_choices() -> dict[str, list[tuple[int, str]]]:
    """The directions, levels and regions the catalogue filters by, as (pk, label) in
    their models' order."""
    return {
        "direction": list(Direction.objects.values_list("pk", "title")),
        "level": list(Level.objects.values_list("pk", "name")),
        "location": list(Location.objects.values_list("pk", "region")),
    }


# They seldom change: cached for a minute, forgotten on any change (courses.apps connects it).
CATALOGUE_CHOICES = SeldomChanging("courses:catalogue-choices", catalogue_choices, models=(Direction, Level, Location))


def _catalogue_choices(name: str, empty_label) -> Callable[[], list]:
    """The choices of one filter, read (from CATALOGUE_CHOICES) when the form needs them."""
    return lambda: [("", empty_label), *CATALOGUE_CHOICES.get()[name]]


class CourseFilter(django_filters.FilterSet):
    """The catalogue's filters. A region selects the courses open there: those that list
    it and those that list no region at all (open everywhere).

    Direction, level and region are typed choices from CATALOGUE_CHOICES: a
    ModelChoiceFilter would read its table to draw the options and again to validate the
    value. The choices are callables, read when the form validates or draws them, so the
    form class is the same for every request and is built once (get_form_class). The
    selects are written in Python (PlainSelect): the 89 regions through Django's
    per-option templates took a third of the page's time."""

    q = SearchFilter()
    direction = django_filters.TypedChoiceFilter(
        label=_("Направление"),
        coerce=int,
        widget=PlainSelect,
        choices=_catalogue_choices("direction", _("Все направления")),
    )
    level = django_filters.TypedChoiceFilter(
        label=_("Уровень"), coerce=int, widget=PlainSelect, choices=_catalogue_choices("level", _("Все уровни"))
    )
    location = django_filters.TypedChoiceFilter(
        label=_("Регион"),
        coerce=int,
        method="open_in",
        widget=PlainSelect,
        choices=_catalogue_choices("location", _("Все регионы")),
    )
    format = django_filters.ChoiceFilter(
        choices=Course.Format.choices, label=_("Формат"), empty_label=_("Любой"), widget=PlainSelect
    )

    class Meta:
        model = Course
        fields = ["q", "direction", "level", "location", "format"]

    @property
    def choices_version(self) -> int:
        """Changes when the choices do: the catalogue keeps its drawn form by it and the query."""
        return hash(tuple((name, tuple(pairs)) for name, pairs in CATALOGUE_CHOICES.get().items()))

    def get_form_class(self):
        """Built on the first request only: django-filter builds the class and its fields
        anew for every one."""
        if "form_class" not in CourseFilter.__dict__:
            CourseFilter.form_class = super().get_form_class()
        return CourseFilter.form_class

    def open_in(self, queryset, name, value):
        listed_here = CourseLocation.objects.filter(course=OuterRef("pk"), location_id=value)
        listed_anywhere = CourseLocation.objects.filter(course=OuterRef("pk"))
        return queryset.filter(Exists(listed_here) | ~Exists(listed_anywhere))
