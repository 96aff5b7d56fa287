from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.services import notify
from core.cache import content_changed
from core.once import once
from projects.exports import attendance_file_name, build_sheet, render_attendance_pdf
from projects.models import (
    DocumentView,
    GroupMembership,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    StudentDocument,
    StudentGroup,
)
from projects.selectors import MODERATOR, lesson_roster, project_role, role_at_least

# The services below that change what a term's page shows of its courses and schedule —
# courses, their groups, lessons, their tutors, groups' names — retire the projects' cached
# values (core.cache; projects.selectors.TERM_COURSES_AREAS), as does the projects admin.
AREA = "projects"


@transaction.atomic
def project_create(*, author: User, **fields) -> Project:
    """A new project; its author becomes its administrator."""
    project = Project(author=author, **fields)
    project.full_clean()
    project.save()
    ProjectMember.objects.create(project=project, user=author, role=ProjectMember.Role.ADMIN)
    return project


@transaction.atomic
def member_set(*, project: Project, user: User, role: str) -> ProjectMember:
    """Give a user a role in the project; the author always stays its administrator."""
    if user.pk == project.author_id and role != ProjectMember.Role.ADMIN:
        raise ValidationError("Автор проекта остаётся его администратором.")
    member, _ = ProjectMember.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return member


@transaction.atomic
def member_remove(*, project: Project, user: User) -> None:
    if user.pk == project.author_id:
        raise ValidationError("Автор проекта остаётся его администратором.")
    ProjectMember.objects.filter(project=project, user=user).delete()


def document_reveal(*, document: StudentDocument, user: User) -> DocumentView:
    """Record that `user` is shown the document's number in full (who, which document, when),
    before the page shows it. The caller has checked that the user may see the student's
    documents (selectors.sees_personal_data); every reveal is a row, a second look too."""
    return DocumentView.objects.create(document=document, user=user)


def validate_course(course: ProjectCourse) -> None:
    """A course lies within its term."""
    term = course.term
    if course.start_date < term.start_date or course.finish_date > term.finish_date:
        period = f"{term.start_date:%d.%m.%Y}–{term.finish_date:%d.%m.%Y}"
        raise ValidationError({"start_date": f"Курс должен проходить в пределах периода «{term}»: {period}."})


def validate_lesson(lesson: ProjectLesson) -> None:
    """A lesson ends after it starts and falls within its course's dates."""
    errors = {}
    if lesson.start_time and lesson.finish_time and lesson.finish_time <= lesson.start_time:
        errors["finish_time"] = "Занятие должно заканчиваться позже, чем начинается."
    course = lesson.course
    if lesson.date and not course.start_date <= lesson.date <= course.finish_date:
        errors["date"] = (
            f"Дата занятия должна быть в пределах курса: {course.start_date:%d.%m.%Y}–{course.finish_date:%d.%m.%Y}."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def course_save(*, course: ProjectCourse, groups=None) -> ProjectCourse:
    # Our rules first: their messages say more than the database constraints' generic ones.
    validate_course(course)
    course.full_clean()
    course.save()
    if groups is not None:
        groups = list(groups)
        validate_course_groups(course, groups)
        course.groups.set(groups)
    content_changed(AREA)
    return course


@transaction.atomic
def lesson_save(*, lesson: ProjectLesson, tutors=None) -> ProjectLesson:
    validate_lesson(lesson)  # before full_clean, as in course_save
    lesson.full_clean()
    lesson.save()
    if tutors is not None:
        lesson.tutors.set(tutors)
    content_changed(AREA)
    return lesson


@transaction.atomic
def group_save(*, group: StudentGroup) -> StudentGroup:
    """A new or changed student group (its name shows beside its courses on the term's page)."""
    group.full_clean()
    group.save()
    content_changed(AREA)
    return group


def validate_course_groups(course: ProjectCourse, groups: list[StudentGroup]) -> None:
    """A course's groups belong to its project, and no student is in two of them."""
    foreign = [group for group in groups if group.project_id != course.term.project_id]
    if foreign:
        raise ValidationError(f"Группа «{foreign[0]}» из другого проекта.")
    seen: dict[int, StudentGroup] = {}
    for membership in GroupMembership.objects.filter(group__in=groups).select_related("student", "group"):
        other = seen.setdefault(membership.student_id, membership.group)
        if other.pk != membership.group_id:
            raise ValidationError(
                f"{membership.student} состоит и в группе «{other}», и в группе «{membership.group}» этого курса."
            )


@transaction.atomic
def membership_add(*, group: StudentGroup, student, joined_on) -> GroupMembership:
    """Add a student to a group, unless that would put them in two groups of one course."""
    if student.project_id != group.project_id:
        raise ValidationError("Учащийся и группа из разных проектов.")
    for course in group.courses.all():
        clash = GroupMembership.objects.filter(group__courses=course, student=student).exclude(group=group).first()
        if clash:
            raise ValidationError(f"{student} уже в группе «{clash.group}» курса «{course}».")
    membership = GroupMembership(group=group, student=student, joined_on=joined_on)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def attendance_mark(*, lesson: ProjectLesson, absent_ids) -> int:
    """Record who was absent from a lesson (the others of its roster were present);
    only students expected that day count. Returns how many were absent."""
    roster = {student.pk for student in lesson_roster(lesson)}
    absent = set(map(int, absent_ids)) & roster
    lesson.absent_students.set(absent)
    return len(absent)


def attendance_pdf_send(*, key: str, course_id: int, user_id: int) -> bool:
    """A course's attendance PDF, made now and sent once per `key` (core.once) to the
    messages of the user who asked for it, if they still may export it — a moderator or
    more of the course's project, the account active — and the course is still there.
    Whether this delivery did the work (False: an earlier one had)."""

    def deliver():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        course = ProjectCourse.objects.select_related("term__project").filter(pk=course_id).first()
        if user is None or course is None or not role_at_least(project_role(user, course.term.project), MODERATOR):
            return
        file_name = attendance_file_name(course, "pdf")
        notify(
            recipients=[user],
            title=f"Файл готов: {file_name}",
            text=f"Посещаемость курса «{course.name}» — во вложении к этому сообщению на сайте.",
            attachment=ContentFile(render_attendance_pdf(build_sheet(course)), name=file_name),
            link=reverse("projects:course", args=[course.pk]),
        )

    return once(key, deliver)
