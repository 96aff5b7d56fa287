"""The learner's side of courses before the lessons: the catalogue, a course's page,
enrolment and retakes, «Мои курсы», and the administrators' «вид студента» switch."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.dates import MONTHS_ALT
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.cache import cached, kept_for_visitors
from core.text import duration_text
from core.urls import url_pattern
from courses import services
from courses.filters import CourseFilter
from courses.models import (
    Certificate,
    ChapterLesson,
    Course,
    CourseChapter,
    Lesson,
    VolunteerCourse,
    VolunteerLesson,
    shown,
)
from courses.selectors import (
    Learner,
    catalogue_courses,
    course_structure,
    course_structure_with_progress,
    courses_shown,
    enrolment_of,
    enrolment_statuses,
    learner_course,
    lessons_passed_count,
    refusal_reason,
)
from courses.views.learner import (
    is_administrator,
    learner_context,
    learner_for_request,
    student_view,
    student_view_off,
)

COURSES_PER_PAGE = 20
# The catalogue and a course's page show the courses and the site's lists (directions,
# levels, regions); a page of the catalogue's list stays cached this long at most.
CATALOGUE_AREAS = ("courses", "site")
CATALOGUE_SECONDS = 600

# What a catalogue card says about the learner's own enrolment.
ENROLMENT_MARKS = {
    VolunteerCourse.Status.ENROLLED: "Вы записаны",
    VolunteerCourse.Status.ACTIVE: "Вы записаны",
    VolunteerCourse.Status.PASSED: "Пройден",
    VolunteerCourse.Status.FAILED: "Не пройден",
}
FINISHED = (VolunteerCourse.Status.PASSED, VolunteerCourse.Status.FAILED)


def date_text(day: date) -> str:
    """«5 марта 2026»: what the template filter date:"j E Y" writes, at a tenth of its cost
    (the catalogue shows twenty)."""
    return f"{day.day} {MONTHS_ALT[day.month]} {day.year}"


def lesson_link(course_id: int) -> Callable[[int], str]:
    """`lesson_link(course_id)(lesson_id)`: the URL of a lesson of the course, from one
    reverse() for all the lessons. The course page and the lesson page link every lesson
    of the course: a reverse() per link was a tenth of their time."""
    return url_pattern("courses:lesson", course_id).format


def attempts_left(enrolment: VolunteerCourse) -> int | None:
    """Retakes still allowed after a failed attempt; None when the course has no limit."""
    limit = enrolment.course.attempts_limit
    return None if not limit else max(limit - enrolment.attempts, 0)


def _is_someone(learner: Learner) -> bool:
    """A volunteer, or the student view: someone whose level and region mean something.
    Anonymous visitors and staff without a profile see no refusal reasons."""
    return learner.volunteer is not None or learner.level is not None


@dataclass(frozen=True)
class CourseCard:
    course: Course
    duration: str
    format: str  # the label: get_format_display() looks it up anew on every card
    start: str  # date_text(course.start_date)
    refusal: str | None
    enrolment_mark: str | None

    @property
    def version(self) -> str:
        """All the card shows depends on: the template keeps a page of cards by theirs."""
        course = self.course
        return f"{course.pk}:{course.updated_at}:{course.direction}:{course.level}:{self.enrolment_mark}:{self.refusal}"


def _listing(course_filter: CourseFilter, page_number) -> tuple[int, int, list[Course]]:
    """The filtered courses' count, and the page's number and courses."""
    page = Paginator(course_filter.qs, COURSES_PER_PAGE).get_page(page_number)
    return page.paginator.count, page.number, list(page.object_list)


def _page(courses: list[Course], number: int, count: int) -> Page:
    paginator = Paginator((), COURSES_PER_PAGE)
    paginator.count = count  # counted with the listing
    return Page(courses, number, paginator)


@kept_for_visitors(*CATALOGUE_AREAS)
def catalogue(request):
    """Everyone, anonymous visitors too: the shown courses, filtered and paginated; each
    card says why the current learner may not enrol, or that they already did. The list
    is the same for every reader: it is cached under the versions of the courses and the
    site's lists (core.cache.cached); the learner's enrolments are read anew."""
    learner = learner_for_request(request)
    course_filter = CourseFilter(request.GET, queryset=catalogue_courses())
    count, number, courses = cached(
        f"courses:catalogue:{request.get_full_path()}",
        lambda: _listing(course_filter, request.GET.get("page")),
        areas=CATALOGUE_AREAS,
        seconds=CATALOGUE_SECONDS,
    )
    page = _page(courses, number, count)
    statuses = enrolment_statuses(learner.volunteer, [course.pk for course in courses])
    someone = _is_someone(learner)
    format_labels = {value: str(label) for value, label in Course.Format.choices}
    cards = [
        CourseCard(
            course=course,
            duration=duration_text(course.duration),
            format=format_labels.get(course.format, course.format),
            start=date_text(course.start_date),
            refusal=refusal_reason(learner, course, region_ids=course.region_ids)
            if someone and course.pk not in statuses
            else None,
            enrolment_mark=ENROLMENT_MARKS.get(statuses.get(course.pk)),
        )
        for course in courses
    ]
    context = {
        "filter": course_filter,
        "page_obj": page,
        "cards": cards,
        "cards_version": "|".join(card.version for card in cards),
        # is_staff first: volunteers pay no query for a link they never get
        "can_use_student_view": request.user.is_staff
        and not request.courses_student_view
        and is_administrator(request.user),
        **learner_context(request),
    }
    return render(request, "courses/catalogue.html", context)


def _lesson_facts(lesson: Lesson, type_labels: dict[str, str]) -> str:
    """«Вебинар, 60 мин, дополнительный, дипломный»: what the course page says of a lesson."""
    facts = [type_labels.get(lesson.type, lesson.type), f"{lesson.duration} мин"]
    if lesson.additional:
        facts.append("дополнительный")
    if lesson.diploma:
        facts.append("дипломный")
    return ", ".join(facts)


@kept_for_visitors(*CATALOGUE_AREAS)
def detail(request, course_id: int):
    """A shown course (404 otherwise, for staff too: they preview in the admin): what it
    teaches, its structure, and the learner's progress or why they cannot enrol."""
    learner = learner_for_request(request)
    found = learner_course(course_id, learner.volunteer)
    if found is None:
        raise Http404
    course, enrolment, regions = found.course, found.enrolment, found.regions
    if enrolment is None:
        structure, passed_ids = course_structure(course), set()
    else:
        structure, passed_ids, _ = course_structure_with_progress(course, learner.volunteer)
    lessons = [lesson for _, chapter_lessons in structure for lesson in chapter_lessons]
    next_lesson = next((lesson for lesson in lessons if lesson.pk not in passed_ids), None)
    passed_count, lesson_count = lessons_passed_count(lessons, passed_ids)
    certificate = None
    if enrolment is not None and enrolment.status == VolunteerCourse.Status.PASSED:
        certificate = Certificate.objects.filter(volunteer_id=enrolment.volunteer_id, course=course).first()
    link = lesson_link(course.pk) if enrolment is not None else None
    # Once per page: get_type_display() looks the label up anew for each of the lessons.
    type_labels = {value: str(label) for value, label in Lesson.Type.choices}
    program = [
        (
            (entry.pk, entry.order_number, entry.chapter.title),
            [
                (
                    lesson.title,
                    link(lesson.pk) if link else None,
                    _lesson_facts(lesson, type_labels),
                    lesson.pk in passed_ids,
                )
                for lesson in chapter_lessons
            ],
        )
        for entry, chapter_lessons in structure
    ]
    context = {
        "course": course,
        "duration": duration_text(course.duration),
        "start": date_text(course.start_date),
        "regions": [region for _, region in regions],
        "skills": found.skills,
        "questions": found.questions,
        # Plain values, all the program shows: the template keeps it drawn by them.
        "structure": program,
        "structure_version": repr(program),
        "lesson_count": lesson_count,
        "passed_count": passed_count,
        "enrolment": enrolment,
        "certificate": certificate,
        "finished": enrolment is not None and enrolment.status in FINISHED,
        "failed": enrolment is not None and enrolment.status == VolunteerCourse.Status.FAILED,
        "next_lesson_url": link(next_lesson.pk) if link and next_lesson else None,
        "attempts_left": attempts_left(enrolment) if enrolment else None,
        "refusal": refusal_reason(learner, course, region_ids={pk for pk, _ in regions})
        if _is_someone(learner)
        else None,
        **learner_context(request),
    }
    return render(request, "courses/detail.html", context)


