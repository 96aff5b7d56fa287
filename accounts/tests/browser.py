"""Signing in and out in the browser tests (Playwright pages)."""

from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD


def log_in(page, user, password: str = TEST_PASSWORD) -> None:
    """Through the login form; done when the page the user lands on offers «Выйти»."""
    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(user.email)
    page.get_by_label("Пароль:", exact=True).fill(password)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def log_out(page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Выйти").click()
