"""Variants: «Случайный вариант» (one random published task per chosen block, in several
versions for a class), «Свой вариант» built from favourites, saved variants with their
read-only share link, and the PDF / Word exports of variants and of single tasks.

A generated or hand-made variant is not stored: its task ids travel in the URL
(?tasks=3,17,42, several versions one after another with &versions=N), so the page can
be shared and its «Скачать PDF», «Скачать Word» and «Сохранить» act on the same tasks."""

import io
import random
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, RestrictedError
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.cache import kept_for_visitors
from core.input_checks import parse_id
from problems import services, tasks
from problems.exports import (
    EXPORTERS,
    TasksDocument,
    build_document,
    export_file_name,
    russian_date,
    variant_document,
)
from problems.forms import (
    VariantExportForm,
    VariantFileForm,
    VariantManualForm,
    VariantRandomForm,
    VariantRenameForm,
    VariantSaveForm,
    VariantShownForm,
    parse_task_ids,
)
from problems.models import Block, Favorite, Task, Variant
from problems.selectors import published_tasks, random_task_ids, solved_by, tasks_with_visible_solutions
from problems.services import ProblemsError, variant_rename, variant_save
from problems.views.assignments import variant_delete_refused
from problems.views.browsing import task_for

VARIANTS_PER_PAGE = 20
# Plain strings: a TextChoices member hashes by its name, so it would not match the query's value.
UNSAVED_TITLES = {"random": "Случайный вариант", "manual": "Свой вариант"}


# --- Helpers ------------------------------------------------------------------------------


def url_with(url_name: str, params: dict, *args) -> str:
    """A URL with a readable query: commas in ?tasks=3,17,42 are left as they are, and
    empty values are dropped."""
    query = urlencode({name: value for name, value in params.items() if value not in (None, "", False, [])}, True, ",")
    url = reverse(f"problems:{url_name}", args=args)
    return f"{url}?{query}" if query else url


def joined(task_ids: list[int]) -> str:
    return ",".join(map(str, task_ids))


def bad_request(form) -> HttpResponseBadRequest:
    errors = "; ".join(str(error) for field_errors in form.errors.values() for error in field_errors)
    return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")


def safe_next(request, fallback: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return fallback


def shown_versions(version_ids: list[list[int]]) -> tuple[list[list[Task]], int]:
    """The published tasks of each version in order, in one query, and how many of the
    ids are not (or no longer) published tasks."""
    found = published_tasks().select_related("block").in_bulk([task_id for ids in version_ids for task_id in ids])
    versions = [[found[task_id] for task_id in ids if task_id in found] for ids in version_ids]
    missing = sum(len(ids) for ids in version_ids) - sum(len(tasks) for tasks in versions)
    return versions, missing


@dataclass(frozen=True)
class ExportForm:
    """The «Скачать PDF / Word» form under a variant: where it goes and what it carries."""

    action: str
    params: dict
    answers: bool = False


def _top_up(picked: dict[int, list[int]], versions: int, unsolved_by: User | None = None) -> None:
    """Blocks whose random draw gave fewer distinct tasks than versions (a small block, or
    draws that met: random_task_ids favours the task after a gap in a block's ids) get
    the tasks they lack from the block's first ids not drawn yet. One query, asked for
    every drawn block whatever the draw gave, so that the page's query count does not
    depend on chance; at most `versions` rows per block, whatever the bank's size. With
    `unsolved_by`, among the tasks that user has not solved."""
    if not picked:
        return
    candidates = published_tasks()
    if unsolved_by is not None:
        candidates = candidates.filter(~solved_by(unsolved_by))
    parts = [
        candidates.filter(block_id=block_id).exclude(pk__in=ids).order_by("pk").values_list("block_id", "pk")[:versions]
        for block_id, ids in picked.items()
    ]
    spare: dict[int, list[int]] = {}
    for block_id, task_id in parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]:
        spare.setdefault(block_id, []).append(task_id)
    for block_id, ids in picked.items():
        ids.extend(spare.get(block_id, [])[: max(versions - len(ids), 0)])


