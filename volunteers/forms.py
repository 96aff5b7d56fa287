from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from volunteers.models import Level, Volunteer


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

    class Meta:
        model = Volunteer
        fields = ("phone_number", "birth_date", "location", "directions", "call_sign", "photo")
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "directions": forms.CheckboxSelectMultiple,
            "phone_number": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 900 000-00-00"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].help_text = _("JPEG, PNG, GIF или WebP, не больше %(limit)s МБ.") % {
            "limit": settings.PHOTO_MAX_MB
        }
        self.fields["location"].empty_label = _("— выберите регион —")

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
