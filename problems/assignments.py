"""Class assignments (issue 21): the rules, writes and reads behind the teacher's and the
pupils' pages (problems.views.assignments).

Who: a teacher or an administrator (the permission problems.add_assignment, which
volunteers lack) gives one of their own saved variants to a class; the assignment's
page, its results and their files are for its teacher and the administrators only —
pupils' names appear nowhere else. A pupil is a signed-in user (one work per user) or a
guest under a name, told by a key their browser keeps in a signed cookie (one work per
browser).

Answers are checked with core.mathanswers by the task's kind and tolerance. «Проверять
сразу»: «Проверить» checks one answer and records it with its verdict (an answer not
understood is not recorded: the hint is shown); any answer may be changed until the work
is sent. «Проверить в конце»: answers are saved as they are and checked on «Отправить».
On «Отправить» every answer is checked again from what the form holds, an empty one is
wrong, and the work is closed: score and submission time are set once. Pupils see their
score and ✓/✗ per task, not the right answers — classmates who have not yet sent theirs
share the same code.

Concurrency: the checks (SymPy, ~1 ms an answer) run before any lock; then one short
transaction locks the work's row (select_for_update), so a double click submits once, and
writes every answer in one INSERT … ON CONFLICT DO UPDATE.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from core import mathanswers
from problems.models import (
    ASSIGNMENT_CODE_ALPHABET,
    ASSIGNMENT_CODE_LENGTH,
    Assignment,
    AssignmentAnswer,
    AssignmentSubmission,
    Task,
    Variant,
)
from problems.selectors import is_bank_administrator
from problems.services import ProblemsError

ASSIGN_PERMISSION = "problems.add_assignment"
ANSWER_MAX_LENGTH = AssignmentAnswer._meta.get_field("answer").max_length
GUEST_NAME_MAX_LENGTH = AssignmentSubmission._meta.get_field("guest_name").max_length
# Pupils typing in the Russian layout: the Cyrillic capitals that look like Latin ones.
CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
CODE_SEPARATORS = re.compile(r"[\s\-–—]+")
EMPTY_ANSWER_HINT = "Введите ответ."


# --- Who may do what ----------------------------------------------------------------------


def may_assign(user: User) -> bool:
    """Teachers and administrators; volunteers and visitors may not."""
    return user.is_authenticated and user.has_perm(ASSIGN_PERMISSION)


def may_see_results(user: User, assignment: Assignment) -> bool:
    """The assignment's teacher and the administrators."""
    return user.is_authenticated and (assignment.teacher_id == user.pk or is_bank_administrator(user))


def is_open(assignment: Assignment, *, now: datetime | None = None) -> bool:
    return assignment.deadline is None or (now or timezone.now()) < assignment.deadline


# --- Codes --------------------------------------------------------------------------------


def normalise_code(text: str) -> str | None:
    """The code as stored, from what a pupil typed — any case, spaces or dashes between
    the characters, Cyrillic look-alikes of Latin capitals; None if it cannot be one."""
    code = CODE_SEPARATORS.sub("", text or "").upper().translate(CYRILLIC_LOOKALIKES)
    if len(code) != ASSIGNMENT_CODE_LENGTH or any(character not in ASSIGNMENT_CODE_ALPHABET for character in code):
        return None
    return code


# --- Reads --------------------------------------------------------------------------------


def assignment_tasks(assignment: Assignment) -> list[Task]:
    """The assignment's tasks in the variant's order (one query). All of the variant's
    tasks, published now or not: the class solves what the teacher gave."""
    entries = assignment.variant.entries.select_related("task").defer("task__search_vector").order_by("position")
    return [entry.task for entry in entries]


def assignments_of(teacher: User):
    """«Мои задания»: the teacher's assignments, newest first, with the number of works
    sent and of those still being solved."""
    return (
        Assignment.objects.filter(teacher=teacher)
        .select_related("variant")
        .annotate(
            submitted_count=Count("submissions", filter=Q(submissions__submitted_at__isnull=False)),
            in_progress_count=Count("submissions", filter=Q(submissions__submitted_at__isnull=True)),
        )
        .order_by("-created_at", "-pk")
    )


def submission_answers(submission: AssignmentSubmission) -> dict[int, AssignmentAnswer]:
    return {answer.task_id: answer for answer in submission.answers.all()}


def guest_submission(assignment: Assignment, guest_key: str | None) -> AssignmentSubmission | None:
    if not guest_key:
        return None
    return AssignmentSubmission.objects.filter(assignment=assignment, user=None, guest_key=guest_key).first()


def user_submission(assignment: Assignment, user: User) -> AssignmentSubmission | None:
    return AssignmentSubmission.objects.filter(assignment=assignment, user=user).first()


# --- Writes -------------------------------------------------------------------------------


