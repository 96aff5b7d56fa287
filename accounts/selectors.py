from functools import cache

from django.db.models import QuerySet

from accounts.models import Message, User
from accounts.roles import ADMIN, MAIN_ADMIN
from core.sql import columns, loaded, loaded_fields, rows, table


def administrators() -> QuerySet[User]:
    """Active main administrators and administrators: who hears about pending requests."""
    return User.objects.filter(is_active=True, groups__name__in=[ADMIN, MAIN_ADMIN]).distinct()


def unread_message_count(user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def signed_in_user(user_id) -> User | None:
    """The active user a session names, for the authentication backends' get_user: with
    `unread_message_count`, which every page's header shows, counted in the same query.
    Every signed-in request runs it, so it is written in SQL: the ORM spent twice the
    database's time building the subquery."""
    found = rows(_signed_in_user_sql(), [user_id])
    if not found:
        return None
    *values, unread = found[0]
    user = loaded(User, _USER_FIELDS, values)
    user.unread_message_count = unread
    return user


_USER_FIELDS = loaded_fields(User)


@cache
def _signed_in_user_sql() -> str:
    return (
        f"SELECT {columns('u', User, _USER_FIELDS)},"
        f" (SELECT count(*) FROM {table(Message)} m WHERE m.recipient_id = u.id AND m.read_at IS NULL)"
        f" FROM {table(User)} u WHERE u.id = %s AND u.is_active"
    )
