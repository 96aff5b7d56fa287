import enum
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.selectors import administrators
from accounts.services import notify
from volunteers.models import Badge, Level, LocationChange, Volunteer, VolunteerBadge, VolunteerLevel


class LevelChange(enum.Enum):
    UNCHANGED = "unchanged"
    REQUESTED = "requested"  # a higher level, waiting for an administrator
    WITHDRAWN = "withdrawn"  # a pending request taken back
    LOWERED = "lowered"


class LevelLoweringNotConfirmed(Exception):
    """Lowering the confirmed level needs the volunteer's explicit confirmation (spec 001)."""


@transaction.atomic
def volunteer_create(*, user: User, directions=(), **fields) -> Volunteer:
    """A user's first profile: it holds Новичок, confirmed at once without an administrator.

    A volunteer's phone and photo are the profile's (spec 001), not a second copy of the
    account's: a phone or photo the account held moves into the profile (unless another is
    given) and leaves the account (see User.contact_holder)."""
    if not fields.get("phone_number") and user.phone_number:
        fields["phone_number"] = user.phone_number
    if not fields.get("photo") and user.profile_image:
        # A copy of its own: the account's file leaves storage once the account is saved
        # without it (core.files).
        with user.profile_image.open("rb") as stored:
            fields["photo"] = ContentFile(stored.read(), name=PurePosixPath(user.profile_image.name).name)
    volunteer = Volunteer(user=user, **fields)
    volunteer.full_clean()
    volunteer.save()
    if user.phone_number or user.profile_image:
        user.phone_number, user.profile_image = "", ""
        user.save(update_fields=["phone_number", "profile_image"])
    volunteer.directions.set(directions)
    VolunteerLevel.objects.create(
        volunteer=volunteer, level=Level.objects.get(rank=1), confirmed=True, confirmed_at=timezone.now()
    )
    LocationChange.objects.create(volunteer=volunteer, old_location=None, new_location=volunteer.location)
    return volunteer


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, directions=None, **fields) -> Volunteer:
    """Edit the profile; a change of region is recorded in the history."""
    old_location_id = Volunteer.objects.filter(pk=volunteer.pk).values_list("location_id", flat=True).get()
    for name, value in fields.items():
        setattr(volunteer, name, value)
    volunteer.full_clean()
    volunteer.save()
    if directions is not None:
        volunteer.directions.set(directions)
    if volunteer.location_id != old_location_id:
        LocationChange.objects.create(
            volunteer=volunteer, old_location_id=old_location_id, new_location_id=volunteer.location_id
        )
    return volunteer


@transaction.atomic
def volunteer_choose_level(*, volunteer: Volunteer, level: Level, lowering_confirmed: bool = False) -> LevelChange:
    """The level the volunteer wants, by the rules of spec 001:

    - higher than the confirmed level: recorded unconfirmed (any other pending request is
      replaced), administrators are notified; access does not change until confirmed;
    - lower than the confirmed level: only with `lowering_confirmed`, then the higher
      levels are given up at once;
    - equal to the confirmed level: a pending request, if any, is withdrawn.
    """
    records = list(volunteer.level_records.select_for_update().select_related("level"))
    current = volunteer.read_effective_level()
    pending = [record for record in records if not record.confirmed]

    if level.rank > current.rank:
        if any(record.level_id == level.pk for record in pending):
            return LevelChange.UNCHANGED
        VolunteerLevel.objects.filter(pk__in=[record.pk for record in pending]).delete()
        requested = VolunteerLevel.objects.create(volunteer=volunteer, level=level, confirmed=False)
        notify(
            recipients=administrators(),
            title=f"Заявка на уровень «{level}»: {volunteer.user.get_full_name()}",
            text=(
                f"Волонтёр {volunteer.user.get_full_name()} ({volunteer.user.email}) просит уровень «{level}». "
                f"Сейчас подтверждён уровень «{current}». Подтвердите или отклоните заявку в разделе "
                "администрирования «Ожидают подтверждения»."
            ),
            link=reverse("admin:volunteers_pendinglevel_change", args=[requested.pk]),
        )
        return LevelChange.REQUESTED

    VolunteerLevel.objects.filter(pk__in=[record.pk for record in pending]).delete()
    if level.rank == current.rank:
        return LevelChange.WITHDRAWN if pending else LevelChange.UNCHANGED

    if not lowering_confirmed:
        raise LevelLoweringNotConfirmed(f"Понижение уровня с «{current}» до «{level}» нужно подтвердить.")
    volunteer.level_records.filter(level__rank__gt=level.rank).delete()
    VolunteerLevel.objects.update_or_create(
        volunteer=volunteer,
        level=level,
        defaults={"confirmed": True, "confirmed_at": timezone.now()},
    )
    return LevelChange.LOWERED


@transaction.atomic
def levels_confirm(*, record_ids, confirmed_by: User) -> int:
    """Confirm pending level requests, record who and when, and tell each volunteer.

    Rows are locked and re-read as still unconfirmed, so two administrators confirming
    the same request at once confirm it once, and the volunteer hears it once."""
    records = list(
        VolunteerLevel.objects.select_for_update(of=("self",))
        .filter(pk__in=record_ids, confirmed=False)
        .select_related("level", "volunteer__user")
    )
    now = timezone.now()
    for record in records:
        record.confirmed, record.who_confirmed, record.confirmed_at, record.updated_at = True, confirmed_by, now, now
    VolunteerLevel.objects.bulk_update(records, ["confirmed", "who_confirmed", "confirmed_at", "updated_at"])
    for record in records:
        notify(
            recipients=[record.volunteer.user],
            title=f"Уровень «{record.level}» подтверждён",
            text=f"Уровень «{record.level}» подтверждён администратором. Вам открыты курсы этого уровня.",
            link=reverse("volunteers:profile"),
        )
    return len(records)


@transaction.atomic
def levels_reject(*, record_ids, rejected_by: User, reason: str = "") -> int:
    """Turn down pending level requests: the requests are removed (the volunteer keeps the
    confirmed level) and each volunteer is told, with the reason if one is given."""
    records = list(
        VolunteerLevel.objects.select_for_update(of=("self",))
        .filter(pk__in=record_ids, confirmed=False)
        .select_related("level", "volunteer__user")
    )
    VolunteerLevel.objects.filter(pk__in=[record.pk for record in records]).delete()
    for record in records:
        notify(
            recipients=[record.volunteer.user],
            title=f"Заявка на уровень «{record.level}» отклонена",
            text=f"Заявка на уровень «{record.level}» отклонена администратором. {reason}".strip(),
            link=reverse("volunteers:profile"),
        )
    return len(records)


@transaction.atomic
def badge_award(*, badge: Badge, volunteers, awarded_by: User | None) -> int:
    """Award a badge to volunteers who do not have it yet; each of them is told."""
    volunteers = list(volunteers)
    holders = set(
        VolunteerBadge.objects.filter(badge=badge, volunteer__in=volunteers).values_list("volunteer_id", flat=True)
    )
    newcomers = [volunteer for volunteer in volunteers if volunteer.pk not in holders]
    VolunteerBadge.objects.bulk_create(
        [VolunteerBadge(volunteer=volunteer, badge=badge, awarded_by=awarded_by) for volunteer in newcomers],
        ignore_conflicts=True,
    )
    notify(
        recipients=[volunteer.user for volunteer in newcomers],
        title=f"Новый значок: «{badge}»",
        text=f"Вам выдан значок «{badge}». {badge.description}".strip(),
        link=reverse("volunteers:profile"),
    )
    return len(newcomers)
