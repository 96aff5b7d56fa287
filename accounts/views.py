from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import CANNOT_MESSAGE, EmailAuthenticationForm, MessageForm, ProfileForm, RegistrationForm
from accounts.models import Message, User
from accounts.selectors import email_editable_in_profile, landing_url, unread_message_count, yandex_account_of
from accounts.services import (
    EmailConfirmationError,
    can_message,
    email_change_request,
    email_confirm,
    email_confirmation_read,
    email_confirmation_resend,
    message_mark_read,
    message_send,
    person_contacts_update,
    user_register,
    user_saved,
)
from core.input_checks import parse_id
from core.ratelimit import TOO_MANY_MESSAGE, TOO_MANY_REQUESTS, rate_limit_reached
from core.views import posted_data, private_download, private_picture

MESSAGES_PER_PAGE = 20
REPLY_PREFIX = "Re: "


def register(request):
    """Anonymous visitors create an account; a signed-in user is sent to the profile."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        if rate_limit_reached(request, "registration"):
            form.add_error(None, TOO_MANY_MESSAGE)
            return render(request, "accounts/register.html", {"form": form}, status=TOO_MANY_REQUESTS)
        user = user_register(
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="accounts.backends.EmailBackend")
        messages.success(
            request,
            _(
                "Добро пожаловать на «Волну»! Учётная запись создана. Мы отправили письмо на %(email)s: "
                "пройдите по ссылке из него, чтобы подтвердить адрес."
            )
            % {"email": user.email},
        )
        return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Anyone: sign in by email and password, or through Yandex ID."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Without a safe `next`: the signed-in user's own start page (`landing_url`)."""
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs):
        # Django's LoginView names the site by its host («127.0.0.1»); the page says «Волна».
        return {**super().get_context_data(**kwargs), "site_name": settings.SITE_NAME}


@login_required
def landing(request):
    """The signed-in user: sent on to their start page (`landing_url`). Where a sign-in
    through Yandex ID without a `next` ends (SOCIAL_AUTH_LOGIN_REDIRECT_URL)."""
    return redirect(landing_url(request.user))


@login_required
def profile(request):
    """The signed-in user only, and only their own account."""
    user = request.user
    yandex_account = yandex_account_of(user)
    email_editable = email_editable_in_profile(user, yandex_account=yandex_account)
    files = request.FILES if request.method == "POST" else None
    form = ProfileForm(posted_data(request), files, instance=user, email_editable=email_editable)
    if request.method == "POST" and form.is_valid():
        requested_email = form.requested_email()
        if form.mails_a_link() and rate_limit_reached(request, "email_confirmation", email=requested_email):
            form.add_error("email", TOO_MANY_MESSAGE)
            return _profile_page(request, form, yandex_account, status=TOO_MANY_REQUESTS)
        with transaction.atomic():
            form.save()
            person_contacts_update(user=user, **form.contact_changes())
        user_saved(changed=form.changed_data)
        if requested_email is not None:
            email_change_request(user=user, email=requested_email)
            if user.pending_email:
                messages.info(
                    request,
                    _("Мы отправили письмо на %(email)s. Адрес сменится, когда вы пройдёте по ссылке из него.")
                    % {"email": user.pending_email},
                )
            else:
                messages.info(request, _("Смена адреса отменена: остаётся %(email)s.") % {"email": user.email})
        messages.success(request, _("Профиль сохранён."))
        return redirect("accounts:profile")
    return _profile_page(request, form, yandex_account)


def _profile_page(request, form, yandex_account, *, status: int = 200):
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "is_yandex_user": yandex_account is not None,
            "yandex_account": yandex_account,
            "roles": [group.name for group in request.user.groups.all()],
        },
        status=status,
    )


@login_required
def photo(request, user_id: int, alias: str):
    """Signed-in users (config.views.author shows the photo to them): a thumbnail of the
    person's photo — the account's, or the volunteer profile's (User.photo) — which is
    personal data kept in private storage; 404 when there is none."""
    person = get_object_or_404(User.objects.select_related("volunteer"), pk=user_id)
    return private_picture(person.photo, alias)


@login_required
@require_POST
def resend_email_confirmation(request):
    """The signed-in user asks for the confirmation link again (profile button)."""
    address = request.user.pending_email or request.user.email
    if rate_limit_reached(request, "email_confirmation", email=address):
        messages.error(request, TOO_MANY_MESSAGE)
        return redirect("accounts:profile")
    email = email_confirmation_resend(user=request.user)
    if email:
        messages.info(request, _("Письмо со ссылкой для подтверждения отправлено на %(email)s.") % {"email": email})
    else:
        messages.info(request, _("Электронная почта уже подтверждена."))
    return redirect("accounts:profile")


