"""Who sees what while browsing the bank: tasks by status, and private solutions for every
role (spec 002: a private solution is seen only by its author and administrators)."""

import pytest
from django.contrib.auth.models import Permission

from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from problems.models import Favorite, Task
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory

FRAGMENT = {"HTTP_X_REQUESTED_WITH": "fetch"}
UNPUBLISHED = [Task.Status.DRAFT, Task.Status.MODERATION, Task.Status.REJECTED]
OTHERS = ["anonymous", "volunteer", "teacher"]


def task_url(task, action=""):
    return f"/problems/tasks/{task.pk}/{action + '/' if action else ''}"


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def author(db):
    """A teacher who wrote the task and some of its solutions."""
    return UserFactory(roles=[TEACHER])


@pytest.fixture
def moderator(db):
    """A teacher given the moderation permission by hand (not an administrator)."""
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(content_type__app_label="problems", codename="moderate_task"))
    return user


@pytest.fixture
def sign_in(client, request):
    """sign_in("teacher") → the client, signed in as that role's fixture (or anonymous)."""

    def sign_in_as(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return sign_in_as


# --- Tasks by status --------------------------------------------------------------------


@pytest.mark.parametrize("role", [*OTHERS, "administrator", "main_admin", "author", "moderator"])
@pytest.mark.parametrize("status", UNPUBLISHED)
def test_an_unpublished_task_is_listed_nowhere(sign_in, author, role, status):
    block = BlockFactory(title="Алгебра")
    reference = ReferenceFactory(title="Формула")
    TaskFactory(block=block, title="Опубликованная", author=author).references.add(reference)
    hidden = TaskFactory(block=block, title="Неопубликованная", author=author, status=status)
    hidden.references.add(reference)
    Favorite.objects.create(user=author, task=hidden)
    client = sign_in(role)

    blocks_page = text_of(client.get("/problems/"))
    block_page = text_of(client.get(f"/problems/blocks/{block.pk}/"))
    search_page = text_of(client.get(f"/problems/blocks/{block.pk}/", {"q": "Неопубликованная"}))
    handbook = text_of(client.get("/problems/reference/"))

    assert "Задач: 1" in blocks_page
    assert "Опубликованная" in block_page
    assert "Неопубликованная" not in block_page
    assert "Найдено задач: 0" in search_page
    assert "Задач с этим материалом: 1" in handbook
    if role == "author":
        assert "Неопубликованная" not in text_of(client.get("/problems/favorites/"))


@pytest.mark.parametrize("role", OTHERS)
@pytest.mark.parametrize("status", UNPUBLISHED)
def test_others_cannot_reach_an_unpublished_task(sign_in, author, role, status):
    hidden = TaskFactory(author=author, status=status)
    SolutionFactory(task=hidden)
    hidden.references.add(ReferenceFactory())
    client = sign_in(role)

    assert client.get(task_url(hidden)).status_code == 404
    for action in ("solutions", "references"):
        assert client.get(task_url(hidden, action)).status_code == 404
        assert client.get(task_url(hidden, action), **FRAGMENT).status_code == 404


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_its_author_previews_an_unpublished_task(client, author, status):
    task = TaskFactory(author=author, status=status, title="Моя задача", rejection_reason="")
    SolutionFactory(task=task, text="<p>Решение автора.</p>")
    client.force_login(author)

    page = text_of(client.get(task_url(task)))

    assert '<h1 id="task-title">Моя задача</h1>' in page
    assert f"Задача не опубликована ({task.get_status_display().lower()})" in page
    assert "В избранное" not in page
    assert "Решение автора." in text_of(client.get(task_url(task, "solutions"), **FRAGMENT))


def test_the_author_of_a_rejected_task_sees_why(client, author):
    task = TaskFactory(author=author, status=Task.Status.REJECTED, rejection_reason="Нет рисунка.")
    client.force_login(author)

    assert "Причина отклонения: Нет рисунка." in text_of(client.get(task_url(task)))


@pytest.mark.parametrize("role", ["moderator", "administrator", "main_admin"])
@pytest.mark.parametrize(
    ("status", "reachable"), [(Task.Status.MODERATION, True), (Task.Status.REJECTED, True), (Task.Status.DRAFT, False)]
)
def test_moderators_preview_submitted_tasks_but_not_drafts(sign_in, author, role, status, reachable):
    task = TaskFactory(author=author, status=status, title="Предложенная")
    client = sign_in(role)

    response = client.get(task_url(task))

    assert response.status_code == (200 if reachable else 404)
    assert client.get(task_url(task, "solutions"), **FRAGMENT).status_code == response.status_code
    if reachable:
        assert "её видят только автор и модераторы" in text_of(response)


@pytest.mark.parametrize("role", [*OTHERS, "administrator", "main_admin", "author"])
def test_a_published_task_is_open_to_everyone(sign_in, author, role):
    task = TaskFactory(author=author)
    client = sign_in(role)

    page = text_of(client.get(task_url(task)))

    assert "не опубликована" not in page
    assert client.get(task_url(task, "solutions")).status_code == 200
    assert client.get(task_url(task, "references")).status_code == 200


# --- Private solutions ------------------------------------------------------------------

# Who sees which solution of the task below: the public one everybody; the author's
# private one its author and administrators; another teacher's private one only
# administrators (and that teacher).
EVERYONE = "Открытое решение"
AUTHORS_PRIVATE = "Скрытое решение автора"
OTHERS_PRIVATE = "Скрытое решение коллеги"
SEES = {
    "anonymous": {EVERYONE},
    "volunteer": {EVERYONE},
    "teacher": {EVERYONE},
    "moderator": {EVERYONE},
    "author": {EVERYONE, AUTHORS_PRIVATE},
    "administrator": {EVERYONE, AUTHORS_PRIVATE, OTHERS_PRIVATE},
    "main_admin": {EVERYONE, AUTHORS_PRIVATE, OTHERS_PRIVATE},
}
PRIVATE_MARK = '<span class="tag-private">скрытое решение</span>'


@pytest.fixture
def task_with_solutions(author):
    task = TaskFactory(author=author, answer="ОТВЕТ-7")
    SolutionFactory(task=task, title=EVERYONE, text="<p>Текст открытого.</p>")
    SolutionFactory(task=task, title=AUTHORS_PRIVATE, text="<p>Текст скрытого автора.</p>", is_private=True)
    SolutionFactory(
        task=task,
        title=OTHERS_PRIVATE,
        text="<p>Текст скрытого коллеги.</p>",
        is_private=True,
        author=UserFactory(roles=[TEACHER]),
    )
    return task


def shown_solutions(text: str) -> set[str]:
    return {title for title in (EVERYONE, AUTHORS_PRIVATE, OTHERS_PRIVATE) if f">{title}" in text}


@pytest.mark.parametrize("form", ["fragment", "page"])
@pytest.mark.parametrize("role", list(SEES))
def test_private_solutions_on_the_solutions_endpoint(sign_in, task_with_solutions, role, form):
    client = sign_in(role)
    url = task_url(task_with_solutions, "solutions")

    response = client.get(url, **FRAGMENT) if form == "fragment" else client.get(url)

    text = text_of(response)
    assert response.status_code == 200
    assert ("<html" in text) is (form == "page")
    assert "ОТВЕТ-7" in text
    assert shown_solutions(text) == SEES[role]
    assert ("Текст скрытого автора." in text) is (AUTHORS_PRIVATE in SEES[role])
    assert ("Текст скрытого коллеги." in text) is (OTHERS_PRIVATE in SEES[role])
    # Each private solution shown is marked as such; the public one is not.
    assert text.count(PRIVATE_MARK) == len(SEES[role]) - 1
    assert f"{EVERYONE}</h3>" in text


@pytest.mark.parametrize("role", list(SEES))
def test_no_solution_is_in_the_task_page_for_anyone(sign_in, task_with_solutions, role):
    page = text_of(sign_in(role).get(task_url(task_with_solutions)))

    assert shown_solutions(page) == set()
    assert "Текст" not in page
    assert "ОТВЕТ-7" not in page
    assert "скрытое решение" not in page


def test_a_superuser_sees_every_solution(client, task_with_solutions):
    client.force_login(UserFactory(is_superuser=True))

    text = text_of(client.get(task_url(task_with_solutions, "solutions"), **FRAGMENT))

    assert shown_solutions(text) == {EVERYONE, AUTHORS_PRIVATE, OTHERS_PRIVATE}
