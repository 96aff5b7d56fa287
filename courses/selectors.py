"""The learner's reads of courses. What is the same for every reader — a course with its
details, a course's structure — is cached for every process under the versions of the
areas it is read from (core.cache.cached: "courses", and "site" for the directions, levels
and regions a course shows); the learner's own enrolment and progress are read anew, each
in one small query."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.template.defaultfilters import linebreaksbr

from core.cache import cached
from core.compiled import CompiledQuery
from courses.models import (
    FAQ,
    Answer,
    ChapterLesson,
    Choice,
    Course,
    CourseChapter,
    CourseLocation,
    Lesson,
    Question,
    QuizAttempt,
    Skill,
    VolunteerCourse,
    VolunteerLesson,
    Webinar,
    shown,
)
from courses.permissions import editable_direction_ids
from volunteers.models import Level, Location, Volunteer

COURSE_AREAS = ("courses", "site")
STRUCTURE_AREAS = ("courses",)


class Learner:
    """Whom the learner pages are shown to: a volunteer, with their confirmed level and
    region, or the level and region an administrator picked for «вид студента». `volunteer`
    is None for visitors, staff without a profile, and the student view.

    A volunteer's level is read when first asked for, in its own small query: the lesson
    pages and their forms need only the volunteer, and a webinar's learners open and submit
    its quiz at once (bench/exam_rush.py). Read with the volunteer, as a subquery, it made
    every such request's read 2.6 ms instead of the plain profile's 1.2–1.5 (in process,
    `timeit` 6–9 ms); pages that show it pay 0.3 ms and a query more."""

    def __init__(self, *, volunteer: Volunteer | None, level: Level | None = None, location: Location | None = None):
        self.volunteer = volunteer
        self._level, self._location = level, location

    @cached_property
    def level(self) -> Level | None:
        return self._level if self.volunteer is None else self.volunteer.effective_level

    @property
    def location_id(self) -> int | None:
        """The region's id: all that deciding what the learner may enrol in reads of it."""
        if self.volunteer is None:
            return self._location.pk if self._location else None
        return self.volunteer.location_id

    @property
    def location(self) -> Location | None:
        """The region itself; a volunteer's is read when first asked for."""
        return self._location if self.volunteer is None else self.volunteer.location

    @property
    def can_enrol(self) -> bool:
        return self.volunteer is not None


ANONYMOUS = Learner(volunteer=None)


def learner_for_volunteer(volunteer: Volunteer | None) -> Learner:
    return ANONYMOUS if volunteer is None else Learner(volunteer=volunteer)


def learner_of_user(user) -> Learner:
    """The signed-in user's volunteer profile as a learner, in one query (compiled once:
    core.compiled; every learner page reads it), with `user` as its user (a message to the
    learner reads no account again). Its level and region are read when asked for (see
    Learner): what it may enrol in needs only the region's id."""
    found = _volunteer_of(user.pk)
    if not found:
        return ANONYMOUS
    volunteer = found[0]
    volunteer.user = user
    return learner_for_volunteer(volunteer)


@CompiledQuery
def _volunteer_of(user_id):
    return Volunteer.objects.filter(user_id=user_id)


def courses_shown() -> QuerySet[Course]:
    """Courses learners may see (courses.models.shown)."""
    return Course.objects.filter(shown())


def catalogue_courses() -> QuerySet[Course]:
    """The shown courses in the catalogue's order with what their cards need, in the
    page's one query: direction and level, and `region_ids`, the regions a course lists
    (none: open everywhere). Not the full description: the cards show the short one. The
    same for every reader: a learner's enrolments come from enrolment_statuses()."""
    listed = CourseLocation.objects.filter(course=OuterRef("pk")).values("location_id")
    return (
        courses_shown()
        .select_related("direction", "level")
        .defer("full_description")
        .annotate(region_ids=ArraySubquery(listed))
        .order_by("start_date", "title", "pk")
    )


def enrolment_statuses(volunteer: Volunteer | None, course_ids: Collection[int]) -> dict[int, str]:
    """The volunteer's enrolment status in each of these courses they are enrolled in."""
    if volunteer is None or not course_ids:
        return {}
    enrolments = VolunteerCourse.objects.filter(volunteer=volunteer, course_id__in=course_ids).order_by()
    return dict(enrolments.values_list("course_id", "status"))


def refusal_reason(learner: Learner, course: Course, *, region_ids: Collection[int] | None = None) -> str | None:
    """Why this learner may not enrol, in the words the catalogue shows; None if they may.
    Reads course.level, and the course's regions: `region_ids` when the caller has them
    (catalogue_courses), else course.location (prefetch them on lists)."""
    if learner.level is None or course.level.rank > learner.level.rank:
        return f"нужен уровень {course.level}"
    if region_ids is None:
        region_ids = {location.pk for location in course.location.all()}
    if region_ids and learner.location_id not in region_ids:
        return "недоступно в вашем регионе"
    return None


