from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from courses.models import ChapterLesson, Course, CourseChapter, Lesson, VolunteerCourse
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


def courses_shown() -> QuerySet[Course]:
    """Courses learners may see: ready, visible and published."""
    return Course.objects.filter(SHOWN)


def refusal_reason(learner: Learner, course: Course) -> str | None:
    """Why this learner may not enrol, in the words the catalogue shows; None if they may.
    Reads course.level and course.locations (prefetch them on lists)."""
    if learner.level is None or course.level.rank > learner.level.rank:
        return f"нужен уровень {course.level}"
    regions = course.locations.all()
    if regions and learner.location not in regions:
        return "недоступно в вашем регионе"
    return None


def course_structure(course: Course) -> list[tuple[CourseChapter, list[Lesson]]]:
    """The course's chapters in order, each with its shown lessons in order (two queries)."""
    lessons = Prefetch(
        "chapter__chapter_lessons",
        queryset=ChapterLesson.objects.filter(lesson__ready=True, lesson__visible=True, lesson__published=True)
        .select_related("lesson")
        .order_by("order_number"),
    )
    chapters = course.course_chapters.select_related("chapter").prefetch_related(lessons).order_by("order_number")
    return [(entry, [link.lesson for link in entry.chapter.chapter_lessons.all()]) for entry in chapters]


def course_lessons(course: Course) -> list[Lesson]:
    """The course's shown lessons in reading order (chapter order, then lesson order)."""
    return [lesson for _, lessons in course_structure(course) for lesson in lessons]


def enrolment_of(volunteer: Volunteer | None, course: Course) -> VolunteerCourse | None:
    if volunteer is None:
        return None
    return VolunteerCourse.objects.filter(volunteer=volunteer, course=course).first()
