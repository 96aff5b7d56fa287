"""Who the learner pages are shown to: the signed-in volunteer, or — for an administrator
who switched on «вид студента» — a volunteer of the level and region they picked."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import ADMIN, MAIN_ADMIN
from core.views import posted_data
from courses.selectors import ANONYMOUS, Learner, learner_of_user
from volunteers.models import Level, Location

STUDENT_VIEW_SESSION_KEY = "courses_student_view"


def is_administrator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name__in=[ADMIN, MAIN_ADMIN]).exists())


def _student_view(request) -> Learner | None:
    """The learner an administrator chose to look as, or None. The role is checked again
    on every request, so a session outliving the role shows nothing it should not."""
    chosen = request.session.get(STUDENT_VIEW_SESSION_KEY)
    if not chosen or not is_administrator(request.user):
        return None
    level = Level.objects.filter(pk=chosen.get("level")).first()
    if level is None:
        return None
    location = Location.objects.filter(pk=chosen["location"]).first() if chosen.get("location") else None
    return Learner(volunteer=None, level=level, location=location)


def learner_for_request(request) -> Learner:
    """The learner behind this request, computed once per request."""
    if not hasattr(request, "_courses_learner"):
        learner = _student_view(request)
        request.courses_student_view = learner is not None
        if learner is None:
            learner = learner_of_user(request.user) if request.user.is_authenticated else ANONYMOUS
        request._courses_learner = learner
    return request._courses_learner


def learner_context(request) -> dict:
    """What every course page needs to know about its viewer (the student-view banner)."""
    learner = learner_for_request(request)
    return {"learner": learner, "student_view": request.courses_student_view}


class StudentViewForm(forms.Form):
    level = forms.ModelChoiceField(Level.objects.all(), label=gettext_lazy("Уровень волонтёра"), empty_label=None)
    location = forms.ModelChoiceField(
        Location.objects.all(),
        label=gettext_lazy("Регион"),
        required=False,
        empty_label=gettext_lazy("— не выбран —"),
        help_text=gettext_lazy("Без региона доступны только курсы, открытые во всех регионах."),
    )


def _back(request, fallback: str):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_http_methods(["GET", "POST"])
def student_view(request):
    """Administrators only: look at the course pages as a volunteer of a chosen level and
    region would (nothing can be enrolled in meanwhile)."""
    if not is_administrator(request.user):
        raise PermissionDenied
    chosen = request.session.get(STUDENT_VIEW_SESSION_KEY) or {}
    form = StudentViewForm(posted_data(request), initial=chosen)
    if request.method == "POST" and form.is_valid():
        location = form.cleaned_data["location"]
        request.session[STUDENT_VIEW_SESSION_KEY] = {
            "level": form.cleaned_data["level"].pk,
            "location": location.pk if location else None,
        }
        messages.info(request, _("Вид студента включён."))
        return _back(request, "courses:catalogue")
    return render(request, "courses/student_view.html", {"form": form, **learner_context(request)})


@require_POST
def student_view_off(request):
    request.session.pop(STUDENT_VIEW_SESSION_KEY, None)
    messages.info(request, _("Вид студента выключен."))
    return _back(request, "courses:catalogue")
