import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Value, Window
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.generic import TemplateView

from accounts.models import User
from accounts.selectors import photo_url, sees_whole_profile
from core.cache import CONTENT_AREAS, CachedValue, cached, kept_for_visitors
from core.search import (
    MAX_QUERY_LENGTH,
    MAX_RANKED,
    clean_query,
    compiled_rows,
    correction,
    index_scans,
    is_capped,
    match_count,
    ranked,
    snippet,
    title_words,
    with_snippet,
)
from courses.selectors import courses_shown
from methodics.selectors import published_methodics
from problems.models import Reference
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
    search is the same for every visitor), `text` the fields a snippet is cut from, `url`
    the link of a result (a row with its `pk`) for the searched text — reversed by the URL's
    name: a model instance per result for its get_absolute_url() would double the cost."""

    slug: str
    title: str
    rows: Callable[[], QuerySet]
    text: tuple[str, ...]
    url: Callable[[dict, str], str]


def _reference_url(material: dict, text: str) -> str:
    # The handbook has no page per material: its search, scrolled to the material.
    return f"{reverse('problems:reference')}?{urlencode({'q': text})}#reference-{material['pk']}"


KINDS = (
    Kind(
        "courses",
        "Курсы",
        courses_shown,
        ("short_description", "full_description"),
        lambda course, text: reverse("courses:detail", args=[course["pk"]]),
    ),
    Kind(
        "methodics",
        "Методики",
        published_methodics,
        ("short_description", "goal", "description"),
        lambda methodic, text: reverse("methodics:detail", args=[methodic["pk"]]),
    ),
    Kind(
        "tasks",
        "Задачи",
        published_tasks,
        ("statement",),
        lambda task, text: reverse("problems:task", args=[task["pk"]]),
    ),
    Kind("references", "Справочник", Reference.objects.all, ("description",), _reference_url),
)


def _searchable_title_words() -> frozenset[str]:
    return title_words(title for kind in KINDS for title in kind.rows().values_list("title", flat=True).iterator())


# What search reads: the areas whose content it shows.
SEARCHED_AREAS = CONTENT_AREAS
# The words of every searchable title, for «Возможно, вы искали…».
TITLE_WORDS = CachedValue("search:title-words", _searchable_title_words, areas=SEARCHED_AREAS)


@dataclass
class Found:
    """One result: its title, its link and its snippet with the matches marked, and its
    row's id (for the API's clients). A result kept in the cache before the id was added
    reads None."""

    title: str
    url: str
    snippet: str
    pk: int | None = None


@dataclass
class Group:
    kind: Kind
    count: int
    results: list[Found]
    page_obj: object = None


# What each kind's part of the union selects, in this order.
COLUMNS = ("pk", "title", "snippet_source", "total", "kind")


def _found(kind: Kind, number: int, text: str) -> QuerySet:
    """The matches of one kind, best first, as the page shows them: title, snippet (cut in
    the database), `total` (how many match, at most MAX_RANKED) and `kind` (its `number` in
    KINDS, to tell the kinds apart in a union)."""
    return (
        with_snippet(ranked(kind.rows(), text), text, *kind.text)
        .annotate(total=Window(Count("pk")), kind=Value(number))
        .values(*COLUMNS)
    )


def _union(text: str, chosen: Kind | None, offset: int) -> QuerySet:
    """The kinds' ranked queries in one (a UNION ALL): the first RESULTS_PER_GROUP of each,
    or with a `chosen` kind RESULTS_PER_PAGE of it from `offset` and one row with the count
    of each other kind."""
    parts = []
    for number, kind in enumerate(KINDS):
        if chosen is None:
            parts.append(_found(kind, number, text)[:RESULTS_PER_GROUP])
        elif kind is chosen:
            parts.append(_found(kind, number, text)[offset : offset + RESULTS_PER_PAGE])
        else:  # only the count, on one row (the first by the primary key's index)
            count = match_count(kind.rows(), text)
            counted = kind.rows().order_by("pk").annotate(snippet_source=Value(""), total=count, kind=Value(number))
            parts.append(counted.values(*COLUMNS)[:1])
    return parts[0].union(*parts[1:], all=True)


def _search(text: str, chosen: Kind | None, offset: int) -> list[list[dict]]:
    """Each kind's rows, in one query (_union), compiled once per shape (compiled_rows)."""
    rows = [[] for _ in KINDS]
    # Each part keeps its order in the union; only the parts are concatenated.
    for row in compiled_rows(_union, text, chosen, offset):
        rows[row["kind"]].append(row)
    return rows


def _results(kind: Kind, rows: list[dict], text: str) -> list[Found]:
    return [Found(row["title"], kind.url(row, text), snippet(row["snippet_source"]), row["pk"]) for row in rows]


