"""Enrolment, progress, quizzes and course completion (spec 001).

Assessment rule (also in the README): a course's assessment is the weighted mean of the
scores of its non-additional quizzes in the current attempt, a diploma quiz («дипломный»)
counting twice; a course without such quizzes scores 100. The course is «Пройден» when every shown,
non-additional lesson is passed and the assessment reaches settings.COURSE_PASS_MARK,
otherwise «Не пройден» — and the volunteer may retake it while the attempts limit allows.
A quiz may be submitted once per course attempt; its lesson is passed once it is checked.
"""

import enum
import logging
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Message, User
from accounts.roles import TEACHER
from accounts.services import emails_of, notify
from core.cache import content_changed
from core.compiled import Arg, CompiledInsert, CompiledQuery, CompiledUpdate
from core.tasks import delay_on_commit
from courses.exports import CertificateData, render_certificate_pdf
from courses.models import (
    Answer,
    Certificate,
    ChapterLesson,
    Course,
    Lesson,
    Question,
    QuizAttempt,
    VolunteerCourse,
    VolunteerLesson,
    Webinar,
    shown,
)
from courses.selectors import (
    QuizQuestion,
    course_lessons,
    course_structure,
    learner_for_volunteer,
    passed_lesson_ids,
    quiz_key,
    refusal_reason,
)
from volunteers.models import Volunteer

DIPLOMA_WEIGHT = 2

logger = logging.getLogger(__name__)


class CourseError(Exception):
    """A learner action the rules refuse; the message is shown to the learner as it is."""


# --- Structure and publishing -----------------------------------------------------------
#
# What these change is shown on the catalogue and the course pages, kept for visitors:
# each says so with content_changed("courses"). So does the admin of course content
# (core.admin.ContentAdmin). What learners do — enrolment, progress, quizzes,
# certificates — no kept page shows.


@transaction.atomic
def course_refresh(*, course: Course) -> None:
    """After the course's chapters or lessons change: recompute duration and number of
    classes from its shown lessons, and give every enrolled volunteer progress rows for
    lessons added since they enrolled. The course's pages are retired."""
    lessons = Lesson.objects.filter(
        shown(), pk__in=ChapterLesson.objects.filter(chapter__courses=course).values("lesson_id")
    )
    totals = lessons.aggregate(minutes=Sum("duration"))
    course.duration = min(totals["minutes"] or 0, 32767)
    course.number_of_classes = lessons.count()
    course.save(update_fields=["duration", "number_of_classes", "updated_at"])
    lesson_ids = set(ChapterLesson.objects.filter(chapter__courses=course).values_list("lesson_id", flat=True))
    volunteer_ids = course.enrolments.exclude(status=VolunteerCourse.Status.PASSED).values_list(
        "volunteer_id", flat=True
    )
    VolunteerLesson.objects.bulk_create(
        [
            VolunteerLesson(volunteer_id=volunteer, lesson_id=lesson)
            for volunteer in volunteer_ids
            for lesson in lesson_ids
        ],
        ignore_conflicts=True,
        batch_size=5000,
    )
    content_changed("courses")


@transaction.atomic
def reorder(*, links, order: list[int]) -> None:
    """Give the ordered rows (CourseChapter or ChapterLesson of one parent) the numbers
    1, 2, 3… in the order of their ids in `order`. The unique order constraint is
    deferred to the commit, so numbers may be swapped freely here."""
    by_id = {link.pk: link for link in links}
    for number, link_id in enumerate(order, start=1):
        link = by_id[link_id]
        link.order_number = number
        link.save(update_fields=["order_number"])
    content_changed("courses")


def course_publish(*, courses: QuerySet[Course], user: User) -> int:
    """Publish the `courses` that are not published yet, recording `user` as their last
    editor; how many changed. Whether `user` may publish them is the caller's check
    (courses.permissions.editable_courses)."""
    return _course_set_published(courses=courses, user=user, published=True)


def course_unpublish(*, courses: QuerySet[Course], user: User) -> int:
    """Take the published ones of `courses` off the catalogue (their pages become 404),
    recording `user` as their last editor; how many changed. The caller checks that
    `user` may."""
    return _course_set_published(courses=courses, user=user, published=False)


