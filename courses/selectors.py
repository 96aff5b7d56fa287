from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value

from courses.models import (
    ChapterLesson,
    Course,
    CourseChapter,
    CourseLocation,
    Lesson,
    VolunteerCourse,
    VolunteerLesson,
)
from volunteers.models import Level, Location, Volunteer

SHOWN = Q(ready=True, visible=True, published=True)


@dataclass(frozen=True)
class Learner:
    """Whom the learner pages are shown to: a volunteer's confirmed level and region, or
    the level and region an administrator picked for «вид студента». `volunteer` is None
    for visitors, staff without a profile, and the student view."""

    volunteer: Volunteer | None
    level: Level | None
    location: Location | None

    @property
    def can_enrol(self) -> bool:
        return self.volunteer is not None


ANONYMOUS = Learner(volunteer=None, level=None, location=None)


def learner_for_volunteer(volunteer: Volunteer | None) -> Learner:
    if volunteer is None:
        return ANONYMOUS
    return Learner(volunteer=volunteer, level=volunteer.effective_level, location=volunteer.location)


def learner_of_user(user) -> Learner:
    """The signed-in user's volunteer profile as a learner, in one query: the profile with
    its region and its highest confirmed level (Volunteer.effective_level) joined in —
    the confirmed records, highest rank first, of which the first row is kept."""
    volunteer = (
        Volunteer.objects.filter(user=user)
        .annotate(top_record=FilteredRelation("level_records", condition=Q(level_records__confirmed=True)))
        .select_related("location", "top_record__level")
        .order_by(F("top_record__level__rank").desc(nulls_last=True))
        .first()
    )
    if volunteer is None:
        return ANONYMOUS
    # Django sets a filtered relation only when a row matched: no confirmed level, no attribute.
    top_record = getattr(volunteer, "top_record", None)
    return Learner(volunteer=volunteer, level=top_record.level if top_record else None, location=volunteer.location)


def courses_shown() -> QuerySet[Course]:
    """Courses learners may see: ready, visible and published."""
    return Course.objects.filter(SHOWN)


def catalogue_courses(volunteer: Volunteer | None) -> QuerySet[Course]:
    """The shown courses in the catalogue's order with what their cards need, in the
    page's one query: direction and level; `region_ids`, the regions a course lists
    (none: open everywhere); and `enrolment_status`, the volunteer's enrolment (None: not
    enrolled, or no volunteer). Not the full description: the cards show the short one."""
    listed = CourseLocation.objects.filter(course=OuterRef("pk")).values("location_id")
    enrolment = (
        VolunteerCourse.objects.filter(course=OuterRef("pk"), volunteer=volunteer).order_by().values("status")[:1]
    )
    return (
        courses_shown()
        .select_related("direction", "level")
        .defer("full_description")
        .annotate(
            region_ids=ArraySubquery(listed),
            enrolment_status=Subquery(enrolment) if volunteer else Value(None, output_field=CharField()),
        )
        .order_by("start_date", "title", "pk")
    )


def refusal_reason(learner: Learner, course: Course, *, region_ids: Collection[int] | None = None) -> str | None:
    """Why this learner may not enrol, in the words the catalogue shows; None if they may.
    Reads course.level, and the course's regions: `region_ids` when the caller has them
    (catalogue_courses), else course.locations (prefetch them on lists)."""
    if learner.level is None or course.level.rank > learner.level.rank:
        return f"нужен уровень {course.level}"
    if region_ids is None:
        region_ids = {location.pk for location in course.locations.all()}
    if region_ids and (learner.location is None or learner.location.pk not in region_ids):
        return "недоступно в вашем регионе"
    return None


# What the learner pages read of a course's structure: not the timestamps and authors,
# which they never show (converting those made reading the structure a sixth slower).
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


def course_structure(course: Course) -> list[tuple[CourseChapter, list[Lesson]]]:
    """The course's chapters in order, each with its shown lessons in order (two queries).
    The lessons carry STRUCTURE_LESSON_FIELDS only; the chapters their title."""
    chapters = list(
        course.course_chapters.select_related("chapter")
        .only("course_id", "order_number", "chapter__title")
        .order_by("order_number")
    )
    links = (
        ChapterLesson.objects.filter(
            chapter_id__in={entry.chapter_id for entry in chapters},
            lesson__ready=True,
            lesson__visible=True,
            lesson__published=True,
        )
        .select_related("lesson")
        .only("chapter_id", *(f"lesson__{name}" for name in STRUCTURE_LESSON_FIELDS))
        .order_by("order_number")
    )
    lessons_of_chapter: dict[int, list[Lesson]] = {}
    for link in links:
        lessons_of_chapter.setdefault(link.chapter_id, []).append(link.lesson)
    return [(entry, lessons_of_chapter.get(entry.chapter_id, [])) for entry in chapters]


def course_lessons(course: Course) -> list[Lesson]:
    """The course's shown lessons in reading order (chapter order, then lesson order)."""
    return [lesson for _, lessons in course_structure(course) for lesson in lessons]


def courses_shown_with_enrolment(volunteer: Volunteer | None) -> QuerySet[Course]:
    """courses_shown(), each course with the volunteer's enrolment in it joined in the same
    query: read it with joined_enrolment(course)."""
    if volunteer is None:
        return courses_shown()
    enrolment = FilteredRelation("enrolments", condition=Q(enrolments__volunteer=volunteer))
    return courses_shown().annotate(learner_enrolment=enrolment).select_related("learner_enrolment")


def joined_enrolment(course: Course) -> VolunteerCourse | None:
    """The enrolment courses_shown_with_enrolment() joined, with its course set; None if
    the volunteer is not enrolled (Django sets a filtered relation only when a row matched)."""
    enrolment = getattr(course, "learner_enrolment", None)
    if enrolment is not None:
        enrolment.course = course
    return enrolment


def enrolment_of(volunteer: Volunteer | None, course: Course) -> VolunteerCourse | None:
    if volunteer is None:
        return None
    return VolunteerCourse.objects.filter(volunteer=volunteer, course=course).first()


def lesson_progress(volunteer: Volunteer, lessons: list[Lesson]) -> dict[int, VolunteerLesson]:
    """The volunteer's progress rows of these lessons, by lesson id (a lesson without a
    row is missing). Whether passed and when started; the other dates are not read."""
    rows = VolunteerLesson.objects.filter(volunteer=volunteer, lesson_id__in=[lesson.pk for lesson in lessons]).only(
        "volunteer_id", "lesson_id", "passed", "start_date"
    )
    return {row.lesson_id: row for row in rows}
