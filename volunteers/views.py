from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.views import posted_data, private_picture
from volunteers.forms import VolunteerProfileForm, level_shown
from volunteers.models import Level, Volunteer
from volunteers.selectors import volunteer_for_profile
from volunteers.services import (
    LevelChange,
    LevelLoweringNotConfirmed,
    volunteer_choose_level,
    volunteer_create,
    volunteer_update,
)

LEVEL_MESSAGES = {
    LevelChange.REQUESTED: gettext_lazy(
        "Заявка на уровень «%(level)s» отправлена администраторам. До подтверждения доступ не меняется."
    ),
    LevelChange.WITHDRAWN: gettext_lazy("Заявка на повышение уровня отозвана."),
    LevelChange.LOWERED: gettext_lazy("Уровень изменён на «%(level)s»."),
}


@login_required
def profile(request):
    """The signed-in user's own volunteer profile (nobody sees or edits another's here):
    filled in the first time, edited later."""
    volunteer = volunteer_for_profile(request.user)
    form = VolunteerProfileForm(
        posted_data(request), request.FILES or None, instance=volunteer, initial={"level": level_shown(volunteer)}
    )
    if request.method == "POST" and form.is_valid():
        directions = form.cleaned_data["directions"]
        if volunteer is None:
            volunteer = volunteer_create(user=request.user, directions=directions, **form.profile_fields())
        else:
            volunteer = volunteer_update(volunteer=volunteer, directions=directions, **form.profile_fields())
        messages.success(request, _("Анкета сохранена."))
        level = form.cleaned_data["level"]
        try:
            outcome = volunteer_choose_level(volunteer=volunteer, level=level)
        except LevelLoweringNotConfirmed:
            return redirect("volunteers:lower_level", level_id=level.pk)
        if outcome in LEVEL_MESSAGES:
            messages.info(request, LEVEL_MESSAGES[outcome] % {"level": level})
        return redirect("volunteers:profile")
    return render(request, "volunteers/profile.html", {"volunteer": volunteer, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def lower_level(request, level_id: int):
    """The explicit confirmation spec 001 asks for before a volunteer lowers their own
    confirmed level; only for the signed-in volunteer's own profile."""
    volunteer = volunteer_for_profile(request.user)
    if volunteer is None:
        raise Http404
    level = get_object_or_404(Level, pk=level_id)
    current = volunteer.effective_level
    if level.rank >= current.rank:
        return redirect("volunteers:profile")
    if request.method == "POST":
        volunteer_choose_level(volunteer=volunteer, level=level, lowering_confirmed=True)
        messages.info(request, LEVEL_MESSAGES[LevelChange.LOWERED] % {"level": level})
        return redirect("volunteers:profile")
    return render(request, "volunteers/lower_level.html", {"level": level, "current": current})


@login_required
def photo(request, volunteer_id: int, alias: str):
    """The volunteer and staff who may see volunteers (volunteers.view_volunteer: teachers
    and administrators): a thumbnail of the photo, which is personal data kept in private
    storage; 404 for anyone else, as for a volunteer without one."""
    volunteer = get_object_or_404(Volunteer.objects.only("pk", "user_id", "photo"), pk=volunteer_id)
    if volunteer.user_id != request.user.pk and not request.user.has_perm("volunteers.view_volunteer"):
        raise Http404
    return private_picture(volunteer.photo, alias)
