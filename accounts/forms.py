from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from accounts.models import Message, User
from accounts.selectors import photo_url
from core.uploads import KINDS, accept_attribute
from core.widgets import PictureInput


def email_taken(email: str, *, except_user: User | None = None) -> bool:
    others = User.objects.filter(email__iexact=email.strip())
    if except_user is not None:
        others = others.exclude(pk=except_user.pk)
    return others.exists()


EMAIL_TAKEN = _("Пользователь с такой электронной почтой уже зарегистрирован.")


class RegistrationForm(forms.Form):
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    email = forms.EmailField(label=_("Электронная почта"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Пароль ещё раз"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_taken(email):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Пароли не совпадают."))
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for the email address instead of the username."""

    username = forms.CharField(
        label=_("Электронная почта"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Неверная электронная почта или пароль."),
    }


PHONE_FIELD = User._meta.get_field("phone_number")
PHOTO_FIELD = User._meta.get_field("profile_image")


def phone_input() -> RegionalPhoneNumberWidget:
    """A phone's text box showing a Russian number in the national format."""
    return RegionalPhoneNumberWidget(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "8 900 000-00-00"})


def photo_help_text() -> str:
    return _("JPEG, PNG, GIF или WebP, не больше %(limit)s МБ.") % {"limit": settings.PHOTO_MAX_MB}


class ProfileForm(forms.ModelForm):
    """Names are always editable; the address only for a local account (a Yandex account's
    address belongs to Yandex ID, spec 001). The address is not a model field here: the
    form never writes it. A new one needs the current password and is only requested
    (`requested_email`, then accounts.services.email_change_request).

    The phone and the photo are the person's wherever they are kept (User.phone,
    User.photo): for a volunteer, the volunteer profile's, where the phone is required.
    The form checks them by the account's fields' rules, which are the volunteer's too;
    `contact_changes` gives them to accounts.services.person_contacts_update."""

    email = forms.EmailField(label=_("Электронная почта"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    current_password = forms.CharField(
        label=_("Текущий пароль"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Нужен, только чтобы сменить электронную почту."),
    )

    phone_number = PHONE_FIELD.formfield(required=False, widget=phone_input())
    profile_image = PHOTO_FIELD.formfield(
        required=False,
        validators=PHOTO_FIELD.validators,
        widget=PictureInput(picture_url=photo_url, alt=_("Ваша фотография")),
    )
    field_order = (
        "first_name",
        "last_name",
        "email",
        "current_password",
        "phone_number",
        "curr_job_place",
        "address",
        "profile_image",
    )

    class Meta:
        model = User
        fields = ("first_name", "last_name", "curr_job_place", "address")

    def __init__(self, *args, email_editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        user = self.instance
        self.initial.setdefault("phone_number", user.phone)
        self.initial.setdefault("profile_image", user.photo)
        self.fields["profile_image"].help_text = photo_help_text()
        if user.volunteer_profile is not None:
            self.fields["phone_number"].required = True
            self.fields["phone_number"].help_text = _("Тот же, что в анкете волонтёра.")
        if email_editable:
            # A change waiting for confirmation is shown, so that saving the names keeps it.
            self.initial["email"] = self.instance.pending_email or self.instance.email
        else:
            del self.fields["email"], self.fields["current_password"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_taken(email, except_user=self.instance):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email

    def clean(self):
        cleaned = super().clean()
        email = self.requested_email()
        if email is not None and email.lower() != self.instance.email.lower():
            password = cleaned.get("current_password")
            if not password:
                self.add_error("current_password", _("Введите текущий пароль, чтобы сменить электронную почту."))
            elif not self.instance.check_password(password):
                self.add_error("current_password", _("Неверный пароль."))
        return cleaned

    def requested_email(self) -> str | None:
        """The address typed, when it differs from the one the account has or awaits:
        a new address to confirm, or the current one again to withdraw a pending change."""
        email = self.cleaned_data.get("email")
        instance = self.instance
        if not email or email.lower() == (instance.pending_email or instance.email).lower():
            return None
        return email

    def contact_changes(self) -> dict:
        """The phone and photo changed, as person_contacts_update takes them («Удалить»
        clears the photo)."""
        changes = {}
        if "phone_number" in self.changed_data:
            changes["phone_number"] = self.cleaned_data["phone_number"]
        if "profile_image" in self.changed_data:
            changes["photo"] = self.cleaned_data["profile_image"] or ""
        return changes

    def mails_a_link(self) -> bool:
        """Whether saving mails a confirmation link (rate-limited by the callers): to a new
        address, not when the account's own one is given back to withdraw a change."""
        email = self.requested_email()
        return email is not None and email.lower() != self.instance.email.lower()


def message_recipients(sender: User):
    """Whom `sender` may write to, as `accounts.services.can_message` decides one by one:
    other active users, and only staff (administrators, teachers) for a non-staff sender."""
    users = User.objects.filter(is_active=True).exclude(pk=sender.pk)
    if not sender.is_staff:
        users = users.filter(is_staff=True)
    return users


CANNOT_MESSAGE = _("Этому пользователю нельзя написать.")
ATTACHMENT_FIELD = Message._meta.get_field("attachment")


class MessageForm(forms.Form):
    """A new message: the recipient among those the sender may write to; the attachment is
    checked by the model's own rules (extension, size limit ATTACHMENT_MAX_MB)."""

    recipient = forms.ModelChoiceField(
        label=_("Кому"),
        queryset=User.objects.none(),
        empty_label=_("— выберите получателя —"),
        error_messages={"invalid_choice": CANNOT_MESSAGE},
    )
    title = forms.CharField(label=_("Тема"), max_length=Message._meta.get_field("title").max_length)
    text = forms.CharField(label=_("Текст"), widget=forms.Textarea(attrs={"rows": 8}))
    attachment = forms.FileField(
        label=_("Вложение"),
        required=False,
        validators=ATTACHMENT_FIELD.validators,
        widget=forms.FileInput(attrs={"accept": accept_attribute(ATTACHMENT_FIELD.kind)}),
    )

    def __init__(self, *args, sender: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = message_recipients(sender)
        self.fields["attachment"].help_text = _("Необязательно. Файл %(extensions)s, не больше %(limit)s МБ.") % {
            "extensions": ", ".join(ext.upper() for ext in KINDS[ATTACHMENT_FIELD.kind]),
            "limit": settings.ATTACHMENT_MAX_MB,
        }
