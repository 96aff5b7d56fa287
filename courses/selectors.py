from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from itertools import islice

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, QuerySet

from core.sql import columns, loaded, loaded_fields, rows, table
from courses.models import (
    FAQ,
    Chapter,
    ChapterLesson,
    Course,
    CourseChapter,
    CourseFAQ,
    CourseLocation,
    CourseSkill,
    Lesson,
    Skill,
    VolunteerCourse,
    VolunteerLesson,
    Webinar,
)
from volunteers.models import Direction, Level, Location, Volunteer, VolunteerLevel

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


_VOLUNTEER_FIELDS = loaded_fields(Volunteer)
_LEARNER_LOCATION_FIELDS = loaded_fields(Location)
_LEARNER_LEVEL_FIELDS = loaded_fields(Level, ("name", "rank"))


@cache
def _learner_sql() -> str:
    """The volunteer of a user (%s), with its region and its highest confirmed level (NULLs
    when none)."""
    return (
        f"SELECT {columns('v', Volunteer, _VOLUNTEER_FIELDS)}, {columns('loc', Location, _LEARNER_LOCATION_FIELDS)},"
        f" {columns('top', Level, _LEARNER_LEVEL_FIELDS)}"
        f" FROM {table(Volunteer)} v JOIN {table(Location)} loc ON loc.id = v.location_id"
        f" LEFT JOIN LATERAL (SELECT l.* FROM {table(VolunteerLevel)} r JOIN {table(Level)} l ON l.id = r.level_id"
        "  WHERE r.volunteer_id = v.id AND r.confirmed ORDER BY l.rank DESC LIMIT 1) top ON true"
        " WHERE v.user_id = %s"
    )


def learner_of_user(user) -> Learner:
    """The signed-in user's volunteer profile as a learner, in one query: the profile with
    its region and its highest confirmed level (Volunteer.effective_level). Every learner
    page asks it, so it is written in SQL: the ORM took three times the database's time
    to build it. The level carries its name and rank, all the learner pages read."""
    found = rows(_learner_sql(), [user.pk])
    if not found:
        return ANONYMOUS
    values = iter(found[0])
    volunteer = loaded(Volunteer, _VOLUNTEER_FIELDS, islice(values, len(_VOLUNTEER_FIELDS)))
    volunteer.location = loaded(Location, _LEARNER_LOCATION_FIELDS, islice(values, len(_LEARNER_LOCATION_FIELDS)))
    level_values = list(values)
    level = loaded(Level, _LEARNER_LEVEL_FIELDS, level_values) if level_values[0] is not None else None
    return Learner(volunteer=volunteer, level=level, location=volunteer.location)


