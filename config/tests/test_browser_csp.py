"""The Content-Security-Policy in a real browser: the site's pages with JavaScript and the
rich-text editor, on the site and in the admin, still work, and Chromium reports no
violation of the policy."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import MAIN_ADMIN
from accounts.tests.browser import log_in
from accounts.tests.factories import UserFactory
from methodics.tests.factories import MethodicFactory
from problems.tests.factories import SolutionFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium logs each violation to the console; the page's event says it once more.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Content Security Policy violation: " + event.violatedDirective + " " + event.blockedURI);
});
"""
EDITORS_READY = """count => window.CKEDITOR && Object.keys(CKEDITOR.instances).length === count
  && Object.values(CKEDITOR.instances).every(editor => editor.status === "ready")"""


def watch_policy(page) -> tuple[list[str], list[str]]:
    """The console messages about the policy, and the pages served without one, as the
    pages go on."""
    violations, unprotected = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "response",
        lambda response: (
            response.request.resource_type == "document"
            and "content-security-policy" not in response.headers
            and unprotected.append(response.url)
        ),
    )
    return violations, unprotected


def bold_in_first_editor(page):
    """Presses the editor's «Полужирный» button — an inline event handler of CKEditor's —
    and returns whether the command turned on."""
    page.locator(".cke_button__bold").first.click()
    return page.evaluate("Object.values(CKEDITOR.instances)[0].getCommand('bold').state === CKEDITOR.TRISTATE_ON")


def test_pages_with_javascript_and_the_rich_text_editor_run_within_the_policy(page):
    main_admin = UserFactory(roles=[MAIN_ADMIN])
    task = TaskFactory(title="Сумма дробей", statement="<p>Найдите ½ + ¼.</p>", answer="¾")
    SolutionFactory(task=task, title="Разбор", text="<p>½ + ¼ = ¾.</p>")
    methodic = MethodicFactory(title="Снежный ком")
    violations, unprotected = watch_policy(page)

    log_in(page, main_admin)

    # The task page: «Показать ответ» fetches the answer (static/js/problems.js).
    page.goto(task.get_absolute_url())
    page.get_by_role("button", name="Показать ответ").click()
    expect(page.get_by_text("½ + ¼ = ¾.")).to_be_visible()

    # Suggesting a task: the virtual keyboard, CKEditor on the site, «Добавить ещё решение».
    page.goto("/problems/suggest/")
    page.wait_for_function(EDITORS_READY, arg=2)
    page.locator("#id_title").click()
    page.get_by_role("button", name="Вставить знак корня").click()
    expect(page.locator("#id_title")).to_have_value("√")
    assert bold_in_first_editor(page)
    page.get_by_role("button", name="Добавить ещё решение").click()
    page.wait_for_function(EDITORS_READY, arg=3)

    # A project and a methodic on the site, then a methodic in the admin, with their editors.
    page.goto("/projects/new/")
    page.wait_for_function(EDITORS_READY, arg=1)
    page.goto("/methodics/new/")
    page.wait_for_function(EDITORS_READY, arg=1)
    page.goto(f"/admin/methodics/methodic/{methodic.pk}/change/")
    page.wait_for_function(EDITORS_READY, arg=1)
    page.locator(".cke_editable").click()
    page.keyboard.press("Control+End")
    assert bold_in_first_editor(page)
    page.keyboard.type("Мяч по кругу.")
    for dialog in ("link", "image", "table", "specialchar"):
        page.locator(f".cke_button__{dialog}").click()
        expect(page.locator(".cke_dialog").last).to_be_visible()
        page.locator(".cke_dialog_ui_button_cancel").last.click()
        expect(page.locator(".cke_dialog").last).to_be_hidden()
    page.locator(".cke_combo__format .cke_combo_button").click()
    page.frame_locator(".cke_combopanel iframe").get_by_text("Заголовок 2").click()
    page.locator(".cke_button__source").click()
    expect(page.locator("textarea.cke_source")).to_have_value(re.compile("<h2>"))
    page.locator(".cke_button__source").click()
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    methodic.refresh_from_db()
    assert "<strong>Мяч по кругу.</strong>" in methodic.description

    # The admin's task: editors and the keyboard.
    page.goto(f"/admin/problems/task/{task.pk}/change/")
    page.wait_for_function("() => window.CKEDITOR && Object.values(CKEDITOR.instances).some(e => e.status === 'ready')")
    expect(page.get_by_role("button", name="Вставить знак корня")).to_be_visible()

    assert violations == []
    assert unprotected == []


def test_the_api_docs_render_within_the_policy(page, live_server):
    """/api/docs/: Swagger UI from the site's static files and its start-up script from the
    view (no inline script or style), with the schema's operations and the Bearer scheme."""
    violations, unprotected = watch_policy(page)
    outside = []
    page.on("request", lambda request: request.url.startswith(live_server.url) or outside.append(request.url))

    page.goto("/api/docs/")
    expect(page.get_by_text("A token pair for an email and password")).to_be_visible()
    expect(page.get_by_text("The signed-in user, roles and volunteer profile")).to_be_visible()
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.get_by_text("jwtAuth  (http, Bearer)")).to_be_visible()

    assert violations == []
    assert unprotected == []
    assert outside == []
