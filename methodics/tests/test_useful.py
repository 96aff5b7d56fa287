"""«Пригодилось»: a reader's mark on a methodic gives its author a point while it stays;
the toggle per role, the count on the page and the cards, and the library's sorts."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import KarmaEntry, User
from accounts.roles import MAIN_ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import signed_in
from methodics.models import Methodic, UsefulMark
from methodics.services import MethodicsError, useful_mark, useful_unmark
from methodics.tests.factories import MethodicFactory

LIST = "/methodics/"


def detail_url(methodic) -> str:
    return f"/methodics/{methodic.pk}/"


def useful_url(methodic) -> str:
    return f"/methodics/{methodic.pk}/useful/"


def karma_of(user: User) -> int:
    user.refresh_from_db(fields=["karma"])
    return user.karma


def count_of(methodic: Methodic) -> int:
    methodic.refresh_from_db(fields=["useful_count"])
    return methodic.useful_count


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/methodics/\d+/">([^<]+)</a></h3>', page)


@pytest.fixture
def author(db):
    return UserFactory(roles=[TEACHER], first_name="Анна", last_name="Автор")


@pytest.fixture
def methodic(author):
    return MethodicFactory(author=author, title="Круг знакомств")


# --- The services ------------------------------------------------------------------------


def test_mark_unmark_mark_leaves_one_point_and_one_mark(methodic, author, volunteer):
    assert useful_mark(methodic=methodic, user=volunteer) is True
    assert karma_of(author) == 1 and count_of(methodic) == 1

    assert useful_unmark(methodic=methodic, user=volunteer) is True
    assert karma_of(author) == 0 and count_of(methodic) == 0
    assert not KarmaEntry.objects.exists()

    assert useful_mark(methodic=methodic, user=volunteer) is True
    assert karma_of(author) == 1 and count_of(methodic) == 1
    assert KarmaEntry.objects.get().reason == KarmaEntry.Reason.METHODIC_USEFUL


def test_a_reader_marks_once_and_each_reader_counts(methodic, author, volunteer, teacher):
    useful_mark(methodic=methodic, user=volunteer)
    assert useful_mark(methodic=methodic, user=volunteer) is False
    useful_mark(methodic=methodic, user=teacher)

    assert karma_of(author) == 2 and count_of(methodic) == 2
    assert UsefulMark.objects.count() == 2
    assert useful_unmark(methodic=UsefulMark.objects.first().methodic, user=UserFactory()) is False


def test_the_author_cannot_mark_their_own_methodic(methodic, author):
    with pytest.raises(MethodicsError):
        useful_mark(methodic=methodic, user=author)

    assert karma_of(author) == 0 and count_of(methodic) == 0


def test_a_draft_cannot_be_marked(author, volunteer):
    draft = MethodicFactory(author=author, status=Methodic.Status.DRAFT, published_at=None)

    with pytest.raises(MethodicsError):
        useful_mark(methodic=draft, user=volunteer)


def test_marking_leaves_the_date_of_change_alone(methodic, volunteer):
    changed = methodic.updated_at

    useful_mark(methodic=methodic, user=volunteer)

    methodic.refresh_from_db()
    assert methodic.updated_at == changed


# --- The toggle per role ----------------------------------------------------------------


@pytest.fixture
def moderator(db):
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return user


READERS = ["volunteer", "teacher", "moderator", "administrator", "main_admin"]


@pytest.fixture
def user_of(volunteer, teacher, moderator, administrator):
    users = {
        "volunteer": volunteer,
        "teacher": teacher,
        "moderator": moderator,
        "administrator": administrator,
        "main_admin": UserFactory(roles=[MAIN_ADMIN]),
    }
    return users.__getitem__


def test_an_anonymous_visitor_is_sent_to_log_in_and_sees_the_count_only(client, methodic):
    response = client.post(useful_url(methodic), {"useful": "1"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not UsefulMark.objects.exists()
    page = client.get(detail_url(methodic)).content.decode()
    assert "Пригодилось: 0" in page and "aria-pressed" not in page
    assert "чтобы отметить «Пригодилось»" in page


def test_the_author_sees_the_count_without_a_button_and_is_refused(methodic, author, volunteer):
    useful_mark(methodic=methodic, user=volunteer)
    own = signed_in(author)

    page = own.get(detail_url(methodic)).content.decode()
    response = own.post(useful_url(methodic), {"useful": "1"})

    assert "Пригодилось: 1" in page and "aria-pressed" not in page
    assert response.status_code == 403
    assert karma_of(author) == 1 and count_of(methodic) == 1


@pytest.mark.parametrize("role", READERS)
def test_every_other_signed_in_reader_marks_and_takes_the_mark_back(methodic, author, user_of, role):
    reader = signed_in(user_of(role))
    assert 'aria-pressed="false"' in reader.get(detail_url(methodic)).content.decode()

    response = reader.post(useful_url(methodic), {"useful": "1"})

    assert response.status_code == 302 and response["Location"] == f"{detail_url(methodic)}#useful"
    page = reader.get(detail_url(methodic)).content.decode()
    assert 'aria-pressed="true"' in page and "Пригодилось: 1" in page
    assert karma_of(author) == 1

    reader.post(useful_url(methodic), {"useful": "0"})

    assert 'aria-pressed="false"' in reader.get(detail_url(methodic)).content.decode()
    assert karma_of(author) == 0 and count_of(methodic) == 0


def test_a_repeated_post_does_not_flip_the_mark_and_a_bare_post_toggles(methodic, author, volunteer):
    reader = signed_in(volunteer)

    reader.post(useful_url(methodic), {"useful": "1"})
    reader.post(useful_url(methodic), {"useful": "1"})
    assert count_of(methodic) == 1 and karma_of(author) == 1

    reader.post(useful_url(methodic))
    assert count_of(methodic) == 0 and karma_of(author) == 0


def test_the_form_is_a_post_with_a_csrf_token(methodic, volunteer):
    page = signed_in(volunteer).get(detail_url(methodic)).content.decode()
    form = page.split(f'action="{useful_url(methodic)}"')[1].split("</form>")[0]

    assert 'name="csrfmiddlewaretoken"' in form
    assert re.search(r'<form method="post"\s+action="' + re.escape(useful_url(methodic)), page)


def test_a_draft_cannot_be_marked_on_the_site(author, volunteer, moderator):
    draft = MethodicFactory(author=author, status=Methodic.Status.DRAFT, published_at=None)

    assert signed_in(volunteer).post(useful_url(draft), {"useful": "1"}).status_code == 404
    assert signed_in(moderator).post(useful_url(draft), {"useful": "1"}).status_code == 403
    assert "aria-pressed" not in signed_in(moderator).get(detail_url(draft)).content.decode()
    assert not UsefulMark.objects.exists()


def test_a_get_is_not_allowed(methodic, volunteer):
    assert signed_in(volunteer).get(useful_url(methodic)).status_code == 405


# --- The count on kept pages and cards ----------------------------------------------------


def test_the_count_and_the_authors_karma_follow_a_mark_on_kept_pages(client, methodic, volunteer):
    list_page, page = client.get(LIST).content.decode(), client.get(detail_url(methodic)).content.decode()
    assert "Пригодилось: 0" in list_page and "карма 0" in list_page
    assert "Пригодилось: 0" in page and "карма 0" in page

    signed_in(volunteer).post(useful_url(methodic), {"useful": "1"})

    list_page, page = client.get(LIST).content.decode(), client.get(detail_url(methodic)).content.decode()
    assert "Пригодилось: 1" in list_page and "карма 1" in list_page
    assert "Пригодилось: 1" in page and "карма 1" in page


# --- The library's sorts ------------------------------------------------------------------


@pytest.fixture
def library(db):
    """Three methodics, newest first «В», «Б», «А»; by «Пригодилось» «Б» (2), then «А» and
    «В» (1 each, «В» the newer); by the author's karma «А» (25), «В» (10), «Б» (0)."""
    now = timezone.now()
    strong, middling, new = (UserFactory(roles=[TEACHER]) for _ in range(3))
    User.objects.filter(pk=strong.pk).update(karma=25)
    User.objects.filter(pk=middling.pk).update(karma=10)
    a = MethodicFactory(title="А", author=strong, published_at=now - timedelta(days=3))
    b = MethodicFactory(title="Б", author=new, published_at=now - timedelta(days=2))
    c = MethodicFactory(title="В", author=middling, published_at=now - timedelta(days=1))
    Methodic.objects.filter(pk=a.pk).update(useful_count=1)
    Methodic.objects.filter(pk=b.pk).update(useful_count=2)
    Methodic.objects.filter(pk=c.pk).update(useful_count=1)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("", ["В", "Б", "А"]), ("useful", ["Б", "В", "А"]), ("karma", ["А", "В", "Б"])],
)
def test_the_library_sorts_by_usefulness_and_by_the_authors_karma(client, library, sort, expected):
    response = client.get(LIST, {"sort": sort} if sort else {})

    assert response.status_code == 200
    assert listed_titles(response.content.decode()) == expected


