"""Solving tasks: «Ваш ответ» on a task's page checked at once («Верно», «Неверно», or a
hint on what was not understood), and «Мои решения», a signed-in user's checked answers.

The check answers a script (static/js/problems.js) with JSON, and a browser without
JavaScript with a redirect back to the task, the verdict shown as a message. Anyone who
may see the task may check an answer; a signed-in user's right or wrong answers are kept
(problems.services.task_answer_check), and make the block's progress.

The task page is kept for anonymous visitors (core.cache.kept_for_visitors), which a CSRF
token in its form would prevent. A visitor's check changes nothing, so it needs no token;
a signed-in user's keeps an attempt, so for them the token is checked as everywhere."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.ratelimit import TOO_MANY_REQUESTS, counted, rate_limit_reached
from problems import services
from problems.filters import AttemptFilter
from problems.forms import AnswerCheckForm
from problems.selectors import attempts_of
from problems.views.browsing import is_fragment_request, task_for

ATTEMPTS_PER_PAGE = 30
TOO_MANY_CHECKS = gettext_lazy("Слишком много проверок подряд. Подождите минуту и попробуйте ещё раз.")


def answer_checks_exceeded(request) -> bool:
    """Counts one more check (RATE_LIMITS["answer_check"]): a signed-in user's by their
    account — a class behind one school address does not use up each other's checks —, a
    visitor's by their address. True when over the limit: then nothing is checked."""
    if request.user.is_authenticated:
        return counted("answer_check:user", str(request.user.pk), *settings.RATE_LIMITS["answer_check"]["user"])
    return rate_limit_reached(request, "answer_check")


def checked_answer(*, data, task, user) -> dict:
    """The verdict on the posted `answer` as the page's script and the API show it: `correct`
    (true, false, or null — not understood, no attempt) with `hint` and `understood_as`."""
    form = AnswerCheckForm(data)
    if not form.is_valid():
        return {"correct": None, "hint": " ".join(form.errors["answer"]), "understood_as": ""}
    verdict = services.task_answer_check(task=task, user=user, given=form.cleaned_data["answer"])
    return {"correct": verdict.correct, "hint": verdict.hint, "understood_as": verdict.understood_as}


def checkable_task(request, task_id: int):
    """The task if the reader may see it (its page's rule) and it has a short answer, else 404."""
    task = task_for(request.user, task_id)
    if not task.answer:
        raise Http404
    return task


def verdict_text(result: dict) -> str:
    if result["correct"] is None:
        return _("Ответ не понят: %(hint)s") % {"hint": result["hint"]}
    return _("Верно") if result["correct"] else _("Неверно")


def _task_check(request, task_id: int):
    task = checkable_task(request, task_id)
    as_json = is_fragment_request(request)
    if answer_checks_exceeded(request):
        if as_json:
            too_many = {
                "correct": None,
                "hint": str(TOO_MANY_CHECKS),
                "understood_as": "",
                "message": str(TOO_MANY_CHECKS),
            }
            return JsonResponse(too_many, status=TOO_MANY_REQUESTS)
        return render(request, "problems/solving/too_many_checks.html", {"task": task}, status=TOO_MANY_REQUESTS)
    result = checked_answer(data=request.POST, task=task, user=request.user)
    if as_json:
        return JsonResponse({**result, "message": verdict_text(result)})
    given = request.POST.get("answer", "").strip()
    if result["correct"] is None:
        messages.warning(request, verdict_text(result))
    elif result["correct"]:
        messages.success(request, _("Верно. Ваш ответ: %(answer)s") % {"answer": given})
    else:
        messages.error(request, _("Неверно. Ваш ответ: %(answer)s") % {"answer": given})
    return redirect(f"{task.get_absolute_url()}#answer-check")


@csrf_exempt
@require_POST
def task_check(request, task_id: int):
    """Whoever may see the task (its page: everyone for a published one), anonymous
    visitors too, if it has a short answer: the verdict on the posted `answer`. Limited to
    RATE_LIMITS["answer_check"] checks a minute (429 beyond). A signed-in user's request
    carries a CSRF token (see the module's docstring)."""
    if request.user.is_authenticated:
        return csrf_protect(_task_check)(request, task_id)
    return _task_check(request, task_id)


@login_required
def my_attempts(request):
    """A signed-in user: «Мои решения», their checked answers newest first — the task, the
    answer given, right or wrong, when —, of one block and of one verdict if asked."""
    attempt_filter = AttemptFilter(request.GET, queryset=attempts_of(request.user))
    page = Paginator(attempt_filter.qs, ATTEMPTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": attempt_filter, "page_obj": page, "attempts": list(page.object_list)}
    return render(request, "problems/solving/my_attempts.html", context)


urlpatterns = [
    path("tasks/<int:task_id>/check/", task_check, name="task_check"),
    path("attempts/", my_attempts, name="my_attempts"),
]
