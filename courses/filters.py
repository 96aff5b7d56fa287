import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.cache import CachedValue
from core.filters import CachedChoicesFilterSet, SearchFilter, cached_choices
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


# The site's reference lists: cached until one of them changes.
CATALOGUE_CHOICES = CachedValue("courses:catalogue-choices", catalogue_choices, areas=("site",))


class CourseFilter(CachedChoicesFilterSet):
    """The catalogue's filters. A region selects the courses open there: those that list
    it and those that list no region at all (open everywhere).

    Direction, level and region are typed choices from CATALOGUE_CHOICES."""

    choices_source = CATALOGUE_CHOICES
    q = SearchFilter()
    direction = django_filters.TypedChoiceFilter(
        label=_("Направление"),
        coerce=int,
        choices=cached_choices(CATALOGUE_CHOICES, "direction", _("Все направления")),
    )
    level = django_filters.TypedChoiceFilter(
        label=_("Уровень"),
        coerce=int,
        choices=cached_choices(CATALOGUE_CHOICES, "level", _("Все уровни")),
    )
    location = django_filters.TypedChoiceFilter(
        label=_("Регион"),
        coerce=int,
        method="open_in",
        choices=cached_choices(CATALOGUE_CHOICES, "location", _("Все регионы")),
    )
    format = django_filters.ChoiceFilter(choices=Course.Format.choices, label=_("Формат"), empty_label=_("Любой"))

    class Meta:
        model = Course
        fields = ["q", "direction", "level", "location", "format"]

    def open_in(self, queryset, name, value: int):
        listed_here = CourseLocation.objects.filter(course=OuterRef("pk"), location_id=value)
        listed_anywhere = CourseLocation.objects.filter(course=OuterRef("pk"))
        return queryset.filter(Exists(listed_here) | ~Exists(listed_anywhere))
