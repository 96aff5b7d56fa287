"""The accounts app's REST endpoints under /api/v1/auth/: the JWT pair (accounts.tokens) for
an email and password, for a Yandex ID token, or for the site's session; its rotation; and
signing out. Thin over Django's authenticate() and social-auth's pipeline, so that the
API signs people in by the site's rules: the same backends, the same lock-outs
(django-axes, accounts.lockout), the same linking of Yandex ID accounts (accounts.pipeline)."""

import requests
from django.conf import settings
from django.contrib.auth import authenticate
from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import AuthenticationFailed, DetailDictMixin, InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView, TokenViewBase
from social_core.exceptions import SocialAuthBaseException
from social_django.utils import load_backend, load_strategy

from accounts.forms import EmailAuthenticationForm
from accounts.lockout import LOCKED_OUT, cooloff_minutes, was_locked_out
from accounts.pipeline import LINK_REFUSED, YandexLinkRefused
from accounts.selectors import YANDEX_PROVIDER
from accounts.tokens import ACCOUNT_UNAVAILABLE, token_revoke, tokens_for, tokens_rotate

WRONG_PAIR = EmailAuthenticationForm.error_messages["invalid_login"]
YANDEX_TOKEN_REFUSED = gettext_lazy("Яндекс ID не принял этот токен. Получите новый в приложении и повторите.")
YANDEX_UNAVAILABLE = gettext_lazy("Яндекс ID сейчас не отвечает. Попробуйте позже.")
CSRF_REFUSED = gettext_lazy(
    "Нет CSRF-токена сайта или он неверен: передайте его из cookie csrftoken в заголовке X-CSRFToken."
)


class BearerAuthenticationScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of accounts.tokens.BearerAuthentication: simplejwt's."""

    target_class = "accounts.tokens.BearerAuthentication"


