from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from social_core.backends import yandex
from social_core.exceptions import AuthCredentialError

from accounts.models import User
from accounts.selectors import signed_in_user


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first of the backends: a login while its account or address is
    locked out is refused. A sign-in by a request only; code that authenticates without
    one (a command, the test client's login) has no address to count and is let through
    to the other backends, where axes would refuse it outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class EmailBackend(ModelBackend):
    """Signs in by email address and password; the address's letter case does not matter."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        email = kwargs.get("email", username)
        if not email or password is None:
            return None
        try:
            user = User.objects.get_by_email(email)
        except User.DoesNotExist:
            # Spend the hashing time anyway, so response time does not reveal who is registered.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        return signed_in_user(user_id)


class YandexOAuth2(yandex.YandexOAuth2):
    """Yandex ID, reading the fields spec 001 names: first_name, last_name, default_email
    and the Yandex login as username (the stock backend reads display_name / real_name).

    Only a token issued to our own application (YANDEX_CLIENT_ID) signs in: the API takes
    tokens from apps (accounts.api), and a token that someone gave another application
    must not open their account here."""

    def user_data(self, access_token, *args, **kwargs):
        data = super().user_data(access_token, *args, **kwargs)
        if data is not None and data.get("client_id") != self.setting("KEY"):
            raise AuthCredentialError(
                self, "token issued to another application", code="invalid_claim", claim="client_id"
            )
        return data

    def get_user_details(self, response):
        emails = response.get("emails") or [""]
        return {
            "username": response.get("login") or "",
            "email": response.get("default_email") or emails[0],
            "first_name": response.get("first_name") or "",
            "last_name": response.get("last_name") or "",
            "fullname": response.get("real_name") or response.get("display_name") or "",
        }

    def get_user(self, user_id):
        return signed_in_user(user_id)
