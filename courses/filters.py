import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.filters import SearchFilter
from courses.models import Course, CourseLocation
from volunteers.models import Direction, Level, Location


class CourseFilter(django_filters.FilterSet):
    """The catalogue's filters. A region selects the courses open there: those that list
    it and those that list no region at all (open everywhere)."""

    q = SearchFilter()
    direction = django_filters.ModelChoiceFilter(
        queryset=Direction.objects.all(), label=_("Направление"), empty_label=_("Все направления")
    )
    level = django_filters.ModelChoiceFilter(
        queryset=Level.objects.all(), label=_("Уровень"), empty_label=_("Все уровни")
    )
    location = django_filters.ModelChoiceFilter(
        queryset=Location.objects.all(), label=_("Регион"), empty_label=_("Все регионы"), method="open_in"
    )
    format = django_filters.ChoiceFilter(choices=Course.Format.choices, label=_("Формат"), empty_label=_("Любой"))

    class Meta:
        model = Course
        fields = ["q", "direction", "level", "location", "format"]

    def open_in(self, queryset, name, value):
        listed_here = CourseLocation.objects.filter(course=OuterRef("pk"), location=value)
        listed_anywhere = CourseLocation.objects.filter(course=OuterRef("pk"))
        return queryset.filter(Exists(listed_here) | ~Exists(listed_anywhere))