def confirm_email(request, token):
    """Whoever holds the emailed link, signed in or not. Opening it only shows what it
    would confirm; the button (POST) confirms: mail scanners open links, and must not
    confirm an address someone else registered."""
    try:
        user, email = email_confirmation_read(token=token)
        if request.method == "POST":
            email_confirm(token=token)
    except EmailConfirmationError as refused:
        return render(request, "accounts/email_confirm.html", {"error": str(refused)})
    if request.method == "POST":
        messages.success(request, _("Адрес %(email)s подтверждён.") % {"email": email})
        return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
    return render(request, "accounts/email_confirm.html", {"account": user, "email": email})


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

    def form_valid(self, form):
        """Sends the link, but not past RATE_LIMITS["password_reset"] for the address or the client."""
        if rate_limit_reached(self.request, "password_reset", email=form.cleaned_data["email"]):
            form.add_error(None, TOO_MANY_MESSAGE)
            return self.render_to_response(self.get_context_data(form=form), status=TOO_MANY_REQUESTS)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Whoever holds the emailed link sets a new password."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


# --- Messages --------------------------------------------------------------------------


def _message_of(user, pk: int) -> Message:
    """The message if `user` is its recipient or sender; 404 otherwise, as for a message
    that does not exist, so that nobody learns which ids are taken."""
    visible = Message.objects.filter(Q(recipient=user) | Q(sender=user)).select_related("sender", "recipient")
    return get_object_or_404(visible, pk=pk)


def _attachment_name(message: Message) -> str:
    """The file's own name, without the folders the storage keeps it in."""
    return PurePosixPath(message.attachment.name).name if message.attachment else ""


def _message_page(request, messages_of_user):
    return Paginator(messages_of_user, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))


@login_required
def inbox(request):
    """The signed-in user only: the messages they received, newest first."""
    received = Message.objects.filter(recipient=request.user).select_related("sender")
    return render(request, "accounts/messages/inbox.html", {"page_obj": _message_page(request, received)})


@login_required
def messages_sent(request):
    """The signed-in user only: the messages they sent, newest first."""
    sent = Message.objects.filter(sender=request.user).select_related("recipient")
    return render(request, "accounts/messages/sent.html", {"page_obj": _message_page(request, sent)})


@login_required
def message_detail(request, pk):
    """The message's recipient and its sender only (404 for anyone else). Opening it as
    the recipient marks it read."""
    message = _message_of(request.user, pk)
    is_recipient = message.recipient_id == request.user.pk
    if is_recipient and not message.is_read:
        message_mark_read(message=message)
        # The header's count was taken with the user, before this message was read.
        request.user.unread_message_count = unread_message_count(request.user)
    reply_url = None
    if is_recipient and message.sender and can_message(sender=request.user, recipient=message.sender):
        title = message.title if message.title.startswith(REPLY_PREFIX) else REPLY_PREFIX + message.title
        reply_url = reverse("accounts:message_compose") + "?" + urlencode({"to": message.sender_id, "title": title})
    return render(
        request,
        "accounts/messages/detail.html",
        {
            "message": message,
            "is_recipient": is_recipient,
            "reply_url": reply_url,
            "attachment_name": _attachment_name(message),
        },
    )


@login_required
def message_attachment(request, pk):
    """The message's recipient and its sender only: the attached file as a download (404
    for anyone else, and when there is no attachment)."""
    return private_download(_message_of(request.user, pk).attachment)


def _compose_initial(query) -> dict:
    """The recipient and title a «Ответить» link (or any link) fills in: ?to=<id>&title=…"""
    initial = {}
    recipient = parse_id(query.get("to"))
    if recipient is not None:
        initial["recipient"] = recipient
    if query.get("title"):
        initial["title"] = query["title"][: MessageForm.base_fields["title"].max_length]
    return initial


@login_required
def message_compose(request):
    """Any signed-in user writes to those `can_message` allows: a volunteer to
    administrators and teachers, staff to anyone."""
    files = request.FILES if request.method == "POST" else None
    form = MessageForm(posted_data(request), files, sender=request.user, initial=_compose_initial(request.GET))
    if request.method == "POST" and form.is_valid():
        try:
            message_send(
                sender=request.user,
                recipient=form.cleaned_data["recipient"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                attachment=form.cleaned_data["attachment"],
            )
        except PermissionDenied:
            # The recipient left the list between showing the form and sending it.
            form.add_error("recipient", CANNOT_MESSAGE)
        else:
            messages.success(request, _("Сообщение отправлено."))
            return redirect("accounts:messages_sent")
    return render(request, "accounts/messages/compose.html", {"form": form})