@transaction.atomic
def _course_set_published(*, courses: QuerySet[Course], user: User, published: bool) -> int:
    changed = (
        Course.objects.filter(pk__in=courses.values("pk"))
        .exclude(published=published)
        .update(published=published, user_modified=user, updated_at=timezone.now())
    )
    if changed:
        content_changed("courses")
    return changed


# --- Enrolment --------------------------------------------------------------------------


def enrol(*, volunteer: Volunteer, course: Course) -> VolunteerCourse:
    """Enrol a volunteer whose confirmed level and region admit the course. Enrolling twice
    (two clicks, two requests at once) gives the same single enrolment."""
    if not course.is_shown:
        raise CourseError("Курс недоступен.")
    reason = refusal_reason(learner_for_volunteer(volunteer), course)
    if reason:
        raise CourseError(f"Записаться нельзя: {reason}.")
    try:
        with transaction.atomic():
            enrolment, _ = VolunteerCourse.objects.get_or_create(volunteer=volunteer, course=course)
    except IntegrityError:  # the other request inserted it between our SELECT and INSERT
        enrolment = VolunteerCourse.objects.get(volunteer=volunteer, course=course)
    return enrolment


@transaction.atomic
def course_retake(*, enrolment: VolunteerCourse) -> VolunteerCourse:
    """Start a new attempt of a failed course, while the attempts limit allows (0 = no
    limit): progress is reset and the attempt counted."""
    enrolment = VolunteerCourse.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
    if enrolment.status != VolunteerCourse.Status.FAILED:
        raise CourseError("Пересдать можно только не пройденный курс.")
    limit = enrolment.course.attempts_limit
    if limit and enrolment.attempts >= limit:
        raise CourseError(f"Попытки закончились: можно не больше {limit}.")
    VolunteerLesson.objects.filter(
        volunteer_id=enrolment.volunteer_id, lesson__in=course_lessons(enrolment.course)
    ).update(passed=False, start_date=None, end_date=None, updated_at=timezone.now())
    enrolment.attempts += 1
    enrolment.assessment = 0
    enrolment.status = VolunteerCourse.Status.ENROLLED
    enrolment.save()
    return enrolment


# --- Lessons ----------------------------------------------------------------------------


def _progress(enrolment: VolunteerCourse, lesson: Lesson) -> VolunteerLesson:
    progress, _ = VolunteerLesson.objects.get_or_create(volunteer_id=enrolment.volunteer_id, lesson=lesson)
    return progress


def lesson_open(
    *, enrolment: VolunteerCourse, lesson: Lesson, progress: VolunteerLesson | None = None
) -> VolunteerLesson:
    """Opening a lesson records when it was first opened; the first opened lesson makes
    the enrolment «Активный».

    `progress` is the volunteer's row of the lesson when the caller has already read it
    (the lesson page reads it with the course's structure): opening a lesson again then costs
    no query and no transaction — every page view of a lesson opens it."""
    if progress is not None and (progress.volunteer_id, progress.lesson_id) != (enrolment.volunteer_id, lesson.pk):
        raise ValueError("The progress row is not the enrolled volunteer's row of this lesson.")
    if progress is not None and progress.start_date is not None and enrolment.status != VolunteerCourse.Status.ENROLLED:
        return progress
    with transaction.atomic():
        if progress is None:
            progress = _progress(enrolment, lesson)
        if progress.start_date is None:
            progress.start_date = timezone.now()
            progress.save(update_fields=["start_date", "updated_at"])
        if enrolment.status == VolunteerCourse.Status.ENROLLED:
            enrolment.status = VolunteerCourse.Status.ACTIVE
            enrolment.save(update_fields=["status", "updated_at"])
    return progress


@transaction.atomic
def lesson_finish(*, enrolment: VolunteerCourse, lesson: Lesson) -> None:
    """The «Далее» button of a text, video or webinar lesson: the lesson is passed."""
    if lesson.type == Lesson.Type.QUIZ:
        raise CourseError("Тест засчитывается после проверки ответов.")
    _mark_passed(enrolment, lesson)
    course_evaluate(enrolment=enrolment)


def _mark_passed(enrolment: VolunteerCourse, lesson: Lesson) -> None:
    """The volunteer's row of the lesson passed (opened and finished now, unless it was
    before), in one UPDATE: the row is there once the lesson was opened. A lesson finished
    unopened (through the API) gets its row first, as opening makes it — safe against a
    second request making it at the same time."""
    row = {"volunteer": enrolment.volunteer_id, "lesson": lesson.pk, "now": timezone.now()}
    if not _lesson_passed(**row):
        _progress(enrolment, lesson)
        _lesson_passed(**row)


