import datetime
from urllib.parse import parse_qs, quote, urlsplit

import factory
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.context_processors import unread_messages
from accounts.forms import MessageForm
from accounts.models import Message
from accounts.roles import VOLUNTEER
from accounts.services import can_message, message_send, notify
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("accounts:inbox")
SENT = reverse("accounts:messages_sent")
COMPOSE = reverse("accounts:message_compose")
LOGIN = reverse("accounts:login")
PLATFORM = "Платформа «Волна»"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Сообщение {n}")
    text = "Здравствуйте!"


def detail_url(message):
    return reverse("accounts:message_detail", args=[message.pk])


def attachment_url(message):
    return reverse("accounts:message_attachment", args=[message.pk])


def field_errors(response, field):
    return [str(error) for error in response.context["form"].errors.get(field, [])]


def pdf_upload(name="отчёт.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def with_attachment(message, name="план.pdf", content=PDF):
    message.attachment.save(name, ContentFile(content))
    return message


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def other_volunteer(db):
    return UserFactory(roles=[VOLUNTEER])


@pytest.fixture
def letter(teacher, volunteer):
    """A message from the teacher to the volunteer."""
    return MessageFactory(sender=teacher, recipient=volunteer, title="Про занятие", text="Приходите в среду.")


# --- Who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["inbox", "messages_sent", "message_compose"])
def test_lists_and_compose_send_anonymous_to_login(client, name):
    url = reverse(f"accounts:{name}")

    assert client.get(url)["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("url_of", [detail_url, attachment_url])
def test_a_message_sends_anonymous_to_login(client, letter, url_of):
    with_attachment(letter)
    url = url_of(letter)

    assert client.get(url)["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("reader", ["volunteer", "teacher"])
def test_recipient_and_sender_open_a_message(client, request, letter, reader):
    client.force_login(request.getfixturevalue(reader))

    response = client.get(detail_url(letter))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Про занятие" in page
    assert "Приходите в среду." in page
    assert letter.sender.get_full_name() in page
    assert letter.recipient.get_full_name() in page


@pytest.mark.parametrize("third", ["other_volunteer", "administrator", "main_admin"])
def test_anyone_else_gets_404_for_the_message_and_its_attachment(client, request, letter, third):
    with_attachment(letter)
    client.force_login(request.getfixturevalue(third))

    assert client.get(detail_url(letter)).status_code == 404
    assert client.get(attachment_url(letter)).status_code == 404
    letter.refresh_from_db()
    assert not letter.is_read


def test_a_missing_id_is_the_same_404(client, volunteer):
    client.force_login(volunteer)

    assert client.get("/accounts/messages/987654/").status_code == 404
    assert client.get("/accounts/messages/99999999999999999999/").status_code == 404


def test_inbox_lists_only_what_the_user_received(client, letter, volunteer, teacher):
    MessageFactory(recipient=teacher, title="Чужое входящее")
    MessageFactory(sender=volunteer, recipient=teacher, title="Вопрос от волонтёра")
    client.force_login(volunteer)

    response = client.get(INBOX)

    assert [message.title for message in response.context["page_obj"]] == ["Про занятие"]
    assert "Чужое входящее" not in response.content.decode()


def test_sent_lists_only_what_the_user_sent(client, letter, volunteer, teacher):
    MessageFactory(sender=volunteer, recipient=teacher, title="Вопрос от волонтёра")
    MessageFactory(recipient=teacher, title="Чужое письмо")
    client.force_login(volunteer)

    response = client.get(SENT)

    assert response.status_code == 200
    assert [message.title for message in response.context["page_obj"]] == ["Вопрос от волонтёра"]
    page = response.content.decode()
    assert teacher.get_full_name() in page
    assert "не прочитано" in page


# --- Inbox -----------------------------------------------------------------------------


def test_inbox_marks_unread_messages_and_opening_one_reads_it(client, letter, volunteer, teacher):
    read = MessageFactory(sender=teacher, recipient=volunteer, title="Уже прочитано", read_at=timezone.now())
    client.force_login(volunteer)

    page = client.get(INBOX).content.decode()
    assert "<strong>Про занятие</strong>" in page
    assert page.count("новое") == 1
    assert "<strong>Уже прочитано</strong>" not in page

    client.get(detail_url(letter))

    letter.refresh_from_db()
    assert letter.is_read
    page = client.get(INBOX).content.decode()
    assert "<strong>Про занятие</strong>" not in page
    assert "новое" not in page
    read.refresh_from_db()
    assert read.is_read


def test_opening_as_the_sender_leaves_it_unread(client, letter, teacher):
    client.force_login(teacher)

    client.get(detail_url(letter))

    letter.refresh_from_db()
    assert not letter.is_read
    assert "ещё нет" in client.get(detail_url(letter)).content.decode()


def test_opening_again_keeps_the_first_read_time(client, letter, volunteer):
    client.force_login(volunteer)
    client.get(detail_url(letter))
    letter.refresh_from_db()
    first_read = letter.read_at

    client.get(detail_url(letter))

    letter.refresh_from_db()
    assert letter.read_at == first_read


def test_inbox_is_newest_first_and_paginated_by_20(client, volunteer, teacher):
    start = timezone.now() - datetime.timedelta(days=30)
    for number in range(25):
        message = MessageFactory(sender=teacher, recipient=volunteer, title=f"Письмо {number:02}")
        Message.objects.filter(pk=message.pk).update(created_at=start + datetime.timedelta(hours=number))
    client.force_login(volunteer)

    first = client.get(INBOX)
    second = client.get(INBOX, {"page": 2})

    assert [m.title for m in first.context["page_obj"]] == [f"Письмо {n:02}" for n in range(24, 4, -1)]
    assert [m.title for m in second.context["page_obj"]] == [f"Письмо {n:02}" for n in range(4, -1, -1)]
    assert 'href="?page=2"' in first.content.decode()
    assert 'href="?page=1"' in second.content.decode()
    assert "Страница 2 из 2" in second.content.decode()
    assert client.get(INBOX, {"page": "много"}).status_code == 200


def test_dates_are_shown_in_moscow_time(client, letter, volunteer):
    Message.objects.filter(pk=letter.pk).update(created_at=datetime.datetime(2026, 3, 5, 21, 30, tzinfo=datetime.UTC))
    client.force_login(volunteer)

    assert "6 марта 2026, 00:30" in client.get(INBOX).content.decode()
    assert "6 марта 2026, 00:30" in client.get(detail_url(letter)).content.decode()


def test_an_empty_inbox_says_so(client, volunteer):
    client.force_login(volunteer)

    assert "Входящих сообщений пока нет." in client.get(INBOX).content.decode()


# --- Reading a message -----------------------------------------------------------------


def test_text_is_escaped_with_line_breaks(client, teacher, volunteer):
    message = MessageFactory(sender=teacher, recipient=volunteer, text="<script>alert(1)</script>\nвторая строка")
    client.force_login(volunteer)

    page = client.get(detail_url(message)).content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>вторая строка" in page


def test_recipient_may_reply_with_recipient_and_title_prefilled(client, letter, volunteer, teacher):
    client.force_login(volunteer)

    response = client.get(detail_url(letter))

    reply_url = response.context["reply_url"]
    assert "Ответить" in response.content.decode()
    assert parse_qs(urlsplit(reply_url).query) == {"to": [str(teacher.pk)], "title": ["Re: Про занятие"]}
    form = client.get(reply_url).context["form"]
    assert form["recipient"].value() == teacher.pk
    assert form["title"].value() == "Re: Про занятие"


@pytest.mark.parametrize("to", ["", "abc", "²", "-1", "99999999999999999999"])
def test_a_bad_prefilled_recipient_is_ignored(client, volunteer, to):
    client.force_login(volunteer)

    response = client.get(COMPOSE, {"to": to, "title": "x" * 300})

    assert response.status_code == 200
    assert response.context["form"]["title"].value() == "x" * 200


def test_a_reply_to_a_reply_does_not_stack_prefixes(client, teacher, volunteer):
    message = MessageFactory(sender=teacher, recipient=volunteer, title="Re: Про занятие")
    client.force_login(volunteer)

    assert "title=Re%3A+%D0%9F%D1%80%D0%BE" in client.get(detail_url(message)).context["reply_url"]


@pytest.mark.parametrize("case", ["sender views it", "platform message", "sender left", "between volunteers"])
def test_no_reply_link_where_nobody_can_be_answered(client, letter, volunteer, other_volunteer, teacher, case):
    viewer = volunteer
    if case == "sender views it":
        viewer = teacher
    elif case == "platform message":
        letter.sender = None
    elif case == "sender left":
        teacher.is_active = False
        teacher.save()
    else:
        letter.sender = other_volunteer
    letter.save()
    client.force_login(viewer)

    response = client.get(detail_url(letter))

    assert response.context["reply_url"] is None
    assert "Ответить" not in response.content.decode()


# --- Attachments -----------------------------------------------------------------------


def test_a_pdf_is_stored_privately_and_downloaded_by_recipient_and_sender_only(
    client, settings, volunteer, teacher, other_volunteer
):
    client.force_login(volunteer)
    client.post(
        COMPOSE, {"recipient": teacher.pk, "title": "Справка", "text": "Прикладываю.", "attachment": pdf_upload()}
    )

    message = Message.objects.get()
    assert message.attachment.name.startswith("messages/")
    assert (settings.PRIVATE_MEDIA_ROOT / message.attachment.name).read_bytes() == PDF
    assert not (settings.MEDIA_ROOT / message.attachment.name).exists()
    for reader in (teacher, volunteer):
        client.force_login(reader)
        assert f'href="{attachment_url(message)}"' in client.get(detail_url(message)).content.decode()
        response = client.get(attachment_url(message))
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment; filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf"
        assert downloaded(response) == PDF
    client.force_login(other_volunteer)
    assert client.get(attachment_url(message)).status_code == 404


def test_attachments_download_under_the_names_they_were_sent_with(client, teacher, volunteer):
    client.force_login(volunteer)
    name = "Справка о прививках (2).pdf"
    for content in (PDF, PDF + b"%second"):
        sent = {
            "recipient": teacher.pk,
            "title": "Справка",
            "text": "Прикладываю.",
            "attachment": pdf_upload(name, content),
        }
        client.post(COMPOSE, sent)
    first, second = Message.objects.order_by("pk")

    assert first.attachment.name != second.attachment.name  # a folder each, the same name
    client.force_login(teacher)
    for message, content in ((first, PDF), (second, PDF + b"%second")):
        response = client.get(attachment_url(message))
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"
        assert downloaded(response) == content


def test_without_an_attachment_there_is_no_link_and_no_download(client, letter, volunteer):
    client.force_login(volunteer)

    assert "/attachment/" not in client.get(detail_url(letter)).content.decode()
    assert client.get(attachment_url(letter)).status_code == 404


def test_an_attachment_lost_from_disk_is_404_not_500(client, letter, volunteer, settings):
    with_attachment(letter)
    (settings.PRIVATE_MEDIA_ROOT / letter.attachment.name).unlink()
    client.force_login(volunteer)

    assert client.get(attachment_url(letter)).status_code == 404


def test_an_exe_is_a_russian_field_error_and_nothing_is_saved(client, settings, volunteer, teacher):
    client.force_login(volunteer)
    upload = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")

    response = client.post(COMPOSE, {"recipient": teacher.pk, "title": "Программа", "text": "…", "attachment": upload})

    assert response.status_code == 200
    assert field_errors(response, "attachment") == [
        "Такой файл не подойдёт: можно PDF, документы Word и OpenDocument, таблицы, презентации, TXT, CSV "
        "и картинки JPEG и PNG."
    ]
    assert not Message.objects.exists()
    assert not settings.PRIVATE_MEDIA_ROOT.exists() or not any(settings.PRIVATE_MEDIA_ROOT.rglob("*.*"))


def test_a_file_over_the_limit_is_a_russian_field_error_and_nothing_is_saved(client, settings, volunteer, teacher):
    settings.ATTACHMENT_MAX_MB = 1
    client.force_login(volunteer)
    upload = pdf_upload("большой.pdf", PDF + b"0" * (1024 * 1024))

    response = client.post(COMPOSE, {"recipient": teacher.pk, "title": "Скан", "text": "…", "attachment": upload})

    assert field_errors(response, "attachment") == ["Файл слишком большой: 1.0 МБ, можно не больше 1 МБ."]
    assert "не больше 1 МБ" in response.content.decode()
    assert not Message.objects.exists()


# --- Writing ---------------------------------------------------------------------------


def recipient_choices(client):
    return set(client.get(COMPOSE).context["form"].fields["recipient"].queryset)


def test_a_volunteer_may_write_to_active_staff_only(client, volunteer, other_volunteer, teacher, administrator):
    left = UserFactory(roles=[VOLUNTEER], is_staff=True, is_active=False)
    client.force_login(volunteer)

    assert recipient_choices(client) == {teacher, administrator}
    assert left not in recipient_choices(client)


def test_staff_may_write_to_every_other_active_user(client, volunteer, other_volunteer, teacher, administrator):
    UserFactory(is_active=False)
    client.force_login(teacher)

    assert recipient_choices(client) == {volunteer, other_volunteer, administrator}


def test_the_choices_agree_with_can_message(volunteer, other_volunteer, teacher, administrator):
    users = [volunteer, other_volunteer, teacher, administrator, UserFactory(is_active=False, is_staff=True)]
    for sender in users[:4]:
        choices = set(MessageForm(sender=sender).fields["recipient"].queryset)
        assert choices == {user for user in users if can_message(sender=sender, recipient=user)}


def test_compose_page_is_a_multipart_form(client, volunteer):
    client.force_login(volunteer)

    page = client.get(COMPOSE).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,.doc,' in page


def test_a_volunteer_writes_to_a_teacher(client, volunteer, teacher, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(volunteer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            COMPOSE, {"recipient": teacher.pk, "title": "Вопрос", "text": "Когда следующее занятие?"}, follow=True
        )

    assert response.redirect_chain == [(SENT, 302)]
    assert "Сообщение отправлено." in response.content.decode()
    message = Message.objects.get()
    assert (message.sender, message.recipient, message.title, message.text) == (
        volunteer,
        teacher,
        "Вопрос",
        "Когда следующее занятие?",
    )
    assert not message.attachment
    assert [mail.to for mail in mailoutbox] == [[teacher.email]]


def test_a_forged_post_to_another_volunteer_is_refused(client, volunteer, other_volunteer, mailoutbox):
    client.force_login(volunteer)

    response = client.post(COMPOSE, {"recipient": other_volunteer.pk, "title": "Привет", "text": "Как дела?"})

    assert response.status_code == 200
    assert field_errors(response, "recipient") == ["Этому пользователю нельзя написать."]
    assert not Message.objects.exists()
    assert mailoutbox == []


def test_writing_to_oneself_is_refused(client, teacher):
    client.force_login(teacher)

    response = client.post(COMPOSE, {"recipient": teacher.pk, "title": "Себе", "text": "Заметка"})

    assert field_errors(response, "recipient") == ["Этому пользователю нельзя написать."]
    assert not Message.objects.exists()


def test_missing_fields_are_named_in_russian(client, volunteer):
    client.force_login(volunteer)

    response = client.post(COMPOSE, {"title": "   "})

    for field in ("recipient", "title", "text"):
        assert field_errors(response, field) == ["Обязательное поле."]
    assert field_errors(response, "attachment") == []
    assert not Message.objects.exists()


def test_a_recipient_who_left_meanwhile_is_a_field_error(client, monkeypatch, volunteer, teacher):
    """The list is checked when the form validates; the service checks again when sending."""

    def refuse(**kwargs):
        raise PermissionDenied

    monkeypatch.setattr("accounts.views.message_send", refuse)
    client.force_login(volunteer)

    response = client.post(COMPOSE, {"recipient": teacher.pk, "title": "Вопрос", "text": "…"})

    assert field_errors(response, "recipient") == ["Этому пользователю нельзя написать."]


# --- Services: email and notifications -------------------------------------------------


def test_message_send_emails_the_recipient_after_commit(
    volunteer, teacher, settings, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = message_send(sender=volunteer, recipient=teacher, title="Вопрос", text="Текст вопроса")
        assert mailoutbox == []

    assert len(callbacks) == 1
    (mail,) = mailoutbox
    assert mail.to == [teacher.email]
    assert mail.subject == "Вопрос"
    assert "Текст вопроса" in mail.body
    assert f"{settings.SITE_URL}{INBOX}" in mail.body
    assert message.sender == volunteer


def test_notify_writes_once_to_each_recipient_from_the_platform(
    client, volunteer, teacher, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[volunteer, teacher, volunteer], title="Уровень подтверждён", text="Поздравляем!")

    assert len(created) == 2
    assert {message.recipient for message in Message.objects.all()} == {volunteer, teacher}
    assert set(Message.objects.values_list("sender", flat=True)) == {None}
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted([volunteer.email, teacher.email])
    client.force_login(volunteer)
    page = client.get(INBOX).content.decode()
    assert PLATFORM in page
    assert "Уровень подтверждён" in page
    assert PLATFORM in client.get(detail_url(Message.objects.get(recipient=volunteer))).content.decode()


def test_notify_gives_each_recipient_a_copy_of_its_own_of_the_attachment(client, volunteer, teacher):
    created = notify(
        recipients=[volunteer, teacher],
        title="Файл готов: Вариант.pdf",
        text="Во вложении.",
        attachment=ContentFile(PDF, name="Вариант.pdf"),
    )

    names = {message.attachment.name for message in created}
    assert len(names) == 2  # two files in storage, not one shared
    assert all(name.endswith("/Вариант.pdf") for name in names)
    for message in Message.objects.all():
        with message.attachment.open("rb") as file:
            assert file.read() == PDF
    client.force_login(volunteer)
    response = client.get(reverse("accounts:message_attachment", args=[created[0].pk]))
    assert b"".join(response.streaming_content) == PDF
    assert quote("Вариант.pdf") in response["Content-Disposition"]
    assert notify(recipients=[volunteer], title="Без файла", text="…")[0].attachment.name == ""


# --- Navigation badge ------------------------------------------------------------------


def test_nav_badge_counts_unread_messages(client, volunteer, teacher):
    MessageFactory.create_batch(3, sender=teacher, recipient=volunteer)
    MessageFactory(sender=teacher, recipient=volunteer, read_at=timezone.now())
    MessageFactory(sender=volunteer, recipient=teacher)
    client.force_login(volunteer)

    page = client.get("/").content.decode()

    assert f'href="{INBOX}"' in page
    assert '<span class="badge" aria-hidden="true">3</span>' in page
    assert "(непрочитанных: 3)" in page


def test_nav_badge_follows_reading(client, letter, volunteer):
    client.force_login(volunteer)
    assert "непрочитанных: 1" in client.get("/about/").content.decode()

    page = client.get(detail_url(letter)).content.decode()

    assert 'class="badge"' not in page
    assert "непрочитанных" not in page
    assert "Сообщения" in page


def test_nav_has_no_messages_link_for_anonymous(client):
    response = client.get("/")

    assert f'href="{INBOX}"' not in response.content.decode()
    assert "unread_message_count" not in response.context


def test_the_context_processor_asks_nothing_for_anonymous(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert unread_messages(request) == {}


def test_the_context_processor_counts_in_one_query_when_shown(letter, volunteer, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = volunteer

    with django_assert_num_queries(0):
        context = unread_messages(request)
    with django_assert_num_queries(1):
        assert context["unread_message_count"] == 1
        assert str(context["unread_message_count"]) == "1"


# --- Query counts ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 40])
def test_inbox_queries_do_not_grow_with_messages(client, volunteer, django_assert_max_num_queries, count):
    for _ in range(count):
        MessageFactory(recipient=volunteer, sender=UserFactory(), attachment="messages/2026/01/plan.pdf")
    client.force_login(volunteer)

    # session, user with the unread count of the nav, paginator count, the page with senders
    with django_assert_max_num_queries(4):
        response = client.get(INBOX)

    assert len(response.context["page_obj"]) == min(count, 20)


@pytest.mark.parametrize("count", [5, 40])
def test_sent_queries_do_not_grow_with_messages(client, teacher, django_assert_max_num_queries, count):
    for _ in range(count):
        MessageFactory(sender=teacher, recipient=UserFactory())
    client.force_login(teacher)

    with django_assert_max_num_queries(4):
        assert client.get(SENT).status_code == 200


def test_message_page_runs_few_queries(client, letter, volunteer, django_assert_max_num_queries):
    client.force_login(volunteer)

    # session, user, the message with both people, marking it read, unread count anew
    with django_assert_max_num_queries(5):
        assert client.get(detail_url(letter)).status_code == 200


@pytest.mark.parametrize("backend", ["accounts.backends.EmailBackend", "accounts.backends.YandexOAuth2"])
def test_home_page_for_a_signed_in_user_stays_within_2_queries(
    client, letter, volunteer, django_assert_max_num_queries, backend
):
    """The session, and the user with the nav's unread count, whichever way they signed in."""
    client.force_login(volunteer, backend=backend)

    with django_assert_max_num_queries(2):
        response = client.get("/")

    assert "непрочитанных: 1" in response.content.decode()


# --- Admin -----------------------------------------------------------------------------

ADMIN_CHANGELIST = "/admin/accounts/message/"


@pytest.mark.parametrize("role", ["administrator", "main_admin"])
def test_administrators_look_messages_up_in_the_admin(client, request, letter, role):
    with_attachment(letter)
    notify(recipients=[letter.recipient], title="Уведомление платформы", text="…")
    client.force_login(request.getfixturevalue(role))

    response = client.get(ADMIN_CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Про занятие" in page
    assert PLATFORM in page

    found = client.get(ADMIN_CHANGELIST, {"q": letter.recipient.email})
    assert {m.pk for m in found.context["cl"].result_list} == set(Message.objects.values_list("pk", flat=True))
    assert list(client.get(ADMIN_CHANGELIST, {"q": "в среду"}).context["cl"].result_list) == [letter]
    unread = client.get(ADMIN_CHANGELIST, {"read": "no"}).context["cl"].result_list
    assert len(unread) == 2
    assert list(client.get(ADMIN_CHANGELIST, {"read": "yes"}).context["cl"].result_list) == []

    view = client.get(f"{ADMIN_CHANGELIST}{letter.pk}/change/")
    assert view.status_code == 200
    assert "план.pdf" in view.content.decode()


def test_messages_are_not_written_or_edited_in_the_admin(client, letter, administrator):
    client.force_login(administrator)

    assert client.get(f"{ADMIN_CHANGELIST}add/").status_code == 403
    response = client.post(f"{ADMIN_CHANGELIST}{letter.pk}/change/", {"title": "Подмена", "text": "…"})
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.title == "Про занятие"


def test_administrators_delete_a_message(client, letter, administrator):
    client.force_login(administrator)

    response = client.post(f"{ADMIN_CHANGELIST}{letter.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Message.objects.exists()


def test_teachers_and_volunteers_do_not_see_messages_in_the_admin(client, teacher, volunteer):
    client.force_login(teacher)
    assert client.get(ADMIN_CHANGELIST).status_code == 403
    assert "/admin/accounts/message/" not in client.get("/admin/").content.decode()

    client.force_login(volunteer)
    assert client.get(ADMIN_CHANGELIST)["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("count", [5, 30])
def test_admin_changelist_queries_do_not_grow(client, administrator, django_assert_max_num_queries, count):
    for _ in range(count):
        MessageFactory()
    client.force_login(administrator)

    with django_assert_max_num_queries(10):
        assert client.get(ADMIN_CHANGELIST).status_code == 200
