from functools import cache

from django.db.models import OuterRef, QuerySet

from accounts.models import Message, User
from accounts.roles import ADMIN, MAIN_ADMIN
from core.models import row_count


def administrators() -> QuerySet[User]:
    """Active main administrators and administrators: who hears about pending requests."""
    return User.objects.filter(is_active=True, groups__name__in=[ADMIN, MAIN_ADMIN]).distinct()


def unread_message_count(user: User) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def signed_in_user(user_id) -> User | None:
    """The active user a session names, for the authentication backends' get_user: with
    `unread_message_count`, which every page's header shows, counted in the same query."""
    found = User.objects.filter(pk=user_id, is_active=True).annotate(unread_message_count=_unread_count())
    try:
        return found.get()
    except User.DoesNotExist:
        return None


@cache
def _unread_count():
    """The count of a user's unread messages, as an annotation: built once (a third of the
    query's time in Python), resolved anew by every query that uses it."""
    return row_count(Message.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True), per="recipient")
