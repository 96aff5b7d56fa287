"""Moderation of suggested tasks in the admin: the queue, the preview, «Одобрить» and
«Отклонить» (with the reason asked on an intermediate page) — for administrators and for
teachers given `problems.moderate_task` by hand, never for the other teachers."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.models import Message
from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from problems.models import Task
from problems.tests.factories import SolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

TASKS = "/admin/problems/task/"
QUEUE = f"{TASKS}?status__exact=moderation"


def preview_url(task) -> str:
    return f"{TASKS}{task.pk}/preview/"


def action_data(action, *tasks, **extra) -> dict:
    return {"action": action, "_selected_action": [task.pk for task in tasks], "index": 0, **extra}


def reject_data(*tasks, reason: str) -> dict:
    """The intermediate page's form, as sent with «Отклонить»."""
    return {"action": "reject_tasks", "_selected_action": [task.pk for task in tasks], "apply": "1", "reason": reason}


def action_names(response) -> set[str]:
    action_form = response.context["action_form"]
    return {name for name, _label in action_form.fields["action"].choices} if action_form else set()


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def notes_to(user) -> list[Message]:
    return list(Message.objects.filter(recipient=user).order_by("pk"))


def moderate_by_hand(user):
    user.user_permissions.add(Permission.objects.get(content_type__app_label="problems", codename="moderate_task"))
    return user


@pytest.fixture
def author(db):
    return UserFactory(roles=[TEACHER], first_name="Ирина", last_name="Соколова")


@pytest.fixture
def waiting(author):
    return TaskFactory(author=author, status=Task.Status.MODERATION, title="Уравнение с корнем")


@pytest.fixture
def moderating_teacher(db):
    return moderate_by_hand(UserFactory(roles=[TEACHER]))


@pytest.fixture(params=["administrator", "main_admin", "moderating_teacher"])
def moderator(request, client):
    user = request.getfixturevalue(request.param)
    client.force_login(user)
    return user


# --- Approving and rejecting ------------------------------------------------------------


def test_approve_publishes_and_tells_the_author(client, moderator, waiting, author):
    response = client.post(QUEUE, action_data("approve_tasks", waiting), follow=True)

    waiting.refresh_from_db()
    assert waiting.status == Task.Status.PUBLISHED
    assert (waiting.reviewer, waiting.rejection_reason) == (moderator, "")
    assert waiting.reviewed_at is not None
    assert message_texts(response) == ["Одобрено и опубликовано задач: 1."]
    [note] = notes_to(author)
    assert note.title == "Задача опубликована: Уравнение с корнем"


def test_reject_asks_for_the_reason_first(client, moderator, waiting, author):
    page = client.post(QUEUE, action_data("reject_tasks", waiting))
    without_reason = client.post(QUEUE, reject_data(waiting, reason="   "))

    assert page.status_code == 200
    assert page.templates[0].name == "admin/problems/task/reject.html"
    assert "Уравнение с корнем" in page.content.decode()
    assert without_reason.status_code == 200
    assert without_reason.context["form"].errors["reason"] == ["Укажите причину отклонения."]
    waiting.refresh_from_db()
    assert waiting.status == Task.Status.MODERATION
    assert notes_to(author) == []


def test_reject_with_a_reason_tells_the_author_the_reason(client, moderator, waiting, author):
    response = client.post(QUEUE, reject_data(waiting, reason="Ответ не сходится с решением."), follow=True)

    waiting.refresh_from_db()
    assert waiting.status == Task.Status.REJECTED
    assert (waiting.reviewer, waiting.rejection_reason) == (moderator, "Ответ не сходится с решением.")
    assert message_texts(response) == ["Отклонено задач: 1."]
    [note] = notes_to(author)
    assert note.title == "Задача отклонена: Уравнение с корнем"
    assert "Ответ не сходится с решением." in note.text


def test_only_tasks_waiting_for_moderation_change(client, administrator, waiting, author):
    client.force_login(administrator)
    published = TaskFactory(author=author)
    draft = TaskFactory(author=author, status=Task.Status.DRAFT)

    response = client.post(TASKS, action_data("approve_tasks", waiting, published, draft), follow=True)

    assert message_texts(response) == ["Одобрено и опубликовано задач: 1.", "Не ждут модерации и не изменены: 2."]
    draft.refresh_from_db()
    assert draft.status == Task.Status.DRAFT
    assert len(notes_to(author)) == 1


def test_rejecting_nothing_that_waits_shows_no_form(client, administrator):
    client.force_login(administrator)
    published = TaskFactory()

    response = client.post(TASKS, action_data("reject_tasks", published), follow=True)

    assert message_texts(response) == ["Среди выбранных нет задач на модерации."]
    published.refresh_from_db()
    assert published.status == Task.Status.PUBLISHED


