import pytest
from django.contrib.auth.models import Permission

from accounts.models import Message
from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from methodics.models import Comment, Methodic
from methodics.tests.factories import MethodicFactory


def url(methodic, action: str = "") -> str:
    return f"/methodics/{methodic.pk}/{action}"


def hide_url(comment) -> str:
    return f"/methodics/{comment.methodic_id}/comments/{comment.pk}/hide/"


def page_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def author(db):
    return UserFactory(roles=[TEACHER], first_name="Анна", last_name="Автор")


@pytest.fixture
def methodic(author):
    return MethodicFactory(author=author, title="Круг знакомств")


@pytest.fixture
def moderator(db):
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return user


@pytest.fixture
def comment(methodic, volunteer):
    return Comment.objects.create(methodic=methodic, author=volunteer, text="Отличная игра, попробуем!")


# --- Adding --------------------------------------------------------------------------------


def test_a_volunteer_comments_on_a_published_methodic(client, methodic, volunteer):
    client.force_login(volunteer)

    response = client.post(url(methodic, "comments/"), {"text": "  Спасибо, пригодилось!  "})

    assert response.status_code == 302
    assert response["Location"] == f"{url(methodic)}#comments"
    assert Comment.objects.get().text == "Спасибо, пригодилось!"
    assert "Спасибо, пригодилось!" in page_of(client.get(url(methodic)))


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_comment_shows_a_russian_error_under_the_field(client, methodic, volunteer, text):
    client.force_login(volunteer)

    response = client.post(url(methodic, "comments/"), {"text": text})

    assert response.status_code == 200
    assert "Напишите текст комментария." in page_of(response)
    assert not Comment.objects.exists()


def test_a_too_long_comment_is_refused(client, methodic, volunteer):
    client.force_login(volunteer)

    response = client.post(url(methodic, "comments/"), {"text": "а" * 3001})

    assert "Комментарий длиннее 3000 символов" in page_of(response)
    assert not Comment.objects.exists()


def test_an_anonymous_visitor_sees_no_form_and_cannot_post(client, methodic):
    page = page_of(client.get(url(methodic)))
    assert 'name="text"' not in page and "Войдите" in page

    response = client.post(url(methodic, "comments/"), {"text": "Привет"})

    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_a_draft_cannot_be_commented_even_by_its_author(client, author):
    draft = MethodicFactory(author=author, status=Methodic.Status.DRAFT, published_at=None)
    client.force_login(author)

    assert 'name="text"' not in page_of(client.get(url(draft)))
    response = client.post(url(draft, "comments/"), {"text": "Заметка"})

    assert "Комментировать можно только опубликованную методику." in page_of(response)
    assert not Comment.objects.exists()


def test_others_cannot_comment_on_a_draft_they_do_not_see(client, volunteer):
    draft = MethodicFactory(status=Methodic.Status.DRAFT, published_at=None)
    client.force_login(volunteer)

    assert client.post(url(draft, "comments/"), {"text": "Привет"}).status_code == 404


# --- Hiding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_the_author_or_a_moderator_hides_a_comment_and_its_writer_is_told(client, comment, author, moderator, who):
    hider = author if who == "author" else moderator
    client.force_login(hider)
    assert "Скрыть" in page_of(client.get(url(comment.methodic)))

    response = client.post(hide_url(comment))

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == hider and comment.hidden_at is not None
    message = Message.objects.get(recipient=comment.author)
    assert "Круг знакомств" in message.title


@pytest.mark.parametrize("viewer", ["anonymous", "volunteer", "writer", "other_teacher", "author", "moderator"])
def test_a_hidden_comment_is_shown_to_the_author_and_moderators_only(client, comment, author, moderator, viewer):
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True)
    Comment.objects.create(methodic=comment.methodic, author=author, text="Видимый ответ автора")
    users = {
        "volunteer": UserFactory(),
        "writer": comment.author,
        "other_teacher": UserFactory(roles=[TEACHER]),
        "author": author,
        "moderator": moderator,
    }
    if viewer != "anonymous":
        client.force_login(users[viewer])

    page = page_of(client.get(url(comment.methodic)))

    assert "Видимый ответ автора" in page
    sees_hidden = viewer in {"author", "moderator"}
    assert ("Отличная игра, попробуем!" in page) == sees_hidden
    assert ('<span class="comment-hidden-mark">скрыт</span>' in page) == sees_hidden


@pytest.mark.parametrize("who", ["writer", "volunteer", "other_teacher"])
def test_others_cannot_hide_a_comment(client, comment, who):
    users = {"writer": comment.author, "volunteer": UserFactory(), "other_teacher": UserFactory(roles=[TEACHER])}
    client.force_login(users[who])
    assert "Скрыть</button>" not in page_of(client.get(url(comment.methodic)))

    assert client.post(hide_url(comment)).status_code == 403

    comment.refresh_from_db()
    assert not comment.is_hidden
    assert not Message.objects.exists()


def test_a_comment_is_hidden_only_through_its_own_methodic(client, comment, author):
    other = MethodicFactory(author=author)
    client.force_login(author)

    assert client.post(f"/methodics/{other.pk}/comments/{comment.pk}/hide/").status_code == 404


def test_hiding_needs_a_post(client, comment, author):
    client.force_login(author)

    assert client.get(hide_url(comment)).status_code == 405


# --- Unpublishing ----------------------------------------------------------------------------


def test_a_moderator_unpublishes_with_a_reason_and_the_author_is_told(client, methodic, moderator):
    client.force_login(moderator)

    response = client.post(url(methodic, "unpublish/"), {"reason": "Нет шагов с результатами."})

    assert response.status_code == 302
    methodic.refresh_from_db()
    assert methodic.status == Methodic.Status.DRAFT
    message = Message.objects.get(recipient=methodic.author)
    assert "Нет шагов с результатами." in message.text
    # The draft is still the moderator's to see, and off the list.
    assert client.get(url(methodic)).status_code == 200
    assert "Круг знакомств" not in page_of(client.get("/methodics/"))


def test_a_nul_byte_in_the_reason_is_a_400_and_nothing_changes(client, methodic, moderator):
    client.force_login(moderator)

    response = client.post(url(methodic, "unpublish/"), {"reason": "Нет шагов\x00 с результатами."})

    assert response.status_code == 400
    methodic.refresh_from_db()
    assert methodic.status == Methodic.Status.PUBLISHED
    assert not Message.objects.exists()


def test_an_administrator_may_unpublish(client, methodic, administrator):
    client.force_login(administrator)

    client.post(url(methodic, "unpublish/"))

    methodic.refresh_from_db()
    assert methodic.status == Methodic.Status.DRAFT


@pytest.mark.parametrize("who", ["volunteer", "author", "other_teacher"])
def test_others_cannot_unpublish(client, methodic, author, volunteer, who):
    users = {"volunteer": volunteer, "author": author, "other_teacher": UserFactory(roles=[TEACHER])}
    client.force_login(users[who])
    assert "Снять с публикации" not in page_of(client.get(url(methodic)))

    assert client.post(url(methodic, "unpublish/")).status_code == 403

    methodic.refresh_from_db()
    assert methodic.status == Methodic.Status.PUBLISHED
    assert not Message.objects.exists()