def draw_versions(block_ids: list[int], versions: int, *, unsolved_by: User | None = None) -> list[list[int]]:
    """`versions` lists of task ids, one random published task per block in the blocks'
    order (blocks without one are left out) — with `unsolved_by`, one that user has not
    solved. The versions get different tasks of a block where it has enough; a block with
    fewer tasks than versions repeats them in turn."""
    picked = random_task_ids(block_ids, per_block=versions * 2, unsolved_by=unsolved_by)
    if versions > 1:
        _top_up(picked, versions, unsolved_by)
    dealt: list[list[int]] = [[] for _ in range(versions)]
    for block_id in block_ids:
        ids = picked.get(block_id)
        if not ids:
            continue
        random.shuffle(ids)  # so that topped-up tasks do not always go to the last versions
        for number, version in enumerate(dealt):
            version.append(ids[number % len(ids)])
    return dealt


# --- Exports ------------------------------------------------------------------------------


def export_response(document: TasksDocument, file_format: str, file_title: str) -> FileResponse:
    """The rendered file as a download named after `file_title` (RFC 5987 for Cyrillic)."""
    content_type, render_file = EXPORTERS[file_format]
    response = FileResponse(
        io.BytesIO(render_file(document)),
        as_attachment=True,
        filename=export_file_name(file_title, file_format),
        content_type=content_type,
    )
    # The answer key may hold the reader's own private solutions: no shared cache keeps it.
    patch_cache_control(response, private=True)
    return response


def _export_ordered(request, *, title: str, file_title: str, version_ids: list[list[int]], form) -> FileResponse:
    with_answers = form.cleaned_data["answers"]
    document = variant_document(request.user, title=title, version_ids=version_ids, with_answers=with_answers)
    return export_response(document, form.cleaned_data["format"], file_title)


def _export_later(request, *, title: str, file_title: str, version_ids: list[list[int]], form):
    """Sends the export to a worker (problems.tasks) under a key of its own, so that a
    second delivery of the task adds no second message, and takes the reader back."""
    tasks.variant_export_send.delay(
        key=f"problems.variant_export:{uuid.uuid4().hex}",
        user_id=request.user.pk,
        title=title,
        file_title=file_title,
        version_ids=version_ids,
        with_answers=form.cleaned_data["answers"],
        file_format=form.cleaned_data["format"],
    )
    messages.info(request, _("Файл готовится, он придёт в ваши сообщения."))
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = url_with(
            "random_variant",
            {"versions": len(version_ids), "tasks": joined([task_id for ids in version_ids for task_id in ids])},
        )
    return redirect(back)


def variant_export(request):
    """Everyone: an unsaved variant (?tasks=…&versions=…&kind=…) as PDF or DOCX
    (format=pdf|docx), with answers=1 the answer key of the solutions the reader may see.
    A signed-in reader's class set — more than EXPORT_INLINE_MAX_VERSIONS versions — is
    made by a worker and comes to their messages; anonymous visitors, who have none,
    download it as before."""
    form = VariantExportForm(request.GET)
    if not form.is_valid():
        return bad_request(form)
    title = UNSAVED_TITLES.get(request.GET.get("kind"), "Вариант")
    file_title = f"{title} {timezone.localdate():%Y-%m-%d}"
    version_ids = form.version_ids()
    export = _export_ordered
    if request.user.is_authenticated and len(version_ids) > settings.EXPORT_INLINE_MAX_VERSIONS:
        export = _export_later
    return export(request, title=title, file_title=file_title, version_ids=version_ids, form=form)


def _export_saved(request, variant: Variant):
    form = VariantFileForm(request.GET)
    if not form.is_valid():
        return bad_request(form)
    ids = list(variant.entries.order_by("position").values_list("task_id", flat=True))
    return _export_ordered(request, title=variant.title, file_title=variant.title, version_ids=[ids], form=form)


@login_required
def variant_saved_export(request, variant_id: int):
    """The variant's owner (404 for anyone else): the saved variant as PDF or DOCX."""
    return _export_saved(request, get_object_or_404(Variant, pk=variant_id, owner=request.user))


def variant_shared_export(request, token: str):
    """Anyone with the share link: the variant as PDF or DOCX."""
    return _export_saved(request, get_object_or_404(Variant, share_token=token))


def task_export(request, task_id: int):
    """Whoever may see the task (its page: everyone for a published one, its author and
    moderators before that): the task as PDF or DOCX, with the solutions they may see."""
    form = VariantFileForm(request.GET)
    if not form.is_valid():
        return bad_request(form)
    with_answers = form.cleaned_data["answers"]
    tasks = Task.objects.select_related("block")
    task = task_for(request.user, task_id, tasks_with_visible_solutions(request.user, tasks) if with_answers else tasks)
    document = build_document(title=task.title, versions=[[task]], with_answers=with_answers)
    return export_response(document, form.cleaned_data["format"], task.title)