# --- A course's structure ---------------------------------------------------------------

# What the learner pages read of a course's lessons: not the timestamps and authors, which
# they never show.
STRUCTURE_LESSON_FIELDS = (
    "title",
    "description",
    "type",
    "duration",
    "ready",
    "visible",
    "published",
    "additional",
    "diploma",
)
# What the lesson page reads of the learner's progress rows (see services.lesson_open).
STRUCTURE_PROGRESS_FIELDS = ("volunteer_id", "lesson_id", "passed", "start_date")

Structure = list[tuple[CourseChapter, list[Lesson]]]


def _shown_links() -> QuerySet[ChapterLesson]:
    """The links of chapters to their shown lessons, with the lessons (STRUCTURE_LESSON_FIELDS)."""
    lesson_fields = (f"lesson__{name}" for name in STRUCTURE_LESSON_FIELDS)
    return (
        ChapterLesson.objects.filter(shown("lesson__"))
        .select_related("lesson")
        .only("chapter", "order_number", "lesson", *lesson_fields)
    )


def _read_structure(course_id: int) -> Structure:
    """The course's chapters in order (with their chapter's title), each with its shown
    lessons in order (STRUCTURE_LESSON_FIELDS only), read now: two queries."""
    links = Prefetch("chapter__chapter_lessons", queryset=_shown_links().order_by("order_number"), to_attr="links")
    entries = (
        CourseChapter.objects.filter(course_id=course_id)
        .select_related("chapter")
        .only("course", "chapter", "order_number", "chapter__title")
        .prefetch_related(links)
        .order_by("order_number")
    )
    structure = []
    for entry in entries:
        structure.append((entry, [link.lesson for link in entry.chapter.links]))
        del entry.chapter.links  # not cached with the structure: half its reading time
    return structure


def course_structure(course: Course) -> Structure:
    """The course's chapters in order, each with its shown lessons in order, as every
    learner sees them: cached under the "courses" area. The lessons carry
    STRUCTURE_LESSON_FIELDS only; the chapters their title."""
    return cached(f"courses:structure:{course.pk}", lambda: _read_structure(course.pk), areas=STRUCTURE_AREAS)


def course_lessons(course: Course) -> list[Lesson]:
    """The course's shown lessons in reading order (chapter order, then lesson order), as
    the database has them now, in one query: for the services that evaluate and reset
    progress, and the teachers' pages. They carry STRUCTURE_LESSON_FIELDS only."""
    chapter_order = CourseChapter.objects.filter(course=course, chapter=OuterRef("chapter")).values("order_number")
    links = (
        _shown_links()
        .filter(chapter__courses=course)
        .annotate(chapter_order=Subquery(chapter_order))
        .order_by("chapter_order", "order_number")
    )
    return [link.lesson for link in links]


def course_structure_with_progress(
    course: Course, volunteer: Volunteer, *, lesson_id: int | None = None
) -> tuple[Structure, set[int], VolunteerLesson | None]:
    """course_structure() and the volunteer's progress in it, read in one query: the ids of
    the structure's lessons they passed, and their progress row of the lesson `lesson_id`
    (None: no row, or no lesson asked for), which carries STRUCTURE_PROGRESS_FIELDS only —
    the lesson page records its lesson's opening in it."""
    structure = course_structure(course)
    lesson_ids = {lesson.pk for _, lessons in structure for lesson in lessons}
    if not lesson_ids:
        return structure, set(), None
    passed_ids, row = set(), None
    for each in _course_progress(volunteer.pk, course.pk, lesson_id or 0):
        if each.passed and each.lesson_id in lesson_ids:
            passed_ids.add(each.lesson_id)
        if each.lesson_id == lesson_id:
            row = each
    return structure, passed_ids, row


def passed_lesson_ids(volunteer_id: int, course_id: int) -> set[int]:
    """The ids of the course's lessons the volunteer passed, hidden ones too, in one query."""
    return {each.lesson_id for each in _course_progress(volunteer_id, course_id, 0) if each.passed}


@CompiledQuery
def _course_progress(volunteer_id, course_id, lesson_id):
    """The volunteer's rows of the course's lessons (any chapter's link: hidden lessons'
    too) that are passed or of the lesson `lesson_id`. Compiled once (core.compiled):
    every lesson page reads it, and every quiz submission."""
    chapters = CourseChapter.objects.filter(course_id=course_id).values("chapter_id")
    lessons = ChapterLesson.objects.filter(chapter_id__in=chapters).values("lesson_id")
    return (
        VolunteerLesson.objects.filter(Q(passed=True) | Q(lesson_id=lesson_id), volunteer_id=volunteer_id)
        .filter(lesson_id__in=lessons)
        .only(*STRUCTURE_PROGRESS_FIELDS)
        .order_by()
    )


