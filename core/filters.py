import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

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
