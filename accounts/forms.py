from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User


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


class ProfileForm(forms.ModelForm):
    """Names are always editable; the address only for a local account (a Yandex account's
    address belongs to Yandex ID, spec 001)."""

    class Meta:
        model = User
        fields = ("first_name", "last_name", "email")

    def __init__(self, *args, email_editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        if email_editable:
            self.fields["email"].required = True
        else:
            del self.fields["email"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email_taken(email, except_user=self.instance):
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email
