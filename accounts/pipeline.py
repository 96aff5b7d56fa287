"""Steps of the social-auth pipeline (settings.SOCIAL_AUTH_PIPELINE) that are ours.

A Yandex login reaches an account in one of three ways: the Yandex ID is already linked
to it (social_user); the person is signed in and links it from the profile (social_user
passes the signed-in user on, associate_user links it); or, signed out, its address is
that of an account whose owner confirmed it and which holds no staff role
(link_by_confirmed_email). An account that exists but fails that test is never entered
and never duplicated: the person is told to sign in with the password and link Yandex ID
from the profile.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from social_core.exceptions import AuthAssociationError

from accounts.models import User
from accounts.roles import VOLUNTEER
from accounts.services import user_register

LINK_REFUSED = gettext_lazy(
    "На «Волне» уже есть учётная запись с почтой вашего Яндекс ID. Войдите в неё по электронной "
    "почте и паролю (если пароля нет, восстановите его по ссылке «Забыли пароль?»), затем в профиле "
    "нажмите «Привязать Яндекс ID»."
)


class YandexLinkRefused(AuthAssociationError):
    """A Yandex login whose address belongs to an account it may not enter by that address;
    accounts.middleware shows the message (LINK_REFUSED) on the login page."""

    default_code = "email_in_use"

    def __str__(self):
        return str(LINK_REFUSED)


def _account_with_email(email: str) -> User | None:
    try:
        return User.objects.get_by_email(email)
    except User.DoesNotExist:
        return None


def _holds_staff_rights(user: User) -> bool:
    """Staff status, superuser, or any role but «Волонтёр» (not only the staff roles of
    today: a role added tomorrow is refused until someone decides otherwise)."""
    return user.is_staff or user.is_superuser or user.groups.exclude(name=VOLUNTEER).exists()


def link_by_confirmed_email(backend, details, user=None, *args, **kwargs):
    """Signed out, with a Yandex ID linked to no account: enter the account with the same
    address (whatever its letter case) only if its owner confirmed that address and it is
    an active volunteer's. Anyone could register someone else's address with a password
    of their own, and staff accounts are too valuable to open by an address: both are
    refused, and linked only from the profile by someone signed in with the password."""
    email = details.get("email")
    if user is not None or not email:
        return None
    account = _account_with_email(email)
    if account is None:
        return None
    if not account.is_active or not account.email_confirmed or _holds_staff_rights(account):
        raise YandexLinkRefused(backend, stage="pipeline")
    return {"user": account, "is_new": False}


def create_user(backend, details, user=None, *args, **kwargs):
    """A first Yandex login with an address no account has: a new learner, names and
    email from Yandex (confirmed: Yandex vouches for it), username from the Yandex login,
    no usable password. An address already taken is refused as in link_by_confirmed_email,
    never a second account (the address is unique)."""
    if user is not None:
        return {"is_new": False}
    email = details.get("email") or ""
    if email and _account_with_email(email) is not None:
        raise YandexLinkRefused(backend, stage="pipeline")
    try:
        user = user_register(
            email=email,
            first_name=details.get("first_name") or "",
            last_name=details.get("last_name") or "",
            username=details.get("username") or "",
            password=None,
            email_confirmed=True,
        )
    except (ValidationError, IntegrityError) as error:
        # Someone registered the address between the check above and this insert.
        if email and _account_with_email(email) is not None:
            raise YandexLinkRefused(backend, stage="pipeline") from error
        raise
    return {"is_new": True, "user": user}


def announce_link(strategy, user=None, is_new=False, new_association=False, *args, **kwargs):
    """Tell the person when this login linked Yandex ID to an account that already existed
    (from the profile, or by a confirmed address)."""
    if user is not None and new_association and not is_new:
        messages.success(strategy.request, _("Яндекс ID привязан к учётной записи. Теперь можно входить через него."))


def announce_unlink(strategy, *args, **kwargs):
    """The last step of SOCIAL_AUTH_DISCONNECT_PIPELINE."""
    messages.success(strategy.request, _("Яндекс ID отвязан. Входите по электронной почте и паролю."))
