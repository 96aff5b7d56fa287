from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import Message, User
from volunteers.demo import BADGES, DEMO_VOLUNTEERS, DIRECTIONS
from volunteers.models import Badge, Direction, Location, LocationChange, Volunteer, VolunteerBadge, VolunteerLevel

pytestmark = pytest.mark.django_db

COUNTED = (User, Volunteer, VolunteerLevel, VolunteerBadge, LocationChange, Location, Message, Direction, Badge)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def volunteer_of(email):
    return Volunteer.objects.prefetch_related("level_records__level").get(user__email=email)


def test_seed_demo_creates_reference_data_and_volunteers():
    output = seed()

    assert (
        f"регионы: 89, направления: {len(DIRECTIONS)}, значки: {len(BADGES)}, волонтёры: {len(DEMO_VOLUNTEERS)}"
        in output
    )
    assert Volunteer.objects.count() == len(DEMO_VOLUNTEERS) >= 6
    assert Location.objects.get(code=77).region == "Москва"


def test_the_demo_volunteer_is_experienced_confirmed_by_the_main_administrator():
    seed()

    volunteer = volunteer_of("volunteer@volna.example")

    assert volunteer.effective_level.name == "Бывалый"
    assert volunteer.pending_level is None
    record = volunteer.level_records.get(level__name="Бывалый")
    assert record.who_confirmed.email == "glavadmin@volna.example"
    assert record.confirmed_at is not None


def test_anna_is_a_novice_waiting_for_experienced():
    seed()

    volunteer = volunteer_of("anna@volna.example")

    assert volunteer.effective_level.name == "Новичок"
    assert volunteer.pending_level.name == "Бывалый"


def test_every_demo_volunteer_has_the_described_profile_and_signs_in_with_the_demo_password():
    seed()

    for demo in DEMO_VOLUNTEERS:
        volunteer = volunteer_of(demo.email)
        assert authenticate(username=demo.email, password=DEMO_PASSWORD) == volunteer.user, demo.email
        assert volunteer.effective_level.name == demo.level, demo.email
        assert getattr(volunteer.pending_level, "name", None) == demo.requested_level, demo.email
        assert volunteer.location.code == demo.region_code
        assert sorted(volunteer.directions.values_list("title", flat=True)) == sorted(demo.directions)
        assert sorted(volunteer.badges.values_list("name", flat=True)) == sorted(demo.badges)


def test_the_demo_volunteers_span_every_level_and_several_regions():
    seed()

    assert {demo.level for demo in DEMO_VOLUNTEERS} == {"Новичок", "Бывалый", "Профессионал"}
    assert Volunteer.objects.values("location").distinct().count() == len(DEMO_VOLUNTEERS)
    assert VolunteerBadge.objects.exists()


def test_seed_demo_twice_changes_nothing():
    seed()
    before = {model.__name__: model.objects.count() for model in COUNTED}
    levels_before = list(VolunteerLevel.objects.order_by("pk").values())

    output = seed()

    assert "регионы: 0, направления: 0, значки: 0, волонтёры: 0" in output
    assert {model.__name__: model.objects.count() for model in COUNTED} == before
    assert list(VolunteerLevel.objects.order_by("pk").values()) == levels_before


def test_an_existing_profile_is_left_as_it_is():
    seed()
    anna = volunteer_of("anna@volna.example")
    anna.level_records.filter(confirmed=False).delete()

    seed()

    assert volunteer_of("anna@volna.example").pending_level is None


def test_seed_demo_dry_run_writes_no_volunteer_data():
    output = seed("--dry-run")

    assert f"волонтёры: {len(DEMO_VOLUNTEERS)}" in output
    assert not any(model.objects.exists() for model in (Volunteer, Location, Direction, Badge, Message))
