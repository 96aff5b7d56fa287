from collections.abc import Callable

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.cache import CachedValue
from core.input_checks import INTEGER_MAX
from core.search import MAX_QUERY_LENGTH, clean_query, ranked


class SearchFilter(django_filters.CharFilter):
    """A list page's search box: the site search (core.search) over the page's own kind,
    best matches first. A query with nothing to search (punctuation only) is ignored."""

    def __init__(self, *, label: str | None = None, placeholder: str = "", **kwargs):
        attrs = {"type": "search", "maxlength": MAX_QUERY_LENGTH, "placeholder": placeholder}
        super().__init__(label=label or _("Поиск"), widget=forms.TextInput(attrs=attrs), **kwargs)

    def filter(self, qs, value):
        text = clean_query(value)
        return ranked(qs, text) if text else qs


class IntegerFilter(django_filters.NumberFilter):
    """A whole number from the address bar for an integer column, 0…INTEGER_MAX unless
    told otherwise: NumberFilter's DecimalField takes «2.5» or «1e40» and leaves Django to
    turn them into an int for the column. Anything else is a form error, and the filter
    is not applied."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = 0, max_value: int = INTEGER_MAX, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)

    def get_max_validator(self):
        return None  # max_value is the bound


def cached_choices(source: CachedValue, name: str, empty_label=None) -> Callable[[], list]:
    """The choices of one filter, `source.get()[name]` after the empty choice if it has a
    label: a callable, read when the form validates or draws them."""
    empty = [("", empty_label)] if empty_label is not None else []
    return lambda: [*empty, *source.get()[name]]


class CachedChoicesFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters take their choices from `choices_source` (with
    cached_choices), not from the database on every request — a ModelChoiceFilter reads
    its table to draw the options and again to validate the value. As the choices are
    callables, the form class is the same for every request and is built once
    (django-filter builds the class and its fields anew for every one), and copying its
    fields for a form copies no list of choices."""

    choices_source: CachedValue

    @property
    def choices_version(self) -> int:
        """Changes when the choices do: a page keeps its drawn form by it and the query."""
        return hash(tuple((name, tuple(pairs)) for name, pairs in self.choices_source.get().items()))

    def get_form_class(self):
        cls = type(self)
        if "form_class" not in cls.__dict__:
            cls.form_class = super().get_form_class()
        return cls.form_class
