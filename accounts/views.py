from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from accounts.forms import EmailAuthenticationForm, ProfileForm, RegistrationForm
from accounts.services import user_register
from core.views import posted_data


def register(request):
    """Anonymous visitors create an account; a signed-in user is sent to the profile."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        user = user_register(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="accounts.backends.EmailBackend")
        messages.success(request, _("Добро пожаловать на «Волну»! Учётная запись создана."))
        return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Anyone: sign in by email and password, or through Yandex ID."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request):
    """The signed-in user only, and only their own account."""
    user = request.user
    is_yandex_user = user.social_auth.exists()
    form = ProfileForm(posted_data(request), instance=user, email_editable=not is_yandex_user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Профиль сохранён."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "is_yandex_user": is_yandex_user, "roles": [group.name for group in user.groups.all()]},
    )


@login_required
def password_change(request):
    """The signed-in user changes their password; a Yandex user who has none sets one."""
    has_password = request.user.has_usable_password()
    form_class = PasswordChangeForm if has_password else SetPasswordForm
    form = form_class(request.user, posted_data(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Пароль изменён.") if has_password else _("Пароль задан."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "has_password": has_password})


class PasswordResetView(auth_views.PasswordResetView):
    """Anyone: asks for a reset link by email (the page never says whether the address is known)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Whoever holds the emailed link sets a new password."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