@CompiledUpdate
def _lesson_passed():
    """Compiled once (core.compiled): every learner of an exam rush passes the quiz at once."""
    now = Arg("now")
    rows = VolunteerLesson.objects.filter(volunteer_id=Arg("volunteer"), lesson_id=Arg("lesson"))
    return rows, {
        "passed": True,
        "updated_at": now,
        "start_date": Coalesce("start_date", now),
        "end_date": Coalesce("end_date", now),
    }


# --- Quizzes ----------------------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """Case, ё/е and runs of whitespace do not matter in short answers."""
    return re.sub(r"\s+", " ", text.casefold().replace("ё", "е")).strip()


class AnswersNotUnderstood(CourseError):
    """Number or expression answers the checker could not read: nothing is recorded and the
    attempt is not used up. `hints` maps a question's id to a Russian hint on its answer."""

    def __init__(self, hints: dict[int, str]):
        super().__init__("Некоторые ответы не удалось понять: исправьте их и отправьте ещё раз.")
        self.hints = hints


@dataclass(frozen=True)
class ValueGrade:
    """A number or expression answer checked: its share of the points and how it was read,
    or (fraction None) the hint on why it was not understood."""

    fraction: float | None
    understood_as: str = ""
    hint: str = ""


def _value_grade(question: QuizQuestion, text: str) -> ValueGrade:
    """Checked by value against each accepted line: right when any one matches. An empty
    answer is simply wrong, as for short text answers."""
    expected_lines = [line.strip() for line in question.accepted_answers.splitlines() if line.strip()]
    if not text or not expected_lines:
        return ValueGrade(0.0)
    # Imported here: SymPy loads only in a process that checks such an answer, never for
    # choice-only quizzes (bench/exam_rush.py).
    from core import mathanswers

    tolerance = question.tolerance if question.kind == Question.Kind.NUMBER else None
    verdicts = []
    for expected in expected_lines:
        verdict = mathanswers.check(question.kind, expected, text, tolerance=tolerance)
        if verdict.correct:
            return ValueGrade(1.0, verdict.understood_as)
        verdicts.append(verdict)
    wrong = next((verdict for verdict in verdicts if verdict.correct is False), None)
    if wrong is not None:
        return ValueGrade(0.0, wrong.understood_as)
    return ValueGrade(None, hint=verdicts[0].hint)


def _auto_fraction(question: QuizQuestion, choice_ids: set[int], text: str) -> float | None:
    if question.kind == Question.Kind.OPEN:
        return None
    if question.kind == Question.Kind.TEXT:
        accepted = {normalize_answer(line) for line in question.accepted_answers.splitlines() if line.strip()}
        return 1.0 if normalize_answer(text) in accepted else 0.0
    correct = {choice.pk for choice in question.choices if choice.is_correct}
    return 1.0 if choice_ids == correct else 0.0


def _score(answers: list[Answer], questions: dict[int, QuizQuestion] | dict[int, Question]) -> float:
    total = sum(question.points for question in questions.values())
    earned = sum(answer.fraction * questions[answer.question_id].points for answer in answers)
    return round(100 * earned / total, 1) if total else 100.0