def lessons_passed_count(lessons: Iterable[Lesson], passed_ids: Collection[int]) -> tuple[int, int]:
    """«Пройдено уроков N из M» as (N, M): the lessons that count for passing only, those
    not additional — as `courses.services.course_evaluate` requires them."""
    required = [lesson.pk for lesson in lessons if not lesson.additional]
    return sum(pk in passed_ids for pk in required), len(required)


# --- A quiz -----------------------------------------------------------------------------

# What a learner's page reads of a question, and of a choice its text: nothing that gives
# the answers away (is_correct, accepted answers, tolerance) is even read.
QUIZ_QUESTION_FIELDS = ("pk", "lesson_id", "order_number", "kind", "text", "points")


@dataclass(frozen=True)
class QuizChoice:
    pk: int
    text: str
    is_correct: bool = False  # read for quiz_key only


@dataclass
class QuizQuestion:
    """A quiz's question with its choices in order, as quiz_questions and quiz_key keep it
    in the cache: plain values. As model instances, whose prefetched choices are a QuerySet
    pickled with its whole query, the cache gave a 10-question quiz back in 0.37 ms; as
    these, in 0.085 (`timeit` 6.2 ms) — three times for each learner of an exam rush
    (bench/exam_rush.py). The lesson page sets what the learner gave on them when it puts
    the form back (given_text, given_choices, hint)."""

    pk: int
    order_number: int
    kind: str
    text: str
    text_html: str  # the text with its line breaks, as the result page shows it (safe)
    points: int
    choices: tuple[QuizChoice, ...]
    accepted_answers: str = ""  # read for quiz_key only
    tolerance: Decimal | None = None  # read for quiz_key only


# A new name for a new shape: after a release, a shared cache may still hold the old one.
QUIZ_KEY = "courses:quiz-lines"


def _read_quiz(lesson_id: int, *, with_key: bool) -> list[QuizQuestion]:
    questions = Question.objects.filter(lesson_id=lesson_id).order_by("order_number")
    choices = Choice.objects.all()
    if not with_key:
        questions, choices = questions.only(*QUIZ_QUESTION_FIELDS), choices.only("pk", "question_id", "text")
    return [
        QuizQuestion(
            pk=question.pk,
            order_number=question.order_number,
            kind=question.kind,
            text=question.text,
            text_html=linebreaksbr(question.text, autoescape=True),
            points=question.points,
            choices=tuple(
                QuizChoice(choice.pk, choice.text, with_key and choice.is_correct) for choice in question.choices.all()
            ),
            **({"accepted_answers": question.accepted_answers, "tolerance": question.tolerance} if with_key else {}),
        )
        for question in questions.prefetch_related(Prefetch("choices", queryset=choices))
    ]


def quiz_questions(lesson_id: int) -> list[QuizQuestion]:
    """The quiz's questions in order with their choices, as learners see them
    (QUIZ_QUESTION_FIELDS; the choices' text). Every learner of a webinar opens the quiz and
    reads its result at once (bench/exam_rush.py): cached under the courses area, which the
    services and the admin of course content retire."""
    return cached(f"{QUIZ_KEY}:{lesson_id}", lambda: _read_quiz(lesson_id, with_key=False), areas=STRUCTURE_AREAS)


def quiz_key(lesson_id: int) -> dict[int, QuizQuestion]:
    """The quiz's questions with all that grading reads (choices with is_correct, accepted
    answers, tolerance), by id: for courses.services.quiz_submit, never shown. Cached as
    quiz_questions is."""
    questions = cached(
        f"{QUIZ_KEY}-key:{lesson_id}", lambda: _read_quiz(lesson_id, with_key=True), areas=STRUCTURE_AREAS
    )
    return {question.pk: question for question in questions}


def current_attempt(enrolment: VolunteerCourse, lesson_id: int) -> QuizAttempt | None:
    """The enrolment's attempt of the quiz in its current course attempt, or None: the
    quiz page reads it to show the form or the result (compiled once: core.compiled)."""
    found = _current_attempt(enrolment.pk, lesson_id, enrolment.attempts)
    return found[0] if found else None


@CompiledQuery
def _current_attempt(enrolment_id, lesson_id, number):
    return QuizAttempt.objects.filter(enrolment_id=enrolment_id, lesson_id=lesson_id, number=number).order_by()


def attempt_answers(attempt: QuizAttempt, questions: list[QuizQuestion]) -> dict[int, Answer]:
    """The attempt's answers by question id, in one query (compiled once: core.compiled),
    each with `chosen`: the choices it picked, from `questions` (quiz_questions), in the
    question's order."""
    choices = {question.pk: question.choices for question in questions}
    found = {}
    for answer in _answers(attempt.pk):
        picked = set(answer.choice_ids)
        answer.chosen = [choice for choice in choices.get(answer.question_id, ()) if choice.pk in picked]
        found[answer.question_id] = answer
    return found