# --- Random and hand-made variants -------------------------------------------------------


def blocks_in_order() -> list[Block]:
    """Every block, in the bank's order, knowing whether it has a published task."""
    has_tasks = Exists(published_tasks().filter(block=OuterRef("pk")))
    return list(Block.objects.annotate(has_tasks=has_tasks).order_by("order_number", "title", "pk"))


@kept_for_visitors("problems")
def random_variant(request):
    """Everyone, anonymous visitors too: choose blocks and a number of versions, get one
    random published task per block (blocks without one are skipped and named), shown at
    a URL of its own that carries the tasks (?tasks=…), with «Скачать PDF», «Скачать Word»
    and, signed in, «Сохранить». A signed-in user may ask for tasks they have not solved
    yet (&unsolved=1); blocks where they solved every task are named."""
    blocks = blocks_in_order()
    all_ids = [block.pk for block in blocks]
    signed_in = request.user.is_authenticated
    if "tasks" not in request.GET and "versions" in request.GET:
        form = VariantRandomForm(request.GET, blocks=blocks, offer_unsolved=signed_in)
        if form.is_valid():
            chosen = set(form.cleaned_data["blocks"])
            versions = form.cleaned_data["versions"]
            unsolved = form.cleaned_data.get("unsolved", False)
            version_ids = draw_versions(
                [block.pk for block in blocks if block.pk in chosen],
                versions,
                unsolved_by=request.user if unsolved else None,
            )
            if version_ids[0]:
                params = {
                    "blocks": [] if chosen == set(all_ids) else [pk for pk in all_ids if pk in chosen],
                    "versions": versions if versions > 1 else None,
                    "unsolved": 1 if unsolved else None,
                    "tasks": joined([task_id for ids in version_ids for task_id in ids]),
                }
                return redirect(url_with("random_variant", params))
            if unsolved:
                form.add_error("blocks", _("В выбранных блоках нет нерешённых задач."))
            else:
                form.add_error("blocks", _("В выбранных блоках нет опубликованных задач."))
        return render(request, "problems/variants/random.html", {"form": form, "blocks": blocks})

    chosen_ids = [pk for pk in map(parse_id, request.GET.getlist("blocks")) if pk in all_ids] or all_ids
    unsolved_only = signed_in and request.GET.get("unsolved") == "1"
    context = {"blocks": blocks}
    if "tasks" in request.GET:
        shown = VariantShownForm(request.GET)
        if shown.is_valid():
            versions, missing = shown_versions(shown.version_ids())
            chosen = set(chosen_ids)
            drawn_blocks = {task.block_id for tasks in versions for task in tasks}
            context |= {
                "versions": versions,
                "missing": missing,
                "skipped": [block for block in blocks if block.pk in chosen and not block.has_tasks],
                "all_solved": [
                    block
                    for block in blocks
                    if unsolved_only and block.pk in chosen and block.has_tasks and block.pk not in drawn_blocks
                ],
                "export_form": ExportForm(
                    action=reverse("problems:variant_export"),
                    params={
                        "tasks": joined(shown.cleaned_data["tasks"]),
                        "versions": shown.cleaned_data["versions"] or 1,
                        "kind": Variant.Kind.RANDOM,
                    },
                    answers=shown.cleaned_data["answers"],
                ),
                "save_form": VariantSaveForm(
                    initial={
                        "title": f"Случайный вариант от {russian_date(timezone.localdate())}",
                        "kind": Variant.Kind.RANDOM,
                        "tasks": joined(shown.cleaned_data["tasks"]),
                        "versions": shown.cleaned_data["versions"] or 1,
                    }
                ),
            }
        else:
            context["shown_errors"] = [error for errors in shown.errors.values() for error in errors]
    context["form"] = VariantRandomForm(
        blocks=blocks,
        offer_unsolved=signed_in,
        initial={
            "blocks": chosen_ids,
            "versions": request.GET.get("versions", "1"),
            "unsolved": unsolved_only,
        },
    )
    return render(request, "problems/variants/random.html", context)


@dataclass(frozen=True)
class ManualRow:
    task: Task
    checkbox: object  # the task's checkbox (a BoundWidget)
    position: object  # its position field (a BoundField)
    place: int | None  # 1-based place in the variant, None when not in it
    is_last: bool


