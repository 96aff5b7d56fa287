"""The pages of offline projects: the public cards, a project with its terms, members,
the term schedule, course and lesson forms, groups, the student registry, attachments.

Who sees what comes from `project_role` (projects.selectors), asked once per request.
Anyone without a role in a project gets 404 on its pages, as for a project that does not
exist; a member whose role is too low for an action gets 403. Students' contacts,
birthdays and documents reach the page only when `sees_personal_data(role)`; nothing of
a student is ever logged here. Document numbers show masked, on the edit form too; one is
shown in full only through «Показать» on the student's page, which is recorded.

A course's own page (roster, attendance) and a lesson's page are projects.views.attendance,
linked by literal paths."""

from dataclasses import dataclass
from datetime import date
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.csp import with_rich_text_editor
from core.roles import ADMIN, MODERATOR, VIEWER, role_at_least
from core.views import posted_data, private_download, private_picture
from projects import services
from projects.forms import (
    AttachmentForm,
    CourseForm,
    DocumentFormSet,
    GroupForm,
    LessonForm,
    MemberAddForm,
    MemberRoleForm,
    MembershipAddForm,
    ProjectForm,
    StudentForm,
    TermForm,
)
from projects.models import (
    Attachment,
    Project,
    ProjectCourse,
    ProjectLesson,
    ProjectMember,
    Student,
    StudentDocument,
    StudentGroup,
    Term,
)
from projects.selectors import (
    NOT_READ,
    project_role,
    projects_of,
    sees_personal_data,
    term_courses,
    term_for_page,
    term_schedule,
    with_any_attachment,
    with_member_role,
)

STUDENTS_PER_PAGE = 30


# --- Access ---------------------------------------------------------------------------------


def _role_in(request, project: Project, needed: str = VIEWER, member_role=NOT_READ) -> str:
    """The user's role in the project, asked once: 404 for outsiders, 403 below `needed`.
    `member_role`: the user's membership when the page's query has read it (`with_member_role`)."""
    role = project_role(request.user, project, member_role)
    if role is None:
        raise Http404
    if not role_at_least(role, needed):
        raise PermissionDenied
    return role


def _permissions(role: str) -> dict:
    return {
        "role": role,
        "role_label": ProjectMember.Role(role).label,
        "can_moderate": role_at_least(role, MODERATOR),
        "can_administer": role_at_least(role, ADMIN),
        "sees_personal_data": sees_personal_data(role),
    }


