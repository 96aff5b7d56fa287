"""A project course's attendance: the course page (groups, roster, lessons and the
attendance table), a lesson's page where moderators mark who was absent, and the
attendance exports (CSV, PDF).

Outsiders — signed-in users with no role in the course's project — get 404, as if the
course did not exist; the role is read once per request (`project_role`). The project,
term and student pages are projects.views.pages; they are linked here by literal paths,
so this module works whichever of them is in place.
"""

import io
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from core.input_checks import parse_id
from core.roles import MODERATOR, VIEWER, role_at_least
from methodics.models import Methodic
from projects import services, tasks
from projects.exports import attendance_file_name, build_sheet, render_attendance_csv, render_attendance_pdf
from projects.models import Project, ProjectCourse, ProjectLesson
from projects.selectors import (
    NOT_READ,
    attendance_table,
    lesson_roster,
    project_role,
    students_of_course,
    with_member_role,
)

SAFE_LINK_SCHEMES = ("https://", "http://")


# What the course page shows of its lessons' methodics and tutors: not the methodics' texts.
METHODIC_SHOWN = Methodic.objects.only("pk", "title", "status")
TUTOR_FIELDS = ("pk", "first_name", "last_name", "username")
TUTORS = User.objects.only(*TUTOR_FIELDS)


def _role_or_404(user, project: Project, needed: str = VIEWER, member_role=NOT_READ) -> str:
    """The user's role in the project; 404 for outsiders and for roles below `needed`.
    `member_role`: the user's membership when the page's query has read it (`with_member_role`)."""
    role = project_role(user, project, member_role)
    if not role_at_least(role, needed):
        raise Http404("Нет такой страницы.")
    return role


def _web_links(text: str) -> list[dict]:
    """«Ссылки» (one a line): only http(s) addresses become links; anything else is text."""
    lines = (line.strip() for line in text.splitlines())
    return [{"text": line, "is_link": line.lower().startswith(SAFE_LINK_SCHEMES)} for line in lines if line]


def _project_links(course: ProjectCourse) -> dict:
    return {"project_url": f"/projects/{course.term.project_id}/", "term_url": f"/projects/terms/{course.term_id}/"}


# --- The course page ---------------------------------------------------------------------


@login_required
@require_GET
def course(request, pk: int):
    """The course page — every member of the project (viewer and up): dates, address,
    tutors, groups with their rosters (links to the students' pages for moderators and
    up), the lessons and the attendance table with totals. The same number of queries
    whatever the numbers of lessons and students."""
    courses = with_member_role(ProjectCourse.objects.select_related("term__project"), request.user, "term__project")
    course = get_object_or_404(courses, pk=pk)
    role = _role_or_404(request.user, course.term.project, member_role=course.member_role)
    memberships = list(students_of_course(course))
    lessons, rows = attendance_table(course, memberships)
    prefetch_related_objects(
        lessons, Prefetch("methodic", queryset=METHODIC_SHOWN), Prefetch("tutors", queryset=TUTORS)
    )
    groups = list(course.groups.all())
    members: dict[int, list] = {group.pk: [] for group in groups}
    for membership in memberships:
        members.setdefault(membership.group_id, []).append(membership)
    lesson_totals = [
        {
            "lesson": lesson,
            "attended": sum(row.cells[index].expected and not row.cells[index].absent for row in rows),
            "absent": sum(row.cells[index].absent for row in rows),
        }
        for index, lesson in enumerate(lessons)
    ]
    return render(
        request,
        "projects/attendance/course.html",
        {
            "course": course,
            "term": course.term,
            "project": course.term.project,
            "role": role,
            "can_manage": role_at_least(role, MODERATOR),
            "tutors": list(course.tutors.only(*TUTOR_FIELDS)),
            "groups": [{"group": group, "memberships": members[group.pk]} for group in groups],
            "lessons": lessons,
            "rows": rows,
            "lesson_totals": lesson_totals,
            "web_links": _web_links(course.web_links),
            **_project_links(course),
        },
    )


# --- The lesson page and marking ---------------------------------------------------------


class AttendanceForm(forms.Form):
    """The students of the lesson's roster who were absent; the others were present."""

    absent = forms.TypedMultipleChoiceField(label="Отсутствовали", coerce=int, required=False)

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["absent"].choices = [(student.pk, student.full_name) for student in roster]


