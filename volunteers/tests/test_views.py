import io
import os
import re
from datetime import date
from pathlib import PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import ADMIN
from accounts.tests.factories import UserFactory
from core.testing import thumbnail_names
from volunteers.models import Badge, Level, Location, Volunteer, VolunteerBadge, VolunteerLevel
from volunteers.services import levels_confirm, volunteer_choose_level, volunteer_create

PROFILE = "/volunteers/profile/"


@pytest.fixture
def moscow(db):
    return Location.objects.create(code=77, region="Москва")


@pytest.fixture
def levels(db):
    return {level.name: level for level in Level.objects.all()}


def form_data(region, chosen_level, /, **overrides):
    return {
        "phone_number": "+7 916 123-45-67",
        "birth_date": "1999-03-08",
        "location": region.pk,
        "call_sign": "Сокол",
        "level": chosen_level.pk,
        **overrides,
    }


def image_upload(name="photo.png", size=(300, 200), noise=False):
    buffer = io.BytesIO()
    if noise:
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    else:
        Image.new("RGB", size, (11, 92, 173)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def photo_url_of(response) -> str:
    return re.search(r'<img class="picture-input-current" src="([^"]+)"', response.content.decode()).group(1)


def errors(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


@pytest.fixture
def signed_in(client, volunteer):
    client.force_login(volunteer)
    return client


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(PROFILE)["Location"] == f"/accounts/login/?next={PROFILE}"


class TestFirstProfile:
    def test_the_form_comes_first(self, signed_in, moscow):
        page = signed_in.get(PROFILE).content.decode()

        assert "Заполните анкету" in page
        assert 'name="phone_number"' in page

    def test_saving_creates_a_novice_profile(self, signed_in, volunteer, moscow, levels):
        response = signed_in.post(PROFILE, form_data(moscow, levels["Новичок"]), follow=True)

        profile = Volunteer.objects.get(user=volunteer)
        assert str(profile.phone_number) == "+79161234567"
        assert profile.birth_date == date(1999, 3, 8)
        assert profile.effective_level == levels["Новичок"]
        page = response.content.decode()
        assert "Анкета сохранена." in page
        assert "подтверждён" in page

    def test_asking_for_a_higher_level_at_once_leaves_it_pending(self, signed_in, volunteer, moscow, levels):
        UserFactory(roles=[ADMIN])

        response = signed_in.post(PROFILE, form_data(moscow, levels["Бывалый"]), follow=True)

        profile = Volunteer.objects.get(user=volunteer)
        assert profile.effective_level == levels["Новичок"]
        assert profile.pending_level == levels["Бывалый"]
        page = response.content.decode()
        assert "Заявка на уровень «Бывалый» отправлена администраторам" in page
        assert "ожидает подтверждения администратора" in page

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("phone_number", "12345", "Введите корректный номер телефона"),
            ("birth_date", "2999-01-01", "Дата рождения не может быть в будущем."),
            ("birth_date", "1890-01-01", "Проверьте год рождения."),
            ("location", "999999", "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."),
            ("level", "999999", "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."),
        ],
    )
    def test_bad_input_is_a_russian_field_error_and_saves_nothing(
        self, signed_in, moscow, levels, field, value, message
    ):
        response = signed_in.post(PROFILE, form_data(moscow, levels["Новичок"], **{field: value}))

        assert response.status_code == 200
        assert any(message in error for error in errors(response, field)), errors(response, field)
        assert not Volunteer.objects.exists()

    def test_too_young(self, signed_in, moscow, levels):
        birth = date.today().replace(year=date.today().year - 12, day=1).isoformat()

        response = signed_in.post(PROFILE, form_data(moscow, levels["Новичок"], birth_date=birth))

        assert errors(response, "birth_date") == ["Волонтёром можно стать с 14 лет."]