@transaction.atomic
def quiz_submit(*, enrolment: VolunteerCourse, lesson: Lesson, responses: dict[int, dict]) -> QuizAttempt:
    """Record one attempt of a quiz: `responses` maps question id to {"choices": [ids],
    "text": str}. Auto-checked questions are scored at once; with open questions the
    attempt waits for a teacher, who is notified. One attempt per course attempt.

    A number or expression answer that cannot be understood records nothing: it raises
    AnswersNotUnderstood with a hint per such question, and the learner sends them again."""
    if lesson.type != Lesson.Type.QUIZ:
        raise CourseError("Этот урок — не тест.")
    # Two submissions at once: the second waits here, then finds the first one's attempt.
    [locked] = _enrolment_locked(enrolment.pk, lesson.pk, enrolment.attempts)
    if locked.sent:
        raise CourseError("Ответы на этот тест уже отправлены.")
    questions = quiz_key(lesson.pk)
    graded, chosen_by_answer, hints = [], [], {}
    for question in questions.values():
        response = responses.get(question.pk, {})
        valid_choices = {choice.pk for choice in question.choices}
        chosen = {int(choice_id) for choice_id in response.get("choices", [])} & valid_choices
        text = (response.get("text") or "").strip()
        if question.kind in Question.VALUE_KINDS:
            grade = _value_grade(question, text)
            if grade.fraction is None:
                hints[question.pk] = grade.hint
                continue
            graded.append((question, text, grade.fraction, grade.understood_as))
        else:
            graded.append((question, text, _auto_fraction(question, chosen, text), ""))
        chosen_by_answer.append(chosen)
    if hints:
        raise AnswersNotUnderstood(hints)
    answers = [
        Answer(question_id=question.pk, text=text, fraction=fraction, understood_as=understood_as)
        for question, text, fraction, understood_as in graded
    ]
    attempt = QuizAttempt(
        enrolment=enrolment, lesson=lesson, number=enrolment.attempts, status=QuizAttempt.Status.AWAITING_REVIEW
    )
    checked = all(answer.fraction is not None for answer in answers)
    if checked:
        _score_attempt(attempt, answers, questions)
    attempt.save()
    for answer in answers:
        answer.attempt = attempt
    # Three INSERTs for the whole quiz (the attempt already scored), not three statements per
    # question, the answers' two compiled once (core.compiled): the rush of a diploma quiz
    # (bench/exam_rush.py) is bound by what one submission costs.
    _insert_answers(answers)
    _insert_choices(
        [
            Answer.choices.through(answer_id=answer.pk, choice_id=choice_id)
            for answer, chosen in zip(answers, chosen_by_answer, strict=True)
            for choice_id in sorted(chosen)
        ]
    )
    if checked:
        _attempt_counted(attempt, enrolment)
    else:
        teachers = User.objects.filter(is_active=True, groups__name=TEACHER).distinct()
        notify(
            recipients=teachers,
            title=f"Ответы ждут проверки: {lesson}",
            # No «отправил»: a verb in the past after a name would guess the volunteer's gender.
            text=f"Отправлен тест «{lesson}» курса «{enrolment.course}». Волонтёр: {enrolment.volunteer}. "
            "Откройте очередь проверки.",
            link=reverse("courses:review_queue"),
        )
    return attempt


_insert_answers = CompiledInsert(Answer)
_insert_choices = CompiledInsert(Answer.choices.through)


@CompiledQuery
def _enrolment_locked(enrolment_id, lesson_id, number):
    """The enrolment, locked, with `sent`: whether its attempt `number` of the quiz is in.
    Compiled once (core.compiled): a webinar's learners submit its quiz at once."""
    sent = QuizAttempt.objects.filter(enrolment=OuterRef("pk"), lesson_id=lesson_id, number=number)
    return VolunteerCourse.objects.select_for_update().filter(pk=enrolment_id).only("pk").annotate(sent=Exists(sent))


def _score_attempt(
    attempt: QuizAttempt, answers: list[Answer], questions: dict[int, QuizQuestion] | dict[int, Question]
) -> None:
    """Every answer scored: the attempt is checked, with its score (not saved here)."""
    attempt.score = _score(answers, questions)
    attempt.status = QuizAttempt.Status.CHECKED
    attempt.checked_at = timezone.now()


def _attempt_counted(attempt: QuizAttempt, enrolment: VolunteerCourse) -> None:
    """A checked attempt passes its lesson, and the course is evaluated with its score."""
    _mark_passed(enrolment, attempt.lesson)
    course_evaluate(enrolment=enrolment, scores={attempt.lesson_id: attempt.score})


