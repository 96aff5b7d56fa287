import threading
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import Message
from accounts.roles import ADMIN, MAIN_ADMIN
from accounts.tests.factories import UserFactory
from volunteers.models import Level, Location, LocationChange, VolunteerLevel
from volunteers.services import (
    LevelChange,
    LevelLoweringNotConfirmed,
    levels_confirm,
    levels_reject,
    volunteer_choose_level,
    volunteer_create,
    volunteer_update,
)


@pytest.fixture
def levels(db):
    return {level.name: level for level in Level.objects.all()}


@pytest.fixture
def moscow(db):
    return Location.objects.create(code=77, region="Москва")


def make_volunteer(location, **fields):
    return volunteer_create(
        user=UserFactory(),
        phone_number="+79161234567",
        birth_date=date(1998, 5, 17),
        location=location,
        **fields,
    )


def confirmed_levels(volunteer):
    return sorted(volunteer.level_records.filter(confirmed=True).values_list("level__name", flat=True))


def pending_levels(volunteer):
    return list(volunteer.level_records.filter(confirmed=False).values_list("level__name", flat=True))


def effective(volunteer):
    volunteer.refresh_from_db()
    return volunteer.effective_level.name


@pytest.fixture
def admins(db):
    return [UserFactory(roles=[ADMIN]), UserFactory(roles=[MAIN_ADMIN])]


class TestFirstProfile:
    def test_gets_novice_confirmed_without_an_administrator(self, moscow):
        volunteer = make_volunteer(moscow)

        record = VolunteerLevel.objects.get(volunteer=volunteer)
        assert record.level.name == "Новичок"
        assert record.confirmed
        assert record.who_confirmed is None
        assert record.confirmed_at is not None
        assert effective(volunteer) == "Новичок"

    def test_records_the_first_region(self, moscow):
        volunteer = make_volunteer(moscow)

        assert list(volunteer.location_changes.values_list("old_location", "new_location")) == [(None, moscow.pk)]

    @pytest.mark.parametrize(
        ("birth_date", "message"),
        [
            (date(2100, 1, 1), "Дата рождения не может быть в будущем."),
            (date.today().replace(year=date.today().year - 10), "Волонтёром можно стать с 14 лет."),
            (date(1900, 1, 1), "Проверьте год рождения."),
        ],
    )
    def test_implausible_birth_dates_are_refused(self, moscow, birth_date, message):
        with pytest.raises(ValidationError) as error:
            volunteer_create(user=UserFactory(), phone_number="+79161234567", birth_date=birth_date, location=moscow)

        assert error.value.message_dict["birth_date"] == [message]
        assert not VolunteerLevel.objects.exists()

    def test_minimum_age_is_a_setting(self, moscow, settings):
        settings.VOLUNTEER_MIN_AGE = 18
        sixteen = date.today().replace(year=date.today().year - 16, day=1)

        with pytest.raises(ValidationError, match="с 18 лет"):
            volunteer_create(user=UserFactory(), phone_number="+79161234567", birth_date=sixteen, location=moscow)


class TestAskingForAHigherLevel:
    def test_is_recorded_unconfirmed_and_access_stays(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)

        outcome = volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])

        assert outcome is LevelChange.REQUESTED
        assert pending_levels(volunteer) == ["Бывалый"]
        assert effective(volunteer) == "Новичок"

    def test_notifies_every_administrator_in_site_and_by_email(
        self, moscow, levels, admins, django_capture_on_commit_callbacks
    ):
        teacher = UserFactory(roles=["Преподаватель"])
        volunteer = make_volunteer(moscow)

        with django_capture_on_commit_callbacks(execute=True):
            volunteer_choose_level(volunteer=volunteer, level=levels["Профессионал"])

        notified = Message.objects.filter(title__startswith="Заявка на уровень «Профессионал»")
        assert sorted(notified.values_list("recipient", flat=True)) == sorted(user.pk for user in admins)
        assert not Message.objects.filter(recipient=teacher).exists()
        assert all(message.sender is None for message in notified)
        assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in admins)
        assert volunteer.user.get_full_name() in mail.outbox[0].subject

    def test_asking_again_for_the_same_level_does_not_notify_twice(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])

        outcome = volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])

        assert outcome is LevelChange.UNCHANGED
        assert Message.objects.count() == len(admins)

    def test_a_new_request_replaces_the_pending_one(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])

        volunteer_choose_level(volunteer=volunteer, level=levels["Профессионал"])

        assert pending_levels(volunteer) == ["Профессионал"]

    def test_choosing_the_current_level_withdraws_the_request(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])

        outcome = volunteer_choose_level(volunteer=volunteer, level=levels["Новичок"])

        assert outcome is LevelChange.WITHDRAWN
        assert pending_levels(volunteer) == []


