"""Where people land after signing in (issue 20): volunteers on «Мои курсы», teachers on
the review queue, administrators on the admin index — unless `next` says otherwise; the
same after a sign-in through Yandex ID."""

import pytest
from django.urls import reverse

from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.test_yandex import log_in_with_yandex, yandex  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

LANDINGS = [
    ([VOLUNTEER], "courses:my_courses"),
    ([TEACHER], "courses:review_queue"),
    ([ADMIN], "admin:index"),
    ([MAIN_ADMIN], "admin:index"),
    ([TEACHER, ADMIN], "admin:index"),
]


def log_in(client, user, **query):
    url = reverse("accounts:login") + ("?next=" + query["next"] if query else "")
    return client.post(url, {"username": user.email, "password": TEST_PASSWORD})


@pytest.mark.parametrize(("roles", "landing"), LANDINGS)
def test_each_role_lands_on_its_own_page_which_opens(client, roles, landing):
    user = UserFactory(roles=roles)

    response = log_in(client, user)

    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("roles", [[VOLUNTEER], [TEACHER], [ADMIN]])
def test_next_still_wins(client, roles):
    response = log_in(client, UserFactory(roles=roles), next="/methodics/")

    assert response["Location"] == "/methodics/"


def test_a_next_to_another_site_is_ignored(client):
    response = log_in(client, UserFactory(roles=[TEACHER]), next="https://evil.example/")

    assert response["Location"] == reverse("courses:review_queue")


def test_a_signed_in_user_opening_the_login_page_is_sent_on_by_role(client):
    client.force_login(UserFactory(roles=[TEACHER]))

    assert client.get(reverse("accounts:login"))["Location"] == reverse("courses:review_queue")


@pytest.mark.parametrize(("roles", "landing"), LANDINGS[:3])
def test_the_landing_view_redirects_by_role(client, roles, landing):
    client.force_login(UserFactory(roles=roles))

    assert client.get(reverse("accounts:landing"))["Location"] == reverse(landing)


def test_a_returning_yandex_user_lands_by_role(client, yandex):  # noqa: F811
    log_in_with_yandex(client)  # the first sign-in creates the account and opens its profile
    client.post(reverse("accounts:logout"))

    response = log_in_with_yandex(client)

    assert response["Location"] == reverse("accounts:landing")
    assert client.get(response["Location"])["Location"] == reverse("courses:my_courses")
