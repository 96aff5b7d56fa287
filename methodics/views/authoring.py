"""Authoring of methodics: «Мои методики», creating and editing a methodic, its steps (add,
edit, remove, move up and down) and its media (add, delete), publishing, unpublishing and
deleting it.

Creating is for users who may add methodics (`methodics.add_methodic`: teachers and
administrators); volunteers get 403, visitors the login page. Editing a methodic (fields,
steps, media) is for its moderators and administrators (`selectors.can_edit`: its author,
those given the role, site moderators), whatever their site role; to anyone else it is 404
as if it did not exist (403 for those who may not author methodics at all). Publishing,
unpublishing and deleting are its administrators' (403 for its moderators). «Мои методики»
is every signed-in user's: what they wrote and what is shared with them.
Every change goes through methodics.services; a rule it refuses (MethodicsError) becomes a
message or a form error."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.csp import with_rich_text_editor
from core.roles import role_label
from core.text import plural
from methodics.forms import MediaForm, MethodicForm, StepForm
from methodics.models import Methodic, MethodicMedia, MethodicMember, MethodicStep, Tag
from methodics.selectors import (
    can_delete,
    can_edit,
    can_manage_roles,
    can_moderate,
    can_publish,
    with_member_role,
)
from methodics.services import (
    MethodicsError,
    media_add,
    media_delete,
    methodic_delete,
    methodic_publish,
    methodic_save,
    methodic_unpublish,
    step_add,
    step_remove,
    step_update,
    steps_reorder,
)

AUTHOR_PERMISSION = "methodics.add_methodic"


def authors_only(view):
    """Logged in (else the login page) and allowed to author methodics (else 403)."""
    return login_required(permission_required(AUTHOR_PERMISSION, raise_exception=True)(view))


def editable_methodic(view=None, *, may=can_edit):
    """Passes the methodic of `methodic_id` instead of its id, the user's role on it read in
    the same query. Unless the user may edit it: 403 for those who may not author methodics,
    else 404. Unless `may` (say, can_publish) allows the action too: 403."""
    if view is None:
        return lambda view: editable_methodic(view, may=may)

    @wraps(view)
    def wrapper(request, methodic_id: int, *args, **kwargs):
        methodics = with_member_role(Methodic.objects.select_related("author", "category"), request.user)
        methodic = get_object_or_404(methodics, pk=methodic_id)
        if not can_edit(request.user, methodic):
            if not request.user.has_perm(AUTHOR_PERMISSION):
                raise PermissionDenied
            raise Http404
        if not may(request.user, methodic):
            raise PermissionDenied
        return view(request, methodic, *args, **kwargs)

    return login_required(wrapper)


def _data(request):
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _edit_url(methodic: Methodic, anchor: str = "") -> str:
    return reverse("methodics:edit", args=[methodic.pk]) + (f"#{anchor}" if anchor else "")


def _save_methodic(form: MethodicForm, *, author) -> Methodic:
    """The form's methodic with its tags; missing tags are created in the same transaction."""
    with transaction.atomic():
        methodic = form.save(commit=False)
        if methodic.pk is None:
            methodic.author = author
        tags = [Tag.objects.get_or_create(name=name)[0] for name in form.cleaned_data["tag_names"]]
        return methodic_save(methodic=methodic, tags=tags)


