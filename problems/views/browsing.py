"""Browsing the bank: blocks, a block's tasks, a task with its reference material and
solutions revealed on demand, the handbook, and «Избранное».

A task's answer, solutions and reference material are never in the task page's HTML:
the «Справка» and «Показать ответ» buttons fetch them from their own URLs, which give an
HTML fragment to the page's script and a full page to a browser without JavaScript."""

import html
import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet
from django.db.models.functions import Left
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.cache import kept_for_visitors
from core.models import row_count
from core.search import clean_query
from problems import services
from problems.filters import ReferenceFilter, TaskFilter
from problems.forms import ANSWER_EXAMPLES, AnswerCheckForm
from problems.models import Favorite, Reference, Task
from problems.selectors import block_progress, blocks_with_counts, published_tasks, solutions_visible_to

TASKS_PER_PAGE = 20
REFERENCES_PER_PAGE = 20
FAVORITES_PER_PAGE = 20
EXCERPT_LENGTH = 200
# Lists read only the head of a statement (which may be long) to make its excerpt.
EXCERPT_SOURCE_CHARS = 2000
# Sent by static/js/problems.js; XMLHttpRequest is what other scripts send.
FRAGMENT_HEADER_VALUES = {"fetch", "XMLHttpRequest"}

_BLOCK_TAG = re.compile(r"<(?=/?(?:p|br|div|li|h[1-6]|tr|td|th|blockquote|pre|figcaption)\b)", re.IGNORECASE)
_CUT_TAG = re.compile(r"<[^>]*$")
_TAG = re.compile(r"<[^>]*>")


def plain_excerpt(statement_html: str, length: int = EXCERPT_LENGTH) -> str:
    """The statement as one line of plain text, cut to `length` characters: tags out (a
    tag cut off by EXCERPT_SOURCE_CHARS too), entities decoded, block elements spaced.
    The template escapes it again. Statements are sanitised HTML (nh3), so a pattern takes
    the tags out as well as a parser would, ten times faster."""
    text = _CUT_TAG.sub("", statement_html or "")
    text = _TAG.sub("", _BLOCK_TAG.sub(" <", text))
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= length else f"{text[: length - 1].rstrip()}…"


def with_statement_head(tasks: QuerySet, prefix: str = "") -> QuerySet:
    """`statement_head` instead of the whole statement, for excerpts on list pages."""
    return tasks.annotate(statement_head=Left(f"{prefix}statement", EXCERPT_SOURCE_CHARS)).defer(f"{prefix}statement")


def favorite_task_ids(user: User, tasks) -> set[int]:
    if not user.is_authenticated or not tasks:
        return set()
    return set(Favorite.objects.filter(user=user, task__in=tasks).values_list("task_id", flat=True))


@dataclass(frozen=True)
class TaskCard:
    task: Task
    excerpt: str
    is_favorite: bool
    is_solved: bool = False


def can_preview(user: User, task: Task) -> bool:
    """Who sees a task that is not published: its author, whatever its state, and
    moderators (problems.moderate_task) once it was submitted: on moderation or
    rejected. A draft is its author's alone."""
    if not user.is_authenticated:
        return False
    if task.author_id == user.pk:
        return True
    submitted = task.status in (Task.Status.MODERATION, Task.Status.REJECTED)
    return submitted and user.has_perm("problems.moderate_task")


def task_for(user: User, task_id: int, tasks: QuerySet | None = None) -> Task:
    """The task if the user may see it, else 404 (not 403: an unpublished task does not
    exist for others)."""
    task = get_object_or_404(tasks if tasks is not None else Task.objects.select_related("block"), pk=task_id)
    if task.status != Task.Status.PUBLISHED and not can_preview(user, task):
        raise Http404
    return task


def tasks_for_page() -> QuerySet[Task]:
    """What a task's page (and the API's task) shows of it: its block, and how many
    reference materials the «Справка» button would fetch."""
    return Task.objects.select_related("block").annotate(reference_count=Count("references"))


def is_fragment_request(request) -> bool:
    return request.headers.get("X-Requested-With") in FRAGMENT_HEADER_VALUES or request.GET.get("fragment") == "1"


def render_revealed(request, task: Task, *, fragment: str, page: str, context: dict):
    """A fragment for the task page's script, or a full page for a browser without it."""
    context = {"task": task, **context}
    response = render(request, fragment if is_fragment_request(request) else page, context)
    # The same URL answers in two forms, and what it shows depends on who asks.
    patch_vary_headers(response, ["X-Requested-With"])
    patch_cache_control(response, private=True)
    return response


# --- Pages ------------------------------------------------------------------------------


@kept_for_visitors("problems")
def blocks(request):
    """Everyone, anonymous visitors too: the blocks in order with their published tasks'
    counts, and the ways into the bank (handbook, favourites, variants)."""
    # Meta.ordering is not applied to a query with GROUP BY, so the order is said here.
    shown_blocks = blocks_with_counts().order_by("order_number", "title", "pk")
    return render(request, "problems/browsing/blocks.html", {"blocks": list(shown_blocks)})


