from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.views import posted_data, private_picture
from volunteers.forms import VolunteerProfileForm, level_shown, photo_url
from volunteers.models import Volunteer
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
    filled in the first time, edited later. Lowering the confirmed level is confirmed in
    the form (spec 001 asks for an explicit confirmation); until it is, nothing is saved."""
    volunteer = volunteer_for_profile(request.user)
    shown_photo = photo_url(volunteer.photo) if volunteer and volunteer.photo else None  # as saved
    initial = {"level": level_shown(volunteer)}
    if volunteer is None and request.user.phone_number:
        initial["phone_number"] = request.user.phone_number  # the account's, moving into the profile
    form = VolunteerProfileForm(
        posted_data(request),
        request.FILES or None,
        instance=volunteer,
        initial=initial,
        confirmed_level=volunteer.effective_level if volunteer else None,
    )
    if request.method == "POST" and form.is_valid():
        level = form.cleaned_data["level"]
        try:
            outcome = _save_profile(request.user, volunteer, form)
        except LevelLoweringNotConfirmed as refused:  # the level was confirmed meanwhile: nothing saved
            form.add_error("level", str(refused))
        else:
            messages.success(request, _("Анкета сохранена."))
            if outcome in LEVEL_MESSAGES:
                messages.info(request, LEVEL_MESSAGES[outcome] % {"level": level})
            return redirect("volunteers:profile")
    return render(request, "volunteers/profile.html", {"volunteer": volunteer, "form": form, "photo_url": shown_photo})


@transaction.atomic
def _save_profile(user, volunteer: Volunteer | None, form: VolunteerProfileForm) -> LevelChange:
    """The profile and its level in one change: a lowering that turns out unconfirmed saves nothing."""
    directions = form.cleaned_data["directions"]
    if volunteer is None:
        volunteer = volunteer_create(user=user, directions=directions, **form.profile_fields())
    else:
        volunteer = volunteer_update(volunteer=volunteer, directions=directions, **form.profile_fields())
    return volunteer_choose_level(
        volunteer=volunteer,
        level=form.cleaned_data["level"],
        lowering_confirmed=bool(form.cleaned_data.get("lowering_confirmed")),
    )


@login_required
def photo(request, volunteer_id: int, alias: str):
    """The volunteer and staff who may see volunteers (volunteers.view_volunteer: teachers
    and administrators): a thumbnail of the photo, which is personal data kept in private
    storage; 404 for anyone else, as for a volunteer without one."""
    volunteer = get_object_or_404(Volunteer.objects.only("pk", "user_id", "photo"), pk=volunteer_id)
    if volunteer.user_id != request.user.pk and not request.user.has_perm("volunteers.view_volunteer"):
        raise Http404
    return private_picture(volunteer.photo, alias)
