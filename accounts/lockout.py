"""Password guessing stopped by django-axes (settings AXES_*): whom an attempt counts
against, and what a locked-out visitor reads — on the site, in the admin or in the API."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import User

# The API's answer (accounts.api), as the site's page (accounts/locked_out.html) says it.
LOCKED_OUT = gettext_lazy(
    "Слишком много неудачных попыток войти — в эту учётную запись или с вашего адреса. "
    "Вход закрыт на %(minutes)s мин., даже с верным паролем. Попробуйте снова позже."
)


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def was_locked_out(request) -> bool:
    """Whether django-axes refused this request's sign-in (accounts.backends.LockoutBackend),
    or locked it out on this very failure: `request` is the one given to authenticate()."""
    return bool(getattr(request, "axes_locked_out", False))


def attempted_account(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account an attempt aims at, as its address in lower case,
    so that «A@x.ru» and «a@x.ru» count together. The login forms' `username` field holds
    an address, or a username (the admin's login, Django's ModelBackend): a username is
    counted as its account's address, so switching between the two gains no attempts."""
    identifier = (credentials or {}).get("username")
    if identifier is None and request is not None:
        identifier = request.POST.get("username")
    if not identifier:
        return None
    identifier = identifier.strip()
    if "@" not in identifier:
        email = User.objects.filter(username=identifier).exclude(email="").values_list("email", flat=True).first()
        identifier = email or identifier
    return identifier.lower()


def lockout_parameters(request_or_attempt, credentials: dict | None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: ten failures from one address or for one account lock it.
    An attempt that names no account (a Yandex ID login) counts by its address only —
    by account, every such attempt everywhere would count as one account's."""
    if credentials is not None and not credentials.get("username"):
        return ["ip_address"]
    return ["ip_address", "username"]


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page in Russian, within the admin's frame for the admin's
    login and the site's otherwise, with 429 Too Many Requests. The API answers a lock-out
    itself, in JSON (accounts.api, LOCKED_OUT): its answer stands."""
    in_api = request.resolver_match is not None and "api" in request.resolver_match.namespaces
    if in_api and original_response is not None:
        return original_response
    context = {"cooloff_minutes": cooloff_minutes()}
    if request.path.startswith(reverse("admin:index")):
        context.update(admin.site.each_context(request), title="Вход временно закрыт")
        return render(request, "admin/accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
