"""A volunteer asks for «Бывалый», an administrator confirms it in the admin, the
volunteer sees the level confirmed and has the message."""

from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.roles import ADMIN
from accounts.tests.browser import log_in, log_out
from accounts.tests.factories import UserFactory
from volunteers.models import Location
from volunteers.services import volunteer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_level_request_confirmed_by_an_administrator(page):
    moscow = Location.objects.create(code=77, region="Москва")
    volunteer = UserFactory(first_name="Павел", last_name="Громов", roles=["Волонтёр"])
    volunteer_create(user=volunteer, phone_number="+79161234567", birth_date=date(1995, 4, 1), location=moscow)
    administrator = UserFactory(roles=[ADMIN])

    log_in(page, volunteer)
    page.goto("/volunteers/profile/")
    page.get_by_label("Бывалый").check()
    page.get_by_role("button", name="Сохранить анкету").click()
    expect(page.get_by_role("note")).to_contain_text("Заявка на уровень «Бывалый» ожидает подтверждения")
    log_out(page)

    log_in(page, administrator)
    page.goto("/admin/volunteers/pendinglevel/")
    row = page.get_by_role("row").filter(has_text="Громов")
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Действие").select_option(label="Подтвердить уровень")
    page.get_by_role("button", name="Выполнить").click()
    expect(page.get_by_text("Подтверждено заявок: 1.")).to_be_visible()
    log_out(page)

    log_in(page, volunteer)
    page.goto("/volunteers/profile/")
    expect(page.locator(".level-badge")).to_have_text("Бывалый")
    expect(page.get_by_role("note")).to_have_count(0)
    page.get_by_role("link", name="Сообщения").click()
    page.get_by_role("link", name="Уровень «Бывалый» подтверждён").click()
    expect(page.get_by_role("heading", name="Уровень «Бывалый» подтверждён")).to_be_visible()


def test_the_photo_is_replaced_and_deleted_by_its_labelled_controls(page, tmp_path):
    import io

    from PIL import Image

    moscow = Location.objects.create(code=77, region="Москва")
    volunteer = UserFactory(first_name="Вера", last_name="Лебедева", roles=["Волонтёр"])
    volunteer_create(user=volunteer, phone_number="+79161234567", birth_date=date(1995, 4, 1), location=moscow)
    picture = tmp_path / "я.png"
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (11, 92, 173)).save(buffer, "PNG")
    picture.write_bytes(buffer.getvalue())

    log_in(page, volunteer)
    page.goto("/volunteers/profile/")
    page.get_by_label("Загрузить").set_input_files(picture)
    page.get_by_role("button", name="Сохранить анкету").click()
    expect(page.get_by_text("Анкета сохранена.")).to_be_visible()
    expect(page.get_by_role("img", name="Ваша фотография")).to_be_visible()
    # Shown, not a broken picture: the browser decoded it (waits for the thumbnail to load).
    page.get_by_role("img", name="Ваша фотография").evaluate(
        "img => img.complete && img.naturalWidth ? true : new Promise((loaded, failed) => {"
        " img.onload = () => img.naturalWidth ? loaded(true) : failed(new Error('empty picture'));"
        " img.onerror = () => failed(new Error('the picture did not load')); })"
    )

    page.get_by_label("Заменить").set_input_files(picture)
    page.get_by_label("Удалить").check()  # both: refused, in the words of these controls
    page.get_by_role("button", name="Сохранить анкету").click()
    expect(page.get_by_text("Выберите новый файл или отметьте «Удалить», но не то и другое сразу.")).to_be_visible()
    expect(page.get_by_role("img", name="Ваша фотография")).to_be_visible()

    page.get_by_label("Удалить").check()
    page.get_by_role("button", name="Сохранить анкету").click()
    expect(page.get_by_text("Анкета сохранена.")).to_be_visible()
    expect(page.get_by_role("img", name="Ваша фотография")).to_have_count(0)
    expect(page.get_by_label("Загрузить")).to_be_visible()
