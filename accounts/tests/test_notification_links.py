"""Every notification leads somewhere (issue 20): each kind that `notify` sends about an
object stores a link to it, which opens for its recipient; the message page shows it as
«Открыть» and the email gives it as an absolute address."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Message
from accounts.roles import TEACHER
from accounts.services import message_email, notify
from accounts.tests.factories import UserFactory
from courses.models import Lesson, Question
from courses.services import answer_review, course_refresh, enrol, lesson_finish, quiz_submit, webinar_remind
from courses.tests.factories import CourseFactory, WebinarFactory, add_chapter, add_lesson, add_question
from methodics.models import Comment, Methodic
from methodics.services import comment_add, comment_hide, methodic_unpublish
from methodics.tests.factories import MethodicFactory, add_step
from problems.models import Task
from problems.services import task_approve, task_reject, task_submit, variant_export_deliver
from problems.tests.factories import BlockFactory, TaskFactory
from projects.services import attendance_pdf_send
from projects.tests.factories import ProjectCourseFactory
from volunteers.models import VolunteerLevel
from volunteers.services import badge_award, levels_confirm, levels_reject, volunteer_choose_level
from volunteers.tests.factories import BadgeFactory, VolunteerFactory, level_of_rank

pytestmark = pytest.mark.django_db


# --- The kinds of notification, each triggered through its service -----------------------
# Each returns the recipient; the notification is the newest message to them.


def _quiz_course(*, open_question: bool):
    course = CourseFactory()
    quiz = add_lesson(add_chapter(course), type=Lesson.Type.QUIZ, title="Итоговый тест")
    if open_question:
        add_question(quiz, kind=Question.Kind.OPEN)
    else:
        add_question(quiz, choices=[("Москва", True), ("Казань", False)])
    course_refresh(course=course)
    return course, quiz, enrol(volunteer=VolunteerFactory(), course=course)


def quiz_awaiting_review(_capture):
    teacher = UserFactory(roles=[TEACHER])
    _, quiz, enrolment = _quiz_course(open_question=True)
    quiz_submit(enrolment=enrolment, lesson=quiz, responses={quiz.questions.get().pk: {"text": "ответ"}})
    return teacher


def quiz_reviewed(_capture):
    _, quiz, enrolment = _quiz_course(open_question=True)
    attempt = quiz_submit(enrolment=enrolment, lesson=quiz, responses={quiz.questions.get().pk: {"text": "ответ"}})
    answer_review(answer=attempt.answers.get(), fraction=1, comment="", teacher=UserFactory(roles=[TEACHER]))
    Message.objects.filter(title__startswith="Курс ").delete()  # the pass comes with it
    return enrolment.volunteer.user


def course_passed(_capture):
    course = CourseFactory()
    lesson = add_lesson(add_chapter(course))
    course_refresh(course=course)
    enrolment = enrol(volunteer=VolunteerFactory(), course=course)
    lesson_finish(enrolment=enrolment, lesson=lesson)
    return enrolment.volunteer.user


def course_failed(_capture):
    _, quiz, enrolment = _quiz_course(open_question=False)
    wrong = quiz.questions.get().choices.get(text="Казань")
    quiz_submit(enrolment=enrolment, lesson=quiz, responses={quiz.questions.get().pk: {"choices": [wrong.pk]}})
    return enrolment.volunteer.user


def certificate_ready(capture):
    with capture(execute=True):
        user = course_passed(capture)
    return user


def webinar_reminder(_capture):
    course = CourseFactory()
    lesson = add_lesson(add_chapter(course), type=Lesson.Type.WEBINAR)
    course_refresh(course=course)
    enrolment = enrol(volunteer=VolunteerFactory(), course=course)
    webinar = WebinarFactory(
        lesson=lesson, url_webinar="https://webinar.example/1", start_date=timezone.now() + timedelta(minutes=30)
    )
    assert webinar_remind(webinar_id=webinar.pk)
    return enrolment.volunteer.user


def task_suggested(_capture, administrator):
    author = UserFactory(roles=[TEACHER])
    task = TaskFactory(author=author, status=Task.Status.DRAFT, block=BlockFactory())
    task_submit(task=task, author=author)
    return administrator


def task_published(_capture, administrator):
    task = TaskFactory(author=UserFactory(roles=[TEACHER]), status=Task.Status.MODERATION)
    task_approve(task=task, moderator=administrator)
    return task.author


def task_turned_down(_capture, administrator):
    task = TaskFactory(author=UserFactory(roles=[TEACHER]), status=Task.Status.MODERATION)
    task_reject(task=task, moderator=administrator, reason="Нет решения.")
    return task.author


def methodic_unpublished(_capture, administrator):
    methodic = MethodicFactory()
    add_step(methodic)
    methodic_unpublish(methodic=methodic, by=administrator, reason="Уточните шаги.")
    assert Methodic.objects.get(pk=methodic.pk).status == Methodic.Status.DRAFT
    return methodic.author


def comment_hidden(_capture, administrator):
    methodic = MethodicFactory()
    add_step(methodic)
    comment = comment_add(methodic=methodic, author=UserFactory(), text="Отличная игра!")
    comment_hide(comment=comment, by=administrator)
    assert Comment.objects.get(pk=comment.pk).is_hidden
    return comment.author


def level_requested(_capture, administrator):
    volunteer_choose_level(volunteer=VolunteerFactory(), level=level_of_rank(2))
    return administrator


def _pending_request():
    volunteer = VolunteerFactory()
    volunteer_choose_level(volunteer=volunteer, level=level_of_rank(2))
    return volunteer, VolunteerLevel.objects.get(volunteer=volunteer, confirmed=False)


def level_confirmed(_capture, administrator):
    volunteer, request = _pending_request()
    levels_confirm(record_ids=[request.pk], confirmed_by=administrator)
    return volunteer.user


def level_refused(_capture, administrator):
    volunteer, request = _pending_request()
    levels_reject(record_ids=[request.pk], rejected_by=administrator, reason="Нет опыта.")
    return volunteer.user


def badge_awarded(_capture, administrator):
    volunteer = VolunteerFactory()
    badge_award(badge=BadgeFactory(), volunteers=[volunteer], awarded_by=administrator)
    return volunteer.user


def attendance_delivered(_capture):
    course = ProjectCourseFactory()
    author = course.term.project.author
    attendance_pdf_send(key="links-test", course_id=course.pk, user_id=author.pk)
    return author


def class_set_delivered(_capture):
    """A class set made in the background: the link is the file, in the message itself."""
    teacher, task = UserFactory(roles=[TEACHER]), TaskFactory()
    variant_export_deliver(
        key="links-test",
        user_id=teacher.pk,
        title="Контрольная",
        file_title="Контрольная",
        version_ids=[[task.pk]] * 6,
        with_answers=False,
        file_format="pdf",
    )
    return teacher


NEEDS_ADMINISTRATOR = {
    task_suggested,
    task_published,
    task_turned_down,
    methodic_unpublished,
    comment_hidden,
    level_requested,
    level_confirmed,
    level_refused,
    badge_awarded,
}
KINDS = [
    quiz_awaiting_review,
    quiz_reviewed,
    course_passed,
    course_failed,
    certificate_ready,
    webinar_reminder,
    task_suggested,
    task_published,
    task_turned_down,
    methodic_unpublished,
    comment_hidden,
    level_requested,
    level_confirmed,
    level_refused,
    badge_awarded,
    attendance_delivered,
    class_set_delivered,
]


@pytest.mark.parametrize("kind", KINDS, ids=[kind.__name__ for kind in KINDS])
def test_every_notification_links_to_a_page_its_recipient_can_open(
    kind, client, administrator, django_capture_on_commit_callbacks
):
    arguments = (administrator,) if kind in NEEDS_ADMINISTRATOR else ()
    recipient = kind(django_capture_on_commit_callbacks, *arguments)

    message = Message.objects.filter(recipient=recipient, sender=None).first()
    assert message is not None
    assert message.link.startswith("/")
    client.force_login(recipient)
    assert client.get(message.link).status_code == 200
    page = client.get(reverse("accounts:message_detail", args=[message.pk])).content.decode()
    assert f'<a class="button" href="{message.link}">Открыть</a>' in page


def test_the_links_name_the_object(administrator):
    """A few links spelled out: the comment's anchor, the request's admin page, the lesson."""
    methodic = MethodicFactory()
    add_step(methodic)
    comment = comment_add(methodic=methodic, author=UserFactory(), text="Отличная игра!")
    comment_hide(comment=comment, by=administrator)
    assert Message.objects.get(recipient=comment.author).link == f"/methodics/{methodic.pk}/#comment-{comment.pk}"

    volunteer, request = _pending_request()
    assert Message.objects.get(recipient=administrator, title__startswith="Заявка").link == reverse(
        "admin:volunteers_pendinglevel_change", args=[request.pk]
    )
    assert Message.objects.filter(recipient=volunteer.user).count() == 0


def test_a_webinar_in_two_courses_reminds_each_learner_once_with_the_lesson_in_their_course():
    first, second = CourseFactory(), CourseFactory()
    lesson = add_lesson(add_chapter(first), type=Lesson.Type.WEBINAR)
    add_chapter(second).chapter_lessons.create(lesson=lesson, order_number=1)
    for course in (first, second):
        course_refresh(course=course)
    both, only_second = VolunteerFactory(), VolunteerFactory()
    enrol(volunteer=both, course=first)
    enrol(volunteer=both, course=second)
    enrol(volunteer=only_second, course=second)
    webinar = WebinarFactory(
        lesson=lesson, url_webinar="https://webinar.example/1", start_date=timezone.now() + timedelta(minutes=30)
    )

    sent = webinar_remind(webinar_id=webinar.pk)

    assert sorted((message.recipient_id, message.link) for message in sent) == sorted(
        [
            (both.user_id, reverse("courses:lesson", args=[first.pk, lesson.pk])),
            (only_second.user_id, reverse("courses:lesson", args=[second.pk, lesson.pk])),
        ]
    )


# --- The email and the message page ---------------------------------------------------------


def test_the_email_gives_the_link_as_an_absolute_address(volunteer, settings, mailoutbox):
    settings.SITE_URL = "https://volna.example"
    (message,) = notify(recipients=[volunteer], title="Курс пройден", text="Поздравляем!", link="/certificates/my/")

    assert message_email(message_id=message.pk)

    assert "Поздравляем!\n\nОткрыть: https://volna.example/certificates/my/\n" in mailoutbox[0].body


def test_a_message_without_a_link_shows_no_button_and_its_email_no_address(volunteer, client, mailoutbox):
    (message,) = notify(
        recipients=[volunteer], title="Файл готов", text="Во вложении.", attachment=ContentFile(b"x", name="a.txt")
    )
    message_email(message_id=message.pk)
    client.force_login(volunteer)

    assert "Открыть</a>" not in client.get(reverse("accounts:message_detail", args=[message.pk])).content.decode()
    assert "Открыть:" not in mailoutbox[0].body


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "courses/1/"])
def test_a_link_is_a_path_on_the_site(volunteer, link):
    with pytest.raises(ValueError, match="path on this site"):
        notify(recipients=[volunteer], title="…", text="…", link=link)
    assert not Message.objects.exists()
