"""Who may see what of a project, the attendance table, and a term's courses and schedule."""

from dataclasses import dataclass
from datetime import date, time

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Trim

from accounts.models import User
from core.cache import cached
from core.roles import ADMIN, MODERATOR, role_at_least
from methodics.models import Methodic
from projects.models import (
    Attachment,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentGroup,
    Term,
)


def has_global_access(user: User) -> bool:
    """Main administrators and administrators see and manage every project (they hold
    projects.change_project through their roles; teachers do not)."""
    return user.is_authenticated and user.has_perm("projects.change_project")


NOT_READ = object()  # `project_role(member_role=…)`: the membership is not read yet


def with_member_role(queryset: QuerySet, user: User, project: str = "project") -> QuerySet:
    """`queryset` with `member_role`: the user's role in each row's project (reached by the
    field path `project`; "pk" for projects themselves), None without a membership — read
    in the row's own query, for `project_role`."""
    if not user.is_authenticated:
        return queryset.annotate(member_role=Value(None, output_field=CharField()))
    roles = ProjectMember.objects.filter(project=OuterRef(project), user=user).values("role")[:1]
    return queryset.annotate(member_role=Subquery(roles))


def with_any_attachment(queryset: QuerySet) -> QuerySet:
    """`queryset` with `any_attachment`: whether files are attached to the row — a page
    whose owner has none then reads no list of them."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    attached = Attachment.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
    return queryset.annotate(any_attachment=Exists(attached))


def project_role(user: User, project: Project, member_role=NOT_READ) -> str | None:
    """The user's role in the project: «admin» for global access, else their membership
    (`member_role` when the caller has read it already, see `with_member_role`). The
    membership comes first: a project's administrator is «admin» either way, so their
    permissions are not loaded."""
    if not user.is_authenticated:
        return None
    if member_role is NOT_READ:
        member_role = ProjectMember.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    if member_role != ADMIN and has_global_access(user):
        return ADMIN
    return member_role


def sees_personal_data(role: str | None) -> bool:
    """Contacts, birthdays and documents of students: project administrators and moderators."""
    return role_at_least(role, MODERATOR)


def projects_of(user: User) -> QuerySet[Project]:
    """The projects whose pages the user may open (members; all for global access)."""
    if has_global_access(user):
        return Project.objects.all()
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(members__user=user).distinct()


def students_of_course(course: ProjectCourse) -> QuerySet[GroupMembership]:
    """The course's groups' memberships with their students, by name."""
    return (
        GroupMembership.objects.filter(group__courses=course)
        .select_related("student", "group")
        .order_by("student__last_name", "student__first_name", "joined_on")
    )


@dataclass(frozen=True)
class AttendanceCell:
    expected: bool  # the student was in the group that day
    absent: bool


@dataclass(frozen=True)
class AttendanceRow:
    student: Student
    cells: list[AttendanceCell]
    absences: int
    attended: int


def was_in_group(membership: GroupMembership, day: date) -> bool:
    return membership.joined_on <= day and (membership.left_on is None or day <= membership.left_on)


def attendance_table(
    course: ProjectCourse, memberships: list[GroupMembership] | None = None
) -> tuple[list[ProjectLesson], list[AttendanceRow]]:
    """Lessons × students of the course in three queries whatever their numbers (two when
    the caller has read `students_of_course` already). A lesson held before a student
    joined (or after they left) is neither attended nor missed by them."""
    lessons = list(
        course.lessons.order_by("date", "start_time").prefetch_related(
            Prefetch("absent_students", queryset=Student.objects.only("pk"))
        )
    )
    absent = {lesson.pk: {student.pk for student in lesson.absent_students.all()} for lesson in lessons}
    by_student: dict[int, list[GroupMembership]] = {}
    students: dict[int, Student] = {}
    for membership in students_of_course(course) if memberships is None else memberships:
        by_student.setdefault(membership.student_id, []).append(membership)
        students[membership.student_id] = membership.student
    rows = []
    for student_id, student in students.items():
        cells = []
        for lesson in lessons:
            expected = any(was_in_group(each, lesson.date) for each in by_student[student_id])
            cells.append(AttendanceCell(expected=expected, absent=expected and student_id in absent[lesson.pk]))
        absences = sum(cell.absent for cell in cells)
        rows.append(AttendanceRow(student, cells, absences, sum(cell.expected for cell in cells) - absences))
    return lessons, rows


def lesson_roster(lesson: ProjectLesson) -> list[Student]:
    """The students expected at a lesson: in one of the course's groups on its date."""
    found = {}
    for membership in students_of_course(lesson.course).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=lesson.date), joined_on__lte=lesson.date
    ):
        found[membership.student_id] = membership.student
    return list(found.values())


