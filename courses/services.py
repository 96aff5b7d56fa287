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

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import TEACHER
from accounts.services import notify
from core.cache import content_changed
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
    shown,
)
from courses.selectors import course_lessons, learner_for_volunteer, refusal_reason
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
def lesson_finish(*, enrolment: VolunteerCourse, lesson: Lesson) -> VolunteerLesson:
    """The «Далее» button of a text, video or webinar lesson: the lesson is passed."""
    if lesson.type == Lesson.Type.QUIZ:
        raise CourseError("Тест засчитывается после проверки ответов.")
    progress = _mark_passed(enrolment, lesson)
    course_evaluate(enrolment=enrolment)
    return progress


def _mark_passed(enrolment: VolunteerCourse, lesson: Lesson) -> VolunteerLesson:
    progress = _progress(enrolment, lesson)
    now = timezone.now()
    progress.start_date = progress.start_date or now
    progress.end_date = progress.end_date or now
    progress.passed = True
    progress.save(update_fields=["start_date", "end_date", "passed", "updated_at"])
    return progress


# --- Quizzes ----------------------------------------------------------------------------


def normalize_answer(text: str) -> str:
    """Case, ё/е and runs of whitespace do not matter in short answers."""
    return re.sub(r"\s+", " ", text.casefold().replace("ё", "е")).strip()


def _auto_fraction(question: Question, choice_ids: set[int], text: str) -> float | None:
    if question.kind == Question.Kind.OPEN:
        return None
    if question.kind == Question.Kind.TEXT:
        accepted = {normalize_answer(line) for line in question.accepted_answers.splitlines() if line.strip()}
        return 1.0 if normalize_answer(text) in accepted else 0.0
    correct = {choice.pk for choice in question.choices.all() if choice.is_correct}
    return 1.0 if choice_ids == correct else 0.0


def _score(answers: list[Answer], questions: dict[int, Question]) -> float:
    total = sum(question.points for question in questions.values())
    earned = sum(answer.fraction * questions[answer.question_id].points for answer in answers)
    return round(100 * earned / total, 1) if total else 100.0


@transaction.atomic
def quiz_submit(*, enrolment: VolunteerCourse, lesson: Lesson, responses: dict[int, dict]) -> QuizAttempt:
    """Record one attempt of a quiz: `responses` maps question id to {"choices": [ids],
    "text": str}. Auto-checked questions are scored at once; with open questions the
    attempt waits for a teacher, who is notified. One attempt per course attempt."""
    if lesson.type != Lesson.Type.QUIZ:
        raise CourseError("Этот урок — не тест.")
    # Two submissions at once: the second waits here, then finds the first one's attempt.
    VolunteerCourse.objects.select_for_update().filter(pk=enrolment.pk).first()
    if QuizAttempt.objects.filter(enrolment=enrolment, lesson=lesson, number=enrolment.attempts).exists():
        raise CourseError("Ответы на этот тест уже отправлены.")
    questions = {question.pk: question for question in lesson.questions.prefetch_related("choices")}
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment,
        lesson=lesson,
        number=enrolment.attempts,
        status=QuizAttempt.Status.AWAITING_REVIEW,
    )
    answers = []
    for question in questions.values():
        response = responses.get(question.pk, {})
        valid_choices = {choice.pk for choice in question.choices.all()}
        chosen = {int(choice_id) for choice_id in response.get("choices", [])} & valid_choices
        text = (response.get("text") or "").strip()
        answer = Answer.objects.create(
            attempt=attempt, question=question, text=text, fraction=_auto_fraction(question, chosen, text)
        )
        answer.choices.set(chosen)
        answers.append(answer)
    if all(answer.fraction is not None for answer in answers):
        _finish_attempt(attempt, enrolment, answers, questions)
    else:
        teachers = User.objects.filter(is_active=True, groups__name=TEACHER).distinct()
        notify(
            recipients=teachers,
            title=f"Ответы ждут проверки: {lesson}",
            text=f"Волонтёр {enrolment.volunteer} отправил тест «{lesson}» курса «{enrolment.course}». "
            "Откройте очередь проверки.",
        )
    return attempt