@login_required
@require_POST
def enrol(request, course_id: int):
    course = get_object_or_404(courses_shown().select_related("level").prefetch_related("location"), pk=course_id)
    learner = learner_for_request(request)
    if request.courses_student_view:
        messages.warning(request, _("В виде студента записаться нельзя: выйдите из него."))
    elif learner.volunteer is None:
        messages.warning(request, _("Чтобы записаться на курс, заполните анкету волонтёра."))
    elif enrolment_of(learner.volunteer, course) is not None:
        messages.info(request, _("Вы уже записаны на этот курс."))
    else:
        try:
            services.enrol(volunteer=learner.volunteer, course=course)
        except services.CourseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Вы записались на курс «%(course)s».") % {"course": course})
    return redirect(course)


@login_required
@require_POST
def retake(request, course_id: int):
    course = get_object_or_404(courses_shown(), pk=course_id)
    enrolment = enrolment_of(learner_for_request(request).volunteer, course)
    if enrolment is None:
        messages.warning(request, _("Вы не записаны на этот курс."))
        return redirect(course)
    try:
        services.course_retake(enrolment=enrolment)
    except services.CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Новая попытка началась: пройдите уроки курса заново."))
    return redirect(course)


def _shown_lesson_ids_by_course(course_ids: list[int]) -> dict[int, list[tuple[int, bool]]]:
    """The shown lessons of several courses in reading order, each as (id, additional), in
    two queries whatever the number of courses (course_lessons() would take two per course)."""
    chapters = CourseChapter.objects.filter(course_id__in=course_ids).order_by("course_id", "order_number")
    chapter_course = list(chapters.values_list("course_id", "chapter_id"))
    lessons_of_chapter: dict[int, list[tuple[int, bool]]] = {}
    links = (
        ChapterLesson.objects.filter(shown("lesson__"), chapter_id__in={chapter_id for _, chapter_id in chapter_course})
        .order_by("chapter_id", "order_number")
        .values_list("chapter_id", "lesson_id", "lesson__additional")
    )
    for chapter_id, lesson_id, additional in links:
        lessons_of_chapter.setdefault(chapter_id, []).append((lesson_id, additional))
    by_course: dict[int, list[tuple[int, bool]]] = {course_id: [] for course_id in course_ids}
    for course_id, chapter_id in chapter_course:
        by_course[course_id].extend(lessons_of_chapter.get(chapter_id, []))
    return by_course


