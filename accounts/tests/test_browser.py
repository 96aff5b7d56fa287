"""The first journey in a real browser: register, log out, log in, edit the profile."""

import pytest
from playwright.sync_api import expect

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Волна-пароль-2026"


def test_register_log_out_log_in_and_edit_the_profile(page):
    page.goto("/accounts/register/")
    page.get_by_label("Имя:", exact=True).fill("Светлана")
    page.get_by_label("Фамилия").fill("Николаева")
    page.get_by_label("Электронная почта").fill("sveta@example.ru")
    page.get_by_label("Пароль:", exact=True).fill(PASSWORD)
    page.get_by_label("Пароль ещё раз").fill(PASSWORD)
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.get_by_role("heading", name="Профиль")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Учётная запись создана")

    page.get_by_role("button", name="Выйти").click()
    account_nav = page.get_by_role("navigation", name="Учётная запись")
    expect(account_nav).not_to_contain_text("Светлана")

    account_nav.get_by_role("link", name="Войти").click()
    page.get_by_label("Электронная почта").fill("SVETA@example.ru")
    page.get_by_label("Пароль:", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Мои курсы")).to_be_visible()  # a volunteer's landing page
    page.goto("/accounts/profile/")
    expect(page.get_by_label("Имя:", exact=True)).to_have_value("Светлана")

    page.get_by_label("Фамилия").fill("Николаева-Орлова")
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_role("status")).to_contain_text("Профиль сохранён.")
    expect(page.get_by_role("navigation", name="Учётная запись")).to_contain_text("Светлана Николаева-Орлова")
    assert User.objects.get(email="sveta@example.ru").last_name == "Николаева-Орлова"


def test_registration_errors_show_beside_the_fields(page):
    page.goto("/accounts/register/")
    page.get_by_label("Электронная почта").fill("не-почта")
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.locator(".field-invalid").first).to_be_visible()
    expect(page.get_by_text("Введите правильный адрес электронной почты.")).to_be_visible()
    expect(page.get_by_text("Обязательное поле.").first).to_be_visible()
