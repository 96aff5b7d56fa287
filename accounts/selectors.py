from functools import cache

from django.db.models import OuterRef, QuerySet
from django.urls import reverse

from accounts.models import Message, User
from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER
from core.models import row_count


def landing_url(user: User) -> str:
    """Where a user lands after signing in without a `next`: administrators (and
    superusers) on the admin index, where the moderation queues are; teachers on the
    queue of answers to review; everyone else on «Мои курсы»."""
    roles = set(user.groups.values_list("name", flat=True))
    if user.is_superuser or roles & {ADMIN, MAIN_ADMIN}:
        return reverse("admin:index")
    if TEACHER in roles:
        return reverse("courses:review_queue")
    return reverse("courses:my_courses")


def administrators() -> QuerySet[User]:
    """Active main administrators and administrators: who hears about pending requests."""
    return User.objects.filter(is_active=True, groups__name__in=[ADMIN, MAIN_ADMIN]).distinct()


YANDEX_PROVIDER = "yandex-oauth2"


def yandex_account_of(user: User):
    """The user's link to Yandex ID (social-auth's UserSocialAuth), or None."""
    return user.social_auth.filter(provider=YANDEX_PROVIDER).first()


def email_editable_in_profile(user: User, *, yandex_account) -> bool:
    """Whether the person may change the account's address in the profile (page or API):
    not a Yandex ID account's, whose address belongs to Yandex (spec 001), nor one without
    a password, which a change of address asks for."""
    return yandex_account is None and user.has_usable_password()


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