def _apply_errors(form, error: ValidationError) -> None:
    """A model's ValidationError raised by a service, shown on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def mine(request):
    """Every signed-in user, in three groups with their counts: their drafts, their published
    methodics, and the methodics of others shared with them, with their role on each — the
    most recently changed first, with the status, duration and number of steps of each. Two
    queries whatever the numbers."""
    user = request.user
    own = list(
        Methodic.objects.filter(author=user)
        .select_related("category")
        .annotate(steps_count=Count("steps"))
        .order_by("-updated_at", "-pk")
    )
    shared = list(
        MethodicMember.objects.filter(user=user)
        .exclude(methodic__author=user)
        .select_related("methodic__category", "methodic__author")
        .annotate(steps_count=Count("methodic__steps"))
        .order_by("-methodic__updated_at", "-methodic__pk")
    )
    drafts = [methodic for methodic in own if methodic.status == Methodic.Status.DRAFT]
    published = [methodic for methodic in own if methodic.status == Methodic.Status.PUBLISHED]
    for member in shared:
        member.methodic.steps_count = member.steps_count
    context = {
        "drafts": drafts,
        "published": published,
        "shared": shared,
        "drafts_count": plural(len(drafts), "черновик", "черновика", "черновиков"),
        "published_count": plural(len(published), "методика", "методики", "методик"),
        "shared_count": plural(len(shared), "методика", "методики", "методик"),
        "may_author": user.has_perm(AUTHOR_PERMISSION),
        "Status": Methodic.Status,
        "ADMIN": MethodicMember.Role.ADMIN,
    }
    return render(request, "methodics/authoring/mine.html", context)


@authors_only
@require_http_methods(["GET", "POST"])
@with_rich_text_editor
def create(request):
    """Teachers and administrators: a new methodic, saved as a draft; steps and media are
    added on its edit page next."""
    form = MethodicForm(*_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            methodic = _save_methodic(form, author=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Черновик «%(title)s» сохранён. Добавьте шаги занятия.") % {"title": methodic.title}
            )
            return redirect(_edit_url(methodic, "steps"))
    return render(request, "methodics/authoring/create.html", {"form": form})


@with_rich_text_editor
def _edit_page(request, methodic: Methodic, *, form=None, step_form=None, media_form=None, status=200):
    steps = list(methodic.steps.order_by("order_number"))
    return render(
        request,
        "methodics/authoring/edit.html",
        {
            "methodic": methodic,
            "form": form or MethodicForm(instance=methodic),
            "steps": steps,
            "step_form": step_form or StepForm(prefix="step"),
            "media_items": methodic.media.order_by("kind", "pk"),
            "media_form": media_form or MediaForm(prefix="media"),
            "Status": Methodic.Status,
            "Kind": MethodicMedia.Kind,
            "is_moderating": methodic.author_id != request.user.pk and can_moderate(request.user),
            "role_label": role_label(getattr(methodic, "member_role", None))
            if methodic.author_id != request.user.pk
            else "",
            "can_publish": can_publish(request.user, methodic),
            "can_manage_roles": can_manage_roles(request.user, methodic),
            "can_delete": can_delete(request.user, methodic),
        },
        status=status,
    )


@editable_methodic
@require_http_methods(["GET", "POST"])
def edit(request, methodic: Methodic):
    """Its moderators and administrators: its fields, with the lists of steps and media and
    their forms below; for its administrators the publish / unpublish, «Доступ» and delete
    buttons too."""
    if request.method == "POST":
        form = MethodicForm(request.POST, request.FILES, instance=methodic)
        if form.is_valid():
            try:
                methodic = _save_methodic(form, author=request.user)
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Методика «%(title)s» сохранена.") % {"title": methodic.title})
                return redirect(_edit_url(methodic))
        # Validating wrote the posted values into the instance; the page shows the saved ones.
        methodic.refresh_from_db()
        return _edit_page(request, methodic, form=form)
    return _edit_page(request, methodic)


@editable_methodic
@require_POST
def step_create(request, methodic: Methodic):
    """Its moderators and administrators: a new step at the end of the course of the lesson."""
    form = StepForm(request.POST, request.FILES, prefix="step")
    if form.is_valid():
        try:
            step_add(methodic=methodic, **form.step_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Шаг добавлен."))
            return redirect(_edit_url(methodic, "steps"))
    return _edit_page(request, methodic, step_form=form)


@editable_methodic
@require_http_methods(["GET", "POST"])
def step_edit(request, methodic: Methodic, step_id: int):
    """Its moderators and administrators: one step's duration, description, expected result, image."""
    step = get_object_or_404(MethodicStep, pk=step_id, methodic=methodic)
    # The form validates a copy: step_update compares the step's stored image with the new one.
    form = StepForm(*_data(request), instance=MethodicStep.objects.get(pk=step.pk))
    if request.method == "POST" and form.is_valid():
        try:
            step_update(step=step, **form.step_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Шаг %(number)s сохранён.") % {"number": step.order_number})
            return redirect(_edit_url(methodic, "steps"))
    return render(request, "methodics/authoring/step_edit.html", {"methodic": methodic, "step": step, "form": form})


@editable_methodic
@require_POST
def step_delete(request, methodic: Methodic, step_id: int):
    """Its moderators and administrators: removes a step (and its image); the next steps move up."""
    step = get_object_or_404(MethodicStep, pk=step_id, methodic=methodic)
    step_remove(step=step)
    messages.success(request, _("Шаг %(number)s удалён.") % {"number": step.order_number})
    return redirect(_edit_url(methodic, "steps"))


@editable_methodic
@require_POST
def step_move(request, methodic: Methodic, step_id: int, direction: str):
    """Its moderators and administrators: swaps a step with the one above («up») or below («down»)."""
    order = list(methodic.steps.order_by("order_number").values_list("pk", flat=True))
    if step_id not in order:
        raise Http404
    index = order.index(step_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        try:
            steps_reorder(methodic=methodic, order=order)
        except MethodicsError as error:
            messages.error(request, str(error))
    return redirect(_edit_url(methodic, "steps"))


@editable_methodic
@require_POST
def media_create(request, methodic: Methodic):
    """Its moderators and administrators: an image, audio or video file, or a link to a video, with
    a caption. The file's content must match its kind; nothing is saved otherwise."""
    form = MediaForm(request.POST, request.FILES, prefix="media")
    if form.is_valid():
        try:
            media_add(methodic=methodic, **form.media_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Материал добавлен."))
            return redirect(_edit_url(methodic, "media"))
    return _edit_page(request, methodic, media_form=form)


@editable_methodic
@require_POST
def media_remove(request, methodic: Methodic, media_id: int):
    """Its moderators and administrators: deletes a media item and its file from storage."""
    item = get_object_or_404(MethodicMedia, pk=media_id, methodic=methodic)
    media_delete(item=item)
    messages.success(request, _("Материал «%(item)s» удалён.") % {"item": item})
    return redirect(_edit_url(methodic, "media"))


@editable_methodic(may=can_publish)
@require_POST
def publish(request, methodic: Methodic):
    """Its administrators: publish the methodic (it needs at least one step); the others
    with a role on it are told."""
    try:
        methodic_publish(methodic=methodic, by=request.user)
    except MethodicsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Методика «%(title)s» опубликована.") % {"title": methodic.title})
    return redirect(_edit_url(methodic))


@editable_methodic(may=can_publish)
@require_POST
def unpublish_own(request, methodic: Methodic):
    """Its administrators: back to draft (a moderator's unpublishing notifies the
    author, see methodic_unpublish)."""
    methodic_unpublish(methodic=methodic, by=request.user)
    messages.success(request, _("Методика «%(title)s» снята с публикации.") % {"title": methodic.title})
    return redirect(_edit_url(methodic))


@editable_methodic(may=can_delete)
@require_http_methods(["GET", "POST"])
def delete(request, methodic: Methodic):
    """Its administrators: a confirmation page, then the methodic is deleted with its
    steps, media, comments and files."""
    if request.method == "POST":
        title = methodic.title
        methodic_delete(methodic=methodic)
        messages.success(request, _("Методика «%(title)s» удалена.") % {"title": title})
        return redirect("methodics:mine")
    counts = {"steps": methodic.steps.count(), "media": methodic.media.count(), "comments": methodic.comments.count()}
    return render(request, "methodics/authoring/delete.html", {"methodic": methodic, **counts})


urlpatterns = [
    path("mine/", mine, name="mine"),
    path("new/", create, name="create"),
    path("<int:methodic_id>/edit/", edit, name="edit"),
    path("<int:methodic_id>/steps/add/", step_create, name="step_add"),
    path("<int:methodic_id>/steps/<int:step_id>/edit/", step_edit, name="step_edit"),
    path("<int:methodic_id>/steps/<int:step_id>/delete/", step_delete, name="step_delete"),
    path("<int:methodic_id>/steps/<int:step_id>/up/", step_move, {"direction": "up"}, name="step_up"),
    path("<int:methodic_id>/steps/<int:step_id>/down/", step_move, {"direction": "down"}, name="step_down"),
    path("<int:methodic_id>/media/add/", media_create, name="media_add"),
    path("<int:methodic_id>/media/<int:media_id>/delete/", media_remove, name="media_delete"),
    path("<int:methodic_id>/publish/", publish, name="publish"),
    path("<int:methodic_id>/unpublish-own/", unpublish_own, name="unpublish_own"),
    path("<int:methodic_id>/delete/", delete, name="delete"),
]
