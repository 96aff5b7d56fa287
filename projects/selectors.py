"""Who may see what of a project, the attendance table, and a term's courses and schedule."""

from dataclasses import dataclass
from datetime import date, time

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value

from accounts.models import User
from core.sql import loaded, rows, table
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

ADMIN, MODERATOR, VIEWER = ProjectMember.Role.ADMIN, ProjectMember.Role.MODERATOR, ProjectMember.Role.VIEWER
RANK = {VIEWER: 1, MODERATOR: 2, ADMIN: 3}


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


def role_at_least(role: str | None, needed: str) -> bool:
    return role is not None and RANK[role] >= RANK[needed]


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
#
# Every member opening a term reads the term, its courses and its schedule: these three reads
# are written in SQL, as the ORM spent longer building their queries (the subqueries above
# all) than the database took to answer them — two thirds of the page's time reading.


def term_for_page(term_id: int, user: User) -> Term | None:
    """The term with its project (its name read, the rest deferred, as with only()) and what
    with_member_role and with_any_attachment would add: the user's `member_role` in the
    project (None without a membership) and whether files are attached to the term
    (`any_attachment`). None when there is no such term."""
    terms, projects, members, attachments = table(Term), table(Project), table(ProjectMember), table(Attachment)
    sql = (
        f"SELECT t.*, p.name AS project_name,"
        f" (SELECT m.role FROM {members} m WHERE m.project_id = t.project_id AND m.user_id = %s) AS member_role,"
        f" EXISTS (SELECT FROM {attachments} a WHERE a.content_type_id = %s AND a.object_id = t.id) AS any_attachment"
        f" FROM {terms} t JOIN {projects} p ON p.id = t.project_id WHERE t.id = %s"
    )
    content_type = ContentType.objects.get_for_model(Term)
    term = next(iter(Term.objects.raw(sql, [user.pk, content_type.pk, term_id])), None)
    if term is not None:
        term.project = loaded(Project, ["id", "name"], [term.project_id, term.project_name])
    return term


TERM_COURSE_FIELDS = ("pk", "name", "start_date", "finish_date", "group_names")


def term_courses(term: Term) -> list[dict]:
    """The term's courses by start and name — pk, name, dates and `group_names` — in one query.
    A course's groups are of its own project (services.validate_course_groups): by name is
    their order."""
    courses, groups, course_groups = table(ProjectCourse), table(StudentGroup), table(ProjectCourse.groups.through)
    sql = (
        f"SELECT c.id, c.name, c.start_date, c.finish_date,"
        f" ARRAY(SELECT g.name FROM {groups} g JOIN {course_groups} cg ON cg.studentgroup_id = g.id"
        f" WHERE cg.projectcourse_id = c.id ORDER BY g.name)"
        f" FROM {courses} c WHERE c.term_id = %s ORDER BY c.start_date, c.name"
    )
    return [dict(zip(TERM_COURSE_FIELDS, row, strict=True)) for row in rows(sql, [term.pk])]


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
    methodic's title and status (not its texts) and the tutors' names, in one query."""
    lessons, courses, methodics = table(ProjectLesson), table(ProjectCourse), table(Methodic)
    tutors, users = table(ProjectLesson.tutors.through), table(User)
    sql = (
        f"SELECT l.id, l.date, l.start_time, l.finish_time, l.course_id, c.name, l.methodic_id, m.title, m.status,"
        f" ARRAY(SELECT u.first_name || ' ' || u.last_name FROM {tutors} t JOIN {users} u ON u.id = t.user_id"
        f" WHERE t.projectlesson_id = l.id ORDER BY u.last_name, u.first_name, u.username)"
        f" FROM {lessons} l JOIN {courses} c ON c.id = l.course_id LEFT JOIN {methodics} m ON m.id = l.methodic_id"
        f" WHERE c.term_id = %s ORDER BY l.date, l.start_time, c.name"
    )
    days: dict[date, list[ScheduledLesson]] = {}
    for pk, day, start, finish, course_id, course_name, methodic_id, title, status, names in rows(sql, [term.pk]):
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
            tutor_names=[name.strip() for name in names],
        )
        days.setdefault(day, []).append(lesson)
    return list(days.items())
