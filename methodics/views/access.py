"""«Доступ»: the people who hold a role on a methodic (core.roles: administrator, moderator,
viewer) — /methodics/<id>/access/. Its administrators (its author, those given the role,
site moderators) list them, add a person by the email of their account, change a role and
take one back (after a confirmation page); signed-in users who are not get 403, visitors
the login page. Every change goes through methodics.services, which tells the person."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.roles import ADMIN, role_label
from methodics.forms import MemberAddForm, MemberRoleForm
from methodics.models import Methodic, MethodicMember
from methodics.selectors import can_manage_roles, with_member_role
from methodics.services import MethodicsError, member_add, member_change, member_remove
from methodics.views.library import person_name


def administered_methodic(view):
    """Passes the methodic of `methodic_id` (404 if none); 403 unless the user manages its roles."""

    @wraps(view)
    def wrapper(request, methodic_id: int, *args, **kwargs):
        methodics = with_member_role(Methodic.objects.select_related("author"), request.user)
        methodic = get_object_or_404(methodics, pk=methodic_id)
        if not can_manage_roles(request.user, methodic):
            raise PermissionDenied
        return view(request, methodic, *args, **kwargs)

    return login_required(wrapper)


def _member(methodic: Methodic, member_id: int) -> MethodicMember:
    member = get_object_or_404(MethodicMember.objects.select_related("user"), pk=member_id, methodic=methodic)
    member.methodic = methodic
    return member


def _access_page(request, methodic: Methodic, *, add_form=None, status=200):
    members = methodic.members.select_related("user").order_by("user__last_name", "user__first_name", "pk")
    context = {
        "methodic": methodic,
        "author_name": person_name(methodic.author),
        "author_role": role_label(ADMIN),
        "members": [(member, person_name(member.user)) for member in members],
        "role_choices": MethodicMember.Role.choices,
        "add_form": add_form or MemberAddForm(),
    }
    return render(request, "methodics/access/list.html", context, status=status)


@administered_methodic
@require_http_methods(["GET", "POST"])
def access(request, methodic: Methodic):
    """Its administrators: the people with a role on the methodic (its author first), and a
    form that gives a person a role by the email of their account — an unknown address,
    the author and someone who holds a role already are errors under the form."""
    if request.method == "POST":
        form = MemberAddForm(request.POST)
        if form.is_valid():
            user = form.cleaned_data["user"]
            try:
                member = member_add(methodic=methodic, user=user, role=form.cleaned_data["role"], by=request.user)
            except MethodicsError as error:
                form.add_error("email", str(error))
            else:
                messages.success(
                    request,
                    _("%(name)s: роль «%(role)s».") % {"name": person_name(user), "role": member.get_role_display()},
                )
                return redirect("methodics:access", methodic.pk)
        return _access_page(request, methodic, add_form=form)
    return _access_page(request, methodic)


@administered_methodic
@require_POST
def role_change(request, methodic: Methodic, member_id: int):
    """Its administrators: another role for a person on the methodic."""
    member = _member(methodic, member_id)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        member_change(member=member, role=form.cleaned_data["role"], by=request.user)
        done = {"name": person_name(member.user), "role": member.get_role_display()}
        messages.success(request, _("%(name)s: роль «%(role)s».") % done)
    else:
        messages.error(request, _("Выберите роль из списка."))
    return redirect("methodics:access", methodic.pk)


@administered_methodic
@require_http_methods(["GET", "POST"])
def role_remove(request, methodic: Methodic, member_id: int):
    """Its administrators: a confirmation page, then the person's role is taken back."""
    member = _member(methodic, member_id)
    name = person_name(member.user)
    if request.method == "POST":
        member_remove(member=member, by=request.user)
        messages.success(request, _("%(name)s больше не участвует в методике.") % {"name": name})
        return redirect("methodics:access", methodic.pk)
    return render(request, "methodics/access/remove.html", {"methodic": methodic, "member": member, "name": name})


urlpatterns = [
    path("<int:methodic_id>/access/", access, name="access"),
    path("<int:methodic_id>/access/<int:member_id>/role/", role_change, name="access_role"),
    path("<int:methodic_id>/access/<int:member_id>/remove/", role_remove, name="access_remove"),
]
