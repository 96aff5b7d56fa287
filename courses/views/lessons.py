"""A course's lessons for the volunteers enrolled in it: reading, watching, the webinar
link, the «Далее» button, and quizzes."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.input_checks import parse_id
from core.text import duration_text
from courses import services
from courses.models import Answer, Course, Lesson, Question, QuizAttempt, VolunteerCourse, VolunteerLesson
from courses.selectors import (
    QuizQuestion,
    Structure,
    attempt_answers,
    course_structure,
    course_structure_with_progress,
    current_attempt,
    learner_course,
    lesson_webinars,
    quiz_questions,
)
from courses.views.catalogue import lesson_link
from courses.views.learner import learner_context, learner_for_request
from volunteers.models import Volunteer


@dataclass(frozen=True)
class LessonPlace:
    """A shown lesson of a shown course, with the course's structure around it, and the
    learner's enrolment in the course, passed lessons, and progress row of the lesson."""

    course: Course
    enrolment: VolunteerCourse | None
    structure: Structure
    lessons: list[Lesson]
    position: int
    passed_ids: set[int]
    progress: VolunteerLesson | None

    @property
    def lesson(self) -> Lesson:
        return self.lessons[self.position]

    @property
    def previous(self) -> Lesson | None:
        return self.lessons[self.position - 1] if self.position > 0 else None

    @property
    def next(self) -> Lesson | None:
        return self.lessons[self.position + 1] if self.position + 1 < len(self.lessons) else None


def _place(request, course_id: int, lesson_id: int, *, with_progress: bool = True) -> LessonPlace:
    return lesson_place(course_id, lesson_id, learner_for_request(request).volunteer, with_progress=with_progress)


def lesson_place(
    course_id: int, lesson_id: int, volunteer: Volunteer | None, *, with_progress: bool = True
) -> LessonPlace:
    """404 unless the course is shown and the lesson is one of its shown lessons. Without
    `with_progress` (the forms' POSTs, which show no page), the learner's progress is not
    read: no lesson passed, no progress row."""
    found = learner_course(course_id, volunteer)
    if found is None:
        raise Http404
    course, enrolment = found.course, found.enrolment
    if enrolment is None or not with_progress:
        structure, passed_ids, progress = course_structure(course), set(), None
    else:
        structure, passed_ids, progress = course_structure_with_progress(course, volunteer, lesson_id=lesson_id)
    lessons = [lesson for _, chapter_lessons in structure for lesson in chapter_lessons]
    position = next((index for index, lesson in enumerate(lessons) if lesson.pk == lesson_id), None)
    if position is None:
        raise Http404
    return LessonPlace(
        course=course,
        enrolment=enrolment,
        structure=structure,
        lessons=lessons,
        position=position,
        passed_ids=passed_ids,
        progress=progress,
    )


def _enrolment(request, place: LessonPlace) -> VolunteerCourse | None:
    """The learner's enrolment in the course; None (with a message for the course page) if
    they have none: lessons are for enrolled volunteers only."""
    enrolment = place.enrolment
    if enrolment is None:
        messages.info(request, _("Уроки курса открываются после записи на него."))
        return None
    enrolment.volunteer = learner_for_request(request).volunteer
    return enrolment


def _lesson_url(course: Course, lesson: Lesson) -> str:
    return reverse("courses:lesson", args=[course.pk, lesson.pk])


def webinar_state(start, minutes: int, now) -> str:
    if now < start:
        return "скоро"
    if now < start + timedelta(minutes=minutes):
        return "идёт"
    return "прошёл"


# How the result page marks an auto-checked answer: (CSS class, words).
VERDICT_NOTES = {
    "right": ("verdict verdict-right", "✓ Верно"),
    "partly": ("verdict verdict-partly", "Частично верно"),
    "wrong": ("verdict verdict-wrong", "✗ Неверно"),
}


