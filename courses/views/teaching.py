"""The teachers' side of courses: the queue of open answers waiting for a score, the form
that scores one, and who takes a course (spec 001: the teacher «видит, кто проходит курс,
и кто его уже прошёл»). Teachers, administrators and main administrators reach them
through the permissions of their roles; volunteers get 403, visitors the login page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.models import row_count
from core.views import posted_data
from courses.forms import AnswerReviewForm, CourseStudentsFilterForm, ReviewQueueFilterForm
from courses.models import Answer, Course, Question, QuizAttempt, VolunteerCourse, VolunteerLesson
from courses.selectors import answers_awaiting_review, course_lessons, open_answers
from courses.services import CourseError, answer_review

ANSWERS_PER_PAGE = 20
STUDENTS_PER_PAGE = 50

REVIEW_PERMISSION = "courses.change_quizattempt"
STUDENTS_PERMISSION = "courses.view_volunteercourse"

# The enrolment's way through a course, the order of the groups on the students page.
STATUS_ORDER = (
    VolunteerCourse.Status.ENROLLED,
    VolunteerCourse.Status.ACTIVE,
    VolunteerCourse.Status.PASSED,
    VolunteerCourse.Status.FAILED,
)
FINAL_STATUSES = (VolunteerCourse.Status.PASSED, VolunteerCourse.Status.FAILED)


def _queue_url(course_id: int | None) -> str:
    url = reverse("courses:review_queue")
    return f"{url}?course={course_id}" if course_id else url


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
def review_queue(request):
    """Users who may check quiz attempts (teachers, administrators, main administrators):
    the open answers still without a score, oldest first, of every course of their
    direction scope or of one (`?course=<id>`), paginated (selectors.answers_awaiting_review)."""
    course_id = ReviewQueueFilterForm(request.GET).course_id()
    waiting = answers_awaiting_review(request.user)
    course = None
    if course_id:
        course = get_object_or_404(Course, pk=course_id)
        waiting = waiting.filter(attempt__enrolment__course=course)
    page = Paginator(waiting, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "courses/teaching/review_queue.html", {"page_obj": page, "course": course})


@transaction.atomic
def _review_once(*, answer: Answer, form: AnswerReviewForm, teacher) -> QuizAttempt | None:
    """`answer_review`, unless another teacher has scored the answer since this one opened
    it (None then): the first score stands."""
    unscored = Answer.objects.select_for_update().filter(pk=answer.pk, fraction__isnull=True).first()
    if unscored is None:
        return None
    return answer_review(answer=unscored, fraction=form.fraction, comment=form.cleaned_data["comment"], teacher=teacher)


def _review_message(form: AnswerReviewForm, attempt: QuizAttempt) -> str:
    points = f"{form.cleaned_data['points'].normalize():f}".replace(".", ",")
    text = _("Ответ оценён: %(points)s из %(max)s.") % {"points": points, "max": form.max_points}
    if attempt.score is not None:
        text += " " + _("Тест проверен, результат: %(score)s из 100.") % {"score": f"{attempt.score:g}"}
    return text


@login_required
@permission_required(REVIEW_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_answer(request, answer_id: int):
    """Users who may check quiz attempts (teachers, administrators, main administrators):
    score one open answer in points with a comment; the attempt is checked, and the
    volunteer told, once its last open answer is scored. An answer scores once."""
    answer = get_object_or_404(open_answers(request.user), pk=answer_id)
    back = _queue_url(ReviewQueueFilterForm(request.GET).course_id())
    if answer.fraction is not None:
        messages.info(request, _("Этот ответ уже проверен."))
        return redirect(back)
    question = answer.question
    form = AnswerReviewForm(posted_data(request), max_points=question.points)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = _review_once(answer=answer, form=form, teacher=request.user)
        except CourseError as error:
            form.add_error("points", str(error))
        else:
            if attempt is None:
                messages.info(request, _("Этот ответ уже проверен другим преподавателем."))
            else:
                messages.success(request, _review_message(form, attempt))
            return redirect(back)
    return render(
        request,
        "courses/teaching/review_answer.html",
        {"answer": answer, "attempt": answer.attempt, "question": question, "form": form, "back_url": back},
    )


@login_required
@permission_required(STUDENTS_PERMISSION, raise_exception=True)
def course_students(request, course_id: int):
    """Users who may view enrolments (teachers, administrators, main administrators): who
    is enrolled in the course, who takes it and who has passed or failed it, with each
    volunteer's region, progress, assessment and attempt; all statuses grouped, or one
    (`?status=…`), paginated."""
    course = get_object_or_404(Course, pk=course_id)
    # Progress counts the lessons that count for passing only, as lessons_passed_count().
    lesson_ids = [lesson.pk for lesson in course_lessons(course) if not lesson.additional]
    status = CourseStudentsFilterForm(request.GET).status_chosen()
    counts = dict(course.enrolments.order_by().values_list("status").annotate(Count("pk")))
    lessons_passed = VolunteerLesson.objects.filter(
        volunteer=OuterRef("volunteer"), lesson_id__in=lesson_ids, passed=True
    )
    awaiting_review = Answer.objects.filter(
        attempt__enrolment=OuterRef("pk"), question__kind=Question.Kind.OPEN, fraction__isnull=True
    )
    enrolments = (
        course.enrolments.filter(Q(status=status) if status else Q())
        .select_related("volunteer__user", "volunteer__location")
        .annotate(
            lessons_passed=row_count(lessons_passed, per="volunteer"),
            awaiting_review=Exists(awaiting_review),
            status_rank=Case(
                *(When(status=value, then=Value(rank)) for rank, value in enumerate(STATUS_ORDER)),
                output_field=IntegerField(),
            ),
        )
        .order_by("status_rank", "volunteer__user__last_name", "volunteer__user__first_name", "pk")
    )
    page = Paginator(enrolments, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    tabs = [("", _("Все"), sum(counts.values()))] + [
        (value, VolunteerCourse.Status(value).label, counts.get(value, 0)) for value in STATUS_ORDER
    ]
    return render(
        request,
        "courses/teaching/course_students.html",
        {
            "course": course,
            "page_obj": page,
            "tabs": tabs,
            "status": status,
            "lessons_total": len(lesson_ids),
            "final_statuses": FINAL_STATUSES,
        },
    )


urlpatterns = [
    path("review/", review_queue, name="review_queue"),
    path("review/<int:answer_id>/", review_answer, name="review_answer"),
    path("<int:course_id>/students/", course_students, name="course_students"),
]