def _finish_attempt(attempt: QuizAttempt, enrolment: VolunteerCourse, answers, questions) -> None:
    attempt.score = _score(answers, questions)
    attempt.status = QuizAttempt.Status.CHECKED
    attempt.checked_at = timezone.now()
    attempt.save(update_fields=["score", "status", "checked_at"])
    _mark_passed(enrolment, attempt.lesson)
    course_evaluate(enrolment=enrolment)


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
    _finish_attempt(attempt, enrolment, answers, questions)
    notify(
        recipients=[enrolment.volunteer.user],
        title=f"Тест «{attempt.lesson}» проверен",
        text=f"Преподаватель проверил ваши ответы. Результат: {attempt.score:g} из 100.",
    )
    return attempt


# --- Completion -------------------------------------------------------------------------


def course_assessment(enrolment: VolunteerCourse, lessons: list[Lesson]) -> float:
    """The rule in this module's docstring: diploma quizzes weigh double; additional
    quizzes, like additional lessons, are not required and do not count."""
    quizzes = {lesson.pk: lesson for lesson in lessons if lesson.type == Lesson.Type.QUIZ and not lesson.additional}
    if not quizzes:
        return 100.0
    scores = dict(
        QuizAttempt.objects.filter(
            enrolment=enrolment,
            lesson_id__in=quizzes,
            number=enrolment.attempts,
            status=QuizAttempt.Status.CHECKED,
        ).values_list("lesson_id", "score")
    )
    weights = {pk: DIPLOMA_WEIGHT if lesson.diploma else 1 for pk, lesson in quizzes.items()}
    return round(sum(scores.get(pk, 0) * weight for pk, weight in weights.items()) / sum(weights.values()), 1)


def course_evaluate(*, enrolment: VolunteerCourse) -> VolunteerCourse:
    """When every shown, non-additional lesson is passed: set the assessment and the final
    status, and tell the volunteer. Before that, nothing changes."""
    lessons = course_lessons(enrolment.course)
    required = [lesson.pk for lesson in lessons if not lesson.additional]
    passed = set(
        VolunteerLesson.objects.filter(
            volunteer_id=enrolment.volunteer_id, lesson_id__in=required, passed=True
        ).values_list("lesson_id", flat=True)
    )
    if set(required) - passed or enrolment.status in (VolunteerCourse.Status.PASSED, VolunteerCourse.Status.FAILED):
        return enrolment
    enrolment.assessment = course_assessment(enrolment, lessons)
    succeeded = enrolment.assessment >= settings.COURSE_PASS_MARK
    enrolment.status = VolunteerCourse.Status.PASSED if succeeded else VolunteerCourse.Status.FAILED
    enrolment.save(update_fields=["assessment", "status", "updated_at"])
    course = enrolment.course
    if succeeded:
        certificate_note = "Сертификат — в разделе «Мои сертификаты»."
        try:
            with transaction.atomic():
                certificate_issue(enrolment=enrolment)
        except Exception:
            # Passing stands; `generate_certificates` issues what is missing later.
            logger.exception("Certificate of enrolment %s not issued", enrolment.pk)
            certificate_note = "Сертификат будет выпущен в ближайшее время."
        notify(
            recipients=[enrolment.volunteer.user],
            title=f"Курс «{course}» пройден",
            text=f"Поздравляем! Вы прошли курс «{course}» с оценкой {enrolment.assessment:g} из 100. "
            + certificate_note,
        )
    else:
        limit = course.attempts_limit
        left = "без ограничений" if not limit else f"осталось попыток: {max(limit - enrolment.attempts, 0)}"
        notify(
            recipients=[enrolment.volunteer.user],
            title=f"Курс «{course}» не пройден",
            text=f"Оценка {enrolment.assessment:g} из 100, нужно не меньше {settings.COURSE_PASS_MARK}. "
            f"Курс можно пройти заново ({left}).",
        )
    return enrolment


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
def certificate_issue(*, enrolment: VolunteerCourse, force: bool = False) -> tuple[Certificate, CertificateOutcome]:
    """Issue the certificate of a passed enrolment, or re-issue it (same code) when the
    assessment improved since, its file is missing, or `force` asks to re-render. Nothing
    half-done stays behind: a failure removes the new file and writes no row."""
    if enrolment.status != VolunteerCourse.Status.PASSED:
        raise CourseError("Сертификат выдаётся только за пройденный курс.")
    certificate = (
        Certificate.objects.select_for_update()
        .filter(volunteer_id=enrolment.volunteer_id, course_id=enrolment.course_id)
        .first()
    )
    outdated = certificate is not None and (
        force or not certificate.file or enrolment.assessment > certificate.final_assessment
    )
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