@transaction.atomic
def answer_review(*, answer: Answer, fraction: float, comment: str, teacher: User) -> QuizAttempt:
    """A teacher scores an open answer (0–1 of its points) with a comment. When the last
    open answer of the attempt is scored, the attempt is checked, the volunteer told, and
    the course evaluated."""
    if not 0 <= fraction <= 1:
        raise CourseError("Оценка ответа — от 0 до 1.")
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.fraction is not None:
        raise CourseError("Этот ответ уже проверен.")
    answer.fraction, answer.teacher_comment = fraction, comment
    answer.reviewed_by, answer.reviewed_at = teacher, timezone.now()
    answer.save(update_fields=["fraction", "teacher_comment", "reviewed_by", "reviewed_at"])
    attempt = (
        QuizAttempt.objects.select_for_update()
        .select_related("lesson", "enrolment__volunteer__user", "enrolment__course")
        .get(pk=answer.attempt_id)
    )
    answers = list(attempt.answers.all())
    if attempt.status == QuizAttempt.Status.CHECKED or any(each.fraction is None for each in answers):
        return attempt
    questions = {question.pk: question for question in attempt.lesson.questions.all()}
    enrolment = attempt.enrolment
    _score_attempt(attempt, answers, questions)
    attempt.save(update_fields=["score", "status", "checked_at"])
    _attempt_counted(attempt, enrolment)
    notify(
        recipients=[enrolment.volunteer.user],
        title=f"Тест «{attempt.lesson}» проверен",
        text=f"Ответы проверены преподавателем. Результат: {attempt.score:g} из 100.",
        link=reverse("courses:lesson", args=[enrolment.course_id, attempt.lesson_id]),
    )
    return attempt


# --- Completion -------------------------------------------------------------------------


def course_assessment(
    enrolment: VolunteerCourse, lessons: list[Lesson], scores: dict[int, float] | None = None
) -> float:
    """The rule in this module's docstring: diploma quizzes weigh double; additional
    quizzes, like additional lessons, are not required and do not count. `scores`: the
    checked scores of this course attempt the caller holds (the quiz just checked), by
    lesson id; the others are read."""
    quizzes = {lesson.pk: lesson for lesson in lessons if lesson.type == Lesson.Type.QUIZ and not lesson.additional}
    if not quizzes:
        return 100.0
    scores = dict(scores or {})
    unread = [pk for pk in quizzes if pk not in scores]
    if unread:
        attempts = QuizAttempt.objects.filter(
            enrolment=enrolment, lesson_id__in=unread, number=enrolment.attempts, status=QuizAttempt.Status.CHECKED
        )
        scores |= dict(attempts.values_list("lesson_id", "score"))
    weights = {pk: DIPLOMA_WEIGHT if lesson.diploma else 1 for pk, lesson in quizzes.items()}
    return round(sum(scores.get(pk, 0) * weight for pk, weight in weights.items()) / sum(weights.values()), 1)


def course_evaluate(*, enrolment: VolunteerCourse, scores: dict[int, float] | None = None) -> VolunteerCourse:
    """When every shown, non-additional lesson is passed: set the assessment and the final
    status, and tell the volunteer. Before that, nothing changes. A passed course's
    certificate is issued by a worker once this commits (`certificate_issue_on_passing`),
    which tells the volunteer again when it is ready. The lessons are the course's structure
    as learners see it (cached; every content change retires it), not read again: a whole
    webinar's learners submit its quiz at once (bench/exam_rush.py). `scores`: as for
    `course_assessment`."""
    lessons = [lesson for _chapter, chapter_lessons in course_structure(enrolment.course) for lesson in chapter_lessons]
    required = {lesson.pk for lesson in lessons if not lesson.additional}
    finished = enrolment.status in (VolunteerCourse.Status.PASSED, VolunteerCourse.Status.FAILED)
    if finished or required - passed_lesson_ids(enrolment.volunteer_id, enrolment.course_id):
        return enrolment
    enrolment.assessment = course_assessment(enrolment, lessons, scores)
    succeeded = enrolment.assessment >= settings.COURSE_PASS_MARK
    enrolment.status = VolunteerCourse.Status.PASSED if succeeded else VolunteerCourse.Status.FAILED
    enrolment.updated_at = timezone.now()
    _enrolment_finished(
        enrolment=enrolment.pk, assessment=enrolment.assessment, status=enrolment.status, now=enrolment.updated_at
    )
    course = enrolment.course
    if succeeded:
        # True however the certificate comes: from the task within seconds, from the periodic
        # `issue_missing_certificates`, or from an operator's `generate_certificates`.
        passed = notify(
            recipients=[enrolment.volunteer.user],
            title=f"Курс «{course}» пройден",
            text=f"Поздравляем! Вы прошли курс «{course}» с оценкой {enrolment.assessment:g} из 100. "
            "Сертификат будет выпущен в ближайшее время — он появится в разделе «Мои сертификаты».",
            link=reverse("certificates:my"),
            email=False,  # handed on by the certificate's task: one task message, not two
        )
        from courses.tasks import issue_passed_certificate

        delay_on_commit(issue_passed_certificate, [(enrolment.pk, emails_of(passed))])
    else:
        limit = course.attempts_limit
        left = "без ограничений" if not limit else f"осталось попыток: {max(limit - enrolment.attempts, 0)}"
        notify(
            recipients=[enrolment.volunteer.user],
            title=f"Курс «{course}» не пройден",
            text=f"Оценка {enrolment.assessment:g} из 100, нужно не меньше {settings.COURSE_PASS_MARK}. "
            f"Курс можно пройти заново ({left}).",
            link=reverse("courses:detail", args=[course.pk]),
        )
    return enrolment


