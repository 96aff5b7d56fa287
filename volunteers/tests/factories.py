from datetime import timedelta

import factory
from django.utils import timezone

from accounts.roles import VOLUNTEER
from accounts.tests.factories import UserFactory
from volunteers.models import Badge, Direction, Level, Location, Volunteer, VolunteerLevel
from volunteers.services import volunteer_create


def level_of_rank(rank: int) -> Level:
    """One of the three levels the data migration creates (1 Новичок, 2 Бывалый, 3 Профессионал)."""
    return Level.objects.get(rank=rank)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    # Above the real codes (1–99 and a few hundreds), so a test may add a real region too.
    code = factory.Sequence(lambda n: 1000 + n)
    region = factory.Sequence(lambda n: f"Регион {n}")


class DirectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Direction

    title = factory.Sequence(lambda n: f"Направление {n}")
    description = "Помощь на мероприятиях."


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    name = factory.Sequence(lambda n: f"Значок {n}")
    description = "За участие."


class VolunteerFactory(factory.django.DjangoModelFactory):
    """A profile made by `volunteer_create`, as on the site: Новичок confirmed, the first
    region in the history. `VolunteerFactory(directions=[...])` sets directions;
    `.build()` makes an unsaved profile without levels (for bulk_create)."""

    class Meta:
        model = Volunteer

    user = factory.SubFactory(UserFactory, roles=[VOLUNTEER])
    # +7 916 … : a Moscow mobile range, valid for phonenumbers.
    phone_number = factory.Sequence(lambda n: f"+7916{n % 10_000_000:07d}")
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=25 * 365))
    location = factory.SubFactory(LocationFactory)
    call_sign = factory.Sequence(lambda n: f"Позывной-{n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return volunteer_create(**kwargs)


class VolunteerLevelFactory(factory.django.DjangoModelFactory):
    """A pending request for Бывалый from a new volunteer (who holds Новичок)."""

    class Meta:
        model = VolunteerLevel

    volunteer = factory.SubFactory(VolunteerFactory)
    level = factory.LazyFunction(lambda: level_of_rank(2))
    confirmed = False
