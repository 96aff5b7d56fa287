"""Karma: each rule earns (or takes) its points once, nobody earns from their own content,
the ledger and the total agree (recount_karma restores them), and the admin shows both."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client

from accounts.admin import UserAdmin
from accounts.karma import karma_award, karma_recount, karma_withdraw
from accounts.models import KarmaEntry, User
from accounts.roles import MAIN_ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import signed_in
from methodics.models import Comment, Methodic
from methodics.services import comment_hide, methodic_publish, methodic_unpublish
from methodics.tests.factories import MethodicFactory, add_step
from problems.models import Task
from problems.services import task_approve, task_submit
from problems.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

Reason = KarmaEntry.Reason


def karma_of(user: User) -> int:
    user.refresh_from_db(fields=["karma"])
    return user.karma


def ledger_of(user: User) -> list[tuple[str, int]]:
    return sorted(KarmaEntry.objects.filter(user=user).values_list("reason", "points"))


@pytest.fixture
def author(db):
    return UserFactory(roles=[TEACHER], first_name="Анна", last_name="Автор")


@pytest.fixture
def methodic_moderator(db):
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return user


def draft_by(author: User) -> Methodic:
    methodic = MethodicFactory(author=author, status=Methodic.Status.DRAFT, published_at=None)
    add_step(methodic)
    return methodic


# --- Publishing a methodic: +10 once ----------------------------------------------------


def test_a_published_methodic_earns_its_author_ten_points_once(author):
    methodic = draft_by(author)

    methodic_publish(methodic=methodic)
    methodic_unpublish(methodic=methodic, by=author)
    methodic_publish(methodic=methodic)

    assert karma_of(author) == 10
    assert ledger_of(author) == [(Reason.METHODIC_PUBLISHED, 10)]
    entry = KarmaEntry.objects.get(user=author)
    assert entry.obj == methodic


def test_a_methodic_published_by_a_moderator_earns_its_author_not_the_moderator(author, methodic_moderator):
    methodic = draft_by(author)

    methodic_publish(methodic=methodic)  # the admin's action and the authoring page call it alike

    assert karma_of(author) == 10
    assert karma_of(methodic_moderator) == 0


def test_two_methodics_earn_twice(author):
    methodic_publish(methodic=draft_by(author))
    methodic_publish(methodic=draft_by(author))

    assert karma_of(author) == 20


# --- An approved suggestion: +5 once -----------------------------------------------------


def suggested_by(author: User) -> Task:
    task = TaskFactory(author=author, status=Task.Status.DRAFT)
    return task_submit(task=task, author=author)


def test_an_approved_suggestion_earns_its_author_five_points_once(author, administrator):
    task = suggested_by(author)

    task_approve(task=task, moderator=administrator)
    task_submit(task=task, author=author)  # edited and approved again
    task_approve(task=task, moderator=administrator)

    assert karma_of(author) == 5
    assert ledger_of(author) == [(Reason.SUGGESTION_APPROVED, 5)]
    assert karma_of(administrator) == 0


def test_a_moderator_approving_their_own_suggestion_earns_nothing(administrator):
    task = suggested_by(administrator)

    task_approve(task=task, moderator=administrator)

    assert Task.objects.get(pk=task.pk).status == Task.Status.PUBLISHED
    assert karma_of(administrator) == 0
    assert not KarmaEntry.objects.exists()


# --- A comment hidden by a moderator: −2 once ------------------------------------------


def test_a_comment_hidden_by_a_moderator_costs_its_writer_two_points_once(author, volunteer, methodic_moderator):
    comment = Comment.objects.create(methodic=MethodicFactory(author=author), author=volunteer, text="Реклама")

    comment_hide(comment=comment, by=methodic_moderator)
    comment_hide(comment=comment, by=methodic_moderator)

    assert karma_of(volunteer) == -2
    assert ledger_of(volunteer) == [(Reason.COMMENT_HIDDEN, -2)]


def test_a_moderator_hiding_their_own_comment_loses_nothing(author, methodic_moderator):
    comment = Comment.objects.create(
        methodic=MethodicFactory(author=author), author=methodic_moderator, text="Опечатка"
    )

    comment_hide(comment=comment, by=methodic_moderator)

    assert Comment.objects.get(pk=comment.pk).is_hidden
    assert karma_of(methodic_moderator) == 0
    assert not KarmaEntry.objects.exists()


def test_a_comment_hidden_by_the_methodics_author_alone_costs_nothing(author, volunteer):
    comment = Comment.objects.create(methodic=MethodicFactory(author=author), author=volunteer, text="Не согласен")

    comment_hide(comment=comment, by=author)

    assert Comment.objects.get(pk=comment.pk).is_hidden
    assert karma_of(volunteer) == 0


# --- The services themselves ----------------------------------------------------------------


def test_an_award_for_ones_own_action_and_a_repeated_award_change_nothing(author, teacher):
    methodic = MethodicFactory(author=author)

    assert karma_award(user=author, reason=Reason.METHODIC_PUBLISHED, obj=methodic, by=author) is None
    assert karma_award(user=author, reason=Reason.METHODIC_PUBLISHED, obj=methodic, by=teacher) is not None
    assert karma_award(user=author, reason=Reason.METHODIC_PUBLISHED, obj=methodic, by=teacher) is None

    assert karma_of(author) == 10


def test_a_withdrawal_takes_the_points_and_the_line_once(author, teacher):
    methodic = MethodicFactory(author=author)
    karma_award(user=author, reason=Reason.METHODIC_PUBLISHED, obj=methodic, by=None)

    assert karma_withdraw(user=author, reason=Reason.METHODIC_PUBLISHED, obj=methodic) is True
    assert karma_withdraw(user=author, reason=Reason.METHODIC_PUBLISHED, obj=methodic) is False

    assert karma_of(author) == 0
    assert not KarmaEntry.objects.exists()


def test_the_points_come_from_the_settings(author, settings):
    settings.KARMA_POINTS = {**settings.KARMA_POINTS, "methodic_published": 7}

    methodic_publish(methodic=draft_by(author))

    assert karma_of(author) == 7


# --- recount_karma --------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("recount_karma", *args, stdout=out)
    return out.getvalue()


def test_recount_restores_a_total_changed_by_hand_and_a_dry_run_only_shows_it(author, teacher):
    methodic_publish(methodic=draft_by(author))
    User.objects.filter(pk=author.pk).update(karma=42)

    shown = run("--dry-run")

    assert f"(id {author.pk}, {author.username}): хранится 42, по журналу 10" in shown
    assert "Пробный запуск, ничего не изменено. Расходится: 1 пользователь." in shown
    assert karma_of(author) == 42

    fixed = run()

    assert "хранится 42, по журналу 10" in fixed and "Исправлено: 1 пользователь." in fixed
    assert karma_of(author) == 10
    assert karma_of(teacher) == 0

    again = run()

    assert "исправлять нечего" in again and "Исправлено" not in again
    assert karma_of(author) == 10


def test_recount_counts_people_in_russian_and_zeroes_a_total_without_a_ledger(db):
    users = [UserFactory() for _ in range(3)]
    User.objects.filter(pk__in=[user.pk for user in users]).update(karma=5)

    assert "Исправлено: 3 пользователя." in run()
    assert [karma_of(user) for user in users] == [0, 0, 0]
    assert karma_recount(dry_run=True) == []


# --- Shown on the methodics' pages, kept pages too -------------------------------------


def test_the_karma_badge_follows_an_award_on_a_kept_page(client, author, administrator):
    methodic = draft_by(author)
    methodic_publish(methodic=methodic)
    assert "карма 10" in client.get("/methodics/").content.decode()
    assert "карма 10" in client.get(f"/methodics/{methodic.pk}/").content.decode()

    task_approve(task=suggested_by(author), moderator=administrator)  # the problem bank's event

    assert "карма 15" in client.get("/methodics/").content.decode()
    assert "карма 15" in client.get(f"/methodics/{methodic.pk}/").content.decode()


# --- The admin --------------------------------------------------------------------------------


def karma_column() -> int:
    return list(UserAdmin.list_display).index("karma") + 1


def test_the_admins_user_list_sorts_by_karma(administrator):
    low, high, middle = UserFactory(), UserFactory(), UserFactory()
    for user, karma in ((low, -2), (high, 30), (middle, 5)):
        User.objects.filter(pk=user.pk).update(karma=karma)
    staff = signed_in(UserFactory(roles=[MAIN_ADMIN]))

    response = staff.get("/admin/accounts/user/", {"o": f"-{karma_column()}"})

    assert response.status_code == 200
    listed = [user.pk for user in response.context["cl"].result_list if user.pk in {low.pk, high.pk, middle.pk}]
    assert listed == [high.pk, middle.pk, low.pk]
    ascending = staff.get("/admin/accounts/user/", {"o": str(karma_column())}).context["cl"].result_list
    assert [user.pk for user in ascending if user.pk in {low.pk, high.pk, middle.pk}] == [low.pk, middle.pk, high.pk]
    assert "column-karma" in response.content.decode()


def test_the_user_page_shows_karma_read_only_and_links_the_ledger(author, administrator):
    methodic_publish(methodic=draft_by(author))
    staff = signed_in(administrator)

    response = staff.get(f"/admin/accounts/user/{author.pk}/change/")

    assert response.status_code == 200
    assert "karma" not in response.context["adminform"].form.fields
    page = response.content.decode()
    ledger_url = f"/admin/accounts/karmaentry/?user__id__exact={author.pk}"
    assert f'href="{ledger_url}">1 запись</a>' in page

    ledger = staff.get(ledger_url)

    assert ledger.status_code == 200
    assert [entry.user_id for entry in ledger.context["cl"].result_list] == [author.pk]
    assert "Методика опубликована" in ledger.content.decode() and methodic_title(author) in ledger.content.decode()


def methodic_title(author: User) -> str:
    return Methodic.objects.get(author=author).title


def test_the_ledger_is_read_only_in_the_admin(author, administrator):
    methodic_publish(methodic=draft_by(author))
    entry = KarmaEntry.objects.get()
    staff = signed_in(administrator)

    assert staff.get("/admin/accounts/karmaentry/add/").status_code == 403
    assert staff.get(f"/admin/accounts/karmaentry/{entry.pk}/delete/").status_code == 403
    view = staff.get(f"/admin/accounts/karmaentry/{entry.pk}/change/")
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()
    staff.post(f"/admin/accounts/karmaentry/{entry.pk}/change/", {"points": "100"})
    assert KarmaEntry.objects.get().points == 10


@pytest.mark.parametrize("role", [TEACHER, None])
def test_the_ledger_is_not_for_teachers_nor_volunteers(role, volunteer):
    user = UserFactory(roles=[role]) if role else volunteer
    response = Client().get("/admin/accounts/karmaentry/")
    assert response.status_code == 302  # anonymous: the admin's login
    response = signed_in(user).get("/admin/accounts/karmaentry/")
    assert response.status_code in (302, 403)
