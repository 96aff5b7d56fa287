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


class CourseFilter(django_filters.FilterSet):
    """The catalogue's filters. A region selects the courses open there: those that list
    it and those that list no region at all (open everywhere).

    Direction, level and region are typed choices from CATALOGUE_CHOICES: a
    ModelChoiceFilter would read its table to draw the options and again to validate the
    value. The selects are written in Python (PlainSelect): the 89 regions through
    Django's per-option templates took a third of the page's time."""

    EMPTY_LABELS = {"direction": _("Все направления"), "level": _("Все уровни"), "location": _("Все регионы")}

    q = SearchFilter()
    direction = django_filters.TypedChoiceFilter(label=_("Направление"), coerce=int, widget=PlainSelect)
    level = django_filters.TypedChoiceFilter(label=_("Уровень"), coerce=int, widget=PlainSelect)
    location = django_filters.TypedChoiceFilter(label=_("Регион"), coerce=int, method="open_in", widget=PlainSelect)
    format = django_filters.ChoiceFilter(
        choices=Course.Format.choices, label=_("Формат"), empty_label=_("Любой"), widget=PlainSelect
    )

    class Meta:
        model = Course
        fields = ["q", "direction", "level", "location", "format"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = CATALOGUE_CHOICES.get()
        for name, empty_label in self.EMPTY_LABELS.items():
            self.filters[name].extra["choices"] = [("", empty_label), *choices[name]]

    def open_in(self, queryset, name, value):
        listed_here = CourseLocation.objects.filter(course=OuterRef("pk"), location_id=value)
        listed_anywhere = CourseLocation.objects.filter(course=OuterRef("pk"))
        return queryset.filter(Exists(listed_here) | ~Exists(listed_anywhere))