@dataclass(frozen=True)
class QuestionResult:
    """One question of a sent attempt, with all the result page shows of it worked out
    here once: a quiz's page of results is what an exam rush's learners all open at once
    (bench/exam_rush.py), and each tag a template evaluates costs more than this."""

    question: QuizQuestion
    answer: Answer | None
    verdict: str  # right, partly, wrong, or review (no fraction yet)
    earned: float | None  # points; None while waiting for a teacher
    given: str  # the answer as the learner gave it: the choices picked, or the text
    note_class: str
    note: str

    @classmethod
    def of(cls, question: QuizQuestion, answer: Answer | None) -> "QuestionResult":
        fraction = None if answer is None else answer.fraction
        if fraction is None:
            verdict, earned = "review", None
        else:
            verdict = "right" if fraction >= 1 else "wrong" if fraction <= 0 else "partly"
            earned = fraction * question.points
        if question.kind == Question.Kind.OPEN:
            note_class, note = (
                ("status-wait", _("Ждёт проверки преподавателем"))
                if earned is None
                else (
                    "status-ok",
                    _("Проверено преподавателем: %(earned)s из %(points)s (баллы)")
                    % {"earned": floatformat(earned, "-1"), "points": question.points},
                )
            )
        else:
            note_class, note = VERDICT_NOTES.get(verdict, VERDICT_NOTES["wrong"])
        given = "—" if answer is None else "; ".join(choice.text for choice in answer.chosen) or answer.text or "—"
        return cls(question, answer, verdict, earned, given, note_class, note)


def quiz_context(enrolment: VolunteerCourse, lesson: Lesson) -> dict:
    """The questions without what would give the answers away (selectors.quiz_questions:
    choices carry only their text, questions no accepted answers), and the current
    attempt's result."""
    questions = quiz_questions(lesson.pk)
    attempt = current_attempt(enrolment, lesson.pk)
    results = []
    if attempt is not None:
        answers = attempt_answers(attempt, questions)
        results = [QuestionResult.of(question, answers.get(question.pk)) for question in questions]
    return {
        "questions": questions,
        "attempt": attempt,
        "results": results,
        # The virtual keyboard of math symbols comes with number and expression questions.
        "quiz_math": any(question.kind in Question.VALUE_KINDS for question in questions),
    }


def quiz_form_refilled(questions: list[QuizQuestion], responses: dict[int, dict], hints: dict[int, str]) -> None:
    """The form sent back: each question keeps what the learner gave (`given_text`,
    `given_choices`) and shows the hint on what was not understood (`hint`)."""
    for question in questions:
        response = responses.get(question.pk, {})
        question.given_text = response.get("text", "")
        question.given_choices = set(response.get("choices", ()))
        question.hint = hints.get(question.pk, "")


def lesson(request, course_id: int, lesson_id: int):
    place = _place(request, course_id, lesson_id)
    enrolment = _enrolment(request, place)
    if enrolment is None:
        return redirect(place.course)
    return _lesson_page(request, place, enrolment)


def _lesson_page(
    request,
    place: LessonPlace,
    enrolment: VolunteerCourse,
    *,
    not_understood: tuple[services.AnswersNotUnderstood, dict[int, dict]] | None = None,
):
    """The lesson page; `not_understood` (services.AnswersNotUnderstood, with the answers
    sent) puts the quiz form back filled in, with a hint under each answer not understood."""
    current = place.lesson
    progress = services.lesson_open(enrolment=enrolment, lesson=current, progress=place.progress)
    link = lesson_link(place.course.pk)
    contents = [
        (
            # An untitled chapter is named by its number in the course, as the course page does.
            entry.chapter.title or _("Глава %(number)s") % {"number": entry.order_number},
            [
                (link(each.pk), each.title, each.pk == current.pk, each.pk in place.passed_ids)
                for each in chapter_lessons
            ],
        )
        for entry, chapter_lessons in place.structure
    ]
    context = {
        "course": place.course,
        "course_url": place.course.get_absolute_url(),
        "lesson": current,
        # Plain values, all the menu shows: the template keeps it drawn by them.
        "contents": contents,
        "contents_version": repr(contents),
        "previous": place.previous,
        "previous_url": link(place.previous.pk) if place.previous else None,
        "next": place.next,
        "next_url": link(place.next.pk) if place.next else None,
        "position": place.position + 1,
        "lesson_count": len(place.lessons),
        "progress": progress,
        "enrolment": enrolment,
        "duration": duration_text(current.duration),
        **learner_context(request),
    }
    if current.type == Lesson.Type.VIDEO:
        context["videos"] = list(current.videos.all())
    elif current.type == Lesson.Type.WEBINAR:
        now = timezone.now()
        context["webinars"] = [
            (webinar, webinar_state(webinar.start_date, current.duration, now)) for webinar in lesson_webinars(current)
        ]
    elif current.type == Lesson.Type.QUIZ:
        context.update(quiz_context(enrolment, current))
        if not_understood is not None:
            error, responses = not_understood
            quiz_form_refilled(context["questions"], responses, error.hints)
            context["quiz_error"] = str(error)
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def lesson_finish(request, course_id: int, lesson_id: int):
    """«Далее»: the lesson is passed, and the volunteer goes on to the next one (or back
    to the course page after the last)."""
    place = _place(request, course_id, lesson_id, with_progress=False)
    enrolment = _enrolment(request, place)
    if enrolment is None:
        return redirect(place.course)
    try:
        services.lesson_finish(enrolment=enrolment, lesson=place.lesson)
    except services.CourseError as error:
        messages.error(request, str(error))
        return redirect(_lesson_url(place.course, place.lesson))
    _tell_the_outcome(request, enrolment)
    if place.next is None:
        return redirect(place.course)
    return redirect(_lesson_url(place.course, place.next))


