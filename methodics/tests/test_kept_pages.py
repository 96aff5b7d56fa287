"""The library's pages — the list, a methodic's page — and the site search are kept for
anonymous visitors (core.cache.kept_for_visitors): every way a methodic changes — the
author's and moderators' buttons and forms on the site, a comment, the admin's actions
and forms — shows on them at once. Each test first makes a visitor's page kept, then
changes the methodic the way people do, then reads the page again as a visitor."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.roles import MAIN_ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import action_data, admin_change_url, change_form_data, seen, signed_in
from methodics.models import Methodic
from methodics.services import comment_add
from methodics.tests.factories import MethodicFactory, add_step

pytestmark = pytest.mark.django_db

LIBRARY = "/methodics/"
SEARCH = reverse("search")


def page_url(methodic, action: str = "") -> str:
    return f"/methodics/{methodic.pk}/{action + '/' if action else ''}"


def found(visitor: Client, methodic) -> bool:
    """Whether the site search finds the methodic by the first word of its title."""
    return f'href="{page_url(methodic)}"' in seen(visitor, SEARCH, q=methodic.title.split()[0])


def shown_everywhere(visitor: Client, methodic, title: str) -> bool:
    """Whether the title is on the methodic's page, in the library and found by the search."""
    page = visitor.get(page_url(methodic))
    return (
        page.status_code == 200
        and title in page.content.decode()
        and title in seen(visitor, LIBRARY)
        and found(visitor, methodic)
    )


@pytest.fixture
def author(db):
    return UserFactory(roles=[TEACHER])


@pytest.fixture
def methodic(author):
    """A published methodic with one step."""
    methodic = MethodicFactory(author=author, title="Снежный ком")
    add_step(methodic, duration=10, description="Круг имён")
    return methodic


@pytest.fixture
def draft(author):
    methodic = MethodicFactory(author=author, title="Снежный ком", status=Methodic.Status.DRAFT, published_at=None)
    add_step(methodic, duration=10, description="Круг имён")
    return methodic


@pytest.fixture
def staff(db) -> Client:
    return signed_in(UserFactory(roles=[MAIN_ADMIN]))


@pytest.fixture
def moderator(db):
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return user


# --- Publishing and unpublishing -------------------------------------------------------------


def test_a_methodic_unpublished_by_the_admin_action_is_gone_for_visitors(client, staff, methodic):
    assert shown_everywhere(client, methodic, "Снежный ком")

    response = staff.post("/admin/methodics/methodic/", action_data("unpublish", methodic))

    assert response.status_code == 302
    assert "Снежный ком" not in seen(client, LIBRARY)
    assert not found(client, methodic)
    assert client.get(page_url(methodic)).status_code == 404


def test_a_methodic_published_by_the_admin_action_shows_for_visitors(client, staff, draft):
    assert "Снежный ком" not in seen(client, LIBRARY)
    assert not found(client, draft)

    response = staff.post("/admin/methodics/methodic/", action_data("publish", draft))

    assert response.status_code == 302
    assert shown_everywhere(client, draft, "Снежный ком")


def test_the_authors_publish_and_unpublish_buttons_show_at_once(client, author, draft):
    own = signed_in(author)
    assert "Снежный ком" not in seen(client, LIBRARY)

    own.post(page_url(draft, "publish"))
    assert shown_everywhere(client, draft, "Снежный ком")

    own.post(page_url(draft, "unpublish-own"))
    assert "Снежный ком" not in seen(client, LIBRARY)
    assert not found(client, draft)
    assert client.get(page_url(draft)).status_code == 404


def test_a_methodic_unpublished_by_a_moderator_on_its_page_is_gone_for_visitors(client, moderator, methodic):
    assert shown_everywhere(client, methodic, "Снежный ком")

    signed_in(moderator).post(page_url(methodic, "unpublish"), {"reason": "Нет ожидаемых результатов."})

    assert "Снежный ком" not in seen(client, LIBRARY)
    assert client.get(page_url(methodic)).status_code == 404


# --- Editing on the site ---------------------------------------------------------------------


def test_the_authors_edit_shows_at_once(client, author, methodic):
    assert shown_everywhere(client, methodic, "Снежный ком")

    edit = {
        "title": "Снежный ком зимой",
        "short_description": methodic.short_description,
        "goal": methodic.goal,
        "description": methodic.description,
        "materials": methodic.materials,
        "literature": "",
        "category": methodic.category_id,
        "tag_names": "зима",
    }
    response = signed_in(author).post(page_url(methodic, "edit"), edit)

    assert response.status_code == 302
    assert shown_everywhere(client, methodic, "Снежный ком зимой")
    assert "#зима" in seen(client, LIBRARY)


