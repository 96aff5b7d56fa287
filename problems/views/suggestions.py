"""Teachers' suggestions (spec 002): a teacher or an administrator suggests a task with its
solutions, and it waits for the moderators (`task_submit`); «Мои задачи» lists the
author's tasks with their states; the author edits a task there, and every edit goes back
to moderation — a published one too, which leaves the bank until it is approved again.
The author never sets a state himself.

Users who may add tasks (teachers, administrators) reach these pages; volunteers get 403,
visitors the login page; a task of another author is 404, as if it did not exist."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from core.csp import with_rich_text_editor
from problems.forms_suggestions import SolutionFormSet, TaskSuggestForm
from problems.models import Task
from problems.services import ProblemsError, task_submit

SUGGEST_PERMISSION = "problems.add_task"
TASKS_PER_PAGE = 20


def _files(request):
    return request.FILES if request.method == "POST" else None


def _data(request):
    return request.POST if request.method == "POST" else None


@transaction.atomic
def _save_and_submit(*, form: TaskSuggestForm, solutions: SolutionFormSet, author: User) -> Task:
    """The task, its references and the author's solutions, then (back) to moderation —
    in one transaction, so that an edited published task is never seen in the bank with
    changes no moderator has approved."""
    task = form.save(commit=False)
    if task.pk is not None:
        # An approval running meanwhile lands wholly before this edit (which then goes back
        # to moderation) or after it, never in the middle.
        Task.objects.select_for_update().filter(pk=task.pk).first()
    else:
        task.author = author
    task.save()
    form.save_m2m()
    for solution in solutions.save(commit=False):
        if solution.author_id is None:
            solution.author = author
        solution.save()
    for solution in solutions.deleted_objects:
        solution.delete()
    return task_submit(task=task, author=author)


@with_rich_text_editor
def _suggestion_form(request, *, task: Task | None, template: str):
    """The task form with the solutions formset: shown, or saved and submitted."""
    author = request.user
    # As saved: validating the form writes the posted values into `task`.
    saved_state = {"title": task.title, "status": task.status, "reason": task.rejection_reason} if task else {}
    form = TaskSuggestForm(_data(request), _files(request), instance=task)
    own_solutions = task.solutions.filter(author=author).order_by("pk") if task else None
    solutions = SolutionFormSet(
        _data(request), _files(request), instance=form.instance, queryset=own_solutions, prefix="solutions"
    )
    if request.method == "POST" and form.is_valid() and solutions.is_valid():
        was_published = saved_state.get("status") == Task.Status.PUBLISHED
        try:
            saved = _save_and_submit(form=form, solutions=solutions, author=author)
        except ProblemsError as error:
            form.add_error(None, str(error))
        else:
            if was_published:
                text = _("Правки задачи «%(title)s» отправлены на модерацию. До одобрения её нет в банке задач.")
            elif task is not None:
                text = _("Правки задачи «%(title)s» отправлены на модерацию.")
            else:
                text = _("Задача «%(title)s» отправлена на модерацию. Модераторы получили уведомление.")
            messages.success(request, text % {"title": saved.title})
            return redirect("problems:my_suggestions")
    return render(
        request,
        template,
        {
            "form": form,
            "solutions": solutions,
            "media": form.media + solutions.media,
            "task": task,
            "saved": saved_state,
            "Status": Task.Status,
        },
    )


@login_required
@permission_required(SUGGEST_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def suggest(request):
    """Teachers and administrators: a new task with one or more solutions, sent to the
    moderators at once."""
    return _suggestion_form(request, task=None, template="problems/suggestions/suggest.html")


@login_required
@permission_required(SUGGEST_PERMISSION, raise_exception=True)
def my_suggestions(request):
    """Teachers and administrators: the tasks they wrote, with each one's state and, for a
    rejected one, the moderator's reason; the most recently changed first."""
    tasks = Task.objects.filter(author=request.user).select_related("block").order_by("-updated_at", "-pk")
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "problems/suggestions/my_suggestions.html", {"page_obj": page})


@login_required
@permission_required(SUGGEST_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def edit_suggestion(request, task_id: int):
    """The task's author only, whatever its state: saving sends it (back) to moderation."""
    task = get_object_or_404(Task.objects.select_related("block"), pk=task_id, author=request.user)
    return _suggestion_form(request, task=task, template="problems/suggestions/edit.html")


urlpatterns = [
    path("suggest/", suggest, name="suggest"),
    path("suggestions/", my_suggestions, name="my_suggestions"),
    path("suggestions/<int:task_id>/edit/", edit_suggestion, name="edit_suggestion"),
]
