import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import ADMIN, MAIN_ADMIN, ROLES, TEACHER, VOLUNTEER
from accounts.services import user_register, user_set_roles
from accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def group_names(user):
    return set(user.groups.values_list("name", flat=True))


def test_the_four_roles_exist():
    assert set(Group.objects.filter(name__in=ROLES).values_list("name", flat=True)) == {
        "Главный администратор",
        "Администратор",
        "Преподаватель",
        "Волонтёр",
    }


def test_main_admin_holds_every_permission(main_admin):
    assert Permission.objects.exists()
    assert Group.objects.get(name=MAIN_ADMIN).permissions.count() == Permission.objects.count()
    assert main_admin.has_perms(["accounts.assign_roles", "accounts.delete_user"])


def test_administrator_manages_users_but_neither_assigns_roles_nor_deletes(administrator):
    assert administrator.has_perms(["accounts.view_user", "accounts.change_user", "accounts.add_user"])
    assert not administrator.has_perm("accounts.assign_roles")
    assert not administrator.has_perm("accounts.delete_user")


def test_teacher_holds_no_accounts_permission(teacher):
    assert not teacher.has_module_perms("accounts")
    assert not Group.objects.get(name=TEACHER).permissions.filter(content_type__app_label="accounts").exists()


def test_volunteer_holds_no_permission(volunteer):
    assert not Group.objects.get(name=VOLUNTEER).permissions.exists()
    assert volunteer.get_all_permissions() == set()


@pytest.mark.parametrize(
    ("roles", "is_staff"),
    [([MAIN_ADMIN], True), ([ADMIN], True), ([TEACHER], True), ([VOLUNTEER], False), ([TEACHER, VOLUNTEER], True)],
)
def test_set_roles_gives_exactly_those_groups_and_the_staff_status_they_imply(roles, is_staff):
    user = UserFactory(roles=[ADMIN, VOLUNTEER])

    user_set_roles(user=user, roles=roles)

    user.refresh_from_db()
    assert group_names(user) == set(roles)
    assert user.is_staff is is_staff


def test_set_roles_volunteer_takes_staff_status_away():
    user = UserFactory(roles=[TEACHER])
    assert user.is_staff

    user_set_roles(user=user, roles=[VOLUNTEER])

    user.refresh_from_db()
    assert not user.is_staff


def test_superuser_keeps_staff_status_as_a_volunteer():
    user = UserFactory(is_superuser=True, is_staff=True)

    user_set_roles(user=user, roles=[VOLUNTEER])

    user.refresh_from_db()
    assert user.is_staff


def test_register_creates_a_volunteer_named_after_the_email():
    user = user_register(email="ivan@volna.example", first_name="Иван", last_name="Петров", password=TEST_PASSWORD)

    user.refresh_from_db()
    assert user.username == "ivan"
    assert group_names(user) == {VOLUNTEER}
    assert not user.is_staff
    assert user.check_password(TEST_PASSWORD)


def test_register_makes_the_username_unique():
    first = user_register(email="ivan@volna.example", first_name="Иван", last_name="Петров", password=TEST_PASSWORD)
    second = user_register(email="ivan@mail.example", first_name="Иван", last_name="Сидоров", password=TEST_PASSWORD)

    assert first.username == "ivan"
    assert second.username == "ivan-2"


def test_register_rejects_an_email_taken_in_another_letter_case():
    user_register(email="ivan@volna.example", first_name="Иван", last_name="Петров", password=TEST_PASSWORD)

    with pytest.raises(ValidationError) as error:
        user_register(email="Ivan@Volna.Example", first_name="Иван", last_name="Другой", password=TEST_PASSWORD)

    assert "Пользователь с такой электронной почтой уже зарегистрирован." in error.value.messages
    assert User.objects.filter(email__iexact="ivan@volna.example").count() == 1