class TestConfirmation:
    def test_confirms_records_who_and_when_and_tells_the_volunteer(
        self, moscow, levels, admins, django_capture_on_commit_callbacks
    ):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])
        record = VolunteerLevel.objects.get(confirmed=False)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            confirmed = levels_confirm(record_ids=[record.pk], confirmed_by=admins[0])

        record.refresh_from_db()
        assert confirmed == 1
        assert (record.confirmed, record.who_confirmed) == (True, admins[0])
        assert record.confirmed_at is not None
        assert effective(volunteer) == "Бывалый"
        message = Message.objects.get(recipient=volunteer.user)
        assert message.title == "Уровень «Бывалый» подтверждён"
        assert [email.to for email in mail.outbox] == [[volunteer.user.email]]

    def test_the_effective_level_is_the_highest_confirmed(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Профессионал"])
        levels_confirm(record_ids=volunteer.level_records.values_list("pk", flat=True), confirmed_by=admins[0])

        assert confirmed_levels(volunteer) == ["Новичок", "Профессионал"]
        assert effective(volunteer) == "Профессионал"

    def test_confirming_an_already_confirmed_request_does_nothing(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])
        record = VolunteerLevel.objects.get(confirmed=False)
        levels_confirm(record_ids=[record.pk], confirmed_by=admins[0])

        assert levels_confirm(record_ids=[record.pk], confirmed_by=admins[1]) == 0
        record.refresh_from_db()
        assert record.who_confirmed == admins[0]
        assert Message.objects.filter(recipient=volunteer.user).count() == 1

    def test_rejection_removes_the_request_keeps_the_level_and_tells_the_volunteer(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])

        rejected = levels_reject(
            record_ids=volunteer.level_records.values_list("pk", flat=True),
            rejected_by=admins[0],
            reason="Нужен опыт выездов.",
        )

        assert rejected == 1
        assert pending_levels(volunteer) == []
        assert effective(volunteer) == "Новичок"
        message = Message.objects.get(recipient=volunteer.user)
        assert message.title == "Заявка на уровень «Бывалый» отклонена"
        assert "Нужен опыт выездов." in message.text

    def test_the_database_refuses_an_inconsistent_confirmation(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)

        with pytest.raises(ValidationError):
            VolunteerLevel(volunteer=volunteer, level=levels["Бывалый"], confirmed=True).full_clean()
        with pytest.raises(Exception, match="volunteers_levels_confirmation_consistent"):
            VolunteerLevel.objects.create(volunteer=volunteer, level=levels["Бывалый"], confirmed=True)


class TestLoweringAndRaisingAgain:
    @pytest.fixture
    def professional(self, moscow, levels, admins):
        volunteer = make_volunteer(moscow)
        volunteer_choose_level(volunteer=volunteer, level=levels["Профессионал"])
        levels_confirm(record_ids=volunteer.level_records.values_list("pk", flat=True), confirmed_by=admins[0])
        return volunteer

    def test_lowering_needs_an_explicit_confirmation(self, professional, levels):
        with pytest.raises(LevelLoweringNotConfirmed):
            volunteer_choose_level(volunteer=professional, level=levels["Бывалый"])

        assert effective(professional) == "Профессионал"

    def test_confirmed_lowering_takes_effect_at_once(self, professional, levels):
        outcome = volunteer_choose_level(volunteer=professional, level=levels["Бывалый"], lowering_confirmed=True)

        assert outcome is LevelChange.LOWERED
        assert confirmed_levels(professional) == ["Бывалый", "Новичок"]
        assert effective(professional) == "Бывалый"

    def test_raising_again_resets_confirmation_and_notifies_again(self, professional, levels, admins):
        volunteer_choose_level(volunteer=professional, level=levels["Новичок"], lowering_confirmed=True)
        Message.objects.all().delete()

        outcome = volunteer_choose_level(volunteer=professional, level=levels["Профессионал"])

        assert outcome is LevelChange.REQUESTED
        assert effective(professional) == "Новичок"
        assert pending_levels(professional) == ["Профессионал"]
        record = professional.level_records.get(level=levels["Профессионал"])
        assert record.who_confirmed is None
        assert record.confirmed_at is None
        assert Message.objects.filter(recipient__in=admins).count() == len(admins)


def test_region_changes_are_recorded(moscow):
    volunteer = make_volunteer(moscow)
    piter = Location.objects.create(code=78, region="Санкт-Петербург")

    volunteer_update(volunteer=volunteer, location=piter)
    volunteer_update(volunteer=volunteer, call_sign="Сокол")

    history = list(
        LocationChange.objects.filter(volunteer=volunteer).order_by("pk").values_list("old_location", "new_location")
    )
    assert history == [(None, moscow.pk), (moscow.pk, piter.pk)]


@pytest.mark.django_db(transaction=True)
def test_two_administrators_confirming_at_once_confirm_once_without_error(levels):
    moscow = Location.objects.create(code=77, region="Москва")
    first, second = UserFactory(roles=[ADMIN]), UserFactory(roles=[ADMIN])
    volunteer = make_volunteer(moscow)
    volunteer_choose_level(volunteer=volunteer, level=levels["Бывалый"])
    record_id = VolunteerLevel.objects.get(confirmed=False).pk
    Message.objects.all().delete()
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def confirm(admin):
        try:
            barrier.wait()
            results[admin.pk] = levels_confirm(record_ids=[record_id], confirmed_by=admin)
        except Exception as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(admin,)) for admin in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results.values()) == [0, 1]
    record = VolunteerLevel.objects.get(pk=record_id)
    assert record.confirmed
    assert record.who_confirmed_id == next(pk for pk, count in results.items() if count == 1)
    assert Message.objects.filter(recipient=volunteer.user).count() == 1
