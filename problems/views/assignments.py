"""Class assignments (issue 21): a teacher gives a saved variant to a class; pupils open it
by its link or six-character code, solve it on one page and send it once; the teacher
reads the results and downloads them as CSV or PDF. The rules are problems.assignments'.

Teacher's pages (`urlpatterns`, under /problems/): teachers and administrators (the
permission problems.add_assignment) give their own variants; an assignment's page,
results and files are its teacher's and the administrators' — 403 for anyone else, the
login page for visitors. Pupils' pages (`pupil_urlpatterns`, under /a/): everyone; a
visitor solves as a guest under a name, remembered by a signed cookie in this browser."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import RestrictedError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from core.input_checks import parse_id
from core.ratelimit import TOO_MANY_REQUESTS, rate_limit_reached
from core.text import export_file_name
from problems import assignments as rules
from problems.exports import RESULTS_EXPORTERS
from problems.forms_assignments import AnswersForm, AssignmentForm, CodeForm, GuestNameForm, new_guest_token
from problems.models import Assignment, AssignmentSubmission, Variant
from problems.services import ProblemsError

ASSIGNMENTS_PER_PAGE = 20
GUEST_COOKIE_SALT = "problems.assignment.guest"
GUEST_COOKIE_DAYS = 180
TOO_MANY_CHECKS = "Слишком много проверок за короткое время. Подождите несколько минут и проверьте снова."


# --- Teacher's pages ----------------------------------------------------------------------


def _require_assigner(request) -> None:
    if not rules.may_assign(request.user):
        raise PermissionDenied("Выдавать задания классу могут преподаватели и администраторы.")


def _assignment_for_teacher(request, assignment_id: int) -> Assignment:
    assignment = get_object_or_404(Assignment.objects.select_related("variant"), pk=assignment_id)
    if not rules.may_see_results(request.user, assignment):
        raise PermissionDenied("Результаты задания видят только его преподаватель и администраторы.")
    return assignment


@login_required
def assignment_create(request, variant_id: int):
    """The variant's owner, a teacher or an administrator (403 for volunteers; another's
    variant is 404): «Выдать классу» — title, optional deadline, how answers are checked."""
    _require_assigner(request)
    variant = get_object_or_404(Variant, pk=variant_id, owner=request.user)
    form = AssignmentForm(request.POST or None, initial={"title": variant.title})
    if request.method == "POST" and form.is_valid():
        try:
            assignment = rules.assignment_create(variant=variant, teacher=request.user, **form.cleaned_data)
        except ProblemsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Задание выдано. Код для класса: {assignment.code}.")
            return redirect(assignment)
    return render(request, "problems/assignments/create.html", {"variant": variant, "form": form})


@login_required
def my_assignments(request):
    """Teachers and administrators: the assignments they gave, with how many pupils
    started and sent their works."""
    _require_assigner(request)
    page = Paginator(rules.assignments_of(request.user), ASSIGNMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "problems/assignments/mine.html", {"page_obj": page, "assignments": list(page.object_list)})


@login_required
def assignment_detail(request, assignment_id: int):
    """Its teacher and administrators: the link and code for the class, and the results
    table (pupils × tasks), with CSV and PDF downloads."""
    assignment = _assignment_for_teacher(request, assignment_id)
    link = request.build_absolute_uri(reverse("assignments:open", args=[assignment.code]))
    context = {
        "assignment": assignment,
        "link": link,
        "is_open": rules.is_open(assignment),
        "results": rules.assignment_results(assignment),
    }
    response = render(request, "problems/assignments/detail.html", context)
    patch_cache_control(response, private=True, no_store=True)  # pupils' names
    return response


def _results_file(request, assignment_id: int, file_format: str):
    assignment = _assignment_for_teacher(request, assignment_id)
    content_type, render_file = RESULTS_EXPORTERS[file_format]
    response = FileResponse(
        io.BytesIO(render_file(rules.assignment_results(assignment))),
        as_attachment=True,
        filename=export_file_name(f"{assignment.title} — результаты", file_format, fallback="results"),
        content_type=content_type,
    )
    patch_cache_control(response, private=True, no_store=True)  # pupils' names
    return response


@login_required
@require_GET
def assignment_results_csv(request, assignment_id: int):
    """Its teacher and administrators: the results table for Excel (UTF-8, «;»)."""
    return _results_file(request, assignment_id, "csv")


@login_required
@require_GET
def assignment_results_pdf(request, assignment_id: int):
    """Its teacher and administrators: the results table as a PDF, A4 landscape."""
    return _results_file(request, assignment_id, "pdf")


@login_required
def assignment_delete(request, assignment_id: int):
    """Its teacher and administrators: asks, then deletes the assignment and its pupils'
    works; the code stops working."""
    assignment = _assignment_for_teacher(request, assignment_id)
    if request.method == "POST":
        rules.assignment_delete(assignment=assignment)
        messages.success(request, f"Задание «{assignment.title}» удалено.")
        return redirect("problems:my_assignments")
    return render(request, "problems/assignments/delete.html", {"assignment": assignment})


def variant_delete_refused(request, variant: Variant, error: RestrictedError) -> HttpResponse:
    """What problems.views.variants.variant_delete says when the variant was given to a class."""
    count = len(error.restricted_objects)
    messages.error(
        request,
        f"Вариант выдан классу (заданий: {count}), поэтому его нельзя удалить. "
        "Сначала удалите задания в разделе «Мои задания».",
    )
    return redirect(variant)


# --- Pupils' pages ------------------------------------------------------------------------


def _guest_cookie(code: str) -> str:
    return f"volna_assignment_{code}"


def _guest_key(request, code: str) -> str | None:
    return request.get_signed_cookie(_guest_cookie(code), default=None, salt=GUEST_COOKIE_SALT)


def _visitor_submission(request, assignment: Assignment) -> AssignmentSubmission | None:
    if request.user.is_authenticated:
        submission = rules.user_submission(assignment, request.user)
    else:
        submission = rules.guest_submission(assignment, _guest_key(request, assignment.code))
    if submission is not None:
        submission.assignment = assignment  # read once, by the code
    return submission


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def _code_page(request, form: CodeForm, status: int = 200) -> HttpResponse:
    return _private(render(request, "problems/assignments/enter.html", {"form": form}, status=status))


@require_GET
def assignment_enter(request):
    """Everyone: «Ввести код» — a code in any case leads to its assignment."""
    if "code" not in request.GET:
        return _code_page(request, CodeForm())
    form = CodeForm(request.GET)
    if not form.is_valid():
        return _code_page(request, form)
    code = form.cleaned_data["code"]
    if not Assignment.objects.filter(code=code).exists():
        form.add_error("code", f"Задания с кодом {code} нет. Проверьте код у преподавателя.")
        return _code_page(request, form, status=404)
    return redirect("assignments:open", code=code)


def _assignment_by_code(request, code: str) -> Assignment | HttpResponse:
    """The assignment, a redirect to the code as stored, or the code page with the error."""
    normalised = rules.normalise_code(code)
    if normalised is not None and normalised != code:
        return redirect("assignments:open", code=normalised)
    assignment = Assignment.objects.select_related("variant").filter(code=normalised or "").first()
    if assignment is None:
        form = CodeForm({"code": code})
        if form.is_valid():
            form.add_error("code", f"Задания с кодом {normalised} нет. Проверьте код у преподавателя.")
        return _code_page(request, form, status=404)
    return assignment


def _solve_page(request, assignment, submission, tasks, *, form=None, hints=None, status=200) -> HttpResponse:
    stored = rules.submission_answers(submission)
    if form is None:
        form = AnswersForm(tasks=tasks, initial_answers={pk: answer.answer for pk, answer in stored.items()})
    show_verdicts = assignment.check_mode == Assignment.CheckMode.AT_ONCE
    hints = hints or {}
    items = []
    for number, task in enumerate(tasks, 1):
        field = form[f"answer_{task.pk}"]
        answer = stored.get(task.pk)
        shown = field.value() or ""
        # A verdict is shown for the stored answer still in the field.
        verdict = answer.verdict if show_verdicts and answer and answer.answer == shown.strip() else None
        items.append({"number": number, "task": task, "field": field, "verdict": verdict, "hint": hints.get(task.pk)})
    context = {
        "assignment": assignment,
        "submission": submission,
        "items": items,
        "at_once": show_verdicts,
        "hints": hints,
    }
    return _private(render(request, "problems/assignments/solve.html", context, status=status))


def _result_page(request, assignment, submission, tasks) -> HttpResponse:
    stored = rules.submission_answers(submission)
    items = [{"number": number, "task": task, "answer": stored.get(task.pk)} for number, task in enumerate(tasks, 1)]
    context = {"assignment": assignment, "submission": submission, "items": items, "total": len(tasks)}
    return _private(render(request, "problems/assignments/result.html", context))


def _closed_page(request, assignment) -> HttpResponse:
    return _private(render(request, "problems/assignments/closed.html", {"assignment": assignment}))


def assignment_open(request, code: str):
    """Everyone with the code: a signed-in pupil's work starts at once; a visitor gives a
    name (or signs in) first. Then the tasks to solve, or — once sent — the result. After
    the deadline the page says the assignment is closed."""
    assignment = _assignment_by_code(request, code)
    if isinstance(assignment, HttpResponse):
        return assignment
    submission = _visitor_submission(request, assignment)
    if request.method == "POST":
        return _answers_post(request, assignment, submission)
    if submission is not None and submission.is_submitted:
        return _result_page(request, assignment, submission, rules.assignment_tasks(assignment))
    if not rules.is_open(assignment):
        return _closed_page(request, assignment)
    if submission is None:
        if not request.user.is_authenticated:
            form = GuestNameForm(initial={"token": new_guest_token()})
            return _join_page(request, assignment, form)
        submission = rules.submission_start_for_user(assignment=assignment, user=request.user)
    return _solve_page(request, assignment, submission, rules.assignment_tasks(assignment))


def _join_page(request, assignment, form, status=200) -> HttpResponse:
    context = {"assignment": assignment, "form": form, "task_count": assignment.variant.entries.count()}
    return _private(render(request, "problems/assignments/join.html", context, status=status))


@require_POST
def assignment_join(request, code: str):
    """A visitor: their name starts a guest's work, which this browser then keeps."""
    assignment = _assignment_by_code(request, code)
    if isinstance(assignment, HttpResponse):
        return assignment
    if request.user.is_authenticated or _visitor_submission(request, assignment) is not None:
        return redirect("assignments:open", code=assignment.code)
    if not rules.is_open(assignment):
        return _closed_page(request, assignment)
    form = GuestNameForm(request.POST)
    if not form.is_valid():
        return _join_page(request, assignment, form)
    submission = rules.submission_start_for_guest(
        assignment=assignment, name=form.cleaned_data["name"], guest_key=form.cleaned_data["token"]
    )
    response = redirect("assignments:open", code=assignment.code)
    response.set_signed_cookie(
        _guest_cookie(assignment.code),
        submission.guest_key,
        salt=GUEST_COOKIE_SALT,
        max_age=GUEST_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _answers_post(request, assignment, submission):
    """«Сохранить», «Отправить» and, in «проверять сразу» mode, «Проверить» (rate-limited)
    on the answers form."""
    if submission is None:  # no work in this browser: start as a GET would
        return redirect("assignments:open", code=assignment.code)
    tasks = rules.assignment_tasks(assignment)
    if submission.is_submitted:
        return redirect("assignments:open", code=assignment.code)
    if not rules.is_open(assignment):
        return _closed_page(request, assignment)
    form = AnswersForm(request.POST, tasks=tasks)
    answers = form.answers()
    check_task_id = parse_id(request.POST.get("check", ""))
    try:
        if "submit" in request.POST:
            submitted = rules.submission_submit(submission=submission, tasks=tasks, answers=answers)
            if submitted.done:
                return redirect("assignments:open", code=assignment.code)
            messages.error(request, "Работа не отправлена: некоторые ответы не удалось разобрать.")
            return _solve_page(request, assignment, submission, tasks, form=form, hints=submitted.hints)
        if check_task_id is not None:
            if rate_limit_reached(request, "assignment_check", submission=str(submission.pk)):
                messages.error(request, TOO_MANY_CHECKS)
                return _solve_page(request, assignment, submission, tasks, form=form, status=TOO_MANY_REQUESTS)
            hints = rules.answers_save(submission=submission, tasks=tasks, answers=answers, check_task_id=check_task_id)
            if hints:
                return _solve_page(request, assignment, submission, tasks, form=form, hints=hints)
            url = reverse("assignments:open", args=[assignment.code])
            return redirect(f"{url}#task-{check_task_id}")
        rules.answers_save(submission=submission, tasks=tasks, answers=answers)
    except ProblemsError as error:
        messages.error(request, str(error))
        return redirect("assignments:open", code=assignment.code)
    messages.success(request, f"Ответы сохранены в {timezone.localtime():%H:%M}.")
    return redirect("assignments:open", code=assignment.code)


urlpatterns = [
    path("variants/<int:variant_id>/assign/", assignment_create, name="assignment_create"),
    path("assignments/", my_assignments, name="my_assignments"),
    path("assignments/<int:assignment_id>/", assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/results.csv", assignment_results_csv, name="assignment_results_csv"),
    path("assignments/<int:assignment_id>/results.pdf", assignment_results_pdf, name="assignment_results_pdf"),
    path("assignments/<int:assignment_id>/delete/", assignment_delete, name="assignment_delete"),
]

# Mounted at /a/ by config/urls.py under the namespace "assignments": short links for a class.
pupil_urlpatterns = [
    path("", assignment_enter, name="enter"),
    path("<str:code>/", assignment_open, name="open"),
    path("<str:code>/join/", assignment_join, name="join"),
]
