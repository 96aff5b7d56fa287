import pytest
from django import forms
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import MAIN_ADMIN, TEACHER, VOLUNTEER
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from methodics.tests.factories import MethodicFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/user/"
ADD = "/admin/accounts/user/add/"


def change_url(user):
    return f"/admin/accounts/user/{user.pk}/change/"


def group_names(user):
    return set(user.groups.values_list("name", flat=True))


def change_form_data(client, user, **overrides):
    """The POST data of the user's change page as rendered, with `overrides` applied."""
    form = client.get(change_url(user)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, forms.FileField):  # no upload: the file stays
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return {**data, **overrides}


def add_form_data(**overrides):
    return {
        "username": "novikova",
        "email": "novikova@volna.example",
        "first_name": "Анна",
        "last_name": "Новикова",
        "password1": TEST_PASSWORD,
        "password2": TEST_PASSWORD,
        "usable_password": "true",
        **overrides,
    }


def assert_redirects_to_admin_login(response):
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# --- Who enters ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", CHANGELIST])
def test_anonymous_is_sent_to_admin_login(client, url):
    assert_redirects_to_admin_login(client.get(url))


def test_volunteer_is_sent_to_admin_login(client, volunteer):
    client.force_login(volunteer)

    assert_redirects_to_admin_login(client.get("/admin/"))


def test_teacher_enters_admin_but_not_the_users(client, teacher):
    client.force_login(teacher)

    assert client.get("/admin/").status_code == 200
    assert client.get(CHANGELIST).status_code == 403


# --- Administrator -------------------------------------------------------------------


def test_administrator_lists_users(client, administrator):
    other = UserFactory(email="lebedev@volna.example")
    client.force_login(administrator)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert other in response.context["cl"].result_list
    assert "lebedev@volna.example" in response.content.decode()


def test_administrator_sees_groups_read_only(client, administrator):
    other = UserFactory(roles=[VOLUNTEER])
    client.force_login(administrator)

    response = client.get(change_url(other))

    assert response.status_code == 200
    assert 'name="groups"' not in response.content.decode()
    assert "groups" not in response.context["adminform"].form.fields


def test_administrator_cannot_change_groups(client, administrator):
    other = UserFactory(roles=[VOLUNTEER])
    client.force_login(administrator)
    roles = Group.objects.filter(name__in=[MAIN_ADMIN, TEACHER])
    data = change_form_data(client, other, first_name="Пётр", groups=[group.pk for group in roles])

    response = client.post(change_url(other), data)

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.first_name == "Пётр"
    assert group_names(other) == {VOLUNTEER}
    assert not other.is_staff


def test_administrator_cannot_delete_users(client, administrator):
    other = UserFactory()
    client.force_login(administrator)

    assert client.get(f"/admin/accounts/user/{other.pk}/delete/").status_code == 403
    assert client.post(f"/admin/accounts/user/{other.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=other.pk).exists()


# --- Main administrator --------------------------------------------------------------


def test_main_admin_searches_users_by_email(client, main_admin):
    wanted = UserFactory(email="orlova@volna.example")
    UserFactory.create_batch(3)
    client.force_login(main_admin)

    response = client.get(CHANGELIST, {"q": "orlova@volna.example"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [wanted]


def test_main_admin_adds_a_user_who_becomes_a_volunteer(client, main_admin):
    client.force_login(main_admin)
    assert client.get(ADD).status_code == 200

    response = client.post(ADD, add_form_data())

    assert response.status_code == 302
    user = User.objects.get(username="novikova")
    assert user.email == "novikova@volna.example"
    assert user.check_password(TEST_PASSWORD)
    assert group_names(user) == {VOLUNTEER}
    assert not user.is_staff


def test_add_form_rejects_an_email_taken_in_another_letter_case(client, main_admin):
    UserFactory(email="novikova@volna.example")
    client.force_login(main_admin)

    response = client.post(ADD, add_form_data(email="Novikova@Volna.Example"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [
        "Пользователь с такой электронной почтой уже зарегистрирован."
    ]
    assert not User.objects.filter(username="novikova").exists()


def test_main_admin_assigns_roles_and_staff_status_follows(client, main_admin):
    other = UserFactory(roles=[VOLUNTEER])
    client.force_login(main_admin)
    teacher_group, volunteer_group = Group.objects.get(name=TEACHER), Group.objects.get(name=VOLUNTEER)

    response = client.post(change_url(other), change_form_data(client, other, groups=[teacher_group.pk]))

    assert response.status_code == 302
    other.refresh_from_db()
    assert group_names(other) == {TEACHER}
    assert other.is_staff

    response = client.post(change_url(other), change_form_data(client, other, groups=[volunteer_group.pk]))

    assert response.status_code == 302
    other.refresh_from_db()
    assert group_names(other) == {VOLUNTEER}
    assert not other.is_staff


@pytest.mark.parametrize("users", [5, 20])
def test_changelist_queries_do_not_grow_with_users(client, main_admin, django_assert_max_num_queries, users):
    UserFactory.create_batch(users, roles=[VOLUNTEER])
    client.force_login(main_admin)

    with django_assert_max_num_queries(10):
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == users + 1


# --- Accounts with the highest rights ---------------------------------------------------


@pytest.mark.parametrize("target", ["main_admin", "superuser"])
def test_administrator_cannot_take_over_a_main_administrator(client, administrator, main_admin, target):
    victim = main_admin if target == "main_admin" else UserFactory(is_superuser=True, is_staff=True)
    client.force_login(administrator)

    password_page = client.post(
        f"/admin/accounts/user/{victim.pk}/password/",
        {"password1": "Захват-2026-пароль", "password2": "Захват-2026-пароль", "usable_password": "true"},
    )
    client.post(change_url(victim), {"username": victim.username, "email": "thief@example.ru"})

    assert password_page.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(TEST_PASSWORD)
    assert victim.email != "thief@example.ru"
    assert client.get(change_url(victim)).status_code == 200, "still viewable, read-only"


def test_main_admin_may_change_another_main_administrator(client, main_admin):
    other = UserFactory(roles=[MAIN_ADMIN])
    client.force_login(main_admin)

    response = client.post(
        f"/admin/accounts/user/{other.pk}/password/",
        {"password1": "Новый-2026-пароль", "password2": "Новый-2026-пароль", "usable_password": "true"},
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.check_password("Новый-2026-пароль")


def test_a_name_changed_in_the_admin_shows_on_the_kept_public_pages_at_once(client, as_administrator):
    author = UserFactory(roles=[TEACHER], first_name="Анна", last_name="Зайцева")
    MethodicFactory(title="Снежный ком", author=author)
    assert "Анна Зайцева" in client.get("/methodics/").content.decode()  # kept for visitors now

    data = change_form_data(as_administrator, author, last_name="Петрова")
    assert as_administrator.post(change_url(author), data).status_code == 302

    page = client.get("/methodics/").content.decode()
    assert "Анна Петрова" in page and "Зайцева" not in page
