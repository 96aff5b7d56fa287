"""The methodics API (/api/v1/methodics/…) through real requests with a Bearer token: the
role matrix (published ones for everyone, drafts for their author and moderators), the
library's filters, a methodic's page with its timeline and the comments the reader may
see, and the list's queries counted."""

import pytest

from accounts.roles import TEACHER
from accounts.tests.api_clients import ROLES, api_as, user_of_role
from accounts.tests.factories import UserFactory
from methodics.models import Comment, Methodic, MethodicMedia
from methodics.tests.factories import CategoryFactory, MethodicFactory, TagFactory, add_step

pytestmark = pytest.mark.django_db

API = "/api/v1/methodics/"
# Who sees every draft: the holders of methodics.moderate_methodic (administrators' roles).
SEES_DRAFTS = {"anonymous": False, "volunteer": False, "teacher": False, "administrator": True, "main_admin": True}


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


@pytest.fixture
def draft(db):
    return MethodicFactory(title="Черновик", status=Methodic.Status.DRAFT, published_at=None)


class TestList:
    @pytest.mark.parametrize("role", ROLES)
    def test_published_ones_and_drafts_only_to_whom_the_library_shows_them(self, request, draft, role):
        MethodicFactory(title="Опубликованная")

        response = api_as(user_of_role(request, role)).get(API)

        assert response.status_code == 200
        assert set(response.json()) == {"count", "next", "previous", "results"}
        expected = ["Черновик", "Опубликованная"] if SEES_DRAFTS[role] else ["Опубликованная"]
        assert titles(response) == expected

    def test_the_author_sees_their_draft_first(self, draft):
        MethodicFactory(title="Опубликованная")

        assert titles(api_as(draft.author).get(API)) == ["Черновик", "Опубликованная"]

    def test_the_librarys_filters(self, db):
        games = CategoryFactory(name="Игры")
        icebreakers = CategoryFactory(name="Ледоколы", parent=games)
        tag = TagFactory(name="знакомство")
        MethodicFactory(title="Снежный ком", category=icebreakers).tags.add(tag)
        MethodicFactory(title="Лекция о костре", goal="Рассказать о безопасности у костра.")
        api = api_as()

        assert titles(api.get(API, {"category": games.pk})) == ["Снежный ком"]
        assert titles(api.get(API, {"tags": [tag.pk]})) == ["Снежный ком"]
        assert titles(api.get(API, {"q": "костра"})) == ["Лекция о костре"]
        assert api.get(API, {"category": 999999}).status_code == 400

    def test_a_card_names_the_author_by_name_only(self, db):
        author = UserFactory(roles=[TEACHER], first_name="Ольга", last_name="Смирнова", email="olga@volna.example")
        methodic = MethodicFactory(author=author, title="Ориентирование")
        methodic.tags.add(TagFactory(name="лес"))
        add_step(methodic, duration=25)

        response = api_as().get(API)

        [row] = response.json()["results"]
        assert (row["author_name"], row["duration"], [tag["name"] for tag in row["tags"]]) == (
            "Ольга Смирнова",
            25,
            ["лес"],
        )
        assert "olga@volna.example" not in response.content.decode()

    @pytest.mark.parametrize(("role", "most"), [("anonymous", 3), ("teacher", 6)])
    def test_a_page_takes_the_same_queries_for_3_and_25(self, request, django_assert_max_num_queries, role, most):
        """The count, the page and its tags; signed in, the token's user and their two
        permission reads too. The filters' choices come from the cache (the first request)."""
        api = api_as(user_of_role(request, role))
        api.get(API)
        tag = TagFactory()
        for count in (3, 25):
            for methodic in MethodicFactory.create_batch(count - Methodic.objects.count()):
                methodic.tags.add(tag)
            with django_assert_max_num_queries(most):
                response = api.get(API, {"page_size": 25})
            assert len(response.json()["results"]) == count


class TestDetail:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_reads_a_published_one_and_a_draft_only_whom_the_library_shows(self, request, draft, role):
        published = MethodicFactory()
        api = api_as(user_of_role(request, role))

        assert api.get(f"{API}{published.pk}/").status_code == 200
        assert api.get(f"{API}{draft.pk}/").status_code == (200 if SEES_DRAFTS[role] else 404)
        assert api_as(draft.author).get(f"{API}{draft.pk}/").status_code == 200

    def test_the_page_timeline_media_and_breadcrumbs(self, db):
        games = CategoryFactory(name="Игры")
        methodic = MethodicFactory(category=CategoryFactory(name="Ледоколы", parent=games), materials="Мяч.")
        add_step(methodic, duration=10, description="Круг имён")
        add_step(methodic, duration=15, description="Снежный ком", expected_result="Все знают имена.")
        MethodicMedia.objects.create(
            methodic=methodic, kind=MethodicMedia.Kind.LINK, url="https://youtu.be/dQw4w9WgXcQ", caption="Пример"
        )

        body = api_as().get(f"{API}{methodic.pk}/").json()

        assert [crumb["name"] for crumb in body["breadcrumbs"]] == ["Игры", "Ледоколы"]
        assert [(step["starts_at"], step["ends_at"], step["description"]) for step in body["steps"]] == [
            (0, 10, "Круг имён"),
            (10, 25, "Снежный ком"),
        ]
        assert body["duration"] == 25 and body["materials"] == "Мяч."
        assert body["media"][0]["embed_url"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"

    @pytest.mark.parametrize("role", ROLES)
    def test_hidden_comments_only_to_the_author_and_moderators(self, request, role):
        methodic = MethodicFactory()
        Comment.objects.create(methodic=methodic, author=UserFactory(), text="Отличная игра!")
        Comment.objects.create(methodic=methodic, author=UserFactory(), text="Спам", is_hidden=True)

        response = api_as(user_of_role(request, role)).get(f"{API}{methodic.pk}/")
        by_author = api_as(methodic.author).get(f"{API}{methodic.pk}/")

        shown = [comment["text"] for comment in response.json()["comments"]]
        assert shown == (["Отличная игра!", "Спам"] if SEES_DRAFTS[role] else ["Отличная игра!"])
        assert [comment["text"] for comment in by_author.json()["comments"]] == ["Отличная игра!", "Спам"]


def test_the_url_names():
    from django.urls import reverse

    assert reverse("api:methodic-list") == API
    assert reverse("api:methodic-detail", args=[5]) == f"{API}5/"
