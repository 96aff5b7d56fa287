from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User
from courses.models import Course
from methodics.models import Methodic
from problems.models import Task


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_a_user_for_every_role_with_the_documented_password():
    output = seed()

    assert "пользователи: 5" in output
    for email, first_name, _last_name, role in DEMO_USERS:
        user = authenticate(username=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert user.first_name == first_name
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert user.is_staff == (role != "Волонтёр")


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    seed()
    before = list(User.objects.order_by("pk").values())

    output = seed()

    assert "пользователи: 0" in output
    assert list(User.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_seed_demo_dry_run_writes_nothing():
    output = seed("--dry-run")

    assert "Пробный запуск, ничего не записано" in output
    assert "пользователи: 5" in output
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_accounts_have_confirmed_addresses_and_get_no_confirmation_letters(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        seed()

    users = User.objects.all()
    assert users
    assert [user.email for user in users if not user.email_confirmed] == []
    assert [mail.to for mail in mailoutbox if "Подтвердите электронную почту" in mail.subject] == []


@pytest.mark.django_db
def test_seed_demo_ends_with_a_short_summary_and_leaves_the_letters_in_files(
    settings, tmp_path, capsys, django_capture_on_commit_callbacks
):
    # As in development: the site's mail goes to files, and nothing but the command writes to stdout.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "emails")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")

    output = capsys.readouterr().out
    assert len(output.splitlines()) <= 5, output
    assert "Subject:" not in output
    totals = f"пользователей — {User.objects.count()}, курсов — {Course.objects.count()}, методик — "
    assert f"На сайте: {totals}{Methodic.objects.count()}, задач — {Task.objects.count()}" in output
    assert f"пароль {DEMO_PASSWORD}" in output
    assert "glavadmin@volna.example" in output
    assert f"Письма сайта — файлами в {tmp_path / 'emails'}." in output
    assert list((tmp_path / "emails").iterdir())