@CompiledUpdate
def _enrolment_finished():
    """The enrolment's outcome, compiled once (core.compiled), as _lesson_passed."""
    return VolunteerCourse.objects.filter(pk=Arg("enrolment")), {
        "assessment": Arg("assessment"),
        "status": Arg("status"),
        "updated_at": Arg("now"),
    }


# --- Certificates -----------------------------------------------------------------------


class CertificateOutcome(enum.Enum):
    ISSUED = "issued"
    REISSUED = "reissued"
    SKIPPED = "skipped"


def certificate_data(certificate: Certificate) -> CertificateData:
    """What the PDF shows, read from the certificate and its course and volunteer."""
    course, user = certificate.course, certificate.volunteer.user
    issuer = certificate.issued
    return CertificateData(
        full_name=user.get_full_name() or user.username,
        course_title=course.title,
        direction=course.direction.title,
        minutes=course.duration,
        assessment=certificate.final_assessment,
        # The date of the first issue: a re-issue (better assessment, --force) keeps it.
        issued_on=timezone.localdate(certificate.created_at) if certificate.created_at else timezone.localdate(),
        issued_by=(issuer.get_full_name() or issuer.username) if issuer else f"Администрация «{settings.SITE_NAME}»",
        organisation=settings.ORGANISATION_NAME,
        code=certificate.code,
        verify_url=settings.SITE_URL + reverse("certificates:verify", args=[certificate.code]),
    )


@transaction.atomic
def certificate_issue(
    *, enrolment: VolunteerCourse, force: bool = False, unless_rendered_since: datetime | None = None
) -> tuple[Certificate, CertificateOutcome]:
    """Issue the certificate of a passed enrolment, or re-issue it (same code) when the
    assessment improved since or `force` asks to re-render — unless it was rendered at or
    after `unless_rendered_since` (a second delivery of the same forced work). Nothing
    half-done stays behind: a failure removes the new file and writes no row."""
    if enrolment.status != VolunteerCourse.Status.PASSED:
        raise CourseError("Сертификат выдаётся только за пройденный курс.")
    certificate = (
        Certificate.objects.select_for_update()
        .filter(volunteer_id=enrolment.volunteer_id, course_id=enrolment.course_id)
        .first()
    )
    forced = force and (
        certificate is None or unless_rendered_since is None or certificate.updated_at < unless_rendered_since
    )
    outdated = certificate is not None and (forced or enrolment.assessment > certificate.final_assessment)
    if certificate is not None and not outdated:
        return certificate, CertificateOutcome.SKIPPED
    outcome = CertificateOutcome.ISSUED if certificate is None else CertificateOutcome.REISSUED
    certificate = certificate or Certificate(volunteer_id=enrolment.volunteer_id, course_id=enrolment.course_id)
    certificate.final_assessment = max(enrolment.assessment, certificate.final_assessment or 0)
    # Callers that issue many (generate_certificates) load these with the enrolments.
    if VolunteerCourse._meta.get_field("course").is_cached(enrolment):
        course = enrolment.course
    else:
        course = Course.objects.select_related("direction", "responsible", "user_created").get(pk=enrolment.course_id)
    certificate.course, certificate.volunteer = course, enrolment.volunteer
    certificate.issued = course.responsible or course.user_created
    # Uniqueness is the database's to enforce (the row is locked above); asking it twice
    # per certificate costs more than rendering the QR code.
    certificate.full_clean(
        exclude=["file", "volunteer", "course", "issued"], validate_unique=False, validate_constraints=False
    )
    pdf = render_certificate_pdf(certificate_data(certificate))
    # A re-issued certificate's old file leaves storage once committed (core.files).
    certificate.file.save(f"{secrets.token_urlsafe(18)}.pdf", ContentFile(pdf), save=False)
    try:
        certificate.save()
    except Exception:
        certificate.file.storage.delete(certificate.file.name)
        raise
    return certificate, outcome


