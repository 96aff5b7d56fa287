"""The profile's phone, address, place of work and photo (spec 000): edited on the profile
page, the phone shown in the national format, the photo checked, re-encoded and kept in
private storage, shown through a view for signed-in users only."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.tests.factories import UserFactory
from core.testing import change_form_data, image_bytes, jpeg_with_gps_bytes, png_upload, signed_in

PROFILE = "/accounts/profile/"


def profile_data(user, **overrides) -> dict:
    return {"first_name": user.first_name, "last_name": user.last_name, "email": user.email, **overrides}


def field_errors(response, name) -> list[str]:
    return response.context["form"].errors.get(name, [])


def shown_photo_url(page: str) -> str:
    return re.search(r'<img class="picture-input-current" src="([^"]+)"', page).group(1)


class TestProfilePage:
    def test_offers_the_profile_fields(self, client, volunteer):
        client.force_login(volunteer)

        page = client.get(PROFILE).content.decode()

        for label in ("Телефон", "Место работы", "Адрес", "Фотография"):
            assert label in page
        assert 'name="phone_number"' in page and 'type="tel"' in page
        assert 'name="curr_job_place"' in page and 'name="address"' in page
        assert '<label for="id_profile_image">Загрузить</label>' in page
        assert 'enctype="multipart/form-data"' in page
        assert f'href="/users/{volunteer.pk}/"' in page

    def test_saves_them_and_shows_the_phone_in_the_national_format(self, client, teacher):
        client.force_login(teacher)

        response = client.post(
            PROFILE,
            profile_data(
                teacher, phone_number="+7 916 123-45-67", curr_job_place="Школа № 5", address="Москва, Лесная, 3"
            ),
        )

        assert response.status_code == 302
        teacher.refresh_from_db()
        assert str(teacher.phone_number) == "+79161234567"
        assert (teacher.curr_job_place, teacher.address) == ("Школа № 5", "Москва, Лесная, 3")
        page = client.get(PROFILE).content.decode()
        assert 'value="8 (916) 123-45-67"' in page

    def test_a_national_number_typed_is_understood(self, client, volunteer):
        client.force_login(volunteer)

        client.post(PROFILE, profile_data(volunteer, phone_number="8 916 765-43-21"))

        volunteer.refresh_from_db()
        assert str(volunteer.phone_number) == "+79167654321"

    def test_a_bad_phone_is_a_russian_field_error_and_saves_nothing(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(PROFILE, profile_data(volunteer, phone_number="12345", address="Тверь"))

        assert response.status_code == 200
        assert any("Введите корректный номер телефона" in error for error in field_errors(response, "phone_number"))
        volunteer.refresh_from_db()
        assert (str(volunteer.phone_number), volunteer.address) == ("", "")

    def test_the_fields_may_stay_empty(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(PROFILE, profile_data(volunteer, phone_number="", address="", curr_job_place=""))

        assert response.status_code == 302

    def test_too_long_a_place_of_work_is_a_field_error(self, client, volunteer):
        client.force_login(volunteer)

        response = client.post(PROFILE, profile_data(volunteer, curr_job_place="ш" * 256))

        assert field_errors(response, "curr_job_place") == [
            "Убедитесь, что это значение содержит не более 255 символов (сейчас 256)."
        ]


class TestPhotoUpload:
    def test_is_re_encoded_into_private_storage_without_its_exif(self, client, volunteer, settings):
        client.force_login(volunteer)
        upload = SimpleUploadedFile("я.jpg", jpeg_with_gps_bytes(), content_type="image/jpeg")

        response = client.post(PROFILE, profile_data(volunteer, profile_image=upload))

        assert response.status_code == 302
        volunteer.refresh_from_db()
        stored = settings.PRIVATE_MEDIA_ROOT / volunteer.profile_image.name
        assert volunteer.profile_image.name.startswith("accounts/photos/") and stored.is_file()
        with Image.open(stored) as picture:
            assert not picture.getexif()  # the camera and the GPS position are gone

    def test_the_form_shows_the_picture_to_replace_or_delete(self, client, volunteer):
        client.force_login(volunteer)
        client.post(PROFILE, profile_data(volunteer, profile_image=png_upload(size=(320, 240))))

        page = client.get(PROFILE).content.decode()

        url = shown_photo_url(page)
        assert url.startswith(f"/accounts/users/{volunteer.pk}/photo/avatar/?v=")
        assert '<label for="id_profile_image">Заменить</label>' in page
        assert '<label for="profile_image-clear_id">Удалить</label>' in page
        assert "accounts/photos" not in page
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("image/")
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumbnail:
            assert thumbnail.size == (160, 160)

    def test_delete_removes_it(self, client, volunteer):
        client.force_login(volunteer)
        client.post(PROFILE, profile_data(volunteer, profile_image=png_upload()))

        client.post(PROFILE, profile_data(volunteer, **{"profile_image-clear": "on"}))

        volunteer.refresh_from_db()
        assert not volunteer.profile_image

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            (
                SimpleUploadedFile("фото.png", b"%PDF-1.4 not a picture", content_type="image/png"),
                "Это не изображение: подходят JPEG, PNG, GIF и WebP.",
            ),
            (
                SimpleUploadedFile("фото.gif", image_bytes(), content_type="image/gif"),  # a PNG inside
                "Содержимое файла не похоже на .gif.",
            ),
            (
                SimpleUploadedFile("фото.bmp", image_bytes(image_format="BMP"), content_type="image/bmp"),
                "Это не изображение: подходят JPEG, PNG, GIF и WebP.",
            ),
        ],
        ids=["pdf-named-png", "png-named-gif", "bmp"],
    )
    def test_what_is_no_picture_is_refused_in_russian(self, client, volunteer, upload, message):
        client.force_login(volunteer)

        response = client.post(PROFILE, profile_data(volunteer, profile_image=upload))

        assert response.status_code == 200
        errors = field_errors(response, "profile_image")
        assert errors and any(message in error for error in errors), errors
        volunteer.refresh_from_db()
        assert not volunteer.profile_image

    def test_a_picture_over_the_limit_is_refused(self, client, volunteer, settings):
        settings.PHOTO_MAX_MB = 0
        client.force_login(volunteer)

        response = client.post(PROFILE, profile_data(volunteer, profile_image=png_upload()))

        assert any("Файл слишком большой" in error for error in field_errors(response, "profile_image"))


class TestPhotoView:
    @pytest.fixture
    def person(self, db):
        person = UserFactory()
        signed_in(person).post(PROFILE, profile_data(person, profile_image=png_upload(size=(320, 240))))
        person.refresh_from_db()
        return person

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, person):
        response = client.get(f"/accounts/users/{person.pk}/photo/avatar/")

        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize("role_fixture", ["volunteer", "teacher", "administrator", "main_admin"])
    def test_every_signed_in_user_sees_it(self, request, client, person, role_fixture):
        client.force_login(request.getfixturevalue(role_fixture))

        response = client.get(f"/accounts/users/{person.pk}/photo/avatar_small/")

        assert response.status_code == 200
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumbnail:
            assert thumbnail.size == (48, 48)

    def test_404_without_a_photo_or_for_an_unknown_alias(self, client, person, volunteer):
        client.force_login(volunteer)

        assert client.get(f"/accounts/users/{volunteer.pk}/photo/avatar/").status_code == 404
        assert client.get(f"/accounts/users/{person.pk}/photo/huge/").status_code == 404
        assert client.get("/accounts/users/999999/photo/avatar/").status_code == 404


class TestAdmin:
    @staticmethod
    def change_url(user) -> str:
        return f"/admin/accounts/user/{user.pk}/change/"

    def test_shows_and_edits_the_profile_fields(self, client, administrator):
        person = UserFactory()
        client.force_login(administrator)
        data = change_form_data(client, self.change_url(person))

        page = client.get(self.change_url(person)).content.decode()
        response = client.post(
            self.change_url(person),
            {**data, "phone_number": "8 916 123-45-67", "curr_job_place": "Лицей", "address": "Тверь"},
        )

        for name in ("phone_number", "curr_job_place", "address", "profile_image"):
            assert f'name="{name}"' in page
        assert response.status_code == 302
        person.refresh_from_db()
        assert (str(person.phone_number), person.curr_job_place, person.address) == ("+79161234567", "Лицей", "Тверь")

    def test_a_volunteers_phone_and_photo_are_shown_as_the_profiles(self, client, administrator):
        from volunteers.tests.factories import VolunteerFactory

        profile = VolunteerFactory(phone_number="+79035550011")
        client.force_login(administrator)

        page = client.get(self.change_url(profile.user)).content.decode()

        assert "8 (903) 555-00-11" in page and "меняются в анкете волонтёра" in page
        assert f"/admin/volunteers/volunteer/{profile.pk}/change/" in page
        assert 'name="phone_number"' not in page and 'name="profile_image"' not in page
        assert 'name="address"' in page
