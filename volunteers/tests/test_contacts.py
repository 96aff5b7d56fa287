"""A volunteer's phone and photo are the volunteer profile's (spec 001) and the person's
(spec 000) at once: one copy, whichever page or API edits them."""

from datetime import date

import pytest
from PIL import Image

from accounts.roles import VOLUNTEER
from accounts.services import person_contacts_update
from accounts.tests.api_clients import api_as
from accounts.tests.factories import UserFactory
from core.testing import png_upload, signed_in
from volunteers.models import Location, Volunteer
from volunteers.services import volunteer_create
from volunteers.tests.factories import VolunteerFactory

PROFILE = "/accounts/profile/"
VOLUNTEER_PROFILE = "/volunteers/profile/"
ME = "/api/v1/me/"


@pytest.fixture
def moscow(db):
    return Location.objects.create(code=77, region="Москва")


@pytest.fixture
def profile(db):
    return VolunteerFactory(phone_number="+79161234567")


def account_data(user, **overrides) -> dict:
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email, **overrides}


class TestTheAccountProfilePage:
    def test_shows_the_volunteers_phone_in_the_national_format(self, profile):
        page = signed_in(profile.user).get(PROFILE).content.decode()

        assert 'value="8 (916) 123-45-67"' in page
        assert "Тот же, что в анкете волонтёра." in page

    def test_editing_the_phone_changes_the_volunteers(self, profile):
        user = profile.user

        response = signed_in(user).post(PROFILE, account_data(user, phone_number="8 903 111-22-33"))

        assert response.status_code == 302
        profile.refresh_from_db()
        user.refresh_from_db()
        assert str(profile.phone_number) == "+79031112233"
        assert str(user.phone_number) == ""  # not a second copy
        page = signed_in(user).get(VOLUNTEER_PROFILE).content.decode()
        assert 'value="8 (903) 111-22-33"' in page

    def test_a_volunteer_cannot_empty_the_phone(self, profile):
        user = profile.user

        response = signed_in(user).post(PROFILE, account_data(user, phone_number=""))

        assert response.context["form"].errors["phone_number"] == ["Обязательное поле."]
        profile.refresh_from_db()
        assert str(profile.phone_number) == "+79161234567"

    def test_a_photo_uploaded_there_is_the_volunteers_photo(self, profile):
        user = profile.user
        client = signed_in(user)

        client.post(PROFILE, account_data(user, phone_number="+79161234567", profile_image=png_upload()))

        profile.refresh_from_db()
        user.refresh_from_db()
        assert profile.photo.name.startswith("volunteers/photos/")
        assert not user.profile_image
        volunteer_page = client.get(VOLUNTEER_PROFILE).content.decode()
        assert 'class="picture-input-current"' in volunteer_page


class TestCreatingAVolunteerProfile:
    def test_moves_the_accounts_phone_and_photo_into_it(self, moscow, settings, django_capture_on_commit_callbacks):
        user = UserFactory(roles=[VOLUNTEER])
        with django_capture_on_commit_callbacks(execute=True):
            person_contacts_update(user=user, phone_number="+79035550011", photo=png_upload(size=(40, 30)))
        account_file = settings.PRIVATE_MEDIA_ROOT / user.profile_image.name

        with django_capture_on_commit_callbacks(execute=True):
            volunteer = volunteer_create(user=user, birth_date=date(1995, 4, 1), location=moscow)

        user.refresh_from_db()
        assert str(volunteer.phone_number) == "+79035550011"
        assert (str(user.phone_number), user.profile_image.name) == ("", "")
        assert str(user.phone) == "+79035550011" and user.photo == volunteer.photo
        assert volunteer.photo.name.startswith("volunteers/photos/")
        with Image.open(settings.PRIVATE_MEDIA_ROOT / volunteer.photo.name) as picture:
            assert picture.size == (40, 30)
        assert not account_file.exists()  # one copy: the account's left storage

    def test_a_phone_given_wins_and_the_accounts_is_cleared(self, moscow):
        user = UserFactory(roles=[VOLUNTEER])
        person_contacts_update(user=user, phone_number="+79035550011")

        volunteer = volunteer_create(
            user=user, phone_number="+79161112233", birth_date=date(1995, 4, 1), location=moscow
        )

        user.refresh_from_db()
        assert str(volunteer.phone_number) == "+79161112233"
        assert str(user.phone_number) == ""

    def test_the_volunteer_form_starts_with_the_accounts_phone(self, moscow):
        user = UserFactory(roles=[VOLUNTEER])
        person_contacts_update(user=user, phone_number="+79035550011")

        page = signed_in(user).get(VOLUNTEER_PROFILE).content.decode()

        assert 'value="8 (903) 555-00-11"' in page

    def test_through_the_api_without_a_phone_takes_the_accounts(self, moscow):
        user = UserFactory(roles=[VOLUNTEER])
        person_contacts_update(user=user, phone_number="+79035550011")

        response = api_as(user).patch(
            ME, {"volunteer": {"birth_date": "1995-04-01", "region": moscow.pk}}, format="json"
        )

        assert response.status_code == 200, response.json()
        assert response.json()["phone_number"] == "+79035550011"
        assert response.json()["volunteer"]["phone_number"] == "+79035550011"
        user.refresh_from_db()
        assert str(Volunteer.objects.get(user=user).phone_number) == "+79035550011"
        assert str(user.phone_number) == ""


class TestTheApi:
    def test_reads_the_profile_fields(self, volunteer):
        volunteer.curr_job_place, volunteer.address = "Школа № 5", "Москва"
        volunteer.save()
        person_contacts_update(user=volunteer, phone_number="+79161234567", photo=png_upload())

        shown = api_as(volunteer).get(ME).json()

        assert shown["phone_number"] == "+79161234567"
        assert (shown["curr_job_place"], shown["address"]) == ("Школа № 5", "Москва")
        assert shown["photo"].startswith(f"http://testserver/accounts/users/{volunteer.pk}/photo/avatar/?v=")

    def test_writes_them_through_the_profile_form(self, volunteer):
        response = api_as(volunteer).patch(
            ME, {"phone_number": "8 916 765-43-21", "curr_job_place": "Лицей", "address": "Тверь"}, format="json"
        )

        assert response.status_code == 200
        volunteer.refresh_from_db()
        assert str(volunteer.phone_number) == "+79167654321"
        assert (volunteer.curr_job_place, volunteer.address) == ("Лицей", "Тверь")

    def test_a_bad_phone_is_a_russian_error(self, volunteer):
        response = api_as(volunteer).patch(ME, {"phone_number": "12345"}, format="json")

        assert response.status_code == 400
        assert "Введите корректный номер телефона" in response.json()["phone_number"][0]

    def test_a_volunteers_phone_is_the_profiles(self, profile):
        shown = api_as(profile.user).get(ME).json()
        assert shown["phone_number"] == shown["volunteer"]["phone_number"] == "+79161234567"

        response = api_as(profile.user).patch(ME, {"phone_number": "+79031112233"}, format="json")

        assert response.status_code == 200
        assert response.json()["volunteer"]["phone_number"] == "+79031112233"
        profile.refresh_from_db()
        assert str(profile.phone_number) == "+79031112233"

    def test_the_phone_with_other_volunteer_changes_is_kept(self, profile):
        response = api_as(profile.user).patch(
            ME, {"phone_number": "+79031112233", "volunteer": {"call_sign": "Сокол"}}, format="json"
        )

        assert response.status_code == 200
        profile.refresh_from_db()
        assert (str(profile.phone_number), profile.call_sign) == ("+79031112233", "Сокол")