def test_the_intermediate_page_carries_only_waiting_tasks(client, administrator, waiting):
    client.force_login(administrator)
    published = TaskFactory(title="Уже опубликована")

    page = client.post(QUEUE, action_data("reject_tasks", waiting, published))

    assert page.context["tasks"] == [waiting]
    assert page.context["skipped"] == 0  # the queue's own filter left the published task out
    page = client.post(TASKS, action_data("reject_tasks", waiting, published))
    assert page.context["skipped"] == 1
    assert "Не ждут модерации и останутся как есть: 1." in page.content.decode()


# --- Who may moderate ---------------------------------------------------------------------


def test_a_plain_teacher_has_no_moderation_actions_and_a_forged_post_changes_nothing(client, teacher, waiting, author):
    client.force_login(teacher)

    listed = client.get(TASKS)
    approve = client.post(TASKS, action_data("approve_tasks", waiting), follow=True)
    reject = client.post(TASKS, reject_data(waiting, reason="Не нравится."))
    reject_page = client.post(TASKS, action_data("reject_tasks", waiting))

    assert listed.status_code == 200
    assert not {"approve_tasks", "reject_tasks"} & action_names(listed)
    assert "Очередь модерации" not in listed.content.decode()
    assert approve.status_code == 200
    assert reject.status_code in (200, 302)
    assert reject_page.status_code in (200, 302)
    assert "admin/problems/task/reject.html" not in [template.name for template in reject_page.templates]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reviewer) == (Task.Status.MODERATION, None)
    assert notes_to(author) == []


def test_the_author_of_a_task_cannot_approve_it_either(client, author, waiting):
    client.force_login(author)

    client.post(TASKS, action_data("approve_tasks", waiting))

    waiting.refresh_from_db()
    assert waiting.status == Task.Status.MODERATION


def test_a_teacher_granted_the_permission_moderates(client, moderating_teacher, waiting):
    client.force_login(moderating_teacher)

    listed = client.get(TASKS)
    client.post(TASKS, action_data("approve_tasks", waiting))

    assert {"approve_tasks", "reject_tasks"} <= action_names(listed)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reviewer) == (Task.Status.PUBLISHED, moderating_teacher)


# --- The queue and the preview ------------------------------------------------------------


def test_the_queue_lists_waiting_tasks_the_longest_waiting_first(client, moderator):
    newer = TaskFactory(status=Task.Status.MODERATION, title="Новее")
    older = TaskFactory(status=Task.Status.MODERATION, title="Старее")
    Task.objects.filter(pk=older.pk).update(updated_at=timezone.now() - timedelta(days=2))
    TaskFactory(title="Опубликованная")
    TaskFactory(status=Task.Status.REJECTED, title="Отклонённая")

    response = client.get(QUEUE)
    index = client.get(TASKS)

    assert list(response.context["cl"].result_list) == [older, newer]
    assert f'href="{QUEUE}"' in index.content.decode()
    assert "Очередь модерации (2)" in index.content.decode()
    assert "Очередь модерации" in client.get("/admin/problems/").content.decode()


def test_the_preview_shows_the_task_and_every_solution_to_moderators(client, moderator, waiting, author):
    SolutionFactory(task=waiting, title="Открытое решение", text="<p>x = 4, так как √16 = 4.</p>")
    SolutionFactory(task=waiting, title="Скрытое решение автора", is_private=True)

    response = client.get(preview_url(waiting))

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Уравнение с корнем", "Найдите √16 + π·0.", "Открытое решение", "√16 = 4", "Скрытое решение автора"):
        assert text in page
    assert 'value="approve_tasks"' in page and 'value="reject_tasks"' in page


def test_the_preview_keeps_private_solutions_from_plain_teachers(client, teacher, waiting):
    SolutionFactory(task=waiting, title="Открытое решение")
    SolutionFactory(task=waiting, title="Скрытое решение автора", is_private=True)
    client.force_login(teacher)

    page = client.get(preview_url(waiting)).content.decode()

    assert "Открытое решение" in page
    assert "Скрытое решение автора" not in page
    assert 'value="approve_tasks"' not in page


def test_a_published_task_offers_no_moderation_in_its_preview(client, administrator):
    client.force_login(administrator)

    page = client.get(preview_url(TaskFactory())).content.decode()

    assert 'value="approve_tasks"' not in page


def test_the_preview_of_a_missing_task_is_404(client, administrator):
    client.force_login(administrator)

    assert client.get(f"{TASKS}999999/preview/").status_code == 404


def test_the_change_page_links_the_preview(client, administrator, waiting):
    client.force_login(administrator)

    assert preview_url(waiting) in client.get(f"{TASKS}{waiting.pk}/change/").content.decode()


def test_a_volunteer_never_reaches_the_queue(client, volunteer, waiting):
    client.force_login(volunteer)

    for url in (QUEUE, preview_url(waiting)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
