import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.cache import SeldomChanging
from core.filters import CachedChoicesFilterSet, SearchFilter, cached_choices
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


class CourseFilter(CachedChoicesFilterSet):
    """The catalogue's filters. A region selects the courses open there: those that list
    it and those that list no region at all (open everywhere).

    Direction, level and region are typed choices from CATALOGUE_CHOICES. The selects are
    written in Python (PlainSelect): the 89 regions through Django's per-option templates
    took a third of the page's time."""

    choices_source = CATALOGUE_CHOICES
    q = SearchFilter()
    direction = django_filters.TypedChoiceFilter(
        label=_("Направление"),
        coerce=int,
        widget=PlainSelect,
        choices=cached_choices(CATALOGUE_CHOICES, "direction", _("Все направления")),
    )
    level = django_filters.TypedChoiceFilter(
        label=_("Уровень"),
        coerce=int,
        widget=PlainSelect,
        choices=cached_choices(CATALOGUE_CHOICES, "level", _("Все уровни")),
    )
    location = django_filters.TypedChoiceFilter(
        label=_("Регион"),
        coerce=int,
        method="open_in",
        widget=PlainSelect,
        choices=cached_choices(CATALOGUE_CHOICES, "location", _("Все регионы")),
    )
    format = django_filters.ChoiceFilter(
        choices=Course.Format.choices, label=_("Формат"), empty_label=_("Любой"), widget=PlainSelect
    )

    class Meta:
        model = Course
        fields = ["q", "direction", "level", "location", "format"]

    def open_in(self, queryset, name, value):
        listed_here = CourseLocation.objects.filter(course=OuterRef("pk"), location_id=value)
        listed_anywhere = CourseLocation.objects.filter(course=OuterRef("pk"))
        return queryset.filter(Exists(listed_here) | ~Exists(listed_anywhere))