@dataclass(frozen=True)
class MyCourse:
    enrolment: VolunteerCourse
    lesson_count: int
    passed_count: int
    next_lesson_id: int | None

    @property
    def finished(self) -> bool:
        return self.enrolment.status in FINISHED


def enrolments_of(volunteer) -> QuerySet[VolunteerCourse]:
    """The volunteer's enrolments, newest first, with what «Мои курсы» shows of the course."""
    return (
        VolunteerCourse.objects.filter(volunteer=volunteer)
        .select_related("course__direction", "course__level")
        .order_by("-created_at", "-pk")
    )


def my_course_rows(volunteer, enrolments: list[VolunteerCourse]) -> list[MyCourse]:
    """The volunteer's progress in each of these enrolments of theirs, in three queries
    whatever their number (the page and the API's my/courses/ list)."""
    lessons = _shown_lesson_ids_by_course([enrolment.course_id for enrolment in enrolments])
    passed = set(
        VolunteerLesson.objects.filter(
            volunteer=volunteer,
            passed=True,
            lesson_id__in={lesson_id for entries in lessons.values() for lesson_id, _ in entries},
        ).values_list("lesson_id", flat=True)
    )
    rows = []
    for enrolment in enrolments:
        ids = [lesson_id for lesson_id, _ in lessons[enrolment.course_id]]
        # As lessons_passed_count(): only the lessons that count for passing are counted.
        required = [lesson_id for lesson_id, additional in lessons[enrolment.course_id] if not additional]
        rows.append(
            MyCourse(
                enrolment=enrolment,
                lesson_count=len(required),
                passed_count=sum(lesson_id in passed for lesson_id in required),
                next_lesson_id=next((lesson_id for lesson_id in ids if lesson_id not in passed), None),
            )
        )
    return rows


@login_required
def my_courses(request):
    """The signed-in volunteer's enrolments with their progress and where to go on."""
    learner = learner_for_request(request)
    rows = []
    if learner.volunteer is not None:
        rows = my_course_rows(learner.volunteer, list(enrolments_of(learner.volunteer)))
    return render(request, "courses/my_courses.html", {"rows": rows, **learner_context(request)})


urlpatterns = [
    path("", catalogue, name="catalogue"),
    path("my/", my_courses, name="my_courses"),
    path("<int:course_id>/", detail, name="detail"),
    path("<int:course_id>/enrol/", enrol, name="enrol"),
    path("<int:course_id>/retake/", retake, name="retake"),
    path("student-view/", student_view, name="student_view"),
    path("student-view/off/", student_view_off, name="student_view_off"),
]
