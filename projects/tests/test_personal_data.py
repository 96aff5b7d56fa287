"""Students' personal data (often minors'): contacts, birthday, address and documents reach
the HTML for the project's moderators and administrators only — never for viewers, never
for outsiders, never on the public list."""

from datetime import date

import pytest
from django.test import Client

from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.testing import form_values
from projects.models import DocumentType, DocumentView, GroupMembership, ProjectMember, StudentDocument
from projects.tests.factories import ProjectFactory, StudentFactory, StudentGroupFactory

PHONE = "+79161112233"
EMAIL = "masha.secret@example.ru"
ADDRESS = "ул. Тайная, д. 7, кв. 13"
DOCUMENT = "IV-МЮ 987654"
MASKED = "••••••••••54"
BIRTHDAY = "17.05.2012"

SECRETS = ("9161112233", "916 111", EMAIL, ADDRESS, DOCUMENT, "987654", BIRTHDAY, "2012-05-17")


@pytest.fixture
def project(db):
    return ProjectFactory(name="Летняя школа", short_description="Кратко о школе", contacts="school@volna.example")


@pytest.fixture
def student(project):
    student = StudentFactory(
        project=project,
        last_name="Смирнова",
        first_name="Мария",
        phone=PHONE,
        email=EMAIL,
        address=ADDRESS,
        birthday=date(2012, 5, 17),
        note="Аллергия на орехи",
    )
    StudentDocument.objects.create(
        student=student, document_type=DocumentType.objects.create(name="Свидетельство"), number=DOCUMENT
    )
    group = StudentGroupFactory(project=project, name="Юниоры")
    GroupMembership.objects.create(group=group, student=student, joined_on=date(2026, 9, 1))
    return student


def member(project, role):
    user = UserFactory(roles=[TEACHER])
    ProjectMember.objects.create(project=project, user=user, role=role)
    return user


def pages_of(client, project, student) -> list[str]:
    return [
        client.get(f"/projects/{project.pk}/students/").content.decode(),
        client.get(f"/projects/students/{student.pk}/").content.decode(),
    ]


def assert_hidden(html: str):
    for secret in SECRETS:
        assert secret not in html, secret
    assert "Аллергия" not in html


@pytest.fixture(params=["anonymous", "volunteer", "teacher"])
def outsider_client(request, client, volunteer, teacher):
    user = {"anonymous": None, "volunteer": volunteer, "teacher": teacher}[request.param]
    if user:
        client.force_login(user)
    return client


def test_outsiders_see_nothing_of_a_student(outsider_client, project, student):
    for html in pages_of(outsider_client, project, student):
        assert_hidden(html)
        assert "Смирнова" not in html
    search = outsider_client.get(f"/projects/{project.pk}/students/", {"q": "9161112233"})
    assert search.status_code in (302, 404)


def test_viewers_see_names_and_groups_only(client, project, student):
    client.force_login(member(project, "viewer"))
    listing, card = pages_of(client, project, student)
    assert "Смирнова Мария" in listing and "Смирнова Мария" in card
    assert "Юниоры" in card
    assert_hidden(listing)
    assert_hidden(card)
    assert "Возраст" not in card and "Документы" not in card


def test_a_viewers_search_by_phone_or_email_finds_nothing(client, project, student):
    client.force_login(member(project, "viewer"))
    for query in ("9161112233", "+79161112233", "masha.secret"):
        html = client.get(f"/projects/{project.pk}/students/", {"q": query}).content.decode()
        assert "Смирнова" not in html
        assert "Найдено учащихся: 0" in html
    html = client.get(f"/projects/{project.pk}/students/", {"q": "смирнова"}).content.decode()
    assert "Смирнова Мария" in html
    assert_hidden(html)


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_project_administrators_see_everything(client, project, student, role):
    client.force_login(member(project, role))
    listing, card = pages_of(client, project, student)
    for html in (listing, card):
        assert "9161112233" in html.replace(" ", "").replace("-", "")
        assert EMAIL in html and BIRTHDAY in html
    assert ADDRESS in card and "Аллергия на орехи" in card
    assert "Свидетельство" in card and MASKED in card and "987654" not in card  # in full only by «Показать»
    assert "01.09.2026" in card  # the date they joined the group


@pytest.mark.parametrize("fixture", ["administrator", "main_admin"])
def test_site_administrators_see_everything(request, client, project, student, fixture):
    client.force_login(request.getfixturevalue(fixture))
    card = client.get(f"/projects/students/{student.pk}/").content.decode()
    assert EMAIL in card and ADDRESS in card
    assert MASKED in card and "987654" not in card


# --- «Показать»: a document number in full, recorded ------------------------------------------


def reveal(client, student, document_id):
    return client.post(f"/projects/students/{student.pk}/", {"document": document_id})


@pytest.mark.parametrize("role", ["moderator", "admin", "administrator", "main_admin"])
def test_a_document_number_shows_in_full_only_after_show_and_the_look_is_recorded(
    request, client, project, student, role
):
    user = request.getfixturevalue(role) if role in ("administrator", "main_admin") else member(project, role)
    client.force_login(user)
    document = student.documents.get()
    card = client.get(f"/projects/students/{student.pk}/").content.decode()
    assert "987654" not in card and MASKED in card
    assert f'<input type="hidden" name="document" value="{document.pk}">' in card
    assert ">Показать</button>" in card
    assert not DocumentView.objects.exists()

    response = reveal(client, student, document.pk)

    assert response.status_code == 200
    assert f'<span class="document-number">{DOCUMENT}</span>' in response.content.decode()
    assert list(DocumentView.objects.values_list("document", "user")) == [(document.pk, user.pk)]
    assert "987654" not in client.get(f"/projects/students/{student.pk}/").content.decode()  # one look, no more