def test_the_steps_edited_on_the_site_show_on_the_methodics_page(client, author, methodic):
    own = signed_in(author)
    assert "Круг имён" in seen(client, page_url(methodic))

    own.post(page_url(methodic, "steps/add"), {"step-duration": "25", "step-description": "Снежный ком имён"})
    page = seen(client, page_url(methodic))
    assert "Снежный ком имён" in page and "35 мин" in page

    first, second = methodic.steps.order_by("order_number")
    own.post(page_url(methodic, f"steps/{second.pk}/up"))
    page = seen(client, page_url(methodic))
    assert page.index("Снежный ком имён") < page.index("Круг имён")

    own.post(page_url(methodic, f"steps/{first.pk}/edit"), {"duration": "5", "description": "Круг жестов"})
    page = seen(client, page_url(methodic))
    assert "Круг жестов" in page and "Круг имён" not in page

    own.post(page_url(methodic, f"steps/{first.pk}/delete"))
    assert "Круг жестов" not in seen(client, page_url(methodic))


def test_media_added_and_deleted_on_the_site_show_on_the_methodics_page(client, author, methodic):
    own = signed_in(author)
    assert "Видео с занятия" not in seen(client, page_url(methodic))

    link = {"media-kind": "link", "media-url": "https://youtu.be/dQw4w9WgXcQ", "media-caption": "Видео с занятия"}
    own.post(page_url(methodic, "media/add"), link)
    assert "Видео с занятия" in seen(client, page_url(methodic))

    own.post(page_url(methodic, f"media/{methodic.media.get().pk}/delete"))
    assert "Видео с занятия" not in seen(client, page_url(methodic))


def test_a_methodic_deleted_on_the_site_is_gone_for_visitors(client, author, methodic):
    assert shown_everywhere(client, methodic, "Снежный ком")

    response = signed_in(author).post(page_url(methodic, "delete"))

    assert response.status_code == 302
    assert "Снежный ком" not in seen(client, LIBRARY)
    assert not found(client, methodic)
    assert client.get(page_url(methodic)).status_code == 404


# --- Comments --------------------------------------------------------------------------------


def test_a_new_comment_shows_on_the_methodics_page(client, volunteer, methodic):
    assert "Попробуем в лагере" not in seen(client, page_url(methodic))

    signed_in(volunteer).post(page_url(methodic, "comments"), {"text": "Попробуем в лагере!"})

    assert "Попробуем в лагере" in seen(client, page_url(methodic))


@pytest.mark.parametrize("how", ["the button on the page", "the admin action", "the admin's delete page"])
def test_a_comment_hidden_or_deleted_disappears_from_the_methodics_page(
    client, staff, author, volunteer, methodic, how
):
    comment = comment_add(methodic=methodic, author=volunteer, text="Спам, спам, спам")
    assert "Спам, спам, спам" in seen(client, page_url(methodic))

    if how == "the button on the page":
        response = signed_in(author).post(page_url(methodic, f"comments/{comment.pk}/hide"))
    elif how == "the admin action":
        response = staff.post("/admin/methodics/comment/", action_data("hide", comment))
    else:
        response = staff.post(f"/admin/methodics/comment/{comment.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert "Спам, спам, спам" not in seen(client, page_url(methodic))


# --- The admin's forms -------------------------------------------------------------------------


def test_a_methodic_changed_in_the_admin_shows_at_once(client, staff, methodic):
    assert shown_everywhere(client, methodic, "Снежный ком")

    url = admin_change_url(methodic)
    response = staff.post(url, change_form_data(staff, url, title="Снежный ком зимой", **{"steps-0-duration": "40"}))

    assert response.status_code == 302, response.context and response.context["errors"]
    assert shown_everywhere(client, methodic, "Снежный ком зимой")
    assert "40 мин" in seen(client, LIBRARY)


@pytest.mark.parametrize("how", ["delete page", "delete_selected action"])
def test_a_methodic_deleted_in_the_admin_is_gone_for_visitors(client, staff, methodic, how):
    assert shown_everywhere(client, methodic, "Снежный ком")

    if how == "delete page":
        response = staff.post(f"/admin/methodics/methodic/{methodic.pk}/delete/", {"post": "yes"})
    else:
        response = staff.post("/admin/methodics/methodic/", action_data("delete_selected", methodic, post="yes"))

    assert response.status_code == 302
    assert "Снежный ком" not in seen(client, LIBRARY)
    assert not found(client, methodic)
    assert client.get(page_url(methodic)).status_code == 404