def courses_shown() -> QuerySet[Course]:
    """Courses learners may see: ready, visible and published."""
    return Course.objects.filter(SHOWN)


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
    return dict(
        rows(
            f"SELECT course_id, status FROM {table(VolunteerCourse)} WHERE volunteer_id = %s AND course_id = ANY(%s)",
            [volunteer.pk, list(course_ids)],
        )
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


# The learner pages (a course's, a lesson's) read the course and its structure on every
# request. They do it in SQL, the rows made into instances as a queryset would make them:
# the ORM took three to four times the database's time to build these queries.


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
# What the lesson page reads of the learner's progress rows (see services.lesson_open).
STRUCTURE_PROGRESS_FIELDS = ("volunteer_id", "lesson_id", "passed", "start_date")

Structure = list[tuple[CourseChapter, list[Lesson]]]

_LESSON_FIELDS = loaded_fields(Lesson, STRUCTURE_LESSON_FIELDS)
_PROGRESS_FIELDS = loaded_fields(VolunteerLesson, STRUCTURE_PROGRESS_FIELDS)
_PASSED = _PROGRESS_FIELDS.index("passed")


@cache
def _structure_sql() -> str:
    """A course's (%(course)s) chapters in order, each with its lessons in order: one row
    per chapter and shown lesson, and one with empty lesson columns for a chapter without
    shown lessons (LEFT JOIN, the lessons filtered in the join); with the progress row of
    each lesson of a volunteer (%(volunteer)s; NULL: none)."""
    return (
        "SELECT entry.id, entry.order_number, entry.chapter_id, chapter.title,"
        f" {columns('lesson', Lesson, _LESSON_FIELDS)}, {columns('progress', VolunteerLesson, _PROGRESS_FIELDS)}"
        f" FROM {table(CourseChapter)} entry JOIN {table(Chapter)} chapter ON chapter.id = entry.chapter_id"
        f" LEFT JOIN {table(ChapterLesson)} link ON link.chapter_id = entry.chapter_id"
        f" LEFT JOIN {table(Lesson)} lesson"
        "  ON lesson.id = link.lesson_id AND lesson.ready AND lesson.visible AND lesson.published"
        f" LEFT JOIN {table(VolunteerLesson)} progress"
        "  ON progress.lesson_id = lesson.id AND progress.volunteer_id = %(volunteer)s"
        " WHERE entry.course_id = %(course)s"
        " ORDER BY entry.order_number, link.order_number"
    )


def course_structure(course: Course) -> Structure:
    """The course's chapters in order, each with its shown lessons in order (one query).
    The lessons carry STRUCTURE_LESSON_FIELDS only; the chapters their title."""
    return _structure(course, volunteer=None)[0]


def course_structure_with_progress(
    course: Course, volunteer: Volunteer, *, lesson_id: int | None = None
) -> tuple[Structure, set[int], VolunteerLesson | None]:
    """course_structure() with, in the same one query, the volunteer's progress: the ids of
    the lessons they passed, and their progress row of the lesson `lesson_id` (None: no
    row, or no lesson asked for), which carries STRUCTURE_PROGRESS_FIELDS only. Only that
    row is made an instance: the lesson page records its lesson's opening in it."""
    structure, progress = _structure(course, volunteer=volunteer)
    passed_ids = {each for each, values in progress.items() if values[_PASSED]}
    row = progress.get(lesson_id)
    return structure, passed_ids, loaded(VolunteerLesson, _PROGRESS_FIELDS, row) if row else None


def _structure(course: Course, *, volunteer: Volunteer | None) -> tuple[Structure, dict[int, tuple]]:
    """The structure, and the values of the volunteer's progress rows by lesson id."""
    found = rows(_structure_sql(), {"course": course.pk, "volunteer": volunteer.pk if volunteer else None})
    structure: Structure = []
    progress: dict[int, tuple] = {}
    split = 4 + len(_LESSON_FIELDS)
    for row in found:
        entry_id, order_number, chapter_id, title = row[:4]
        if not structure or structure[-1][0].pk != entry_id:
            entry = loaded(
                CourseChapter,
                ("id", "course_id", "chapter_id", "order_number"),
                (entry_id, course.pk, chapter_id, order_number),
            )
            entry.chapter = loaded(Chapter, ("id", "title"), (chapter_id, title))
            structure.append((entry, []))
        if row[4] is None:  # the chapter has no shown lessons
            continue
        lesson = loaded(Lesson, _LESSON_FIELDS, row[4:split])
        structure[-1][1].append(lesson)
        if row[split] is not None:
            progress[lesson.pk] = row[split:]
    return structure, progress


def course_lessons(course: Course) -> list[Lesson]:
    """The course's shown lessons in reading order (chapter order, then lesson order)."""
    return [lesson for _, lessons in course_structure(course) for lesson in lessons]


@dataclass(frozen=True)
class LearnerCourse:
    """A shown course as the learner pages read it, with the learner's enrolment in it
    (None: not enrolled, or no volunteer), whose course is set. With `details` (the course
    page), the course has its direction and level, and the lists the page shows come
    along, each in its model's order: `regions` (location id, region), `skills` (title,
    description) and `questions` (question, answer)."""

    course: Course
    enrolment: VolunteerCourse | None
    regions: list[tuple[int, str]] = field(default_factory=list)
    skills: list[tuple[str, str]] = field(default_factory=list)
    questions: list[tuple[str, str]] = field(default_factory=list)


_COURSE_FIELDS = loaded_fields(Course)
_DIRECTION_FIELDS = loaded_fields(Direction)
_LEVEL_FIELDS = loaded_fields(Level)
_ENROLMENT_FIELDS = loaded_fields(VolunteerCourse)


def _pairs(first: str, second: str, rows: str, order: str) -> str:
    """A JSON list of the [first, second] pairs of `rows` (FROM …), in `order`."""
    return f"(SELECT coalesce(json_agg(json_build_array({first}, {second}) ORDER BY {order}), '[]') {rows})"


@cache
def _learner_course_sql(details: bool) -> str:
    """A shown course (%(course)s) with the enrolment of a volunteer (%(volunteer)s; NULL:
    none), and with `details` its direction, level, regions, skills and FAQ."""
    selected = [columns("course", Course, _COURSE_FIELDS), columns("enrolment", VolunteerCourse, _ENROLMENT_FIELDS)]
    joins = [
        f"LEFT JOIN {table(VolunteerCourse)} enrolment"
        " ON enrolment.course_id = course.id AND enrolment.volunteer_id = %(volunteer)s"
    ]
    if details:
        selected += [
            columns("direction", Direction, _DIRECTION_FIELDS),
            columns("course_level", Level, _LEVEL_FIELDS),
            _pairs(
                "location.id",
                "location.region",
                f"FROM {table(CourseLocation)} link JOIN {table(Location)} location ON location.id = link.location_id"
                " WHERE link.course_id = course.id",
                "location.region",
            ),
            _pairs(
                "skill.title",
                "skill.description",
                f"FROM {table(CourseSkill)} link JOIN {table(Skill)} skill ON skill.id = link.skill_id"
                " WHERE link.course_id = course.id",
                "skill.title",
            ),
            _pairs(
                "item.question",
                "item.answer",
                f"FROM {table(CourseFAQ)} link JOIN {table(FAQ)} item ON item.id = link.faq_id"
                " WHERE link.course_id = course.id",
                "item.question",
            ),
        ]
        joins += [
            f"JOIN {table(Direction)} direction ON direction.id = course.direction_id",
            f"JOIN {table(Level)} course_level ON course_level.id = course.level_id",
        ]
    return (
        f"SELECT {', '.join(selected)} FROM {table(Course)} course {' '.join(joins)}"
        " WHERE course.id = %(course)s AND course.ready AND course.visible AND course.published"
    )


def learner_course(course_id: int, volunteer: Volunteer | None, *, details: bool = False) -> LearnerCourse | None:
    """The shown course `course_id` as the learner pages read it (see LearnerCourse), in
    one query; None if there is no such shown course."""
    found = rows(_learner_course_sql(details), {"course": course_id, "volunteer": volunteer.pk if volunteer else None})
    if not found:
        return None
    row = found[0]
    values = iter(row)
    course = loaded(Course, _COURSE_FIELDS, islice(values, len(_COURSE_FIELDS)))
    enrolment = loaded(VolunteerCourse, _ENROLMENT_FIELDS, islice(values, len(_ENROLMENT_FIELDS)))
    if enrolment.pk is None:  # no row joined
        enrolment = None
    else:
        enrolment.course = course
    if not details:
        return LearnerCourse(course=course, enrolment=enrolment)
    course.direction = loaded(Direction, _DIRECTION_FIELDS, islice(values, len(_DIRECTION_FIELDS)))
    course.level = loaded(Level, _LEVEL_FIELDS, islice(values, len(_LEVEL_FIELDS)))
    regions, skills, questions = ([tuple(pair) for pair in pairs] for pairs in values)
    return LearnerCourse(course=course, enrolment=enrolment, regions=regions, skills=skills, questions=questions)


_WEBINAR_FIELDS = loaded_fields(Webinar, ("url_webinar", "start_date"))


def lesson_webinars(lesson: Lesson) -> list[Webinar]:
    """The lesson's webinars by start (their link and start only), for the lesson page."""
    sql = (
        f"SELECT {columns('w', Webinar, _WEBINAR_FIELDS)} FROM {table(Webinar)} w"
        " WHERE w.lesson_id = %s ORDER BY w.start_date, w.id"
    )
    return [loaded(Webinar, _WEBINAR_FIELDS, row) for row in rows(sql, [lesson.pk])]


def enrolment_of(volunteer: Volunteer | None, course: Course) -> VolunteerCourse | None:
    if volunteer is None:
        return None
    return VolunteerCourse.objects.filter(volunteer=volunteer, course=course).first()
