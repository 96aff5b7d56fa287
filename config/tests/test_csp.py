"""The Content-Security-Policy header (django-csp): on every page of the site and of the
admin, with the directives settings name; and no page of the site needs what the policy
refuses — no inline <script>, no inline event handler."""

import re

import pytest
from django.urls import reverse

from accounts.roles import MAIN_ADMIN
from accounts.tests.factories import UserFactory
from courses.tests.factories import CourseFactory
from methodics.models import Methodic, MethodicMedia
from methodics.tests.factories import MethodicFactory
from problems.models import Task
from problems.tests.factories import SolutionFactory, TaskFactory
from projects.models import ProjectMember
from projects.tests.test_attendance import build_school

pytestmark = pytest.mark.django_db

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-src": ["https://www.youtube-nocookie.com", "https://rutube.ru", "https://vk.com"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'", "https://*.yandex.com", "https://*.yandex.ru"],
}
# What CKEditor 4 needs, where it runs: its toolbar's inline handlers, its inline styles.
EDITOR_POLICY = {**SITE_POLICY, "style-src": ["'self'", "'unsafe-inline'"], "script-src-attr": ["'unsafe-inline'"]}

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
EDITOR = 'data-type="ckeditortype"'


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";"))}


def test_a_site_page_has_the_sites_policy(client):
    response = client.get("/about/")

    assert policy(response) == SITE_POLICY


def test_an_error_page_has_it_too(client):
    assert policy(client.get("/problems/tasks/999999/")) == SITE_POLICY


def test_the_login_and_the_lock_out_pages_have_it(client):
    assert policy(client.get("/accounts/login/")) == SITE_POLICY
    assert policy(client.get("/admin/login/")) == EDITOR_POLICY


def test_an_admin_page_adds_what_the_rich_text_editor_needs(as_main_admin):
    methodic = MethodicFactory()

    assert policy(as_main_admin.get("/admin/")) == EDITOR_POLICY
    response = as_main_admin.get(f"/admin/methodics/methodic/{methodic.pk}/change/")
    assert EDITOR in response.content.decode()
    assert policy(response) == EDITOR_POLICY


@pytest.fixture
def site_pages(client):
    """Pages of every part of the site, as rendered for a main administrator (who reaches
    the most) and for an anonymous visitor: {url: response}."""
    main_admin = UserFactory(roles=[MAIN_ADMIN])
    task = TaskFactory(title="Поезда навстречу", author=main_admin, answer="60 км/ч")
    SolutionFactory(task=task)
    draft = TaskFactory(author=main_admin, status=Task.Status.DRAFT)
    methodic = MethodicFactory(title="Игра «Поезд»", author=main_admin, status=Methodic.Status.DRAFT)
    MethodicMedia.objects.create(
        methodic=MethodicFactory(),
        kind=MethodicMedia.Kind.LINK,
        url="https://rutube.ru/video/0123456789abcdef0123456789abcdef/",
        caption="Как играть",
    )
    course = CourseFactory()
    school = build_school()
    project = school.course.term.project
    ProjectMember.objects.create(project=project, user=main_admin, role="admin")
    anonymous = ["/accounts/login/", "/accounts/register/", "/accounts/password/reset/"]
    signed_in = [
        "/",
        "/about/",
        "/search/?q=поезд",
        reverse("courses:catalogue"),
        reverse("courses:detail", args=[course.pk]),
        reverse("courses:my_courses"),
        reverse("courses:review_queue"),
        reverse("certificates:my"),
        reverse("problems:blocks"),
        reverse("problems:block", args=[task.block_id]),
        reverse("problems:task", args=[task.pk]),
        reverse("problems:reference"),
        reverse("problems:favorites"),
        reverse("problems:random_variant"),
        reverse("problems:manual_variant"),
        reverse("problems:suggest"),
        reverse("problems:my_suggestions"),
        reverse("problems:edit_suggestion", args=[draft.pk]),
        reverse("methodics:list"),
        reverse("methodics:detail", args=[MethodicMedia.objects.get().methodic_id]),
        reverse("methodics:mine"),
        reverse("methodics:create"),
        reverse("methodics:edit", args=[methodic.pk]),
        reverse("projects:list"),
        reverse("projects:create"),
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:edit", args=[project.pk]),
        reverse("projects:term", args=[school.course.term_id]),
        reverse("projects:students", args=[project.pk]),
        reverse("projects:student", args=[school.anna.pk]),
        reverse("accounts:profile"),
        reverse("accounts:inbox"),
        reverse("accounts:message_compose"),
        reverse("accounts:password_change"),
        reverse("volunteers:profile"),
    ]
    pages = {url: client.get(url) for url in anonymous}
    client.force_login(main_admin)
    pages.update({url: client.get(url) for url in signed_in})
    return pages


def test_no_site_page_has_an_inline_script_or_event_handler(site_pages):
    assert {url: response.status_code for url, response in site_pages.items() if response.status_code != 200} == {}
    offending = {}
    for url, response in site_pages.items():
        html = response.content.decode()
        found = INLINE_SCRIPT.findall(html) + EVENT_HANDLER.findall(html) + SCRIPT_URL.findall(html)
        if found:
            offending[url] = found
    assert offending == {}


def test_the_site_pages_with_a_rich_text_editor_and_only_they_allow_what_it_needs(site_pages):
    with_editor = {url for url, response in site_pages.items() if EDITOR in response.content.decode()}
    assert {
        reverse("problems:suggest"),
        reverse("methodics:create"),
        reverse("projects:create"),
    } <= with_editor

    assert {url: policy(response) for url, response in site_pages.items()} == {
        url: EDITOR_POLICY if url in with_editor else SITE_POLICY for url in site_pages
    }
