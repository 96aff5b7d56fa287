"""`/api/v1/me/` through real HTTP requests with a Bearer token: the account, the roles and
the volunteer profile, edited by the rules of the site's two profile pages."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.models import Message
from accounts.roles import ADMIN, TEACHER
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tokens import tokens_for
from volunteers.models import Badge, LocationChange, Volunteer, VolunteerBadge
from volunteers.services import levels_confirm, volunteer_choose_level
from volunteers.tests.factories import DirectionFactory, LocationFactory, VolunteerFactory, level_of_rank

ME = "/api/v1/me/"

pytestmark = pytest.mark.django_db


def as_user(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user)['access']}")
    return api


def patch(user, data):
    return as_user(user).patch(ME, data, format="json")


@pytest.fixture
def profile(volunteer):
    """The volunteer's profile: Бывалый confirmed, two directions, a badge."""
    profile = VolunteerFactory(user=volunteer, directions=DirectionFactory.create_batch(2), call_sign="Сокол")
    volunteer_choose_level(volunteer=profile, level=level_of_rank(2))
    levels_confirm(record_ids=profile.level_records.values_list("pk", flat=True), confirmed_by=UserFactory())
    VolunteerBadge.objects.create(volunteer=profile, badge=Badge.objects.create(name="Первый выезд"))
    return profile


def test_no_token_no_me(db):
    assert APIClient().get(ME).status_code == 401
    assert APIClient().patch(ME, {"first_name": "Ольга"}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("role_fixture", "roles"),
    [
        ("volunteer", ["volunteer"]),
        ("teacher", ["teacher"]),
        ("administrator", ["admin"]),
        ("main_admin", ["main_admin"]),
    ],
)
def test_each_role_reads_its_own_account(request, role_fixture, roles):
    user = request.getfixturevalue(role_fixture)
    UserFactory(roles=[ADMIN])  # someone else, not shown

    response = as_user(user).get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "email_confirmed": True,
        "pending_email": "",
        "email_editable": True,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone_number": "",
        "curr_job_place": "",
        "address": "",
        "photo": None,
        "yandex_linked": False,
        "roles": roles,
        "volunteer": None,
    }


def test_the_volunteer_profile_with_its_confirmed_and_pending_levels(volunteer, profile):
    volunteer_choose_level(volunteer=profile, level=level_of_rank(3))

    shown = as_user(volunteer).get(ME).json()["volunteer"]

    directions = sorted(profile.directions.all(), key=lambda direction: direction.title)
    assert shown == {
        "phone_number": str(profile.phone_number),
        "birth_date": profile.birth_date.isoformat(),
        "region": {"id": profile.location.pk, "code": profile.location.code, "name": profile.location.region},
        "directions": [{"id": direction.pk, "title": direction.title} for direction in directions],
        "call_sign": "Сокол",
        "level": {"id": level_of_rank(2).pk, "name": "Бывалый", "rank": 2},
        "pending_level": {"id": level_of_rank(3).pk, "name": "Профессионал", "rank": 3},
        "badges": [{"id": Badge.objects.get().pk, "name": "Первый выезд", "description": ""}],
    }


def test_reading_me_takes_a_fixed_number_of_queries(volunteer, profile, django_assert_max_num_queries):
    api = as_user(volunteer)
    with django_assert_max_num_queries(12):
        assert api.get(ME).status_code == 200


# --- The account: ProfileForm's rules ----------------------------------------------------


def test_names_change_and_the_rest_stays(volunteer):
    response = patch(volunteer, {"first_name": "Оля"})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Оля"
    volunteer.refresh_from_db()
    assert volunteer.first_name == "Оля"
    assert volunteer.last_name == response.json()["last_name"] != ""


def test_a_name_cannot_be_emptied(volunteer):
    response = patch(volunteer, {"last_name": ""})

    assert response.status_code == 400
    assert response.json() == {"last_name": ["Обязательное поле."]}


def test_a_new_address_needs_the_password_and_waits_for_the_link(
    volunteer, mailoutbox, django_capture_on_commit_callbacks
):
    without = patch(volunteer, {"email": "new.address@volna.example"})
    assert without.status_code == 400
    assert without.json() == {"current_password": ["Введите текущий пароль, чтобы сменить электронную почту."]}

    with django_capture_on_commit_callbacks(execute=True):
        response = patch(volunteer, {"email": "new.address@volna.example", "current_password": TEST_PASSWORD})

    assert response.status_code == 200
    assert (response.json()["email"], response.json()["pending_email"]) == (
        volunteer.email,
        "new.address@volna.example",
    )
    assert [mail.to for mail in mailoutbox] == [["new.address@volna.example"]]


def test_an_address_taken_by_another_account_is_refused(volunteer, teacher):
    response = patch(volunteer, {"email": teacher.email.upper(), "current_password": TEST_PASSWORD})

    assert response.json() == {"email": ["Пользователь с такой электронной почтой уже зарегистрирован."]}


def test_a_yandex_users_email_cannot_be_changed(volunteer, django_capture_on_commit_callbacks, mailoutbox):
    volunteer.social_auth.create(provider="yandex-oauth2", uid="1130000012345678")
    email = volunteer.email

    with django_capture_on_commit_callbacks(execute=True):
        refused = patch(volunteer, {"email": "other@volna.example", "current_password": TEST_PASSWORD})
        renamed = patch(volunteer, {"first_name": "Ольга"})

    assert refused.status_code == 400
    assert refused.json() == {"email": ["Адрес учётной записи Яндекс ID берётся из Яндекса: изменить его нельзя."]}
    assert renamed.status_code == 200
    assert (renamed.json()["email_editable"], renamed.json()["yandex_linked"]) == (False, True)
    volunteer.refresh_from_db()
    assert (volunteer.email, volunteer.pending_email, volunteer.first_name) == (email, "", "Ольга")
    assert mailoutbox == []


