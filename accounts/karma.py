"""Karma: points for what the community accepts, kept as a ledger (accounts.KarmaEntry) with
its sum on the user (`User.karma`). The points of each rule are one setting, KARMA_POINTS.

The apps call these services from their own: methodics when a methodic is published, a
reader marks one «Пригодилось» (or takes the mark back) or a moderator hides a comment;
problems when a moderator approves a suggested task. Nobody earns karma by acting on their
own content, and each event counts once (the ledger's unique key: user, reason, object).

The total changes by an F() expression in the transaction that writes the ledger line, so
concurrent awards add up; `karma_recount` (the command recount_karma) restores any total
that drifted from its ledger, say one changed by hand.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from accounts.models import KarmaEntry, User
from core.cache import CONTENT_AREAS, content_changed

Reason = KarmaEntry.Reason


def karma_points(reason: str) -> int:
    return settings.KARMA_POINTS[Reason(reason).value]


def _karma_shown_changed() -> None:
    # The karma shows beside a person's name, as their name shows: on the content pages.
    content_changed(*CONTENT_AREAS)


@transaction.atomic
def karma_award(*, user: User, reason: str, obj: models.Model, by: User | None) -> KarmaEntry | None:
    """Give `user` the points of `reason` for `obj`, once; `by` is who acted (None: the
    platform). The new ledger line, or None when nothing changed: the event was already
    counted, or `by` is `user` (an action on one's own content earns nothing)."""
    if by is not None and by.pk == user.pk:
        return None
    points = karma_points(reason)
    entry, created = KarmaEntry.objects.get_or_create(
        user=user,
        reason=reason,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        defaults={"points": points},
    )
    if not created:
        return None
    User.objects.filter(pk=user.pk).update(karma=F("karma") + points)
    _karma_shown_changed()
    return entry


@transaction.atomic
def karma_withdraw(*, user: User, reason: str, obj: models.Model) -> bool:
    """Take back the points `user` got for `reason` and `obj` (the ledger line goes with
    them); whether there were any."""
    entry = (
        KarmaEntry.objects.select_for_update()
        .filter(user=user, reason=reason, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .first()
    )
    if entry is None:
        return False
    entry.delete()
    User.objects.filter(pk=user.pk).update(karma=F("karma") - entry.points)
    _karma_shown_changed()
    return True


@dataclass(frozen=True)
class KarmaDifference:
    user: User
    stored: int
    ledger: int


def _ledger_total():
    """Per user (OuterRef "pk"): the sum of their ledger lines, 0 without any."""
    total = (
        KarmaEntry.objects.filter(user=OuterRef("pk"))
        .order_by()
        .values("user")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=models.IntegerField()), 0)


def karma_recount(*, dry_run: bool = False) -> list[KarmaDifference]:
    """The users whose stored total differs from their ledger's sum, by id; unless
    `dry_run`, their totals are set to the sum (computed again in the UPDATE itself, so
    an award committed meanwhile is not lost). Idempotent: a second run finds nothing."""
    differences = [
        KarmaDifference(user, user.karma, user.ledger)
        for user in User.objects.annotate(ledger=_ledger_total()).exclude(karma=F("ledger")).order_by("pk")
    ]
    if differences and not dry_run:
        with transaction.atomic():
            User.objects.filter(pk__in=[difference.user.pk for difference in differences]).update(karma=_ledger_total())
            _karma_shown_changed()
    return differences