@login_required
def manual_variant(request):
    """A signed-in user: a variant of tasks from their favourites (published ones), in
    the order they set by position numbers or ↑/↓ buttons, without JavaScript; the chosen
    tasks travel in the URL (?tasks=…) like a random variant's, to view, export and save."""
    try:
        current_ids = list(dict.fromkeys(parse_task_ids(request.GET["tasks"]))) if request.GET.get("tasks") else []
    except ValidationError:  # a mangled URL starts the variant afresh
        current_ids = []
    favorites = list(
        Favorite.objects.filter(user=request.user, task__status=Task.Status.PUBLISHED)
        .select_related("task__block")
        .order_by("-created_at", "-pk")
    )
    tasks = {favorite.task_id: favorite.task for favorite in favorites}
    # Tasks put in the variant stay in it even if unstarred since; unpublished ones drop out.
    outside = [task_id for task_id in current_ids if task_id not in tasks]
    if outside:
        tasks |= published_tasks().select_related("block").in_bulk(outside)
    current_ids = [task_id for task_id in current_ids if task_id in tasks]
    candidate_ids = [*current_ids, *(task_id for task_id in tasks if task_id not in current_ids)]

    if "apply" in request.GET or "move" in request.GET:
        form = VariantManualForm(request.GET, candidate_ids=candidate_ids, current_ids=current_ids)
        if form.is_valid():
            return redirect(url_with("manual_variant", {"tasks": joined(form.ordered_ids())}))
    else:
        initial = {"task": current_ids} | {f"position_{task_id}": n for n, task_id in enumerate(current_ids, 1)}
        form = VariantManualForm(initial=initial, candidate_ids=candidate_ids, current_ids=current_ids)

    checkboxes = list(form["task"])
    places = {task_id: number for number, task_id in enumerate(current_ids, 1)}
    rows = [
        ManualRow(
            task=tasks[task_id],
            checkbox=checkboxes[index],
            position=form[f"position_{task_id}"],
            place=places.get(task_id),
            is_last=places.get(task_id) == len(current_ids),
        )
        for index, task_id in enumerate(candidate_ids)
    ]
    variant_tasks = [tasks[task_id] for task_id in current_ids]
    context = {
        "form": form,
        "rows": rows,
        "tasks_param": joined(current_ids),
        "variant_tasks": variant_tasks,
        "versions": [variant_tasks] if variant_tasks else [],
    }
    if current_ids:
        context |= {
            "export_form": ExportForm(
                action=reverse("problems:variant_export"),
                params={"tasks": joined(current_ids), "versions": 1, "kind": Variant.Kind.MANUAL},
            ),
            "save_form": VariantSaveForm(
                initial={
                    "title": f"Свой вариант от {russian_date(timezone.localdate())}",
                    "kind": Variant.Kind.MANUAL,
                    "tasks": joined(current_ids),
                    "versions": 1,
                }
            ),
        }
    return render(request, "problems/variants/manual.html", context)


# --- Saved variants -----------------------------------------------------------------------