@kept_for_visitors("problems")
def block(request, block_id: int):
    """Everyone: a block's published tasks, searchable and paginated, each with an excerpt
    and, for a signed-in user, a star, a mark on the tasks they solved and «Решено задач:
    12 из 40» (one query: block_progress)."""
    shown_block = get_object_or_404(blocks_with_counts(), pk=block_id)
    tasks = with_statement_head(published_tasks().filter(block=shown_block)).order_by("pk")
    task_filter = TaskFilter(request.GET, queryset=tasks)
    paginator = Paginator(task_filter.qs, TASKS_PER_PAGE)
    if task_filter.is_valid() and not clean_query(task_filter.form.cleaned_data["q"]):
        paginator.count = shown_block.task_count  # no search: all of them, counted with the block
    page = paginator.get_page(request.GET.get("page"))
    page_tasks = list(page.object_list)
    starred = favorite_task_ids(request.user, page_tasks)
    solved_count, solved = None, set()
    if request.user.is_authenticated:
        solved_count, solved = block_progress(request.user, shown_block, [task.pk for task in page_tasks])
    cards = [
        TaskCard(task, plain_excerpt(task.statement_head), task.pk in starred, task.pk in solved) for task in page_tasks
    ]
    context = {
        "problem_block": shown_block,
        "filter": task_filter,
        "page_obj": page,
        "cards": cards,
        "solved_count": solved_count,
    }
    return render(request, "problems/browsing/block.html", context)


@kept_for_visitors("problems")
def task_detail(request, task_id: int):
    """Everyone sees a published task; its author and moderators also preview it while it
    is not published (see can_preview). The answer, solutions and reference material are
    not in this page: the buttons fetch them (task_solutions, task_references). A task with
    a short answer has «Ваш ответ» and «Проверить» (problems.views.solving.task_check)."""
    task = task_for(request.user, task_id, tasks_for_page())
    is_published = task.status == Task.Status.PUBLISHED
    context = {
        "task": task,
        "is_published": is_published,
        "is_favorite": is_published and bool(favorite_task_ids(request.user, [task])),
        "answer_form": AnswerCheckForm() if task.answer else None,
        "answer_example": ANSWER_EXAMPLES.get(task.answer_kind, ""),
    }
    return render(request, "problems/browsing/task.html", context)


def task_solutions(request, task_id: int):
    """Whoever may see the task (task_detail): its short answer and the solutions they may
    see — public ones, plus private ones to their author and administrators
    (solutions_visible_to)."""
    task = task_for(request.user, task_id)
    solutions = solutions_visible_to(request.user, tasks=[task]).order_by("pk")
    return render_revealed(
        request,
        task,
        fragment="problems/browsing/_solutions.html",
        page="problems/browsing/task_solutions.html",
        context={"solutions": solutions},
    )


def task_references(request, task_id: int):
    """Whoever may see the task (task_detail): the reference material linked to it."""
    task = task_for(request.user, task_id)
    return render_revealed(
        request,
        task,
        fragment="problems/browsing/_references.html",
        page="problems/browsing/task_references.html",
        context={"references": task.references.order_by("title", "pk")},
    )


@kept_for_visitors("problems")
def reference(request):
    """Everyone: the handbook, all reference materials, searchable and paginated, each
    with the number of published tasks it helps with."""
    # Counted for the shown page only (a subquery per row): a join with GROUP BY counted the
    # links of every material first, and the search's count then took 23 ms, not 1.6.
    published_links = Task.references.through.objects.filter(
        reference=OuterRef("pk"), task__status=Task.Status.PUBLISHED
    )
    materials = Reference.objects.annotate(task_count=row_count(published_links, per="reference")).order_by(
        "title", "pk"
    )
    reference_filter = ReferenceFilter(request.GET, queryset=materials)
    page = Paginator(reference_filter.qs, REFERENCES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": reference_filter, "page_obj": page, "references": list(page.object_list)}
    return render(request, "problems/browsing/reference.html", context)


def favorites_of(user: User) -> QuerySet[Favorite]:
    """The user's stars of published tasks, newest first, with the task, its block and its
    `statement_head` (the page and the API's favourites)."""
    return with_statement_head(
        Favorite.objects.filter(user=user, task__status=Task.Status.PUBLISHED).select_related("task__block"),
        prefix="task__",
    ).order_by("-created_at", "-pk")


@login_required
def favorites(request):
    """A signed-in user: the published tasks they starred, newest star first, each with a
    button to unstar it."""
    starred = favorites_of(request.user)
    page = Paginator(starred, FAVORITES_PER_PAGE).get_page(request.GET.get("page"))
    cards = [TaskCard(favorite.task, plain_excerpt(favorite.statement_head), True) for favorite in page.object_list]
    return render(request, "problems/browsing/favorites.html", {"page_obj": page, "cards": cards})


@require_POST
def favorite_toggle(request, task_id: int):
    """A signed-in user stars or unstars a published task, then goes back to `next`."""
    task = get_object_or_404(published_tasks(), pk=task_id)
    if not request.user.is_authenticated:
        # The login page would send the user back here with a GET; send them to the task.
        return redirect_to_login(task.get_absolute_url())
    if services.favorite_toggle(user=request.user, task=task):
        messages.success(request, _("Задача «%(task)s» добавлена в избранное.") % {"task": task})
    else:
        messages.success(request, _("Задача «%(task)s» убрана из избранного.") % {"task": task})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect(task)


urlpatterns = [
    path("", blocks, name="blocks"),
    path("blocks/<int:block_id>/", block, name="block"),
    path("tasks/<int:task_id>/", task_detail, name="task"),
    path("tasks/<int:task_id>/solutions/", task_solutions, name="task_solutions"),
    path("tasks/<int:task_id>/references/", task_references, name="task_references"),
    path("tasks/<int:task_id>/favorite/", favorite_toggle, name="favorite_toggle"),
    path("reference/", reference, name="reference"),
    path("favorites/", favorites, name="favorites"),
]