@login_required
@require_http_methods(["GET", "POST"])
def lesson(request, pk: int):
    """A lesson's page — every member of the project (viewer and up): date, time,
    description, methodic, tutors, links, note and that day's roster with who was
    absent. Moderators and up mark the absent in one form (POST to this page); a viewer's
    POST is refused with 403, an outsider's with 404."""
    lessons = ProjectLesson.objects.select_related("course__term__project", "methodic")
    lesson = get_object_or_404(with_member_role(lessons, request.user, "course__term__project"), pk=pk)
    course = lesson.course
    role = _role_or_404(request.user, course.term.project, member_role=lesson.member_role)
    can_mark = role_at_least(role, MODERATOR)
    if request.method == "POST" and not can_mark:
        raise PermissionDenied("Отмечать посещаемость могут модераторы и администраторы проекта.")

    roster = lesson_roster(lesson)
    form = AttendanceForm(request.POST if request.method == "POST" else None, roster=roster)
    if form.is_valid():
        absent = services.attendance_mark(lesson=lesson, absent_ids=form.cleaned_data["absent"])
        messages.success(request, f"Отметки сохранены, отсутствующих: {absent}")
        return redirect("projects:lesson", pk=lesson.pk)

    absent_ids = set(lesson.absent_students.values_list("pk", flat=True))
    if form.is_bound:
        # The checkboxes as sent, so a refused form does not lose the ticks.
        absent_ids = set(filter(None, map(parse_id, request.POST.getlist("absent"))))
    methodic = lesson.methodic
    return render(
        request,
        "projects/attendance/lesson.html",
        {
            "lesson": lesson,
            "course": course,
            "term": course.term,
            "project": course.term.project,
            "role": role,
            "can_mark": can_mark,
            "form": form,
            "roster": [{"student": student, "absent": student.pk in absent_ids} for student in roster],
            "absent_count": sum(student.pk in absent_ids for student in roster),
            "methodic": methodic,
            "methodic_published": methodic is not None and methodic.status == Methodic.Status.PUBLISHED,
            "tutors": list(lesson.tutors.only(*TUTOR_FIELDS)),
            "web_links": _web_links(lesson.web_links),
            **_project_links(course),
        },
    )


# --- Exports -----------------------------------------------------------------------------

EXPORTERS = {
    "csv": ("text/csv; charset=utf-8", render_attendance_csv),
    "pdf": ("application/pdf", render_attendance_pdf),
}


def _export(request, pk: int, file_format: str):
    course = get_object_or_404(ProjectCourse.objects.select_related("term__project"), pk=pk)
    _role_or_404(request.user, course.term.project, needed=MODERATOR)
    sheet = build_sheet(course)
    if file_format == "pdf" and len(sheet.rows) * len(sheet.lessons) > settings.EXPORT_INLINE_MAX_CELLS:
        # A key of its own, so that a second delivery of the task adds no second message.
        key = f"projects.attendance_pdf:{uuid.uuid4().hex}"
        tasks.attendance_pdf_send.delay(key=key, course_id=course.pk, user_id=request.user.pk)
        messages.info(request, "Файл готовится, он придёт в ваши сообщения.")
        return redirect("projects:course", pk=course.pk)
    content_type, render_file = EXPORTERS[file_format]
    response = FileResponse(
        io.BytesIO(render_file(sheet)),
        as_attachment=True,
        filename=attendance_file_name(course, file_format),
        content_type=content_type,
    )
    # Names of minors: no shared cache keeps them.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def attendance_csv(request, pk: int):
    """The course's attendance as CSV for Excel — moderators and up; others get 404."""
    return _export(request, pk, "csv")


@login_required
@require_GET
def attendance_pdf(request, pk: int):
    """The course's attendance as a PDF table, A4 landscape — moderators and up; others get
    404. A course of more than EXPORT_INLINE_MAX_CELLS students × lessons is made by a
    worker and comes to the asker's messages (projects.tasks); the course page says so."""
    return _export(request, pk, "pdf")


urlpatterns = [
    path("courses/<int:pk>/", course, name="course"),
    path("courses/<int:pk>/attendance.csv", attendance_csv, name="attendance_csv"),
    path("courses/<int:pk>/attendance.pdf", attendance_pdf, name="attendance_pdf"),
    path("lessons/<int:pk>/", lesson, name="lesson"),
]
