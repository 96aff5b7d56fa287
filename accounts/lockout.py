"""Password guessing stopped by django-axes (settings AXES_*): whom an attempt counts
against, and what a locked-out visitor reads — on the site or in the admin."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse

from accounts.models import User


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
    login and the site's otherwise, with 429 Too Many Requests."""
    context = {"cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    if request.path.startswith(reverse("admin:index")):
        context.update(admin.site.each_context(request), title="Вход временно закрыт")
        return render(request, "admin/accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
