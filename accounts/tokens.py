"""The API's JWT pair (djangorestframework-simplejwt): the access token carries the user's
roles, read when the token is made or refreshed; refresh tokens are used once (rotation,
blacklist); the Bearer authentication of every API request."""

from django.db import transaction
from django.utils.translation import gettext_lazy
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, ExpiredTokenError, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER

# The claim's words for the site's roles (Django groups).
ROLE_CLAIMS = {MAIN_ADMIN: "main_admin", ADMIN: "admin", TEACHER: "teacher", VOLUNTEER: "volunteer"}


def role_claims(user) -> list[str]:
    """The user's roles as the `roles` claim lists them, highest first."""
    held = set(user.groups.values_list("name", flat=True))
    return [claim for role, claim in ROLE_CLAIMS.items() if role in held]


class RolesRefreshToken(RefreshToken):
    """A refresh token whose access tokens (and itself) carry `roles`."""

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token["roles"] = role_claims(user)
        return token

    def check_blacklist(self):
        try:
            super().check_blacklist()
        except TokenError as blacklisted:
            raise RefreshTokenRevoked(REFRESH_REVOKED) from blacklisted


def tokens_for(user) -> dict[str, str]:
    """A new pair for `user`: {"access": …, "refresh": …}."""
    refresh = RolesRefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


# --- Refusals, in Russian (simplejwt's own messages are English under LANGUAGE_CODE "ru") ---

ACCESS_EXPIRED = gettext_lazy(
    "Срок действия токена доступа истёк. Получите новый: POST /api/v1/auth/token/refresh/ с токеном обновления."
)
ACCESS_INVALID = gettext_lazy("Токен доступа недействителен.")
REFRESH_EXPIRED = gettext_lazy("Срок действия токена обновления истёк. Войдите заново.")
REFRESH_INVALID = gettext_lazy("Токен обновления недействителен.")
REFRESH_REVOKED = gettext_lazy("Токен обновления уже использован или отозван. Войдите заново.")
ACCOUNT_UNAVAILABLE = gettext_lazy("Учётная запись отключена или удалена.")


class RefreshTokenRevoked(TokenError):
    """A refresh token on the blacklist: rotated already, or signed out."""


def _refresh_token(raw: str) -> RolesRefreshToken:
    """The refresh token `raw`, checked: signature, type, expiry, not blacklisted."""
    try:
        return RolesRefreshToken(raw)
    except RefreshTokenRevoked:
        raise
    except ExpiredTokenError as expired:
        raise TokenError(REFRESH_EXPIRED) from expired
    except TokenError as invalid:
        raise TokenError(REFRESH_INVALID) from invalid


@transaction.atomic
def tokens_rotate(*, refresh: str) -> dict[str, str]:
    """A new pair for a refresh token, which is blacklisted: each refresh token is used
    once. Of two requests rotating the same token at once, one gets the pair and the
    other is refused (the blacklist row is unique). The roles are read again, so a role
    given or taken since shows in the new access token; a deactivated account gets none."""
    token = _refresh_token(refresh)
    user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM), is_active=True).first()
    if user is None:
        raise TokenError(ACCOUNT_UNAVAILABLE)
    _, blacklisted_now = token.blacklist()
    if not blacklisted_now:
        raise RefreshTokenRevoked(REFRESH_REVOKED)
    return tokens_for(user)


def token_revoke(*, refresh: str) -> None:
    """Sign out of the API: the refresh token is blacklisted (its access token, which
    nobody can revoke, lives out its ACCESS_TOKEN_LIFETIME)."""
    _refresh_token(refresh).blacklist()


class BearerAuthentication(JWTAuthentication):
    """The API's authentication (REST_FRAMEWORK): simplejwt's `Authorization: Bearer
    <access>`, refusing in Russian. The account is read on every request, so a
    deactivated user's access token stops working at once."""

    def get_validated_token(self, raw_token):
        try:
            return AccessToken(raw_token)
        except ExpiredTokenError as expired:
            raise InvalidToken(ACCESS_EXPIRED) from expired
        except TokenError as invalid:
            raise InvalidToken(ACCESS_INVALID) from invalid

    def get_user(self, validated_token):
        try:
            return super().get_user(validated_token)
        except AuthenticationFailed as refused:  # no such user, or deactivated
            raise AuthenticationFailed(ACCOUNT_UNAVAILABLE, code="user_inactive") from refused