def assignment_create(
    *, variant: Variant, teacher: User, title: str, deadline: datetime | None, check_mode: str
) -> Assignment:
    """Give a saved variant of one's own to a class, under a fresh code. Every task must
    have a short answer, or it could not be checked."""
    if not may_assign(teacher):
        raise ProblemsError("Выдавать задания классу могут преподаватели и администраторы.")
    if variant.owner_id != teacher.pk:
        raise ProblemsError("Выдать классу можно только свой вариант.")
    tasks = [entry.task for entry in variant.entries.select_related("task").order_by("position")]
    if not tasks:
        raise ProblemsError("В варианте нет задач.")
    unanswered = [task.title for task in tasks if not task.answer.strip()]
    if unanswered:
        names = ", ".join(f"«{name}»" for name in unanswered)
        raise ProblemsError(f"Ответы нельзя проверить автоматически: у задач {names} нет краткого ответа.")
    if deadline is not None and deadline <= timezone.now():
        raise ProblemsError("Срок сдачи уже прошёл: укажите время в будущем.")
    for _attempt in range(5):  # a code already taken (one chance in ~10⁹): draw another
        assignment = Assignment(
            variant=variant, teacher=teacher, title=title.strip() or variant.title, deadline=deadline,
            check_mode=check_mode,
        )  # fmt: skip
        assignment.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:
            continue
        return assignment
    raise ProblemsError("Не удалось подобрать код задания: попробуйте ещё раз.")


def assignment_delete(*, assignment: Assignment) -> None:
    """Delete an assignment with its pupils' works: its code stops working."""
    assignment.delete()


def submission_start_for_user(*, assignment: Assignment, user: User) -> AssignmentSubmission:
    """A signed-in pupil's work, started now if they have none (a second tab or a double
    click finds the same one: get_or_create retries the read on the unique constraint)."""
    existing = user_submission(assignment, user)
    if existing is not None:
        return existing
    if not is_open(assignment):
        raise ProblemsError("Срок сдачи прошёл: задание закрыто.")
    return AssignmentSubmission.objects.get_or_create(assignment=assignment, user=user)[0]


def submission_start_for_guest(*, assignment: Assignment, name: str, guest_key: str) -> AssignmentSubmission:
    """A guest's work under `name`, told by `guest_key` (the token of the name form, so a
    form sent twice starts one work)."""
    name = " ".join(name.split())
    if not name:
        raise ProblemsError("Укажите имя и фамилию.")
    if not is_open(assignment):
        raise ProblemsError("Срок сдачи прошёл: задание закрыто.")
    try:
        with transaction.atomic():
            return AssignmentSubmission.objects.create(
                assignment=assignment, guest_name=name[:GUEST_NAME_MAX_LENGTH], guest_key=guest_key
            )
    except IntegrityError:
        return AssignmentSubmission.objects.get(assignment=assignment, user=None, guest_key=guest_key)


def _ensure_changeable(submission: AssignmentSubmission) -> None:
    if submission.is_submitted:
        raise ProblemsError("Работа уже отправлена: ответы изменить нельзя.")
    if not is_open(submission.assignment):
        raise ProblemsError("Срок сдачи прошёл: ответы больше не принимаются.")


def _verdict(task: Task, given: str) -> mathanswers.Verdict:
    return mathanswers.check(task.answer_kind, task.answer, given, tolerance=task.answer_tolerance)


def _upsert(rows: list[AssignmentAnswer]) -> None:
    if rows:
        AssignmentAnswer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["submission", "task"],
            update_fields=["answer", "verdict", "checked_at"],
        )


def answers_save(
    *, submission: AssignmentSubmission, tasks: list[Task], answers: dict[int, str], check_task_id: int | None = None
) -> dict[int, str]:
    """Keep what the pupil typed (answers by task id). An answer changed since it was
    checked loses its verdict; with `check_task_id` («Проверить», in «проверять сразу»
    mode) that task's answer is checked and recorded with its verdict — unless it was not
    understood, when it is not recorded. Returns the hints by task id."""
    _ensure_changeable(submission)
    if check_task_id is not None and submission.assignment.check_mode != Assignment.CheckMode.AT_ONCE:
        raise ProblemsError("В этом задании ответы проверяются после отправки работы.")
    stored = submission_answers(submission)
    rows, hints, now = [], {}, timezone.now()
    for task in tasks:
        if task.pk not in answers:
            continue
        given = answers[task.pk].strip()[:ANSWER_MAX_LENGTH]
        if task.pk == check_task_id:
            verdict = _verdict(task, given) if given else mathanswers.Verdict(None, EMPTY_ANSWER_HINT)
            if verdict.correct is None:
                hints[task.pk] = verdict.hint
                continue
            rows.append(AssignmentAnswer(task=task, answer=given, verdict=verdict.correct, checked_at=now))
            continue
        old = stored.get(task.pk)
        if (old.answer if old else "") == given:
            continue  # unchanged: it keeps its verdict
        rows.append(AssignmentAnswer(task=task, answer=given))
    for row in rows:
        row.submission = submission
    _upsert(rows)
    return hints