@CompiledQuery
def _answers(attempt_id):
    # A plain array, [None] for an answer without choices: a FILTER and a default made
    # building the query cost every result page about a millisecond more (in process,
    # `timeit` 6–10 ms; bench/exam_rush.py).
    return Answer.objects.filter(attempt_id=attempt_id).annotate(choice_ids=ArrayAgg("choices")).order_by()


# --- A course ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseDetails:
    """A shown course with its direction and level, and the lists its page shows, each in
    its model's order: `regions` (location id, region), `skills` (title, description) and
    `questions` (question, answer)."""

    course: Course
    regions: list[tuple[int, str]]
    skills: list[tuple[str, str]]
    questions: list[tuple[str, str]]


def _read_course_details(course_id: int) -> CourseDetails:
    """Raises Course.DoesNotExist when no shown course has the id: nothing is cached then."""
    course = (
        courses_shown()
        .select_related("direction", "level")
        .prefetch_related(
            Prefetch("location", queryset=Location.objects.only("region")),
            Prefetch("skills", queryset=Skill.objects.only("title", "description")),
            Prefetch("faq", queryset=FAQ.objects.only("question", "answer")),
        )
        .get(pk=course_id)
    )
    return CourseDetails(
        course=course,
        regions=[(location.pk, location.region) for location in course.location.all()],
        skills=[(skill.title, skill.description) for skill in course.skills.all()],
        questions=[(item.question, item.answer) for item in course.faq.all()],
    )


def course_details(course_id: int) -> CourseDetails | None:
    """The shown course `course_id` with its details, the same for every reader: cached
    under the "courses" and "site" areas. None if there is no such shown course."""
    try:
        return cached(f"courses:course:{course_id}", lambda: _read_course_details(course_id), areas=COURSE_AREAS)
    except Course.DoesNotExist:
        return None


@dataclass(frozen=True)
class LearnerCourse:
    """A shown course as the learner pages read it, with the learner's enrolment in it
    (None: not enrolled, or no volunteer), whose course is set; the course has its
    direction and level, and the lists of its page come along (see CourseDetails)."""

    course: Course
    enrolment: VolunteerCourse | None
    regions: list[tuple[int, str]] = field(default_factory=list)
    skills: list[tuple[str, str]] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)


def learner_course(course_id: int, volunteer: Volunteer | None) -> LearnerCourse | None:
    """The shown course `course_id` as the learner pages read it (see LearnerCourse): the
    course from the cache (course_details), the volunteer's enrolment in one query. None if
    there is no such shown course."""
    details = course_details(course_id)
    if details is None:
        return None
    course = details.course
    enrolment = enrolment_of(volunteer, course)
    if enrolment is not None:
        enrolment.course = course
    return LearnerCourse(
        course=course,
        enrolment=enrolment,
        regions=details.regions,
        skills=details.skills,
        questions=details.questions,
    )


def lesson_webinars(lesson: Lesson) -> list[Webinar]:
    """The lesson's webinars by start (their link and start only), for the lesson page."""
    return list(lesson.webinars.only("lesson_id", "url_webinar", "start_date").order_by("start_date", "pk"))


def enrolment_of(volunteer: Volunteer | None, course: Course) -> VolunteerCourse | None:
    """The volunteer's enrolment in the course (one at most: a constraint), or None. Every
    lesson page and its forms read it (compiled once: core.compiled)."""
    if volunteer is None:
        return None
    found = _enrolment(volunteer.pk, course.pk)
    return found[0] if found else None


@CompiledQuery
def _enrolment(volunteer_id, course_id):
    return VolunteerCourse.objects.filter(volunteer_id=volunteer_id, course_id=course_id)


# --- Teachers' review of open answers ----------------------------------------------------


def open_answers(user) -> QuerySet[Answer]:
    """The open answers (scored by a teacher) of the courses in the user's direction scope
    (courses.permissions.editable_direction_ids: every direction for administrators and
    unrestricted teachers), with what the review pages and the API show of each."""
    answers = Answer.objects.filter(question__kind=Question.Kind.OPEN).select_related(
        "question",
        "attempt__lesson",
        "attempt__enrolment__course",
        "attempt__enrolment__volunteer__user",
    )
    scope = editable_direction_ids(user)
    return answers if scope is None else answers.filter(attempt__enrolment__course__direction_id__in=scope)


def answers_awaiting_review(user) -> QuerySet[Answer]:
    """The user's open_answers() no teacher has scored yet, the longest waiting first."""
    return open_answers(user).filter(fraction__isnull=True).order_by("attempt__submitted_at", "pk")