def test_show_reveals_only_the_pressed_document(client, project, student):
    other = StudentDocument.objects.create(
        student=student, document_type=DocumentType.objects.create(name="Паспорт"), number="4525613420"
    )
    client.force_login(member(project, "moderator"))
    html = reveal(client, student, other.pk).content.decode()
    assert "4525613420" in html
    assert "987654" not in html and MASKED in html


@pytest.mark.parametrize("who", ["viewer", "volunteer", "teacher", "other_project_moderator", "anonymous"])
def test_who_does_not_see_the_documents_cannot_reveal_them(client, project, student, volunteer, teacher, who):
    users = {
        "viewer": member(project, "viewer"),
        "volunteer": volunteer,
        "teacher": teacher,
        "other_project_moderator": member(ProjectFactory(), "moderator"),
        "anonymous": None,
    }
    if users[who]:
        client.force_login(users[who])

    response = reveal(client, student, student.documents.get().pk)

    assert response.status_code == {"viewer": 403, "anonymous": 302}.get(who, 404)
    assert "987654" not in response.content.decode()
    assert not DocumentView.objects.exists()


def test_show_refuses_another_students_document_nonsense_and_a_post_without_csrf(project, student):
    stranger = StudentDocument.objects.create(
        student=StudentFactory(project=project), document_type=DocumentType.objects.create(name="Паспорт"), number="1"
    )
    moderator = member(project, "moderator")
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert reveal(client, student, student.documents.get().pk).status_code == 403

    client = Client()
    client.force_login(moderator)
    assert reveal(client, student, stranger.pk).status_code == 404
    assert reveal(client, student, "абв").status_code == 404
    assert not DocumentView.objects.exists()


def test_the_edit_form_shows_the_number_masked_and_keeps_it_when_left_empty(client, project, student):
    client.force_login(member(project, "moderator"))
    url = f"/projects/students/{student.pk}/edit/"
    response = client.get(url)
    assert "987654" not in response.content.decode()
    assert f'placeholder="{MASKED}"' in response.content.decode()

    data = form_values(response.context["form"])
    formset = response.context["formset"]
    data.update(form_values(formset.management_form))
    for form in formset.forms:
        data.update(form_values(form))
    data["note"] = "Аллергия на орехи и мёд"
    assert client.post(url, data).status_code == 302
    assert student.documents.get().number == DOCUMENT

    data["documents-0-number"] = "IV-МЮ 111111"
    assert client.post(url, data).status_code == 302
    assert student.documents.get().number == "IV-МЮ 111111"


def test_moderators_find_a_student_by_phone_and_email(client, project, student):
    client.force_login(member(project, "moderator"))
    for query in ("9161112233", "masha.secret"):
        html = client.get(f"/projects/{project.pk}/students/", {"q": query}).content.decode()
        assert "Смирнова Мария" in html


def test_the_age_is_derived_from_the_birthday(client, project, student, monkeypatch):
    from projects.views import pages

    monkeypatch.setattr(pages.timezone, "localdate", lambda: date(2026, 5, 16))
    client.force_login(member(project, "moderator"))
    card = client.get(f"/projects/students/{student.pk}/").content.decode()
    assert "<dt>Возраст</dt><dd>13</dd>" in card
    monkeypatch.setattr(pages.timezone, "localdate", lambda: date(2026, 5, 17))
    card = client.get(f"/projects/students/{student.pk}/").content.decode()
    assert "<dt>Возраст</dt><dd>14</dd>" in card


def test_the_public_list_shows_only_the_public_card(client, project, student):
    project.description = "<p>Подробное описание для участников</p>"
    project.address = "Секретный адрес площадки"
    project.note = "Внутренняя заметка"
    project.save()
    for user in (None, UserFactory()):
        if user:
            client.force_login(user)
        html = client.get("/projects/").content.decode()
        assert "Летняя школа" in html and "Кратко о школе" in html and "school@volna.example" in html
        for hidden in ("Подробное описание", "Секретный адрес", "Внутренняя заметка", "Смирнова", "Юниоры"):
            assert hidden not in html
        assert_hidden(html)
        assert f'href="/projects/{project.pk}/"' not in html


def test_viewers_cannot_download_a_students_files_list(client, project, student):
    """A viewer does not even see the student's attachments section."""
    client.force_login(member(project, "viewer"))
    card = client.get(f"/projects/students/{student.pk}/").content.decode()
    assert "Файлы" not in card


def test_nothing_of_a_student_is_logged(client, project, student, caplog):
    caplog.set_level("DEBUG")
    client.force_login(member(project, "moderator"))
    client.get(f"/projects/{project.pk}/students/", {"q": "9161112233"})
    client.get(f"/projects/students/{student.pk}/")
    client.get("/projects/students/999999/")
    logged = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("django.db"))
    for secret in ("9161112233", EMAIL, ADDRESS, DOCUMENT, "Смирнова"):
        assert secret not in logged


def test_a_students_file_is_downloaded_by_moderators_only(client, project, student):
    from projects.tests.test_pages import attach

    attachment = attach(student, "consent.txt", b"consent")
    client.force_login(member(project, "viewer"))
    assert client.get(f"/projects/attachments/{attachment.pk}/").status_code == 403
    client.force_login(member(project, "moderator"))
    assert client.get(f"/projects/attachments/{attachment.pk}/").status_code == 200