class TestPhoto:
    def test_an_image_is_stored_with_its_avatar(self, signed_in, volunteer, moscow, levels, settings):
        signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload()})

        profile = Volunteer.objects.get(user=volunteer)
        assert profile.photo.name.startswith("volunteers/photos/")
        assert (settings.PRIVATE_MEDIA_ROOT / profile.photo.name).is_file()  # personal data: private
        page = signed_in.get(PROFILE).content.decode()
        assert "/media/" not in page
        avatar = re.search(r'<img class="avatar" src="([^"]+)"', page).group(1)
        assert avatar.startswith(f"/volunteers/{profile.pk}/photo/avatar/?v=")
        response = signed_in.get(avatar)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumbnail:
            assert thumbnail.size == (160, 160)

    def test_the_form_shows_the_picture_to_replace_or_delete_and_no_path(self, signed_in, volunteer, moscow, levels):
        signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload()})
        profile = Volunteer.objects.get(user=volunteer)

        page = signed_in.get(PROFILE).content.decode()

        field = re.search(r'<div class="picture-input">.*?</div>\s*</div>', page, re.S).group(0)
        picture = re.search(r'<img class="picture-input-current" src="([^"]+)" alt="Ваша фотография"', field)
        assert picture.group(1).startswith(f"/volunteers/{profile.pk}/photo/avatar/?v=")
        assert signed_in.get(picture.group(1)).status_code == 200
        assert '<label for="id_photo">Заменить</label>' in field
        assert '<input type="file" name="photo"' in field
        assert '<label for="photo-clear_id">Удалить</label>' in field
        assert '<input type="checkbox" name="photo-clear" id="photo-clear_id">' in field
        assert "<legend>Фотография:</legend>" in page
        stored_name = PurePosixPath(profile.photo.name)
        assert "volunteers/photos" not in page and stored_name.stem not in page
        assert "Очистить" not in page and "На данный момент" not in page

    def test_without_a_photo_the_form_offers_an_upload(self, signed_in, volunteer, moscow, levels):
        signed_in.post(PROFILE, form_data(moscow, levels["Новичок"]))

        page = signed_in.get(PROFILE).content.decode()

        assert '<label for="id_photo">Загрузить</label>' in page
        assert "picture-input-current" not in page and "photo-clear" not in page

    def test_deleting_removes_the_photo(self, signed_in, volunteer, moscow, levels):
        signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload()})
        profile = Volunteer.objects.get(user=volunteer)
        old_url = photo_url_of(signed_in.get(PROFILE))

        response = signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo-clear": "on"}, follow=True)

        profile.refresh_from_db()
        assert not profile.photo
        page = response.content.decode()
        assert "Анкета сохранена." in page
        assert "picture-input-current" not in page and '<label for="id_photo">Загрузить</label>' in page
        assert signed_in.get(old_url).status_code == 404

    def test_replacing_shows_the_new_picture(self, signed_in, volunteer, moscow, levels):
        signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload()})
        old_url = photo_url_of(signed_in.get(PROFILE))

        signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload(size=(40, 40))})

        new_url = photo_url_of(signed_in.get(PROFILE))
        assert new_url != old_url, "a browser keeping the old thumbnail asks for the new one"
        profile = Volunteer.objects.get(user=volunteer)
        with Image.open(profile.photo.path) as stored:
            assert stored.size == (40, 40)

    def test_a_new_photo_replaces_the_old_one_and_its_avatars(
        self, signed_in, volunteer, moscow, levels, settings, django_capture_on_commit_callbacks
    ):
        def stored_files() -> set:
            return {path for path in (settings.PRIVATE_MEDIA_ROOT / "volunteers").rglob("*") if path.is_file()}

        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload("старое.png")})
        old = stored_files()
        assert len(old) == 3  # the photo and its two avatars

        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload("новое.png")})

        new = stored_files()
        assert len(new) == 3 and not new & old
        assert Volunteer.objects.get(user=volunteer).photo.path in {str(path) for path in new}

    def test_the_avatars_are_made_by_a_task_once_the_upload_commits(
        self, signed_in, volunteer, moscow, levels, settings, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:  # the upload's request, the task not sent yet
            signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload()})
        photo = Volunteer.objects.get(user=volunteer).photo
        assert thumbnail_names(photo) == []  # the upload did not wait for them
        assert len(callbacks) == 1

        callbacks[0]()  # the commit: core.tasks.thumbnails_make runs (eagerly here)
        names = thumbnail_names(photo)
        assert len(names) == 2 and all((settings.PRIVATE_MEDIA_ROOT / name).is_file() for name in names)
        stored = {path: path.stat().st_mtime_ns for path in settings.PRIVATE_MEDIA_ROOT.rglob("*") if path.is_file()}

        callbacks[0]()  # delivered again: no file made or written anew
        assert thumbnail_names(photo) == names
        assert {path: path.stat().st_mtime_ns for path in stored} == stored
        assert sum(path.is_file() for path in settings.PRIVATE_MEDIA_ROOT.rglob("*")) == len(stored)

    def test_a_file_that_is_not_an_image_is_refused(self, signed_in, moscow, levels):
        fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")

        response = signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": fake})

        assert errors(response, "photo") == ["Это не изображение: подходят JPEG, PNG, GIF и WebP."]
        assert not Volunteer.objects.exists()

    def test_an_oversized_photo_is_refused(self, signed_in, moscow, levels, settings):
        settings.PHOTO_MAX_MB = 1

        response = signed_in.post(
            PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": image_upload(size=(800, 800), noise=True)}
        )

        assert errors(response, "photo")[0].startswith("Файл слишком большой")
        assert "можно не больше 1 МБ" in errors(response, "photo")[0]
        assert not Volunteer.objects.exists()

    def test_another_image_format_is_refused_by_extension(self, signed_in, moscow, levels):
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20)).save(buffer, "BMP")
        bmp = SimpleUploadedFile("photo.bmp", buffer.getvalue(), content_type="image/bmp")

        response = signed_in.post(PROFILE, {**form_data(moscow, levels["Новичок"]), "photo": bmp})

        assert errors(response, "photo") == ["Это не изображение: подходят JPEG, PNG, GIF и WebP."]