def age_on(birthday: date | None, day: date) -> int | None:
    """Full years on `day` (derived, never stored)."""
    if birthday is None:
        return None
    return day.year - birthday.year - ((day.month, day.day) < (birthday.month, birthday.day))


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def _apply_service_error(form, error: ValidationError) -> None:
    """A service's error under its field when the form has that field, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(request, *, title: str, form, cancel_url: str, project: Project, role: str, status=200, **extra):
    context = {"title": title, "form": form, "cancel_url": cancel_url, "project": project, **_permissions(role)}
    context.update(extra)
    return render(request, "projects/pages/form.html", context, status=status)


@cache
def _attachment_fields(language: str) -> SafeString:
    """The upload form's fields: an empty form is the same markup for every owner and user,
    so it is rendered once per process and language (its labels are translated), not for
    every page that shows files (1 ms of the term's page)."""
    return render_to_string("includes/form.html", {"form": AttachmentForm()})


def _attachments_context(owner) -> dict:
    """The owner's files; none read when the owner was fetched `with_any_attachment` and has none."""
    attached = getattr(owner, "any_attachment", True)
    return {
        "attachments": list(owner.attachments.order_by("-created_at")) if attached else [],
        "attachment_owner_type": OWNER_TYPES_BY_MODEL[type(owner)],
        "attachment_owner": owner,
        "attachment_fields": _attachment_fields(get_language()),
    }


# --- The public list and a new project -------------------------------------------------------


@dataclass(frozen=True)
class MyProject:
    project: Project
    role_label: str


@dataclass(frozen=True)
class ProjectCard:
    name: str
    short_description: str
    contacts: str
    label_url: str  # "" without an image


def _project_cards() -> list[ProjectCard]:
    """The public cards, read as values: the image field's file object (easy_thumbnails)
    costs ~30 µs a project, a third of the list's time at 200 projects."""
    storage = Project._meta.get_field("label_image").storage
    rows = Project.objects.values_list("name", "short_description", "contacts", "label_image")
    return [ProjectCard(*row[:3], storage.url(row[3]) if row[3] else "") for row in rows]


def project_list(request):
    """Everyone, anonymous visitors too: the public card of every project (name, short
    description, image, contacts — nothing else); a signed-in user also sees «Мои проекты»
    with their role, and those who may create a project a link to do so."""
    mine = []
    if request.user.is_authenticated:
        projects = projects_of(request.user).only("pk", "name", "short_description")
        for project in with_member_role(projects, request.user, "pk"):
            role = project_role(request.user, project, project.member_role)
            mine.append(MyProject(project, ProjectMember.Role(role).label))
    context = {
        "cards": _project_cards(),
        "mine": mine,
        "can_create": request.user.has_perm("projects.add_project"),
    }
    return render(request, "projects/pages/list.html", context)


@login_required
@with_rich_text_editor
def project_create(request):
    """Users with projects.add_project (teachers, administrators): a new project whose
    author becomes its administrator; 403 for anyone else."""
    if not request.user.has_perm("projects.add_project"):
        raise PermissionDenied
    files = request.FILES if request.method == "POST" else None
    form = ProjectForm(posted_data(request), files)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: value for name, value in form.cleaned_data.items() if value is not None}
            project = services.project_create(author=request.user, **fields)
        except ValidationError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Проект «%(name)s» создан.") % {"name": project.name})
            return redirect(project)
    context = {"title": _("Новый проект"), "form": form, "cancel_url": reverse("projects:list")}
    return render(request, "projects/pages/form.html", context)


# --- A project ---------------------------------------------------------------------------------


@login_required
def project_detail(request, project_id: int):
    """Any member (and administrators of the site): the project's description, address,
    note, attachments, terms, groups and members by name and role."""
    projects = with_any_attachment(with_member_role(Project.objects.all(), request.user, "pk"))
    project = get_object_or_404(projects, pk=project_id)
    role = _role_in(request, project, member_role=project.member_role)
    members = (
        project.members.select_related("user")
        .only("role", "project", "user__first_name", "user__last_name")
        .order_by("user__last_name", "user__first_name")
    )
    context = {
        "project": project,
        "terms": project.terms.order_by("start_date"),
        "groups": project.groups.order_by("name"),
        "members": members,
        **_attachments_context(project),
        **_permissions(role),
    }
    return render(request, "projects/pages/detail.html", context)


