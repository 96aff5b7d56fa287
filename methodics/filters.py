import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.cache import CachedValue
from core.filters import CachedChoicesFilterSet, IntegerFilter, SearchFilter, cached_choices
from methodics import selectors
from methodics.models import Category, Methodic, Tag


def category_choices() -> list[tuple[int, str]]:
    """Every category in tree order, indented by depth."""
    children = selectors.category_children()
    choices, stack = [], [(pk, name, 0) for pk, name in reversed(children.get(None, []))]
    while stack:
        pk, name, depth = stack.pop()
        choices.append((pk, f"{'— ' * depth}{name}"))
        stack.extend((child, child_name, depth + 1) for child, child_name in reversed(children.get(pk, [])))
    return choices


def author_choices() -> list[tuple[int, str]]:
    """The authors of published methodics, by name (never by email or login)."""
    authors = (
        User.objects.filter(Exists(selectors.published_methodics().filter(author=OuterRef("pk"))))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", "first_name", "last_name")
    )
    nameless = str(_("Автор без имени"))
    return [(pk, f"{first} {last}".strip() or nameless) for pk, first, last in authors]


def filter_choices() -> dict[str, list[tuple[int, str]]]:
    return {
        "category": category_choices(),
        "author": author_choices(),
        "tags": list(Tag.objects.order_by("name").values_list("pk", "name")),
    }


# Read by every visit of the library, changed by a few edits a day.
FILTER_CHOICES = CachedValue("methodics:filter-choices", filter_choices, areas=("methodics",))

# The library's orders besides the default (newest first; with a search, best matches
# first): highest first, ties by newest.
SORTS = {
    "karma": (_("Карма автора"), ("-author__karma", "-published_at", "-pk")),
    "useful": (_("Пригодилось"), ("-useful_count", "-published_at", "-pk")),
}


class MethodicFilter(CachedChoicesFilterSet):
    """The library's filters. A category selects its subcategories too; several tags
    select the methodics that carry all of them; `q` is the ranked Russian full-text
    search (core.search), which then decides the order. The choices of category, author
    and tags are read together and cached (FILTER_CHOICES)."""

    choices_source = FILTER_CHOICES
    q = SearchFilter()
    category = django_filters.TypedChoiceFilter(
        label=_("Категория"),
        coerce=int,
        method="in_category",
        choices=cached_choices(FILTER_CHOICES, "category", _("Все категории")),
    )
    tags = django_filters.TypedMultipleChoiceFilter(
        label=_("Теги (все выбранные)"),
        coerce=int,
        method="with_tags",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        choices=cached_choices(FILTER_CHOICES, "tags"),
    )
    author = django_filters.TypedChoiceFilter(
        label=_("Автор"),
        coerce=int,
        choices=cached_choices(FILTER_CHOICES, "author", _("Все авторы")),
    )
    duration_min = IntegerFilter(
        field_name="total_duration",
        lookup_expr="gte",
        label=_("Продолжительность от, мин"),
        min_value=0,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )
    duration_max = IntegerFilter(
        field_name="total_duration",
        lookup_expr="lte",
        label=_("Продолжительность до, мин"),
        min_value=0,
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Порядок"),
        choices=[(name, label) for name, (label, _order) in SORTS.items()],
        empty_label=_("Сначала новые"),
        method="sorted_by",
    )

    class Meta:
        model = Methodic
        fields = ["q", "category", "tags", "author", "duration_min", "duration_max", "sort"]

    def in_category(self, queryset, name, value):
        return queryset.filter(category_id__in=selectors.category_and_descendants(Category(pk=value)))

    def sorted_by(self, queryset, name, value):
        # Declared last, so a chosen order wins over the search's ranking too.
        return queryset.order_by(*SORTS[value][1])

    def with_tags(self, queryset, name, value):
        # One EXISTS per tag: no join, so no duplicate rows and no DISTINCT to page through.
        for tag_id in set(value):
            tagged = Methodic.tags.through.objects.filter(methodic_id=OuterRef("pk"), tag_id=tag_id)
            queryset = queryset.filter(Exists(tagged))
        return queryset
