import hashlib
from functools import cache

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet
from django.urls import reverse

from accounts.models import Message, User
from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER
from core.compiled import CompiledQuery
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


def sees_whole_profile(viewer, person: User) -> bool:
    """Whether `viewer` sees all of `person`'s profile — the phone and the address too: the
    person and administrators (main administrators, administrators, superusers). Other
    signed-in users see the name, photo, place of work, karma and published work
    (config.views.author); anonymous visitors the name only."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == person.pk or viewer.is_superuser:
        return True
    return any(group.name in (ADMIN, MAIN_ADMIN) for group in viewer.groups.all())


def photo_url(photo, alias: str = "avatar") -> str:
    """Where a person's photo (User.photo: the account's, or the volunteer profile's) is
    shown: its thumbnail through accounts.views.photo, which checks who asks. The query
    changes with the photo, so a browser that keeps the old thumbnail for an hour asks for
    a replaced one at once."""
    owner = photo.instance
    user_id = owner.pk if isinstance(owner, User) else owner.user_id
    version = hashlib.sha256(photo.name.encode()).hexdigest()[:10]
    return f"{reverse('accounts:photo', args=[user_id, alias])}?v={version}"


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
    what every page's header shows (`header_facts`) found in the same query — compiled
    once (core.compiled: every signed-in request runs it)."""
    found = _signed_in(user_id)
    return found[0] if found else None


@CompiledQuery
def _signed_in(user_id):
    return User.objects.filter(pk=user_id, is_active=True).annotate(**_header_facts()).order_by()


def header_facts(user: User) -> dict:
    """What the header shows of a signed-in user, in one query: `unread_message_count` and
    `has_volunteer_profile` (the volunteers' links are for those who have one)."""
    return User.objects.filter(pk=user.pk).annotate(**_header_facts()).values(*_header_facts()).get()


@cache
def _header_facts() -> dict:
    # The volunteer profile by its reverse one-to-one name: accounts does not import volunteers.
    has_volunteer_profile = ExpressionWrapper(Q(volunteer__isnull=False), output_field=BooleanField())
    return {"unread_message_count": _unread_count(), "has_volunteer_profile": has_volunteer_profile}


@cache
def _unread_count():
    """The count of a user's unread messages, as an annotation: built once (a third of the
    query's time in Python), resolved anew by every query that uses it."""
    return row_count(Message.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True), per="recipient")
