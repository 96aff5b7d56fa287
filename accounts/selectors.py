from django.db.models import QuerySet

from accounts.models import Message, User
from accounts.roles import ADMIN, MAIN_ADMIN
from core.sql import table


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
    users, messages = table(User), table(Message)
    sql = (
        f"SELECT u.*, (SELECT count(*) FROM {messages} m WHERE m.recipient_id = u.id AND m.read_at IS NULL)"
        f" AS unread_message_count FROM {users} u WHERE u.id = %s AND u.is_active"
    )
    return next(iter(User.objects.raw(sql, [user_id])), None)