@login_required
@with_rich_text_editor
def project_edit(request, project_id: int):
    """The project's administrators: its description, image, contacts, address and note."""
    project = get_object_or_404(Project, pk=project_id)
    role = _role_in(request, project, ADMIN)
    files = request.FILES if request.method == "POST" else None
    form = ProjectForm(posted_data(request), files, instance=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Проект сохранён."))
        return redirect(project)
    return _form_page(
        request,
        title=_("Проект «%(name)s»") % {"name": project.name},
        form=form,
        cancel_url=project.get_absolute_url(),
        project=project,
        role=role,
    )


# --- Members -----------------------------------------------------------------------------------


def _members_page(request, project: Project, role: str, add_form=None, status=200):
    members = project.members.select_related("user").order_by("user__last_name", "user__first_name")
    context = {
        "project": project,
        "members": [(member, MemberRoleForm(initial={"role": member.role})) for member in members],
        "add_form": add_form or MemberAddForm(),
        **_permissions(role),
    }
    return render(request, "projects/pages/members.html", context, status=status)


@login_required
def member_list(request, project_id: int):
    """The project's administrators: its members with their roles; a POST adds a user by
    email with a role (or changes the role of one already there)."""
    project = get_object_or_404(with_member_role(Project.objects.all(), request.user, "pk"), pk=project_id)
    role = _role_in(request, project, ADMIN, member_role=project.member_role)
    form = MemberAddForm(posted_data(request))
    if request.method == "POST":
        if form.is_valid():
            user = form.cleaned_data["user"]
            if user.pk == project.author_id:
                form.add_error("email", _("Автор проекта остаётся его администратором."))
            else:
                services.member_set(project=project, user=user, role=form.cleaned_data["role"])
                messages.success(request, _("Участник добавлен."))
                return redirect("projects:members", project.pk)
        return _members_page(request, project, role, form, status=200)
    return _members_page(request, project, role)


def _member_of(project: Project, user_id: int) -> User:
    member = get_object_or_404(ProjectMember.objects.select_related("user"), project=project, user_id=user_id)
    return member.user


@login_required
@require_POST
def member_role(request, project_id: int, user_id: int):
    """The project's administrators: another role for a member (not for the author, who
    stays an administrator)."""
    project = get_object_or_404(Project, pk=project_id)
    _role_in(request, project, ADMIN)
    user = _member_of(project, user_id)
    form = MemberRoleForm(request.POST)
    if user.pk == project.author_id:
        messages.error(request, _("Автор проекта остаётся его администратором."))
    elif form.is_valid():
        services.member_set(project=project, user=user, role=form.cleaned_data["role"])
        messages.success(request, _("Роль изменена."))
    else:
        messages.error(request, _("Выберите роль из списка."))
    return redirect("projects:members", project.pk)


@login_required
@require_POST
def member_delete(request, project_id: int, user_id: int):
    """The project's administrators: a member leaves the project (never the author)."""
    project = get_object_or_404(Project, pk=project_id)
    _role_in(request, project, ADMIN)
    user = _member_of(project, user_id)
    try:
        services.member_remove(project=project, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Участник удалён из проекта."))
    return redirect("projects:members", project.pk)


# --- Terms and their schedule ------------------------------------------------------------------


@login_required
def term_create(request, project_id: int):
    """Moderators and administrators of the project: a new term."""
    project = get_object_or_404(Project, pk=project_id)
    role = _role_in(request, project, MODERATOR)
    return _term_form(request, project, role, Term(project=project))


@login_required
def term_edit(request, term_id: int):
    """Moderators and administrators of the term's project."""
    term = get_object_or_404(Term.objects.select_related("project"), pk=term_id)
    role = _role_in(request, term.project, MODERATOR)
    return _term_form(request, term.project, role, term)


def _term_form(request, project: Project, role: str, term: Term):
    files = request.FILES if request.method == "POST" else None
    form = TermForm(posted_data(request), files, instance=term)
    if request.method == "POST" and form.is_valid():
        term = form.save()
        messages.success(request, _("Период «%(name)s» сохранён.") % {"name": term.name})
        return redirect("projects:term", term.pk)
    title = _("Период «%(name)s»") % {"name": term.name} if term.pk else _("Новый период обучения")
    cancel = reverse("projects:term", args=[term.pk]) if term.pk else project.get_absolute_url()
    return _form_page(request, title=title, form=form, cancel_url=cancel, project=project, role=role)


@login_required
def term_detail(request, term_id: int):
    """Any member of the term's project: its courses and its schedule — every lesson by
    date with time, course, methodic and tutors — in a fixed number of queries."""
    term = term_for_page(term_id, request.user)
    if term is None:
        raise Http404
    role = _role_in(request, term.project, member_role=term.member_role)
    context = {
        "term": term,
        "project": term.project,
        "courses": term_courses(term),
        "days": term_schedule(term),
        **_attachments_context(term),
        **_permissions(role),
    }
    return render(request, "projects/pages/term.html", context)


# --- Courses and lessons -----------------------------------------------------------------------


@login_required
def course_create(request, term_id: int):
    """Moderators and administrators of the term's project: a new course of the term."""
    term = get_object_or_404(Term.objects.select_related("project"), pk=term_id)
    role = _role_in(request, term.project, MODERATOR)
    return _course_form(request, term.project, role, ProjectCourse(term=term))


@login_required
def course_edit(request, course_id: int):
    """Moderators and administrators of the course's project."""
    course = get_object_or_404(ProjectCourse.objects.select_related("term__project"), pk=course_id)
    role = _role_in(request, course.term.project, MODERATOR)
    return _course_form(request, course.term.project, role, course)


def _course_form(request, project: Project, role: str, course: ProjectCourse):
    is_new = course.pk is None
    files = request.FILES if request.method == "POST" else None
    form = CourseForm(posted_data(request), files, instance=course, project=project)
    if request.method == "POST" and form.is_valid():
        course = form.save(commit=False)
        try:
            with transaction.atomic():
                services.course_save(course=course, groups=form.cleaned_data["groups"])
                # course_save sets the groups but not the tutors (see the report on services).
                course.tutors.set(form.cleaned_data["tutors"])
        except ValidationError as error:
            if is_new:
                course.pk = None  # the row was rolled back with the transaction
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Курс «%(name)s» сохранён.") % {"name": course.name})
            return redirect(f"/projects/courses/{course.pk}/")
    if is_new:
        title = _("Новый курс периода «%(term)s»") % {"term": course.term.name}
        cancel = reverse("projects:term", args=[course.term_id])
        extra = {}
    else:
        title = _("Курс «%(name)s»") % {"name": course.name}
        cancel = f"/projects/courses/{course.pk}/"
        extra = _attachments_context(course)
    return _form_page(request, title=title, form=form, cancel_url=cancel, project=project, role=role, **extra)


@login_required
def lesson_create(request, course_id: int):
    """Moderators and administrators of the course's project: a new lesson of the course."""
    course = get_object_or_404(ProjectCourse.objects.select_related("term__project"), pk=course_id)
    role = _role_in(request, course.term.project, MODERATOR)
    return _lesson_form(request, course.term.project, role, ProjectLesson(course=course))


@login_required
def lesson_edit(request, lesson_id: int):
    """Moderators and administrators of the lesson's project."""
    lesson = get_object_or_404(ProjectLesson.objects.select_related("course__term__project"), pk=lesson_id)
    role = _role_in(request, lesson.course.term.project, MODERATOR)
    return _lesson_form(request, lesson.course.term.project, role, lesson)


def _lesson_form(request, project: Project, role: str, lesson: ProjectLesson):
    is_new = lesson.pk is None
    files = request.FILES if request.method == "POST" else None
    form = LessonForm(posted_data(request), files, instance=lesson, project=project)
    if request.method == "POST" and form.is_valid():
        lesson = form.save(commit=False)
        try:
            services.lesson_save(lesson=lesson, tutors=form.cleaned_data["tutors"])
        except ValidationError as error:
            if is_new:
                lesson.pk = None
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Занятие сохранено."))
            return redirect(f"/projects/lessons/{lesson.pk}/")
    course = lesson.course
    if is_new:
        title = _("Новое занятие курса «%(course)s»") % {"course": course.name}
        cancel, extra = f"/projects/courses/{course.pk}/", {}
    else:
        title = _("Занятие %(date)s, курс «%(course)s»") % {"date": f"{lesson.date:%d.%m.%Y}", "course": course.name}
        cancel, extra = f"/projects/lessons/{lesson.pk}/", _attachments_context(lesson)
    return _form_page(request, title=title, form=form, cancel_url=cancel, project=project, role=role, **extra)


# --- Groups ------------------------------------------------------------------------------------


@login_required
def group_create(request, project_id: int):
    """Moderators and administrators of the project: a new student group."""
    project = get_object_or_404(Project, pk=project_id)
    role = _role_in(request, project, MODERATOR)
    return _group_form(request, project, role, StudentGroup(project=project))


@login_required
def group_edit(request, group_id: int):
    """Moderators and administrators of the group's project."""
    group = get_object_or_404(StudentGroup.objects.select_related("project"), pk=group_id)
    role = _role_in(request, group.project, MODERATOR)
    return _group_form(request, group.project, role, group)


def _group_form(request, project: Project, role: str, group: StudentGroup):
    form = GroupForm(posted_data(request), instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_save(group=form.save(commit=False))
        except ValidationError as error:  # the name of another group of the project
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Группа «%(name)s» сохранена.") % {"name": group.name})
            return redirect("projects:group", group.pk)
    title = _("Группа «%(name)s»") % {"name": group.name} if group.pk else _("Новая группа")
    cancel = reverse("projects:group", args=[group.pk]) if group.pk else project.get_absolute_url()
    return _form_page(request, title=title, form=form, cancel_url=cancel, project=project, role=role)


def _group_page(request, group: StudentGroup, role: str, add_form=None, status=200):
    memberships = group.memberships.select_related("student").order_by("student__last_name", "student__first_name")
    can_moderate = role_at_least(role, MODERATOR)
    context = {
        "group": group,
        "project": group.project,
        "memberships": memberships,
        "courses": group.courses.select_related("term").order_by("start_date"),
        "add_form": (add_form or MembershipAddForm(group=group)) if can_moderate else None,
        **_permissions(role),
    }
    return render(request, "projects/pages/group.html", context, status=status)


@login_required
def group_detail(request, group_id: int):
    """Any member of the group's project: the group's students by name with the dates they
    joined, and its courses; moderators add a student here."""
    group = get_object_or_404(
        with_member_role(StudentGroup.objects.select_related("project"), request.user), pk=group_id
    )
    return _group_page(request, group, _role_in(request, group.project, member_role=group.member_role))


@login_required
@require_POST
def group_add_student(request, group_id: int):
    """Moderators and administrators: a student joins the group from a date, unless that
    puts them in two groups of one course (the error is shown above the form)."""
    group = get_object_or_404(StudentGroup.objects.select_related("project"), pk=group_id)
    role = _role_in(request, group.project, MODERATOR)
    form = MembershipAddForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.membership_add(group=group, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Учащийся добавлен в группу."))
            return redirect("projects:group", group.pk)
    return _group_page(request, group, role, add_form=form)


# --- Students ----------------------------------------------------------------------------------


@login_required
def student_list(request, project_id: int):
    """Any member: the project's students, searched (`q`) by name — and, for moderators and
    administrators, by email and phone too — 30 a page. Viewers see names only."""
    project = get_object_or_404(with_member_role(Project.objects.all(), request.user, "pk"), pk=project_id)
    role = _role_in(request, project, member_role=project.member_role)
    personal = sees_personal_data(role)
    students = project.students.order_by("last_name", "first_name", "pk")
    query = request.GET.get("q", "").strip()
    if query:
        found = Q()
        for word in query.split():
            by_word = Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(middle_name__icontains=word)
            if personal:
                by_word |= Q(email__icontains=word) | Q(phone__icontains=word)
            found &= by_word
        students = students.filter(found)
    if not personal:
        students = students.only("pk", "last_name", "first_name", "middle_name")
    page = Paginator(students, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(student, age_on(student.birthday, today) if personal else None) for student in page.object_list]
    context = {"project": project, "page_obj": page, "rows": rows, "query": query, **_permissions(role)}
    return render(request, "projects/pages/students.html", context)


@dataclass(frozen=True)
class DocumentRow:
    document: StudentDocument
    number: str  # masked, but for the one document just revealed
    revealed: bool


def document_row(document: StudentDocument, *, revealed: bool) -> DocumentRow:
    return DocumentRow(document, document.number if revealed else document.masked_number, revealed)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def student_detail(request, student_id: int):
    """Any member of the student's project. Moderators and administrators see contacts,
    birthday and age, documents (numbers masked), groups with the dates joined and
    attachments; viewers see the name and the groups only.

    «Показать» POSTs a `document` here: the page comes back with that one number in full,
    the look recorded (services.document_reveal). Only those who see the documents may;
    a viewer gets 403, an outsider 404, as on every page of the project."""
    students = with_any_attachment(with_member_role(Student.objects.select_related("project"), request.user))
    student = get_object_or_404(students, pk=student_id)
    role = _role_in(request, student.project, member_role=student.member_role)
    personal = sees_personal_data(role)
    revealed_id = None
    if request.method == "POST":
        if not personal:
            raise PermissionDenied
        document = get_object_or_404(student.documents, pk=_posted_id(request, "document"))
        services.document_reveal(document=document, user=request.user)
        revealed_id = document.pk
    memberships = student.memberships.select_related("group").order_by("joined_on")
    context = {"student": student, "project": student.project, "memberships": memberships, **_permissions(role)}
    if personal:
        documents = student.documents.select_related("document_type").order_by("document_type__name")
        context.update(
            age=age_on(student.birthday, timezone.localdate()),
            documents=[document_row(document, revealed=document.pk == revealed_id) for document in documents],
            **_attachments_context(student),
        )
    return render(request, "projects/pages/student.html", context)


@login_required
def student_photo(request, student_id: int):
    """Those who see the student's personal data (the project's moderators and
    administrators): the photo's thumbnail, from private storage. A viewer gets 403, an
    outsider 404; no public page shows a student's photo."""
    student = get_object_or_404(Student.objects.select_related("project"), pk=student_id)
    if not sees_personal_data(_role_in(request, student.project)):
        raise PermissionDenied
    return private_picture(student.avatar, "avatar")


def _posted_id(request, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None


@login_required
def student_create(request, project_id: int):
    """Moderators and administrators of the project: a new student with their documents."""
    project = get_object_or_404(Project, pk=project_id)
    role = _role_in(request, project, MODERATOR)
    return _student_form(request, project, role, Student(project=project))


@login_required
def student_edit(request, student_id: int):
    """Moderators and administrators of the student's project."""
    student = get_object_or_404(Student.objects.select_related("project"), pk=student_id)
    role = _role_in(request, student.project, MODERATOR)
    return _student_form(request, student.project, role, student)


def _student_form(request, project: Project, role: str, student: Student):
    files = request.FILES if request.method == "POST" else None
    form = StudentForm(posted_data(request), files, instance=student)
    documents = DocumentFormSet(posted_data(request), instance=student, prefix="documents")
    if request.method == "POST" and form.is_valid() and documents.is_valid():
        with transaction.atomic():
            student = form.save()
            documents.instance = student
            documents.save()
        messages.success(request, _("Карточка учащегося сохранена."))
        return redirect("projects:student", student.pk)
    title = _("Учащийся: %(name)s") % {"name": student.full_name} if student.pk else _("Новый учащийся")
    if student.pk:
        cancel = reverse("projects:student", args=[student.pk])
    else:
        cancel = reverse("projects:students", args=[project.pk])
    return _form_page(
        request,
        title=title,
        form=form,
        cancel_url=cancel,
        project=project,
        role=role,
        formset=documents,
        formset_title=_("Документы"),
    )


# --- Attachments -------------------------------------------------------------------------------

OWNER_TYPES = {"project": Project, "term": Term, "course": ProjectCourse, "lesson": ProjectLesson, "student": Student}
OWNER_TYPES_BY_MODEL = {model: name for name, model in OWNER_TYPES.items()}
OWNER_PROJECT = {
    Project: ("", lambda owner: owner),
    Term: ("project", lambda owner: owner.project),
    ProjectCourse: ("term__project", lambda owner: owner.term.project),
    ProjectLesson: ("course__term__project", lambda owner: owner.course.term.project),
    Student: ("project", lambda owner: owner.project),
}


def _owner(model, pk: int):
    related, project_of = OWNER_PROJECT[model]
    queryset = model.objects.select_related(related) if related else model.objects.all()
    owner = get_object_or_404(queryset, pk=pk)
    return owner, project_of(owner)


def owner_page(owner) -> str:
    if isinstance(owner, Project):
        return owner.get_absolute_url()
    if isinstance(owner, Term):
        return reverse("projects:term", args=[owner.pk])
    if isinstance(owner, ProjectCourse):
        return f"/projects/courses/{owner.pk}/"
    if isinstance(owner, ProjectLesson):
        return f"/projects/lessons/{owner.pk}/"
    return reverse("projects:student", args=[owner.pk])


def _attachment_of(request, attachment_id: int, needed: str) -> tuple[Attachment, object]:
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=attachment_id)
    model = attachment.content_type.model_class()
    if model not in OWNER_PROJECT:
        raise Http404
    owner, project = _owner(model, attachment.object_id)
    if model is Student:
        # A student's files (consents, copies of documents) are personal data.
        needed = MODERATOR
    _role_in(request, project, needed)
    return attachment, owner


@login_required
@require_POST
def attachment_upload(request, owner_type: str, owner_id: int):
    """Moderators and administrators of the owner's project: a file attached to a project,
    term, course, lesson or student (no larger than settings.ATTACHMENT_MAX_MB)."""
    model = OWNER_TYPES.get(owner_type)
    if model is None:
        raise Http404
    owner, project = _owner(model, owner_id)
    _role_in(request, project, MODERATOR)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = form.save(commit=False)
        attachment.content_type = ContentType.objects.get_for_model(model)
        attachment.object_id = owner.pk
        attachment.uploaded_by = request.user
        attachment.save()
        messages.success(request, _("Файл прикреплён."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(_safe_next(request, owner_page(owner)))


@login_required
def attachment_download(request, attachment_id: int):
    """Members of the owner's project only (404 for anyone else): the file as a download.
    A student's files are personal data: moderators and administrators only (403 for viewers)."""
    attachment, _owner_object = _attachment_of(request, attachment_id, VIEWER)
    return private_download(attachment.file)


@login_required
@require_POST
def attachment_delete(request, attachment_id: int):
    """Moderators and administrators of the owner's project: the file is removed (at the
    commit: core.files)."""
    attachment, owner = _attachment_of(request, attachment_id, MODERATOR)
    attachment.delete()
    messages.success(request, _("Файл удалён."))
    return redirect(_safe_next(request, owner_page(owner)))


urlpatterns = [
    path("", project_list, name="list"),
    path("new/", project_create, name="create"),
    path("<int:project_id>/", project_detail, name="detail"),
    path("<int:project_id>/edit/", project_edit, name="edit"),
    path("<int:project_id>/members/", member_list, name="members"),
    path("<int:project_id>/members/<int:user_id>/role/", member_role, name="member_role"),
    path("<int:project_id>/members/<int:user_id>/remove/", member_delete, name="member_remove"),
    path("<int:project_id>/terms/new/", term_create, name="term_create"),
    path("terms/<int:term_id>/", term_detail, name="term"),
    path("terms/<int:term_id>/edit/", term_edit, name="term_edit"),
    path("terms/<int:term_id>/courses/new/", course_create, name="course_create"),
    path("courses/<int:course_id>/edit/", course_edit, name="course_edit"),
    path("courses/<int:course_id>/lessons/new/", lesson_create, name="lesson_create"),
    path("lessons/<int:lesson_id>/edit/", lesson_edit, name="lesson_edit"),
    path("<int:project_id>/groups/new/", group_create, name="group_create"),
    path("groups/<int:group_id>/", group_detail, name="group"),
    path("groups/<int:group_id>/edit/", group_edit, name="group_edit"),
    path("groups/<int:group_id>/students/add/", group_add_student, name="group_add_student"),
    path("<int:project_id>/students/", student_list, name="students"),
    path("<int:project_id>/students/new/", student_create, name="student_create"),
    path("students/<int:student_id>/", student_detail, name="student"),
    path("students/<int:student_id>/photo/", student_photo, name="student_photo"),
    path("students/<int:student_id>/edit/", student_edit, name="student_edit"),
    path("attachments/<str:owner_type>/<int:owner_id>/upload/", attachment_upload, name="attachment_upload"),
    path("attachments/<int:attachment_id>/", attachment_download, name="attachment"),
    path("attachments/<int:attachment_id>/delete/", attachment_delete, name="attachment_delete"),
]