# --- A term's page ---------------------------------------------------------------------------


def term_for_page(term_id: int, user: User) -> Term | None:
    """The term with its project (its name read, the rest deferred), the user's
    `member_role` in the project (with_member_role) and whether files are attached to the
    term (`any_attachment`), in one query. None when there is no such term."""
    terms = Term.objects.select_related("project").only(
        *(each.name for each in Term._meta.concrete_fields), "project__name"
    )
    return with_any_attachment(with_member_role(terms, user)).filter(pk=term_id).first()


# A term's courses and schedule are the same for every member of its project: they are
# cached per term (core.cache) under the areas they are read from. "projects" is the
# projects' own rows, retired by projects.services and the projects admin; the schedule
# also shows methodics' titles and statuses — the "methodics" area — and tutors' names,
# which a changed name retires with every content area, methodics among them
# (accounts.services.user_saved). What depends on the viewer's role stays out of them.
TERM_COURSES_AREAS = ("projects",)
TERM_SCHEDULE_AREAS = ("projects", "methodics")
TERM_COURSE_FIELDS = ("pk", "name", "start_date", "finish_date", "group_names")


def term_courses(term: Term) -> list[dict]:
    """The term's courses by start and name — pk, name, dates and `group_names` — cached
    (TERM_COURSES_AREAS), read in one query."""
    return cached(f"projects:term-courses:{term.pk}", lambda: _read_term_courses(term.pk), areas=TERM_COURSES_AREAS)


def _read_term_courses(term_id: int) -> list[dict]:
    """A course's groups are of its own project (services.validate_course_groups): by name
    is their order."""
    groups = StudentGroup.objects.filter(courses=OuterRef("pk")).order_by("name").values("name")
    courses = (
        ProjectCourse.objects.filter(term_id=term_id)
        .order_by("start_date", "name")
        .annotate(group_names=ArraySubquery(groups))
    )
    return list(courses.values(*TERM_COURSE_FIELDS))


@dataclass(frozen=True)
class ScheduledLesson:
    pk: int
    date: date
    start_time: time
    finish_time: time
    course_id: int
    course_name: str
    methodic_id: int | None
    methodic_title: str | None
    methodic_published: bool
    tutor_names: list[str]  # as User.get_full_name, "" for a tutor without a name; by last name


def term_schedule(term: Term) -> list[tuple[date, list[ScheduledLesson]]]:
    """The term's lessons by day — by date, start and course — with the course's name, the
    methodic's title and status (not its texts) and the tutors' names: cached
    (TERM_SCHEDULE_AREAS), read in one query."""
    return cached(f"projects:term-schedule:{term.pk}", lambda: _read_term_schedule(term.pk), areas=TERM_SCHEDULE_AREAS)


def _read_term_schedule(term_id: int) -> list[tuple[date, list[ScheduledLesson]]]:
    tutors = (
        ProjectLesson.tutors.through.objects.filter(projectlesson=OuterRef("pk"))
        .order_by("user__last_name", "user__first_name", "user__username")
        .values(name=Trim(Concat("user__first_name", Value(" "), "user__last_name")))
    )
    lessons = (
        ProjectLesson.objects.filter(course__term_id=term_id)
        .order_by("date", "start_time", "course__name")
        .values_list(
            "pk",
            "date",
            "start_time",
            "finish_time",
            "course_id",
            "course__name",
            "methodic_id",
            "methodic__title",
            "methodic__status",
            ArraySubquery(tutors),
        )
    )
    days: dict[date, list[ScheduledLesson]] = {}
    for pk, day, start, finish, course_id, course_name, methodic_id, title, status, names in lessons:
        lesson = ScheduledLesson(
            pk=pk,
            date=day,
            start_time=start,
            finish_time=finish,
            course_id=course_id,
            course_name=course_name,
            methodic_id=methodic_id,
            methodic_title=title,
            methodic_published=status == Methodic.Status.PUBLISHED,
            tutor_names=names,
        )
        days.setdefault(day, []).append(lesson)
    return list(days.items())
