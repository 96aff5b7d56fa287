from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView

from core.cache import SeldomChanging, kept_for_visitors
from core.search import (
    MAX_QUERY_LENGTH,
    clean_query,
    correction,
    count_matching,
    index_scans,
    is_capped,
    ranked,
    snippet,
    title_words,
    with_snippet,
)
from courses.models import Course
from courses.selectors import courses_shown
from methodics.models import Methodic
from methodics.selectors import published_methodics
from problems.models import Reference, Task
from problems.selectors import published_tasks

RESULTS_PER_GROUP = 5  # on the page of all kinds
RESULTS_PER_PAGE = 20  # on the page of one kind


class HomeView(TemplateView):
    """Public: what the platform offers, and the way in for a visitor."""

    template_name = "home.html"


def healthz(request):
    """Public: a constant answer through the whole middleware stack and no query — for a
    load balancer's checks, and the baseline of the load bench (bench/load.py)."""
    return HttpResponse("ok", content_type="text/plain")


# --- Site search ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What the site search finds of one kind: `rows()` are those anyone may see (the
    search is the same for every visitor), `text` the fields a snippet is cut from."""

    slug: str
    title: str
    rows: Callable[[], QuerySet]
    text: tuple[str, ...]
    url: Callable[[object, str], str]


def _reference_url(material: Reference, text: str) -> str:
    # The handbook has no page per material: its search, scrolled to the material.
    return f"{reverse('problems:reference')}?{urlencode({'q': text})}#reference-{material.pk}"


KINDS = (
    Kind(
        "courses",
        "Курсы",
        courses_shown,
        ("short_description", "full_description"),
        lambda course, text: course.get_absolute_url(),
    ),
    Kind(
        "methodics",
        "Методики",
        published_methodics,
        ("short_description", "goal", "description"),
        lambda methodic, text: methodic.get_absolute_url(),
    ),
    Kind(
        "tasks",
        "Задачи",
        published_tasks,
        ("statement",),
        lambda task, text: task.get_absolute_url(),
    ),
    Kind("references", "Справочник", Reference.objects.all, ("description",), _reference_url),
)


def _searchable_title_words() -> frozenset[str]:
    return title_words(title for kind in KINDS for title in kind.rows().values_list("title", flat=True).iterator())


# The words of every searchable title, for «Возможно, вы искали…»; read again at most every
# ten minutes, or at once in the process that changes a row (config.apps connects it).
TITLE_WORDS = SeldomChanging(
    "search:title-words", _searchable_title_words, models=(Course, Methodic, Task, Reference), seconds=600
)


@dataclass
class Found:
    """One result: the object, its link and its snippet with the matches marked."""

    object: object
    url: str
    snippet: str


@dataclass
class Group:
    kind: Kind
    count: int
    results: list[Found]
    page_obj: object = None


def _found(kind: Kind, rows, text: str) -> list[Found]:
    return [Found(row, kind.url(row, text), snippet(row.snippet_source)) for row in rows]


def _group(kind: Kind, chosen: Kind | None, text: str, page_number) -> Group:
    """One kind's results: a page of them if it is the chosen kind, the first few on the
    page of all kinds, else only their count."""
    if chosen is not None and kind is not chosen:
        return Group(kind, count_matching(kind.rows(), text), [])
    # Only the title is read: the snippet is cut in the database, and the ranking sorts
    # MAX_RANKED candidates at most, narrow rows sort faster.
    found = with_snippet(ranked(kind.rows().only("title"), text), text, *kind.text)
    if kind is chosen:
        page = Paginator(found, RESULTS_PER_PAGE).get_page(page_number)
        return Group(kind, page.paginator.count, _found(kind, page.object_list, text), page)
    rows = list(found.annotate(total=Window(Count("pk")))[:RESULTS_PER_GROUP])
    return Group(kind, rows[0].total if rows else 0, _found(kind, rows, text))


@kept_for_visitors
def search(request):
    """Everyone, anonymous visitors too: courses, methodics, tasks and reference material
    matching `q`, grouped by kind with counts — the first RESULTS_PER_GROUP of each, or,
    with `kind`, that kind's results page by page. Only what anyone may see is searched:
    shown courses, published methodics and tasks (never their solutions), the handbook."""
    text = clean_query(request.GET.get("q"))
    chosen = next((kind for kind in KINDS if kind.slug == request.GET.get("kind")), None)
    groups = []
    if text:
        with index_scans():
            groups = [_group(kind, chosen, text, request.GET.get("page")) for kind in KINDS]
    context = {
        "query": request.GET.get("q", "")[:MAX_QUERY_LENGTH],
        "text": text,
        "chosen": chosen,
        "groups": groups,
        "total": sum(group.count for group in groups),
        "capped": any(is_capped(group.count) for group in groups),
        # Nothing found: perhaps a typo.
        "suggestion": correction(text, TITLE_WORDS.get()) if text and not any(g.count for g in groups) else None,
    }
    return render(request, "search.html", context)