# What a certificate shows, loaded with the enrolment(s) in the same query.
CERTIFICATE_RELATIONS = ("volunteer__user", "course__direction", "course__responsible", "course__user_created")


@transaction.atomic
def certificate_issue_on_passing(*, enrolment_id: int) -> Certificate | None:
    """Issue the certificate of a course just passed and tell the volunteer it is ready, in
    one transaction, so once: the enrolment is locked, and a second call finds the
    certificate issued (SKIPPED) and tells nobody. Nothing when the enrolment is gone or
    no longer passed (a retake started meanwhile)."""
    enrolment = (
        VolunteerCourse.objects.select_for_update(of=("self",))
        .select_related(*CERTIFICATE_RELATIONS)
        .filter(pk=enrolment_id, status=VolunteerCourse.Status.PASSED)
        .first()
    )
    if enrolment is None:
        return None
    certificate, outcome = certificate_issue(enrolment=enrolment)
    if outcome is not CertificateOutcome.SKIPPED:
        course = enrolment.course
        done = "готов" if outcome is CertificateOutcome.ISSUED else "обновлён"
        notify(
            recipients=[enrolment.volunteer.user],
            title=f"Сертификат за курс «{course}» {done}",
            text=f"Сертификат за курс «{course}» с оценкой {certificate.final_assessment:g} из 100 {done}. "
            "Скачать его можно в разделе «Мои сертификаты».",
            link=reverse("certificates:my"),
        )
    return certificate


# A course passed this long ago without its certificate lost its task (or the task failed):
# the periodic `issue_missing_certificates` issues it, for a day; after that, operators do.
CERTIFICATE_MISSING_AFTER = timedelta(minutes=10)
CERTIFICATE_MISSING_WITHIN = timedelta(days=1)


def enrolments_missing_certificate() -> list[int]:
    """The enrolments passed between CERTIFICATE_MISSING_WITHIN and CERTIFICATE_MISSING_AFTER
    ago whose certificate is missing or shows a lower assessment: the ids."""
    now = timezone.now()
    up_to_date = Certificate.objects.filter(
        volunteer_id=OuterRef("volunteer_id"),
        course_id=OuterRef("course_id"),
        final_assessment__gte=OuterRef("assessment"),
    )
    enrolments = VolunteerCourse.objects.filter(
        status=VolunteerCourse.Status.PASSED,
        updated_at__lte=now - CERTIFICATE_MISSING_AFTER,
        updated_at__gte=now - CERTIFICATE_MISSING_WITHIN,
    ).exclude(Exists(up_to_date))
    return list(enrolments.order_by("pk").values_list("pk", flat=True))


# --- Issuing many certificates (generate_certificates) ----------------------------------


