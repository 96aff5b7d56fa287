import re

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import STAFF_ROLES, VOLUNTEER

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


def username_available(base: str) -> str:
    """A free username built from `base`: its allowed characters, then -2, -3… if taken."""
    base = re.sub(r"[^\w.@+-]", "", base)[: USERNAME_MAX_LENGTH - 4] or "user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def user_register(*, email: str, first_name: str, last_name: str, password: str | None, username: str = "") -> User:
    """A new learner with the «Волонтёр» role: a local account, or with password None one
    that signs in through Yandex ID. The username is `username` (a Yandex login) or the
    address's local part, made unique."""
    user = User(
        username=username_available(username or email.split("@")[0]),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=VOLUNTEER))
    return user


def user_sync_staff_status(*, user: User) -> None:
    """Staff status (entry to the admin) follows from the roles: main administrators,
    administrators and teachers have it, volunteers do not. Superusers keep it."""
    is_staff = user.is_superuser or user.groups.filter(name__in=STAFF_ROLES).exists()
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_set_roles(*, user: User, roles: list[str]) -> None:
    """Give the user exactly these roles and the staff status they imply."""
    user.groups.set(Group.objects.filter(name__in=roles))
    user_sync_staff_status(user=user)