@dataclass(frozen=True)
class Submitted:
    submission: AssignmentSubmission
    hints: dict[int, str]  # answers not understood: nothing was sent

    @property
    def done(self) -> bool:
        return not self.hints


def submission_submit(*, submission: AssignmentSubmission, tasks: list[Task], answers: dict[int, str]) -> Submitted:
    """Send the work: every answer checked (an empty one is wrong), then in one short
    transaction the work's row locked, all answers written and the score set. An answer
    not understood stops the sending (its hint is returned; the answers are kept as
    drafts). A work already sent stays as it was — a double click, a second tab."""
    if submission.is_submitted:
        return Submitted(submission, {})
    _ensure_changeable(submission)
    rows, hints, now = [], {}, timezone.now()
    for task in tasks:
        given = answers.get(task.pk, "").strip()[:ANSWER_MAX_LENGTH]
        correct = False
        if given:
            verdict = _verdict(task, given)
            if verdict.correct is None:
                hints[task.pk] = verdict.hint
            correct = bool(verdict.correct)
        rows.append(AssignmentAnswer(submission=submission, task=task, answer=given, verdict=correct, checked_at=now))
    if hints:
        answers_save(submission=submission, tasks=tasks, answers=answers)
        return Submitted(submission, hints)
    with transaction.atomic():
        locked = AssignmentSubmission.objects.select_for_update().get(pk=submission.pk)
        if locked.is_submitted:
            return Submitted(locked, {})
        _upsert(rows)
        locked.submitted_at = timezone.now()
        locked.score = sum(1 for row in rows if row.verdict)
        locked.save(update_fields=["submitted_at", "score"])
    locked.assignment = submission.assignment
    return Submitted(locked, {})


# --- The results table --------------------------------------------------------------------


@dataclass(frozen=True)
class PupilRow:
    name: str
    is_guest: bool
    marks: tuple[bool | None, ...]  # per task: right, wrong, or None (no answer checked yet)
    score: int | None  # None until the work is sent
    seconds: int | None  # from the start to the submission
    submitted_at: datetime | None

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def time_text(self) -> str:
        return duration_text(self.seconds) if self.seconds is not None else ""


@dataclass(frozen=True)
class TaskColumn:
    number: int
    task: Task
    right: int  # right answers among the works sent
    share: int | None  # their percentage; None while no work is sent


@dataclass(frozen=True)
class ResultsTable:
    assignment: Assignment
    columns: tuple[TaskColumn, ...]
    rows: tuple[PupilRow, ...]  # sent works by name, then those not sent yet

    @property
    def submitted_count(self) -> int:
        return sum(1 for row in self.rows if row.submitted)


def duration_text(seconds: int) -> str:
    """«1 ч 5 мин», «12 мин 3 с», «40 с»: the time a pupil took."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} ч {minutes} мин" if minutes else f"{hours} ч"
    if minutes:
        return f"{minutes} мин {seconds} с" if seconds else f"{minutes} мин"
    return f"{seconds} с"


def assignment_results(assignment: Assignment) -> ResultsTable:
    """Pupils × tasks, in three queries whatever the class's size: the tasks, the works
    with their users, the verdicts. A work not sent yet shows the answers checked so far
    («проверять сразу») and no score."""
    tasks = assignment_tasks(assignment)
    submissions = list(assignment.submissions.select_related("user"))
    verdicts: dict[tuple[int, int], bool | None] = {
        (submission_id, task_id): verdict
        for submission_id, task_id, verdict in AssignmentAnswer.objects.filter(
            submission__assignment=assignment
        ).values_list("submission_id", "task_id", "verdict")
    }
    rows = []
    for submission in submissions:
        sent = submission.is_submitted
        rows.append(
            PupilRow(
                name=submission.pupil_name,
                is_guest=submission.user_id is None,
                marks=tuple(verdicts.get((submission.pk, task.pk)) for task in tasks),
                score=submission.score if sent else None,
                seconds=int((submission.submitted_at - submission.started_at).total_seconds()) if sent else None,
                submitted_at=submission.submitted_at,
            )
        )
    rows.sort(key=lambda row: (not row.submitted, row.name.casefold()))
    sent_rows = [row for row in rows if row.submitted]
    columns = []
    for index, task in enumerate(tasks):
        right = sum(1 for row in sent_rows if row.marks[index])
        share = round(100 * right / len(sent_rows)) if sent_rows else None
        columns.append(TaskColumn(number=index + 1, task=task, right=right, share=share))
    return ResultsTable(assignment=assignment, columns=tuple(columns), rows=tuple(rows))