def test_the_sort_choices_are_offered(client, db):
    page = client.get(LIST).content.decode()

    assert '<option value="karma">Карма автора</option>' in page
    assert '<option value="useful">Пригодилось</option>' in page


def test_an_unknown_sort_shows_an_error_not_a_crash(client, library):
    response = client.get(LIST, {"sort": "title"})

    assert response.status_code == 200
    assert listed_titles(response.content.decode()) == ["В", "Б", "А"]


def test_a_sort_wins_over_the_searchs_ranking(client, db):
    top = UserFactory(roles=[TEACHER])
    User.objects.filter(pk=top.pk).update(karma=50)
    MethodicFactory(title="Игра в снежки", short_description="Игра")
    MethodicFactory(title="Тихий час", goal="Игра после обеда.", author=top)

    page = client.get(LIST, {"q": "игра", "sort": "karma"}).content.decode()

    assert listed_titles(page) == ["Тихий час", "Игра в снежки"]
    assert "сначала самые подходящие" not in page


@pytest.mark.parametrize("sort", ["karma", "useful"])
def test_a_sorted_list_takes_the_same_queries_for_5_and_25_methodics(client, db, sort):
    authors = [UserFactory(roles=[TEACHER]) for _ in range(5)]

    def add(count: int) -> None:
        for number in range(count):
            MethodicFactory(author=authors[number % 5]).tags.set([])

    def render() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"sort": sort}).status_code == 200
        return len(queries)

    add(5)
    with_5 = render()
    add(20)
    assert render() == with_5 <= 6
