"""The header's volunteers' links («Мои сертификаты», «Анкета волонтёра») by role: staff see
them once they have a volunteer profile; a volunteer without one yet is led to fill it in.
Teachers and administrators have «Мои задания», the class assignments they gave."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.context_processors import unread_messages
from accounts.roles import ADMIN, MAIN_ADMIN, STAFF_ROLES, TEACHER, VOLUNTEER
from accounts.tests.factories import UserFactory
from problems.assignments import may_assign
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

CERTIFICATES = 'href="/certificates/my/"'
VOLUNTEER_FORM = 'href="/volunteers/profile/"'
MY_ASSIGNMENTS = f'<a href="{reverse("problems:my_assignments")}"'


def header_of(user, *, backend: str | None = None) -> str:
    """The header of a page for `user`, signed in through `backend` (by default the first,
    whose user comes without the header's facts: they are then found when shown)."""
    client = Client()
    client.force_login(user, backend=backend)
    return client.get("/about/").content.decode().split("</header>")[0]


@pytest.mark.parametrize(
    ("role", "with_profile", "sees_certificates", "sees_form"),
    [
        (VOLUNTEER, False, False, True),
        (VOLUNTEER, True, True, True),
        (TEACHER, False, False, False),
        (TEACHER, True, True, True),
        (ADMIN, False, False, False),
        (ADMIN, True, True, True),
        (MAIN_ADMIN, False, False, False),
        (None, False, False, True),  # an account without a role yet
    ],
)
@pytest.mark.parametrize("backend", [None, "accounts.backends.EmailBackend"])
def test_volunteers_links_by_role_and_profile(role, with_profile, sees_certificates, sees_form, backend):
    user = UserFactory(roles=[role] if role else [])
    if with_profile:
        VolunteerFactory(user=user)

    header = header_of(user, backend=backend)

    assert "Мои курсы" in header
    assert (CERTIFICATES in header) is sees_certificates
    assert (VOLUNTEER_FORM in header) is sees_form


def test_anonymous_visitors_see_neither(client):
    header = client.get("/about/").content.decode().split("</header>")[0]

    assert CERTIFICATES not in header
    assert VOLUNTEER_FORM not in header


@pytest.mark.parametrize("role", [VOLUNTEER, TEACHER, ADMIN, MAIN_ADMIN, None])
def test_my_assignments_is_for_those_who_may_assign(role):
    user = UserFactory(roles=[role] if role else [])

    header = header_of(user)

    # The header asks `is_staff`, which it has at no cost: the roles that make staff are
    # exactly those that may give assignments.
    assert may_assign(user) is (role in STAFF_ROLES)
    assert (MY_ASSIGNMENTS in header) is (role in STAFF_ROLES)
    assert ("Мои задания" in header) is (role in STAFF_ROLES)


def test_anonymous_visitors_have_no_assignments_link(client):
    assert "Мои задания" not in client.get("/about/").content.decode().split("</header>")[0]


def test_my_assignments_is_marked_on_its_page(client, teacher):
    client.force_login(teacher)

    header = client.get(reverse("problems:my_assignments")).content.decode().split("</header>")[0]

    assert f'{MY_ASSIGNMENTS} aria-current="page">Мои задания</a>' in header


def test_the_header_facts_of_a_user_loaded_otherwise_take_one_query(teacher, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = teacher  # not through signed_in_user: no annotations
    VolunteerFactory(user=teacher)

    with django_assert_num_queries(0):
        context = unread_messages(request)
    with django_assert_num_queries(1):
        assert context["unread_message_count"] == 0
        assert context["has_volunteer_profile"]


def test_the_header_facts_come_with_the_signed_in_user(client, teacher, django_assert_max_num_queries):
    client.force_login(teacher, backend="accounts.backends.EmailBackend")

    # the session (cached), and the user with both facts in one query
    with django_assert_max_num_queries(2):
        page = client.get("/about/").content.decode()
    assert VOLUNTEER_FORM not in page