class SiteSessionAuthentication(SessionAuthentication):
    """The site's session, its CSRF token checked (DRF's), refusing in Russian."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied as refused:
            raise PermissionDenied(CSRF_REFUSED, code="csrf_failed") from refused


class SiteSessionScheme(SessionScheme):
    target_class = "accounts.api.SiteSessionAuthentication"


# Refusals answer {"detail": …, "code": …}, as simplejwt's do (DetailDictMixin).


class LoginLockedOut(DetailDictMixin, APIException):
    """429, not 401: the password may well be right — the client must wait, not ask for
    another one; Retry-After says how long at most (the site's page answers 429 too)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(LOCKED_OUT % {"minutes": cooloff_minutes()})
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()


class YandexLinkForbidden(DetailDictMixin, PermissionDenied):
    default_code = "email_in_use"


class YandexUnavailable(DetailDictMixin, APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = YANDEX_UNAVAILABLE
    default_code = "yandex_unavailable"


def _http_request(serializer):
    """Django's request under DRF's: django-axes marks a lock-out on the request it is
    given, and AxesMiddleware reads it from Django's."""
    request = serializer.context["request"]
    return getattr(request, "_request", request)


# --- Serializers -----------------------------------------------------------------------


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True, help_text="Access token (JWT), lives JWT_ACCESS_MINUTES.")
    refresh = serializers.CharField(read_only=True, help_text="Refresh token (JWT), lives JWT_REFRESH_DAYS, used once.")


class TokenObtainSerializer(TokenPairSerializer):
    """SIMPLE_JWT["TOKEN_OBTAIN_SERIALIZER"]: the site's login (the same backends, the same
    lock-out counting by account and by address) answering with a pair."""

    email = serializers.CharField(write_only=True, max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        request = _http_request(self)
        # `username`, as the login page's form names it: django-axes counts the attempt
        # against that address (accounts.lockout.attempted_account).
        user = authenticate(request, username=attrs["email"], password=attrs["password"])
        if user is None:
            if was_locked_out(request):
                raise LoginLockedOut
            raise AuthenticationFailed(WRONG_PAIR, code="invalid_login")
        return tokens_for(user)


class TokenRefreshSerializer(serializers.Serializer):
    """SIMPLE_JWT["TOKEN_REFRESH_SERIALIZER"]: a new pair for a refresh token, used once
    (accounts.tokens.tokens_rotate)."""

    refresh = serializers.CharField()
    access = serializers.CharField(read_only=True)

    def validate(self, attrs):
        return tokens_rotate(refresh=attrs["refresh"])


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.CharField(write_only=True)


class YandexTokenSerializer(TokenPairSerializer):
    """A Yandex ID OAuth token, from an app that signed the person in with Yandex (issued
    to our YANDEX_CLIENT_ID), through social-auth's pipeline as the site's «Войти через
    Яндекс ID»: an account already linked, or one whose confirmed address it is (never a
    staff account's), or a new volunteer. The token is not stored."""

    access_token = serializers.CharField(write_only=True, help_text="Yandex ID OAuth token.")

    def validate(self, attrs):
        request = _http_request(self)
        backend = load_backend(load_strategy(request), YANDEX_PROVIDER, redirect_uri=None)
        try:
            user = backend.do_auth(attrs["access_token"])
        except YandexLinkRefused as refused:
            raise YandexLinkForbidden(str(refused)) from refused
        except SocialAuthBaseException as failed:
            if failed.recovery == "retry_later":
                raise YandexUnavailable from failed
            raise AuthenticationFailed(YANDEX_TOKEN_REFUSED, code="yandex_token_refused") from failed
        except requests.RequestException as unreachable:
            raise YandexUnavailable from unreachable
        if user is None:
            if was_locked_out(request):
                raise LoginLockedOut
            raise AuthenticationFailed(YANDEX_TOKEN_REFUSED, code="yandex_token_refused")
        if not user.is_active:
            raise AuthenticationFailed(ACCOUNT_UNAVAILABLE, code="user_inactive")
        return tokens_for(user)


# --- Views -----------------------------------------------------------------------------

Error = inline_serializer(
    "AuthError", fields={"detail": serializers.CharField(), "code": serializers.CharField(required=False)}
)
PAIR_EXAMPLE = OpenApiExample(
    "Пара токенов",
    value={
        "access": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwicm9sZXMiOlsidm9sdW50ZWVyIl19.…",
        "refresh": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.…",
    },
    response_only=True,
)


def _error(description: str, detail, code: str | None = None) -> OpenApiResponse:
    value = {"detail": str(detail)} if code is None else {"detail": str(detail), "code": code}
    example = OpenApiExample(code or "refused", value=value)
    return OpenApiResponse(Error, description=description, examples=[example])


def _locked_out() -> OpenApiResponse:
    return _error(
        "Locked out after AXES_FAILURE_LIMIT failures (by account or address); Retry-After in seconds.",
        LOCKED_OUT % {"minutes": cooloff_minutes()},
        "locked_out",
    )


INVALID_REFRESH = _error(
    "The refresh token is invalid, expired or used already.",
    "Токен обновления уже использован или отозван. Войдите заново.",
    "token_not_valid",
)


@extend_schema(
    tags=["auth"],
    summary="A token pair for an email and password",
    description=(
        "The access token carries `roles` (`main_admin`, `admin`, `teacher`, `volunteer`). Failures count "
        "towards the site's login lock-out (10 failures for an account or from an address: 15 minutes)."
    ),
    request=TokenObtainSerializer,
    responses={
        200: OpenApiResponse(TokenPairSerializer, examples=[PAIR_EXAMPLE]),
        401: _error("Wrong email or password.", WRONG_PAIR, "invalid_login"),
        429: _locked_out(),
    },
    examples=[
        OpenApiExample("Вход", value={"email": "volunteer@volna.example", "password": "пароль"}, request_only=True)
    ],
)
class TokenObtainView(TokenObtainPairView):
    """Anyone."""


@extend_schema(
    tags=["auth"],
    summary="A new token pair for a refresh token (rotation)",
    description="The refresh token given is blacklisted; the roles are read again. A deactivated account gets 401.",
    request=TokenRefreshSerializer,
    responses={200: OpenApiResponse(TokenPairSerializer, examples=[PAIR_EXAMPLE]), 401: INVALID_REFRESH},
    examples=[OpenApiExample("Обновление", value={"refresh": "eyJhbGciOiJIUzI1NiIs…"}, request_only=True)],
)
class TokenRotateView(TokenRefreshView):
    """Whoever holds a refresh token."""


@extend_schema(
    tags=["auth"],
    summary="Sign out: blacklist a refresh token",
    description="The refresh token is refused from now on; its access token lives out its 15 minutes.",
    request=RefreshTokenSerializer,
    responses={204: OpenApiResponse(description="Signed out."), 401: INVALID_REFRESH},
    examples=[OpenApiExample("Выход", value={"refresh": "eyJhbGciOiJIUzI1NiIs…"}, request_only=True)],
)
class LogoutView(TokenViewBase):
    """Whoever holds a refresh token."""

    serializer_class = RefreshTokenSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            token_revoke(refresh=serializer.validated_data["refresh"])
        except TokenError as refused:
            raise InvalidToken(refused.args[0]) from refused
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["auth"],
    summary="A token pair for a Yandex ID OAuth token",
    description=(
        "For apps that sign people in with Yandex ID (a token issued to the site's YANDEX_CLIENT_ID). The same "
        "rules as the site's «Войти через Яндекс ID»: an account already linked to that Yandex ID; else the "
        "account with the same confirmed address, unless it is a staff account (403 — link Yandex ID from the "
        "site's profile); else a new volunteer."
    ),
    request=YandexTokenSerializer,
    responses={
        200: OpenApiResponse(TokenPairSerializer, examples=[PAIR_EXAMPLE]),
        401: _error(
            "Yandex did not accept the token, or it was issued to another app.",
            YANDEX_TOKEN_REFUSED,
            "yandex_token_refused",
        ),
        403: _error(
            "The Yandex address is an account's that Yandex ID may not enter by it.", LINK_REFUSED, "email_in_use"
        ),
        429: _locked_out(),
        503: _error("Yandex ID did not answer.", YANDEX_UNAVAILABLE, "yandex_unavailable"),
    },
    examples=[OpenApiExample("Токен Яндекса", value={"access_token": "y0_AgAAAAB…"}, request_only=True)],
)
class YandexTokenView(TokenViewBase):
    """Anyone with a Yandex ID token."""

    serializer_class = YandexTokenSerializer


@extend_schema(
    tags=["auth"],
    summary="A token pair for the person signed in on the site",
    description="Session cookie and CSRF token (header X-CSRFToken), as the site's pages send them.",
    request=None,
    responses={
        200: OpenApiResponse(TokenPairSerializer, examples=[PAIR_EXAMPLE]),
        403: _error("Not signed in on the site, or no CSRF token.", "Учетные данные не были предоставлены."),
    },
)
class SessionTokenView(APIView):
    """A person signed in on the site."""

    authentication_classes = (SiteSessionAuthentication,)
    permission_classes = (IsAuthenticated,)

    def post(self, request):
        return Response(tokens_for(request.user))


urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", TokenRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/yandex/", YandexTokenView.as_view(), name="auth-yandex"),
    path("auth/session/", SessionTokenView.as_view(), name="auth-session"),
]