def _found_groups(text: str, chosen: Kind | None, page_number) -> list[tuple[int, list[Found], int]]:
    """Each kind's count, results and page number: the first few results of each on the
    page of all kinds, or a page of the chosen kind's. One query (in index_scans); three for
    a page past the chosen kind's last."""
    # The page asked for, as if the chosen kind had MAX_RANKED matches: checked below.
    number = Paginator(range(MAX_RANKED), RESULTS_PER_PAGE).get_page(page_number).number if chosen else 1
    found = []
    with index_scans():
        for kind, rows in zip(KINDS, _search(text, chosen, (number - 1) * RESULTS_PER_PAGE), strict=True):
            count = rows[0]["total"] if rows else 0
            if kind is not chosen:
                found.append((count, [] if chosen else _results(kind, rows, text), 1))
                continue
            if not rows and number != 1:
                # Past the last page, whose number needs the count: Django's pages of the query.
                page = Paginator(_found(kind, 0, text), RESULTS_PER_PAGE).get_page(page_number)
                count, rows, number = page.paginator.count, list(page.object_list), page.number
            found.append((count, _results(kind, rows, text), number))
    return found


def search_groups(text: str, chosen: Kind | None, page_number) -> list[Group]:
    """What `_found_groups` finds, kept in the shared cache under the searched areas'
    versions: the same for every reader, and a search repeated (the next page of results
    and back, the same words from another reader) reads no database."""
    asked = "\n".join([text, chosen.slug if chosen else "", str(page_number or "") if chosen else ""])
    found = cached(
        f"search:{hashlib.sha256(asked.encode()).hexdigest()[:32]}",
        lambda: _found_groups(text, chosen, page_number),
        areas=SEARCHED_AREAS,
    )
    groups = [Group(kind, count, results) for kind, (count, results, _) in zip(KINDS, found, strict=True)]
    for group, (count, _, number) in zip(groups, found, strict=True):
        if group.kind is chosen:
            group.page_obj = Paginator(range(count), RESULTS_PER_PAGE).get_page(number)
    return groups


def search_suggestion(text: str, groups: list[Group]) -> str | None:
    """Nothing found: perhaps a typo — «Возможно, вы искали…»."""
    return correction(text, TITLE_WORDS.get()) if text and not any(group.count for group in groups) else None


@kept_for_visitors(*SEARCHED_AREAS)
def search(request):
    """Everyone, anonymous visitors too: courses, methodics, tasks and reference material
    matching `q`, grouped by kind with counts — the first RESULTS_PER_GROUP of each, or,
    with `kind`, that kind's results page by page. Only what anyone may see is searched:
    shown courses, published methodics and tasks (never their solutions), the handbook."""
    text = clean_query(request.GET.get("q"))
    chosen = next((kind for kind in KINDS if kind.slug == request.GET.get("kind")), None)
    groups = search_groups(text, chosen, request.GET.get("page")) if text else []
    context = {
        "query": request.GET.get("q", "")[:MAX_QUERY_LENGTH],
        "text": text,
        "chosen": chosen,
        "groups": groups,
        "total": sum(group.count for group in groups),
        "capped": any(is_capped(group.count) for group in groups),
        "suggestion": search_suggestion(text, groups),
    }
    return render(request, "search.html", context)


# --- An author's page -----------------------------------------------------------------------

AUTHOR_WORKS_SHOWN = 20  # of each kind; the count says how many there are in all


def author(request, user_id: int):
    """Everyone, with what each may see (spec 000's profile): anonymous visitors the name
    only; signed-in users also the photo, place of work, karma, the date of joining, the
    published methodics and the tasks accepted into the problem bank; the person and
    administrators (accounts.selectors.sees_whole_profile) the phone and address too.
    A fixed number of queries: the lists are capped at AUTHOR_WORKS_SHOWN and counted."""
    person = get_object_or_404(User.objects.select_related("volunteer"), pk=user_id)
    viewer = request.user
    context = {"person": person, "name": person.get_full_name() or person.username}
    if viewer.is_authenticated:
        methodics = published_methodics().filter(author=person).only("pk", "title", "published_at")
        tasks = published_tasks().filter(author=person).select_related("block").only("pk", "title", "block__title")
        context |= {
            "sees_whole": sees_whole_profile(viewer, person),
            "photo_url": photo_url(person.photo) if person.photo else None,
            "methodic_count": methodics.count(),
            "methodics": methodics.order_by("-published_at", "-pk")[:AUTHOR_WORKS_SHOWN],
            "task_count": tasks.count(),
            "tasks": tasks.order_by("-pk")[:AUTHOR_WORKS_SHOWN],
        }
    return render(request, "author.html", context)