@dataclass
class CertificateReport:
    """What issuing many certificates did: how many of each outcome, and the failures as
    (enrolment id, reason)."""

    counts: Counter = field(default_factory=Counter)
    failures: list[tuple[int, str]] = field(default_factory=list)

    def add(self, other: "CertificateReport") -> None:
        self.counts.update(other.counts)
        self.failures.extend(other.failures)

    def as_dict(self) -> dict:
        """In JSON's terms, as a task returns it."""
        return {
            "counts": {outcome.value: count for outcome, count in self.counts.items()},
            "failures": [[pk, reason] for pk, reason in self.failures],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CertificateReport":
        counts = Counter({CertificateOutcome(outcome): count for outcome, count in data["counts"].items()})
        return cls(counts=counts, failures=[(pk, reason) for pk, reason in data["failures"]])


def certificate_failure_reason(error: Exception) -> str:
    """What an operator is told of a certificate that failed: a domain error's message, or
    the exception (logged with its traceback)."""
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    if isinstance(error, CourseError):
        return str(error)
    logger.exception("Certificate generation failed")
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def certificates_issue(
    items: list[tuple[int, bool]],
    *,
    report: CertificateReport | None = None,
    progress: Callable[[int], object] | None = None,
    unless_rendered_since: datetime | None = None,
) -> CertificateReport:
    """Issue the certificates of a chunk of enrolments — (enrolment id, force) pairs — each
    in its own `certificate_issue` call (its own transaction), so one failure stops nothing
    else. Counts go to `report` (a new one unless given), as they happen, and `progress`
    hears of each enrolment done."""
    force_of = dict(items)
    enrolments = (
        VolunteerCourse.objects.filter(pk__in=force_of, status=VolunteerCourse.Status.PASSED)
        .select_related(*CERTIFICATE_RELATIONS)
        .order_by("pk")
    )
    report = CertificateReport() if report is None else report
    found = 0
    for enrolment in enrolments:
        found += 1
        try:
            _, outcome = certificate_issue(
                enrolment=enrolment, force=force_of[enrolment.pk], unless_rendered_since=unless_rendered_since
            )
        except Exception as error:  # any fault of one certificate is reported, not fatal
            report.failures.append((enrolment.pk, certificate_failure_reason(error)))
        else:
            report.counts[outcome] += 1
        if progress:
            progress(1)
    # Deleted (or no longer passed) since the plan: nothing to issue.
    report.counts[CertificateOutcome.SKIPPED] += len(items) - found
    if progress and len(items) > found:
        progress(len(items) - found)
    return report


# --- Webinar reminders ------------------------------------------------------------------

WEBINAR_REMINDER_BEFORE = timedelta(hours=1)
STUDYING = (VolunteerCourse.Status.ENROLLED, VolunteerCourse.Status.ACTIVE)


def _reminder_due() -> Q:
    """Webinars that start within the next hour and whose learners have not been reminded
    of that start: never, or only of an earlier start more than an hour before this one
    (the webinar was moved)."""
    now = timezone.now()
    return Q(start_date__gt=now, start_date__lte=now + WEBINAR_REMINDER_BEFORE) & (
        Q(reminded_at__isnull=True) | Q(reminded_at__lt=F("start_date") - WEBINAR_REMINDER_BEFORE)
    )


def webinars_due_reminder() -> list[int]:
    """The ids of the webinars whose learners are to be reminded now (`_reminder_due`)."""
    return list(Webinar.objects.filter(_reminder_due()).order_by("start_date", "pk").values_list("pk", flat=True))


@transaction.atomic
def webinar_remind(*, webinar_id: int) -> list[Message]:
    """Remind the learners of a webinar that it starts within the hour: every volunteer
    with an active account who is enrolled in, or studying, a shown course whose chapter
    has the webinar's lesson, if that lesson is a shown webinar lesson. Once per start: the
    webinar is locked, checked again and marked in the transaction that notifies, so a
    second call reminds nobody. The messages sent."""
    # A call at the same time waits for this one's commit, then no longer finds the webinar due.
    due = Webinar.objects.select_for_update(of=("self",)).select_related("lesson").filter(_reminder_due())
    webinar = due.filter(pk=webinar_id).first()
    if webinar is None:
        return []
    lesson = webinar.lesson
    courses = Course.objects.none()
    if lesson.is_shown and lesson.type == Lesson.Type.WEBINAR:
        courses = Course.objects.filter(shown(), contents__lessons=lesson).distinct().order_by("pk")
    webinar.reminded_at = timezone.now()
    webinar.save(update_fields=["reminded_at"])
    start = timezone.localtime(webinar.start_date)
    # A lesson may be in several courses: each learner is reminded once, with a link to the
    # lesson in the first of their courses that has it.
    sent: list[Message] = []
    for course in courses:
        learners = (
            User.objects.filter(
                is_active=True, volunteer__enrolments__status__in=STUDYING, volunteer__enrolments__course=course
            )
            .exclude(pk__in=[message.recipient_id for message in sent])
            .distinct()
        )
        sent += notify(
            recipients=learners,
            title=f"Вебинар «{lesson}» в {start:%H:%M}",
            text=f"Напоминаем: вебинар «{lesson}» начнётся {start:%d.%m.%Y} в {start:%H:%M} (время московское). "
            f"Ссылка для подключения: {webinar.url_webinar}",
            link=reverse("courses:lesson", args=[course.pk, lesson.pk]),
        )
    return sent
