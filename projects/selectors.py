"""Who may see what of a project, and the attendance table."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from projects.models import GroupMembership, Project, ProjectCourse, ProjectLesson, ProjectMember, Student

ADMIN, MODERATOR, VIEWER = ProjectMember.Role.ADMIN, ProjectMember.Role.MODERATOR, ProjectMember.Role.VIEWER
RANK = {VIEWER: 1, MODERATOR: 2, ADMIN: 3}


def has_global_access(user: User) -> bool:
    """Main administrators and administrators see and manage every project (they hold
    projects.change_project through their roles; teachers do not)."""
    return user.is_authenticated and user.has_perm("projects.change_project")


def project_role(user: User, project: Project) -> str | None:
    """The user's role in the project: «admin» for global access, else their membership."""
    if not user.is_authenticated:
        return None
    if has_global_access(user):
        return ADMIN
    return ProjectMember.objects.filter(project=project, user=user).values_list("role", flat=True).first()


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


def attendance_table(course: ProjectCourse) -> tuple[list[ProjectLesson], list[AttendanceRow]]:
    """Lessons × students of the course in three queries whatever their numbers. A
    lesson held before a student joined (or after they left) is neither attended nor
    missed by them."""
    lessons = list(
        course.lessons.order_by("date", "start_time").prefetch_related(
            Prefetch("absent_students", queryset=Student.objects.only("pk"))
        )
    )
    absent = {lesson.pk: {student.pk for student in lesson.absent_students.all()} for lesson in lessons}
    memberships: dict[int, list[GroupMembership]] = {}
    students: dict[int, Student] = {}
    for membership in students_of_course(course):
        memberships.setdefault(membership.student_id, []).append(membership)
        students[membership.student_id] = membership.student
    rows = []
    for student_id, student in students.items():
        cells = []
        for lesson in lessons:
            expected = any(was_in_group(each, lesson.date) for each in memberships[student_id])
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