@login_required
@require_POST
def variant_create(request):
    """A signed-in user saves the variant shown to them (random or their own); several
    versions become several variants, «<название> — вариант N»."""
    form = VariantSaveForm(request.POST)
    back = safe_next(request, reverse("problems:my_variants"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    title, version_ids = form.cleaned_data["title"].strip(), form.version_ids()
    if len(version_ids) > 1:
        limit = Variant._meta.get_field("title").max_length
        titles = [f"{title[: limit - 14]} — вариант {number}" for number in range(1, len(version_ids) + 1)]
    else:
        titles = [title]
    try:
        with transaction.atomic():  # all versions or none
            saved = [
                variant_save(owner=request.user, title=name, kind=form.cleaned_data["kind"], task_ids=ids)
                for name, ids in zip(titles, version_ids, strict=True)
            ]
    except ProblemsError as error:
        messages.error(request, str(error))
        return redirect(back)
    if len(saved) == 1:
        messages.success(request, _("Вариант «%(title)s» сохранён.") % {"title": saved[0].title})
        return redirect(saved[0])
    messages.success(request, _("Сохранено вариантов: %(count)s.") % {"count": len(saved)})
    return redirect("problems:my_variants")


@login_required
def my_variants(request):
    """A signed-in user: their saved variants, last changed first, with the kind, the
    number of (published) tasks and the date; open, rename, delete."""
    variants = (
        Variant.objects.filter(owner=request.user)
        .annotate(task_count=Count("entries", filter=Q(entries__task__status=Task.Status.PUBLISHED)))
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(variants, VARIANTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "problems/variants/my_variants.html", {"page_obj": page, "variants": list(page.object_list)})


def saved_tasks(variant: Variant) -> tuple[list[Task], int]:
    """The variant's published tasks in order, and how many of its tasks are not
    published any more (an edited task goes back to moderation)."""
    entries = list(variant.entries.select_related("task__block").order_by("position"))
    tasks = [entry.task for entry in entries if entry.task.status == Task.Status.PUBLISHED]
    return tasks, len(entries) - len(tasks)


def _saved_context(variant: Variant, export_url: str) -> dict:
    tasks, missing = saved_tasks(variant)
    return {
        "variant": variant,
        "versions": [tasks] if tasks else [],
        "missing": missing,
        "export_form": ExportForm(action=export_url, params={}),
    }


@login_required
def variant_detail(request, variant_id: int):
    """The variant's owner (404 for anyone else): its tasks, exports, share link, and the
    ways to rename or delete it."""
    variant = get_object_or_404(Variant, pk=variant_id, owner=request.user)
    share_url = request.build_absolute_uri(reverse("problems:variant_shared", args=[variant.share_token]))
    context = _saved_context(variant, reverse("problems:variant_saved_export", args=[variant.pk]))
    context["share_url"] = share_url
    return render(request, "problems/variants/detail.html", context)


def variant_shared(request, token: str):
    """Anyone with the link, anonymous visitors too: the variant read-only (title, tasks,
    exports); a signed-in reader may save a copy of their own."""
    variant = get_object_or_404(Variant, share_token=token)
    context = _saved_context(variant, reverse("problems:variant_shared_export", args=[token]))
    tasks = context["versions"][0] if context["versions"] else []
    is_owner = request.user.is_authenticated and variant.owner_id == request.user.pk
    if request.user.is_authenticated and not is_owner and tasks:
        context["save_form"] = VariantSaveForm(
            initial={
                "title": variant.title,
                "kind": variant.kind,
                "tasks": joined([t.pk for t in tasks]),
                "versions": 1,
            }
        )
    context["is_owner"] = is_owner
    return render(request, "problems/variants/shared.html", context)


@login_required
def variant_rename_view(request, variant_id: int):
    """The variant's owner: a new name for it."""
    variant = get_object_or_404(Variant, pk=variant_id, owner=request.user)
    form = VariantRenameForm(request.POST if request.method == "POST" else None, initial={"title": variant.title})
    if form.is_valid():
        try:
            variant_rename(variant=variant, title=form.cleaned_data["title"])
        except ProblemsError as error:
            form.add_error("title", str(error))
        else:
            messages.success(request, _("Вариант переименован: «%(title)s».") % {"title": variant.title})
            return redirect(variant)
    return render(request, "problems/variants/rename.html", {"variant": variant, "form": form})


@login_required
def variant_delete(request, variant_id: int):
    """The variant's owner: asks, then deletes the variant (its share link stops working)."""
    variant = get_object_or_404(Variant, pk=variant_id, owner=request.user)
    if request.method == "POST":
        title = variant.title
        try:
            services.variant_delete(variant=variant)
        except RestrictedError as error:  # given to a class (problems.models.Assignment)
            return variant_delete_refused(request, variant, error)
        messages.success(request, _("Вариант «%(title)s» удалён.") % {"title": title})
        return redirect("problems:my_variants")
    return render(request, "problems/variants/delete.html", {"variant": variant})


urlpatterns = [
    path("variants/", my_variants, name="my_variants"),
    path("variants/random/", random_variant, name="random_variant"),
    path("variants/new/", manual_variant, name="manual_variant"),
    path("variants/save/", variant_create, name="variant_create"),
    path("variants/export/", variant_export, name="variant_export"),
    path("variants/<int:variant_id>/", variant_detail, name="variant"),
    path("variants/<int:variant_id>/rename/", variant_rename_view, name="variant_rename"),
    path("variants/<int:variant_id>/delete/", variant_delete, name="variant_delete"),
    path("variants/<int:variant_id>/export/", variant_saved_export, name="variant_saved_export"),
    path("variants/shared/<slug:token>/", variant_shared, name="variant_shared"),
    path("variants/shared/<slug:token>/export/", variant_shared_export, name="variant_shared_export"),
    path("tasks/<int:task_id>/export/", task_export, name="task_export"),
]