def _tell_the_outcome(request, enrolment: VolunteerCourse) -> None:
    """The services evaluate the course in place; say so when this step finished it."""
    if enrolment.status == VolunteerCourse.Status.PASSED:
        messages.success(
            request, _("Курс пройден! Оценка: %(score)s из 100.") % {"score": floatformat(enrolment.assessment, "-1")}
        )
    elif enrolment.status == VolunteerCourse.Status.FAILED:
        messages.warning(
            request, _("Курс не пройден: оценка %(score)s из 100.") % {"score": floatformat(enrolment.assessment, "-1")}
        )


def _responses(request, lesson: Lesson) -> dict[int, dict]:
    """The form's answers in the shape quiz_submit() takes; choices of other questions are
    dropped by the service. A choice that is no id at all was not sent by our form: 400,
    and the volunteer keeps the attempt rather than spend it on a garbled answer."""
    responses = {}
    for question in quiz_questions(lesson.pk):
        values = request.POST.getlist(f"question-{question.pk}")
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            chosen = list(map(parse_id, values))
            if None in chosen:
                raise BadRequest("Вариант ответа — не номер варианта.")
            responses[question.pk] = {"choices": chosen[:1] if question.kind == Question.Kind.SINGLE else chosen}
        else:
            responses[question.pk] = {"text": values[0] if values else ""}
    return responses


@login_required
@require_POST
def quiz_submit(request, course_id: int, lesson_id: int):
    place = _place(request, course_id, lesson_id, with_progress=False)
    enrolment = _enrolment(request, place)
    if enrolment is None:
        return redirect(place.course)
    responses = _responses(request, place.lesson)
    try:
        attempt = services.quiz_submit(enrolment=enrolment, lesson=place.lesson, responses=responses)
    except services.AnswersNotUnderstood as error:  # nothing recorded: the form comes back
        place = _place(request, course_id, lesson_id)  # with the progress the page shows
        return _lesson_page(request, place, enrolment, not_understood=(error, responses))
    except services.CourseError as error:
        messages.error(request, str(error))
    except IntegrityError:  # the same form sent twice at once: the other request recorded it
        messages.error(request, _("Ответы на этот тест уже отправлены."))
    else:
        if attempt.status == QuizAttempt.Status.CHECKED:
            messages.success(
                request, _("Тест проверен: %(score)s из 100.") % {"score": floatformat(attempt.score, "-1")}
            )
            _tell_the_outcome(request, enrolment)
        else:
            messages.info(request, _("Ответы отправлены. Развёрнутые ответы проверит преподаватель."))
    return redirect(_lesson_url(place.course, place.lesson))


urlpatterns = [
    path("<int:course_id>/lessons/<int:lesson_id>/", lesson, name="lesson"),
    path("<int:course_id>/lessons/<int:lesson_id>/finish/", lesson_finish, name="lesson_finish"),
    path("<int:course_id>/lessons/<int:lesson_id>/quiz/", quiz_submit, name="quiz_submit"),
]
