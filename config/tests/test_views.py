import pytest
from django.test import Client
from django.urls import path

from accounts.tests.factories import UserFactory


def boom(request):
    raise RuntimeError("a bug that must not reach the visitor")


urlpatterns = [path("boom/", boom)]


@pytest.mark.django_db
class TestHome:
    def test_anonymous_sees_the_way_in(self, client):
        page = client.get("/").content.decode()

        assert "/accounts/register/" in page
        assert "/accounts/login/" in page
        assert "Администрирование" not in page
        assert "Выйти" not in page

    def test_volunteer_sees_their_name_and_no_admin_link(self, client, volunteer):
        client.force_login(volunteer)

        page = client.get("/").content.decode()

        assert volunteer.get_full_name() in page
        assert "Выйти" in page
        assert "Администрирование" not in page

    @pytest.mark.parametrize(
        ("url", "current"),
        [("/", "Главная"), ("/courses/", "Курсы"), ("/about/", "О платформе"), ("/courses/my/", "Мои курсы")],
    )
    def test_the_header_links_every_section_and_marks_the_current_one(self, client, volunteer, url, current):
        client.force_login(volunteer)

        header = client.get(url).content.decode().split("</header>")[0]

        for href in ["/", "/courses/", "/problems/", "/methodics/", "/projects/", "/about/", "/search/"]:
            assert f'href="{href}"' in header or f'action="{href}"' in header, href
        for href in ["/accounts/profile/", "/courses/my/", "/accounts/messages/", "/accounts/logout/"]:
            assert f'"{href}"' in header, href
        assert header.count('aria-current="page"') == 1
        assert f'aria-current="page">{current}<' in header

    @pytest.mark.parametrize("role", ["teacher", "administrator", "main_admin"])
    def test_staff_roles_see_the_admin_link(self, client, request, role):
        client.force_login(request.getfixturevalue(role))

        assert 'href="/admin/"' in client.get("/").content.decode()

    @pytest.mark.parametrize("url", ["/", "/about/"])
    def test_public_pages_run_few_queries_for_anonymous_and_users(self, client, django_assert_max_num_queries, url):
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200
        client.force_login(UserFactory())
        with django_assert_max_num_queries(2):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_about_page_names_the_roles(client):
    page = client.get("/about/").content.decode()

    for role in ("Волонтёр", "Преподаватель", "Администратор", "Главный администратор"):
        assert role in page


@pytest.mark.django_db
def test_page_language_and_landmarks(client):
    page = client.get("/").content.decode()

    assert '<html lang="ru">' in page
    for landmark in ('<header class="site-header">', '<main id="main"', "<footer", 'aria-label="Основная навигация"'):
        assert landmark in page


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_is_a_friendly_403(client, teacher):
    client.force_login(teacher)

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 403
    assert "Доступ запрещён" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.urls("config.tests.test_views")
def test_a_server_error_shows_a_friendly_page_without_the_trace():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Что-то пошло не так" in page
    assert "RuntimeError" not in page
    assert "Traceback" not in page


def test_healthz_answers_ok_without_a_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