class TestExistingProfile:
    @pytest.fixture
    def experienced(self, volunteer, moscow, levels):
        profile = volunteer_create(
            user=volunteer, phone_number="+79161234567", birth_date=date(1990, 1, 1), location=moscow
        )
        volunteer_choose_level(volunteer=profile, level=levels["Бывалый"])
        levels_confirm(record_ids=profile.level_records.values_list("pk", flat=True), confirmed_by=UserFactory())
        return profile

    def test_shows_level_badges_and_the_filled_form(self, signed_in, experienced):
        badge = Badge.objects.create(name="Первый выезд", description="За первый выезд")
        VolunteerBadge.objects.create(volunteer=experienced, badge=badge)

        page = signed_in.get(PROFILE).content.decode()

        assert '<span class="level-badge">Бывалый</span>' in page
        assert "Первый выезд" in page
        assert 'value="8 (916) 123-45-67"' in page  # the national format

    def test_lowering_is_confirmed_in_the_form_and_nothing_is_saved_before(
        self, signed_in, experienced, moscow, levels
    ):
        response = signed_in.post(PROFILE, form_data(moscow, levels["Новичок"], call_sign="Ястреб"))

        assert response.status_code == 200
        page = response.content.decode()
        assert "Анкета сохранена." not in page
        assert "Да, понизить уровень до «Новичок»" in page
        assert "Курсы уровня «Бывалый» станут недоступны." in page
        assert errors(response, "lowering_confirmed") == [
            "Сейчас подтверждён уровень «Бывалый». Отметьте, что понижаете его, и сохраните анкету ещё раз."
        ]
        experienced.refresh_from_db()
        assert experienced.call_sign != "Ястреб", "nothing saved yet"
        assert experienced.effective_level == levels["Бывалый"]

        confirmed = signed_in.post(
            PROFILE, form_data(moscow, levels["Новичок"], call_sign="Ястреб", lowering_confirmed="on"), follow=True
        )

        page = confirmed.content.decode()
        assert "Анкета сохранена." in page
        assert "Уровень изменён на «Новичок»." in page
        experienced.refresh_from_db()
        assert experienced.call_sign == "Ястреб"
        assert experienced.effective_level == levels["Новичок"]
        assert not VolunteerLevel.objects.filter(volunteer=experienced, level=levels["Бывалый"]).exists()

    def test_a_profile_saved_without_lowering_says_so_at_once(self, signed_in, experienced, moscow, levels):
        response = signed_in.post(PROFILE, form_data(moscow, levels["Бывалый"], call_sign="Ястреб"), follow=True)

        page = response.content.decode()
        assert "Анкета сохранена." in page
        assert "понизить" not in page.lower()
        experienced.refresh_from_db()
        assert (experienced.call_sign, experienced.effective_level) == ("Ястреб", levels["Бывалый"])

    def test_editing_keeps_the_other_volunteers_apart(self, client, experienced, moscow, levels):
        other = UserFactory()
        client.force_login(other)

        page = client.get(PROFILE).content.decode()

        assert "Заполните анкету" in page
        assert "+79161234567" not in page

    def test_the_page_runs_a_fixed_number_of_queries(self, signed_in, experienced, django_assert_max_num_queries):
        for number in range(5):
            badge = Badge.objects.create(name=f"Значок {number}")
            VolunteerBadge.objects.create(volunteer=experienced, badge=badge)

        with django_assert_max_num_queries(12):
            assert signed_in.get(PROFILE).status_code == 200
