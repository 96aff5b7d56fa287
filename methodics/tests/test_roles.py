"""Roles on one methodic (spec 000 user_role): who reads a shared draft, edits it, exports
it, hides comments, manages its «Доступ», finds it, reads it through the API and changes it
in the admin — for an outsider, its viewer, moderator and co-administrator, its author, a
site moderator (methodics.moderate_methodic) and the main administrator; the people told of
their roles and of the publication; «Мои методики» with what is shared."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Message
from accounts.roles import TEACHER, VOLUNTEER
from accounts.tests.api_clients import api_as
from accounts.tests.factories import UserFactory
from core.testing import change_form_data
from methodics.models import Comment, Methodic, MethodicMember
from methodics.services import MethodicsError, member_add
from methodics.tests.factories import MethodicFactory, add_step

pytestmark = pytest.mark.django_db

ROLE_HOLDERS = ("outsider", "viewer", "moderator", "co_admin", "author", "site_moderator", "main_admin")
# What each may do with a methodic shared with the first four (the author's, a draft).
READS = {"outsider": False, **dict.fromkeys(ROLE_HOLDERS[1:], True)}
EDITS = {**READS, "viewer": False}
ADMINISTERS = {**EDITS, "moderator": False}


@pytest.fixture
def people(main_admin):
    site_moderator = UserFactory(roles=[TEACHER])
    site_moderator.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return {
        "outsider": UserFactory(roles=[TEACHER]),
        "viewer": UserFactory(roles=[TEACHER], first_name="Вера", last_name="Зрителева"),
        "moderator": UserFactory(roles=[TEACHER]),
        "co_admin": UserFactory(roles=[TEACHER]),
        "author": UserFactory(roles=[TEACHER]),
        "site_moderator": site_moderator,
        "main_admin": main_admin,
    }


def share(methodic: Methodic, people: dict) -> Methodic:
    for name, role in (("viewer", "viewer"), ("moderator", "moderator"), ("co_admin", "admin")):
        MethodicMember.objects.create(methodic=methodic, user=people[name], role=role)
    return methodic


@pytest.fixture
def draft(people):
    methodic = MethodicFactory(
        author=people["author"], title="Квест по ориентированию", status=Methodic.Status.DRAFT, published_at=None
    )
    add_step(methodic, duration=15, description="Разминка")
    return share(methodic, people)


@pytest.fixture
def published(people):
    methodic = share(MethodicFactory(author=people["author"], title="Снежный ком"), people)
    add_step(methodic, duration=10)
    return methodic


def as_(client, user):
    client.force_login(user)
    return client


# --- The matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_the_draft_page_and_its_export(client, people, draft, who):
    as_(client, people[who])
    page = client.get(f"/methodics/{draft.pk}/")
    export = client.get(f"/methodics/{draft.pk}/export/?format=docx")

    assert page.status_code == (200 if READS[who] else 404)
    assert export.status_code == (200 if READS[who] else 404)
    if READS[who]:
        content = page.content.decode()
        assert "Квест по ориентированию" in content
        assert (f'href="/methodics/{draft.pk}/edit/"' in content) is EDITS[who]
        assert (f'href="/methodics/{draft.pk}/access/"' in content) is ADMINISTERS[who]


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_the_edit_page_and_saving_a_step(client, people, draft, who):
    as_(client, people[who])
    response = client.get(f"/methodics/{draft.pk}/edit/")
    added = client.post(f"/methodics/{draft.pk}/steps/add/", {"step-duration": "5", "step-description": "Итоги"})

    assert response.status_code == (200 if EDITS[who] else 404)
    assert draft.steps.filter(description="Итоги").exists() is EDITS[who]
    assert added.status_code == (302 if EDITS[who] else 404)
    if EDITS[who]:
        content = response.content.decode()
        assert (f'action="/methodics/{draft.pk}/publish/"' in content) is ADMINISTERS[who]
        assert (f'href="/methodics/{draft.pk}/delete/"' in content) is ADMINISTERS[who]


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_publishing_and_deleting_are_its_administrators(client, people, draft, who):
    as_(client, people[who])
    deleting = client.get(f"/methodics/{draft.pk}/delete/")
    publishing = client.post(f"/methodics/{draft.pk}/publish/")

    expected = 302 if ADMINISTERS[who] else (403 if EDITS[who] else 404)
    assert publishing.status_code == expected
    assert deleting.status_code == (200 if ADMINISTERS[who] else expected)
    draft.refresh_from_db()
    assert (draft.status == Methodic.Status.PUBLISHED) is ADMINISTERS[who]


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_hiding_a_comment(client, people, published, who):
    comment = Comment.objects.create(methodic=published, author=UserFactory(roles=[VOLUNTEER]), text="Спасибо!")
    as_(client, people[who])

    response = client.post(f"/methodics/{published.pk}/comments/{comment.pk}/hide/")

    assert response.status_code == (302 if EDITS[who] else 403)
    comment.refresh_from_db()
    assert comment.is_hidden is EDITS[who]


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_the_access_page(client, people, draft, who):
    as_(client, people[who])
    response = client.get(f"/methodics/{draft.pk}/access/")

    assert response.status_code == (200 if ADMINISTERS[who] else 403)
    if ADMINISTERS[who]:
        content = response.content.decode()
        assert "Вера Зрителева" in content and "Просмотр" in content and "(автор)" in content


def test_the_access_page_sends_a_visitor_to_log_in(client, draft):
    response = client.get(f"/methodics/{draft.pk}/access/")
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_the_api_reads_and_finds_the_draft_only_for_its_readers(people, draft, who):
    api = api_as(people[who])

    detail = api.get(f"/api/v1/methodics/{draft.pk}/")
    found = [row["title"] for row in api.get("/api/v1/methodics/", {"q": "ориентированию"}).json()["results"]]

    assert detail.status_code == (200 if READS[who] else 404)
    assert found == (["Квест по ориентированию"] if READS[who] else [])


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_the_site_search_and_the_library_never_list_a_draft(client, people, draft, who):
    as_(client, people[who])
    assert "Квест по ориентированию" not in client.get("/search/", {"q": "ориентированию"}).content.decode()
    assert "Квест по ориентированию" not in client.get("/methodics/", {"q": "ориентированию"}).content.decode()


@pytest.mark.parametrize("who", ROLE_HOLDERS)
def test_the_admin_change_page(client, people, draft, who):
    as_(client, people[who])
    response = client.get(f"/admin/methodics/methodic/{draft.pk}/change/")

    if not READS[who]:
        assert response.status_code in (302, 403)  # as if it did not exist
        return
    assert response.status_code == 200
    assert response.context["has_change_permission"] is EDITS[who]
    if not ADMINISTERS[who]:  # (teachers delete on the site: they hold no delete_ permission here)
        assert response.context["has_delete_permission"] is False
    inlines = {formset.opts.model: formset for formset in response.context["inline_admin_formsets"]}
    assert (MethodicMember in inlines) is EDITS[who]  # who has which role: for its editors
    if EDITS[who]:
        assert inlines[MethodicMember].has_add_permission is ADMINISTERS[who]


def test_a_volunteer_with_a_role_edits_on_the_site(client, draft):
    volunteer = UserFactory(roles=[VOLUNTEER])
    MethodicMember.objects.create(methodic=draft, user=volunteer, role="moderator")
    as_(client, volunteer)

    assert client.get(f"/methodics/{draft.pk}/").status_code == 200
    assert client.get(f"/methodics/{draft.pk}/edit/").status_code == 200


# --- «Доступ»: adding, changing, removing, and who is told ---------------------------------


def test_adding_a_person_tells_them_their_role(client, people, draft, django_capture_on_commit_callbacks):
    newcomer = UserFactory(roles=[VOLUNTEER], email="Newcomer@Volna.example")
    as_(client, people["co_admin"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/methodics/{draft.pk}/access/", {"email": "newcomer@volna.example", "role": "moderator"}
        )

    assert response.status_code == 302
    assert MethodicMember.objects.get(methodic=draft, user=newcomer).role == "moderator"
    message = Message.objects.get(recipient=newcomer)
    assert "«Модератор»" in message.text and "Квест по ориентированию" in message.text
    assert message.link == f"/methodics/{draft.pk}/"
    assert [email.to for email in mail.outbox] == [["Newcomer@Volna.example"]]


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("nobody@volna.example", "не зарегистрирован"),
        ("author", "Это автор методики"),
        ("viewer", "уже есть роль"),
    ],
)
def test_adding_refuses_with_a_message_in_russian(client, people, draft, email, error):
    address = people[email].email if email in people else email
    as_(client, people["author"])

    response = client.post(f"/methodics/{draft.pk}/access/", {"email": address, "role": "admin"})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert MethodicMember.objects.filter(methodic=draft).count() == 3
    assert not Message.objects.exists()


def test_the_service_refuses_the_author_too(people, draft):
    with pytest.raises(MethodicsError):
        member_add(methodic=draft, user=people["author"], role="viewer", by=people["author"])


def test_changing_a_role_tells_the_person(client, people, draft):
    member = MethodicMember.objects.get(methodic=draft, user=people["viewer"])
    as_(client, people["author"])

    client.post(f"/methodics/{draft.pk}/access/{member.pk}/role/", {"role": "admin"})

    member.refresh_from_db()
    assert member.role == "admin"
    [message] = Message.objects.filter(recipient=people["viewer"])
    assert "теперь «Администратор»" in message.text


def test_removing_a_role_asks_first_then_tells_the_person(client, people, draft):
    member = MethodicMember.objects.get(methodic=draft, user=people["viewer"])
    as_(client, people["author"])

    confirm = client.get(f"/methodics/{draft.pk}/access/{member.pk}/remove/")
    assert confirm.status_code == 200 and "Снять роль" in confirm.content.decode()
    assert MethodicMember.objects.filter(pk=member.pk).exists()

    client.post(f"/methodics/{draft.pk}/access/{member.pk}/remove/")

    assert not MethodicMember.objects.filter(pk=member.pk).exists()
    [message] = Message.objects.filter(recipient=people["viewer"])
    assert "снята" in message.text and message.link == ""  # the draft is no longer theirs to open
    as_(client, people["viewer"])
    assert client.get(f"/methodics/{draft.pk}/").status_code == 404


def test_a_moderator_may_not_change_roles(client, people, draft):
    member = MethodicMember.objects.get(methodic=draft, user=people["viewer"])
    as_(client, people["moderator"])

    assert client.post(f"/methodics/{draft.pk}/access/{member.pk}/role/", {"role": "admin"}).status_code == 403
    assert client.post(f"/methodics/{draft.pk}/access/{member.pk}/remove/").status_code == 403
    member.refresh_from_db()
    assert member.role == "viewer"


def test_publishing_tells_everyone_with_a_role_but_who_published(client, people, draft):
    as_(client, people["co_admin"])

    client.post(f"/methodics/{draft.pk}/publish/")

    told = set(Message.objects.filter(title__startswith="Методика опубликована").values_list("recipient", flat=True))
    assert told == {people[name].pk for name in ("author", "viewer", "moderator")}
    client.post(f"/methodics/{draft.pk}/publish/")  # published already: nobody is told twice
    assert Message.objects.filter(title__startswith="Методика опубликована").count() == 3


def test_the_admin_inline_gives_roles_through_the_service(client, people, draft):
    newcomer = UserFactory(roles=[TEACHER])
    as_(client, people["author"])
    url = f"/admin/methodics/methodic/{draft.pk}/change/"
    data = change_form_data(client, url)
    total = int(data["members-TOTAL_FORMS"])
    data.update({"members-TOTAL_FORMS": total + 1, f"members-{total}-user": newcomer.pk})
    data[f"members-{total}-role"] = "viewer"

    response = client.post(url, data)

    assert response.status_code == 302
    assert MethodicMember.objects.get(methodic=draft, user=newcomer).role == "viewer"
    assert Message.objects.filter(recipient=newcomer, text__contains="«Просмотр»").exists()


# --- «Мои методики» ------------------------------------------------------------------------


def test_mine_shows_drafts_published_and_shared_with_counts(client, people, draft, published):
    own_draft = MethodicFactory(author=people["viewer"], title="Мой черновик", status="draft", published_at=None)
    as_(client, people["viewer"])

    response = client.get("/methodics/mine/")

    assert [methodic.title for methodic in response.context["drafts"]] == [own_draft.title]
    assert response.context["published"] == []
    assert {member.methodic.title: member.get_role_display() for member in response.context["shared"]} == {
        "Квест по ориентированию": "Просмотр",
        "Снежный ком": "Просмотр",
    }
    content = response.content.decode()
    assert "1 черновик" in content and "0 методик" in content and "2 методики" in content
    assert f'href="/methodics/{draft.pk}/edit/"' not in content  # a viewer does not edit


def test_mine_is_in_the_users_menu(client, people):
    as_(client, people["outsider"])
    header = client.get("/").content.decode().split("</header>")[0]
    assert 'href="/methodics/mine/"' in header


def test_mine_takes_the_same_queries_whatever_the_numbers(client, people):
    viewer = people["viewer"]
    as_(client, viewer)
    client.get("/methodics/mine/")
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            share(MethodicFactory(), people)
            MethodicFactory(author=viewer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/methodics/mine/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