def test_the_body_must_be_an_object(volunteer):
    assert patch(volunteer, ["first_name"]).status_code == 400
    assert patch(volunteer, {"volunteer": "Сокол"}).json() == {
        "volunteer": {"non_field_errors": ["Ожидается объект JSON."]}
    }


# --- The volunteer profile: VolunteerProfileForm's and volunteers.services' rules ---------


def test_a_teacher_fills_in_a_first_profile_at_novice(teacher):
    region, direction = LocationFactory(), DirectionFactory()
    data = {
        "phone_number": "+7 916 123-45-67",
        "birth_date": "1999-03-08",
        "region": region.pk,
        "directions": [direction.pk],
    }

    response = patch(teacher, {"volunteer": data})

    assert response.status_code == 200
    profile = Volunteer.objects.get(user=teacher)
    assert (str(profile.phone_number), profile.birth_date, profile.location) == (
        "+79161234567",
        date(1999, 3, 8),
        region,
    )
    assert list(profile.directions.all()) == [direction]
    assert profile.effective_level == level_of_rank(1)
    assert response.json()["volunteer"]["level"]["name"] == "Новичок"
    assert response.json()["roles"] == ["teacher"]


def test_a_first_profile_needs_the_required_fields(teacher):
    response = patch(teacher, {"volunteer": {"call_sign": "Ястреб"}})

    assert response.status_code == 400
    assert set(response.json()["volunteer"]) == {"phone_number", "birth_date", "region"}
    assert not Volunteer.objects.exists()


def test_only_the_fields_given_change(volunteer, profile):
    before = Volunteer.objects.get(pk=profile.pk)

    response = patch(volunteer, {"volunteer": {"call_sign": "Ястреб"}})

    assert response.status_code == 200
    after = Volunteer.objects.get(pk=profile.pk)
    assert after.call_sign == "Ястреб"
    assert (after.phone_number, after.birth_date, after.location_id) == (
        before.phone_number,
        before.birth_date,
        before.location_id,
    )
    assert set(after.directions.all()) == set(before.directions.all())
    assert after.effective_level == level_of_rank(2)
    assert after.pending_level is None
    assert LocationChange.objects.filter(volunteer=profile).count() == 1, "the region did not change"


def test_a_new_region_is_recorded_in_the_history(volunteer, profile):
    region = LocationFactory()

    assert patch(volunteer, {"volunteer": {"region": region.pk}}).json()["volunteer"]["region"]["id"] == region.pk

    assert LocationChange.objects.filter(volunteer=profile, new_location=region).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone_number", "12345", "Введите корректный номер телефона"),
        ("birth_date", "2999-01-01", "Дата рождения не может быть в будущем."),
        ("region", 999999, "Выберите корректный вариант."),
        ("directions", [999999], "Выберите корректный вариант."),
        ("level", 999999, "Выберите корректный вариант."),
    ],
)
def test_bad_values_are_the_forms_russian_errors_under_the_apis_names(volunteer, profile, field, value, message):
    response = patch(volunteer, {"first_name": "Оля", "volunteer": {field: value}})

    assert response.status_code == 400
    assert list(response.json()) == ["volunteer"]
    assert message in response.json()["volunteer"][field][0]
    volunteer.refresh_from_db()
    assert volunteer.first_name != "Оля", "nothing is saved when anything is refused"


def test_a_higher_level_waits_for_an_administrator(volunteer, profile):
    administrator = UserFactory(roles=[ADMIN])

    response = patch(volunteer, {"volunteer": {"level": level_of_rank(3).pk}})

    shown = response.json()["volunteer"]
    assert (shown["level"]["name"], shown["pending_level"]["name"]) == ("Бывалый", "Профессионал")
    assert Message.objects.filter(recipient=administrator, title__startswith="Заявка на уровень").exists()


def test_lowering_the_level_needs_confirmation_and_undoes_the_rest_without_it(volunteer, profile):
    novice = level_of_rank(1).pk

    refused = patch(volunteer, {"first_name": "Оля", "volunteer": {"level": novice, "call_sign": "Ястреб"}})

    assert refused.status_code == 400
    assert refused.json()["volunteer"]["level"] == [
        "Понижение уровня с «Бывалый» до «Новичок» нужно подтвердить. "
        "Чтобы понизить уровень, передайте ещё «lowering_confirmed»: true."
    ]
    profile.refresh_from_db()
    volunteer.refresh_from_db()
    assert (profile.call_sign, volunteer.first_name) == ("Сокол", volunteer.first_name)
    assert volunteer.first_name != "Оля"
    assert profile.read_effective_level() == level_of_rank(2)

    lowered = patch(volunteer, {"volunteer": {"level": novice, "lowering_confirmed": True}})

    assert lowered.status_code == 200
    assert lowered.json()["volunteer"]["level"]["name"] == "Новичок"


def test_nobody_edits_anothers_profile_through_me(volunteer, profile, teacher):
    patch(
        teacher,
        {
            "volunteer": {
                "call_sign": "Чужой",
                "phone_number": "+79160000000",
                "birth_date": "1990-01-01",
                "region": profile.location.pk,
            }
        },
    )

    profile.refresh_from_db()
    assert profile.call_sign == "Сокол"
    assert Volunteer.objects.get(user=teacher).call_sign == "Чужой"
    assert TEACHER in teacher.groups.values_list("name", flat=True)
