import hashlib

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import phone_input
from core.widgets import PictureInput
from volunteers.models import Level, Volunteer


def photo_url(photo, alias: str = "avatar") -> str:
    """Where a volunteer's photo (a FieldFile of Volunteer.photo) is shown: its thumbnail
    through views.photo, which checks who asks. The query changes with the photo, so a
    browser that keeps the old thumbnail for an hour asks for a replaced one at once."""
    version = hashlib.sha256(photo.name.encode()).hexdigest()[:10]
    return f"{reverse('volunteers:photo', args=[photo.instance.pk, alias])}?v={version}"


def level_shown(volunteer: Volunteer | None) -> Level | None:
    """The level the profile form starts at: the one asked for and waiting, else the
    confirmed one; Новичок for a first profile."""
    if volunteer is None:
        return Level.objects.first()
    return volunteer.pending_level or volunteer.effective_level


class VolunteerProfileForm(forms.ModelForm):
    """The volunteer's own profile with the level they want; the level rules are the
    service's (volunteers.services.volunteer_choose_level)."""

    level = forms.ModelChoiceField(
        Level.objects.all(),
        label=_("Желаемый уровень"),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Уровни выше «Новичок» подтверждает администратор; до подтверждения доступ не меняется."),
    )
    # Shown only when the chosen level is below the confirmed one (see clean).
    lowering_confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Volunteer
        fields = ("phone_number", "birth_date", "location", "directions", "call_sign", "photo")
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "directions": forms.CheckboxSelectMultiple,
            "phone_number": phone_input(),  # a Russian number in the national format
            "photo": PictureInput(picture_url=photo_url, alt=_("Ваша фотография")),
        }

    def __init__(self, *args, confirmed_level: Level | None = None, **kwargs):
        """`confirmed_level`: the volunteer's confirmed level, when choosing a lower one
        must be confirmed in the form itself (the profile page); nothing is saved until it is."""
        super().__init__(*args, **kwargs)
        self.confirmed_level = confirmed_level
        self.fields["photo"].help_text = _("JPEG, PNG, GIF или WebP, не больше %(limit)s МБ.") % {
            "limit": settings.PHOTO_MAX_MB
        }
        self.fields["location"].empty_label = _("— выберите регион —")

    def clean(self):
        cleaned_data = super().clean()
        level, current = cleaned_data.get("level"), self.confirmed_level
        if current and level and level.rank < current.rank and not cleaned_data.get("lowering_confirmed"):
            self.fields["lowering_confirmed"].widget = forms.CheckboxInput()
            field = self["lowering_confirmed"]  # the bound field, made while cleaning: its own label and help
            field.label = _("Да, понизить уровень до «%(level)s»") % {"level": level}
            field.help_text = _(
                "Курсы уровня «%(current)s» станут недоступны. Чтобы вернуть уровень, понадобится новое "
                "подтверждение администратора."
            ) % {"current": current}
            self.add_error(
                "lowering_confirmed",
                _("Сейчас подтверждён уровень «%(current)s». Отметьте, что понижаете его, и сохраните анкету ещё раз.")
                % {"current": current},
            )
        return cleaned_data

    def profile_fields(self) -> dict:
        """Cleaned values for volunteer_create / volunteer_update; the photo only when
        it changed (False from «очистить» removes it)."""
        names = ["phone_number", "birth_date", "location", "call_sign"]
        if "photo" in self.changed_data:
            names.append("photo")
        values = {name: self.cleaned_data[name] for name in names}
        if "photo" in values and values["photo"] is False:
            values["photo"] = ""
        return values
