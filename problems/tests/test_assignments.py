"""Class assignments (issue 21): a teacher gives a saved variant to a class, pupils (signed
in or guests) solve it once, the teacher reads the results and downloads them."""

import csv
import io
from datetime import timedelta

import pypdf
import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import VOLUNTEER
from accounts.tests.factories import UserFactory
from core.answerkind import AnswerKind
from problems import assignments as rules
from problems.models import ASSIGNMENT_CODE_ALPHABET, Assignment, AssignmentAnswer, AssignmentSubmission
from problems.services import ProblemsError, variant_save
from problems.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

# (kind, expected, a right answer as a pupil types it, a wrong one)
TASKS = (
    (AnswerKind.NUMBER, "4", "4,0", "5"),
    (AnswerKind.EXPRESSION, "2x + 2", "2(x+1)", "2x"),
    (AnswerKind.EQUATION, "x = 2 или x = −3", "x₁ = −3; x₂ = 2", "x = 2"),
    (AnswerKind.TEXT, "Москва", "москва", "Казань"),
)


def make_variant(owner, tasks=TASKS):
    made = [
        TaskFactory(title=f"Задача «{kind.label}» √", answer=expected, answer_kind=kind)
        for kind, expected, _, _ in tasks
    ]
    return variant_save(owner=owner, title="Контрольная по алгебре", kind="manual", task_ids=[t.pk for t in made])


def make_assignment(teacher, *, check_mode=Assignment.CheckMode.AT_END, deadline=None, variant=None):
    return rules.assignment_create(
        variant=variant or make_variant(teacher),
        teacher=teacher,
        title="Самостоятельная 7 «Б»",
        deadline=deadline,
        check_mode=check_mode,
    )


def task_ids(assignment):
    return [task.pk for task in rules.assignment_tasks(assignment)]


def answers_data(assignment, picks):
    """Form data: for each task the right (True), wrong (False) or a given answer."""
    data = {}
    for (_, _, right, wrong), task_id, pick in zip(TASKS, task_ids(assignment), picks, strict=True):
        data[f"answer_{task_id}"] = right if pick is True else wrong if pick is False else pick
    return data


def open_url(assignment):
    return reverse("assignments:open", args=[assignment.code])


def join_as_guest(client, assignment, name="Пётр Ёлкин"):
    page = client.get(open_url(assignment))
    assert page.status_code == 200
    token = page.context["form"]["token"].value()
    response = client.post(reverse("assignments:join", args=[assignment.code]), {"name": name, "token": token})
    assert response.status_code == 302
    return AssignmentSubmission.objects.get(assignment=assignment, guest_name=name)


# --- Giving a variant to a class ------------------------------------------------------------


def test_a_visitor_is_sent_to_sign_in(client, teacher):
    variant = make_variant(teacher)
    response = client.get(reverse("problems:assignment_create", args=[variant.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_a_volunteer_may_not_give_an_assignment(as_volunteer, volunteer):
    variant = make_variant(volunteer)
    assert "Выдать классу" not in as_volunteer.get(variant.get_absolute_url()).content.decode()
    assert as_volunteer.get(reverse("problems:assignment_create", args=[variant.pk])).status_code == 403
    assert as_volunteer.get(reverse("problems:my_assignments")).status_code == 403
    with pytest.raises(ProblemsError, match="преподаватели и администраторы"):
        make_assignment(volunteer, variant=variant)


@pytest.mark.parametrize("role", ["teacher", "administrator", "main_admin"])
def test_teachers_and_administrators_give_their_variant_to_a_class(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    variant = make_variant(user)
    assert "Выдать классу" in client.get(variant.get_absolute_url()).content.decode()
    url = reverse("problems:assignment_create", args=[variant.pk])
    page = client.get(url)
    assert page.context["form"]["title"].value() == "Контрольная по алгебре"
    deadline = timezone.localtime() + timedelta(days=2)
    response = client.post(
        url, {"title": "Самостоятельная", "deadline": f"{deadline:%Y-%m-%dT%H:%M}", "check_mode": "at_once"}
    )
    assignment = Assignment.objects.get()
    assert response.status_code == 302 and response["Location"] == assignment.get_absolute_url()
    assert (assignment.teacher, assignment.variant, assignment.title) == (user, variant, "Самостоятельная")
    assert assignment.check_mode == Assignment.CheckMode.AT_ONCE
    assert abs(assignment.deadline - deadline) < timedelta(minutes=1)
    assert len(assignment.code) == 6 and set(assignment.code) <= set(ASSIGNMENT_CODE_ALPHABET)
    assert not set(assignment.code) & set("0O1Il")
    page = client.get(assignment.get_absolute_url()).content.decode()
    assert assignment.code in page and f"http://testserver/a/{assignment.code}/" in page


def test_only_ones_own_variant_is_given(as_teacher, teacher):
    other = make_variant(UserFactory(roles=["Преподаватель"]))
    assert as_teacher.get(reverse("problems:assignment_create", args=[other.pk])).status_code == 404


def test_a_past_deadline_and_tasks_without_an_answer_are_refused(as_teacher, teacher):
    variant = make_variant(teacher)
    url = reverse("problems:assignment_create", args=[variant.pk])
    past = timezone.localtime() - timedelta(hours=1)
    response = as_teacher.post(url, {"title": "Т", "deadline": f"{past:%Y-%m-%dT%H:%M}", "check_mode": "at_end"})
    assert response.status_code == 200 and "Срок сдачи уже прошёл" in response.content.decode()
    no_answer = TaskFactory(title="Докажите теорему", answer="")
    variant = variant_save(owner=teacher, title="С доказательством", kind="manual", task_ids=[no_answer.pk])
    response = as_teacher.post(
        reverse("problems:assignment_create", args=[variant.pk]), {"title": "Т", "check_mode": "at_end"}
    )
    assert "нет краткого ответа" in response.content.decode() and "«Докажите теорему»" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_variant_given_to_a_class_is_not_deleted(as_teacher, teacher):
    assignment = make_assignment(teacher)
    response = as_teacher.post(reverse("problems:variant_delete", args=[assignment.variant.pk]), follow=True)
    assert "Вариант выдан классу" in response.content.decode()
    as_teacher.post(reverse("problems:assignment_delete", args=[assignment.pk]))
    assert not Assignment.objects.exists()
    as_teacher.post(reverse("problems:variant_delete", args=[assignment.variant.pk]))
    assert not type(assignment.variant).objects.exists()


# --- The code -------------------------------------------------------------------------------


def test_the_code_is_found_in_any_case_and_layout(client, teacher):
    assignment = make_assignment(teacher)
    code = assignment.code
    spaced = f" {code[:3].lower()} - {code[3:].lower()} "
    response = client.get(reverse("assignments:enter"), {"code": spaced})
    assert response.status_code == 302 and response["Location"] == open_url(assignment)
    assert client.get(f"/a/{code.lower()}/")["Location"] == open_url(assignment)
    cyrillic = code.translate(str.maketrans("ABEKMHPCTYX", "АВЕКМНРСТУХ"))
    assert rules.normalise_code(cyrillic) == code


def test_an_unknown_or_malformed_code_is_told_in_russian(client, teacher):
    assignment = make_assignment(teacher)
    unknown = "".join(reversed(assignment.code)) if assignment.code[::-1] != assignment.code else "ZZZZZZ"
    unknown = unknown if unknown != assignment.code else "ZZZZZ2"
    response = client.get(reverse("assignments:enter"), {"code": unknown})
    assert response.status_code == 404 and f"Задания с кодом {unknown} нет" in response.content.decode()
    response = client.get(reverse("assignments:enter"), {"code": "00OO11"})
    assert "шесть латинских букв и цифр" in response.content.decode()
    assert client.get(f"/a/{unknown}/").status_code == 404


def test_the_bank_page_offers_to_enter_a_code(client, teacher):
    page = client.get(reverse("problems:blocks")).content.decode()
    assert 'action="/a/"' in page and "введите код" in page


# --- Pupils ---------------------------------------------------------------------------------


def test_a_guest_solves_an_assignment_checked_at_the_end(client, teacher):
    assignment = make_assignment(teacher)
    page = client.get(open_url(assignment)).content.decode()
    assert "Имя и фамилия" in page and "Войдите" in page and "4 задачи" in page
    submission = join_as_guest(client, assignment)
    page = client.get(open_url(assignment)).content.decode()
    assert "Найдите √16" in page and "Проверить" not in page and "Отправить работу" in page

    data = answers_data(assignment, [True, True, False, True])
    client.post(open_url(assignment), data)  # «Сохранить»: kept, not checked
    assert set(submission.answers.values_list("verdict", flat=True)) == {None}
    response = client.post(open_url(assignment), {**data, "submit": ""})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.is_submitted and submission.score == 3
    assert dict(submission.answers.values_list("task__answer_kind", "verdict")) == {
        "number": True, "expression": True, "equation": False, "text": True,
    }  # fmt: skip
    page = client.get(open_url(assignment)).content.decode()
    assert "Верных ответов: <strong>3 из 4</strong>" in page and "✗ неверно" in page
    assert "x = 2 или x = −3" not in page  # the right answers are the teacher's to show

    # Once only: a second submission changes nothing, and the same browser sees the result.
    client.post(open_url(assignment), {**answers_data(assignment, [True] * 4), "submit": ""})
    submission.refresh_from_db()
    assert submission.score == 3 and AssignmentSubmission.objects.count() == 1
    # Another browser is another guest.
    assert "Имя и фамилия" in Client().get(open_url(assignment)).content.decode()


def test_a_signed_in_pupil_checks_each_answer_at_once(client, teacher):
    assignment = make_assignment(teacher, check_mode=Assignment.CheckMode.AT_ONCE)
    pupil = UserFactory(roles=[VOLUNTEER], first_name="Анна", last_name="Щукина")
    client.force_login(pupil)
    page = client.get(open_url(assignment)).content.decode()
    submission = AssignmentSubmission.objects.get(user=pupil)
    assert "Проверить" in page and "Анна Щукина" in page
    first, second, *_ = task_ids(assignment)

    data = answers_data(assignment, [True, False, "", ""])
    response = client.post(open_url(assignment), {**data, "check": first}, follow=True)
    assert "✓ Верно" in response.content.decode()
    client.post(open_url(assignment), {**data, "check": second})
    answers = {answer.task_id: answer for answer in submission.answers.all()}
    assert (answers[first].verdict, answers[second].verdict) == (True, False)

    # Not understood: a hint, nothing recorded for it.
    response = client.post(open_url(assignment), {**data, f"answer_{second}": "2x +* 2", "check": second})
    assert response.status_code == 200 and response.context["items"][1]["hint"]
    assert submission.answers.get(task_id=second).answer == "2x"
    # Changed without a check: kept, its verdict gone; the answer can be fixed before sending.
    client.post(open_url(assignment), {**data, f"answer_{second}": "2x + 2"})
    assert submission.answers.get(task_id=second).verdict is None
    client.post(open_url(assignment), {**answers_data(assignment, [True, True, True, False]), "submit": ""})
    submission.refresh_from_db()
    assert submission.score == 3
    assert "Верных ответов: <strong>3 из 4</strong>" in client.get(open_url(assignment)).content.decode()


def test_an_answer_not_understood_stops_the_submission(client, teacher):
    assignment = make_assignment(teacher)
    submission = join_as_guest(client, assignment)
    data = answers_data(assignment, [True, "2x +* 2", True, True])
    response = client.post(open_url(assignment), {**data, "submit": ""})
    assert response.status_code == 200 and "Работа не отправлена" in response.content.decode()
    submission.refresh_from_db()
    assert not submission.is_submitted and submission.answers.count() == 4  # kept as drafts


def test_one_submission_each_whatever_is_clicked(teacher):
    assignment = make_assignment(teacher)
    tasks = rules.assignment_tasks(assignment)
    pupil = UserFactory()
    submission = rules.submission_start_for_user(assignment=assignment, user=pupil)
    assert rules.submission_start_for_user(assignment=assignment, user=pupil) == submission
    answers = {task.pk: right for task, (_, _, right, _) in zip(tasks, TASKS, strict=True)}
    first = rules.submission_submit(submission=submission, tasks=tasks, answers=answers)
    second = rules.submission_submit(
        submission=AssignmentSubmission.objects.get(pk=submission.pk), tasks=tasks, answers={}
    )
    assert first.submission.score == second.submission.score == 4
    assert AssignmentAnswer.objects.filter(submission=submission).count() == 4
    # A guest's name form sent twice starts one work.
    one = rules.submission_start_for_guest(assignment=assignment, name="Гость", guest_key="k" * 32)
    two = rules.submission_start_for_guest(assignment=assignment, name="Гость", guest_key="k" * 32)
    assert one == two and AssignmentSubmission.objects.count() == 2


def test_the_deadline_closes_the_assignment(client, teacher):
    assignment = make_assignment(teacher, deadline=timezone.now() + timedelta(hours=1))
    submitted, started = Client(), Client()
    work = join_as_guest(submitted, assignment, "Отправивший")
    submitted.post(open_url(assignment), {**answers_data(assignment, [True] * 4), "submit": ""})
    late = join_as_guest(started, assignment, "Опоздавший")
    Assignment.objects.filter(pk=assignment.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    assert "Задание закрыто" in client.get(open_url(assignment)).content.decode()
    page = client.post(reverse("assignments:join", args=[assignment.code]), {"name": "Новый", "token": "x"})
    assert "Задание закрыто" in page.content.decode()
    response = started.post(open_url(assignment), {**answers_data(assignment, [True] * 4), "submit": ""})
    assert "Задание закрыто" in response.content.decode()
    late.refresh_from_db()
    assert not late.is_submitted
    assert "Верных ответов: <strong>4 из 4</strong>" in submitted.get(open_url(assignment)).content.decode()
    work.refresh_from_db()
    assert work.score == 4


def test_checks_are_rate_limited(client, teacher, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "assignment_check": {"ip": (100, 600), "submission": (2, 600)}}
    assignment = make_assignment(teacher, check_mode=Assignment.CheckMode.AT_ONCE)
    join_as_guest(client, assignment)
    first = task_ids(assignment)[0]
    data = {**answers_data(assignment, [True, "", "", ""]), "check": first}
    assert [client.post(open_url(assignment), data).status_code for _ in range(3)] == [302, 302, 429]


# --- The teacher's results --------------------------------------------------------------------


def solved(assignment, name, picks, *, user=None):
    tasks = rules.assignment_tasks(assignment)
    if user is None:
        submission = rules.submission_start_for_guest(assignment=assignment, name=name, guest_key=name)
    else:
        submission = rules.submission_start_for_user(assignment=assignment, user=user)
    answers = {
        task.pk: (right if pick else wrong)
        for task, (_, _, right, wrong), pick in zip(tasks, TASKS, picks, strict=True)
    }
    rules.submission_submit(submission=submission, tasks=tasks, answers=answers)


@pytest.fixture
def marked(teacher):
    assignment = make_assignment(teacher)
    solved(assignment, "Ёжиков Яков", [True, True, True, True])
    solved(assignment, "=HYPERLINK(1)", [False, False, False, False])
    solved(assignment, "", [True, False, True, False], user=UserFactory(first_name="Анна", last_name="Щукина"))
    rules.submission_start_for_guest(assignment=assignment, name="Медленный Мирон", guest_key="slow")
    return assignment


def test_the_teacher_reads_the_table(as_teacher, marked):
    response = as_teacher.get(marked.get_absolute_url())
    results = response.context["results"]
    assert [row.name for row in results.rows] == ["=HYPERLINK(1)", "Анна Щукина", "Ёжиков Яков", "Медленный Мирон"]
    assert [row.score for row in results.rows] == [0, 2, 4, None]
    assert results.rows[1].marks == (True, False, True, False)
    assert [column.share for column in results.columns] == [67, 33, 67, 33]
    page = response.content.decode()
    assert "Ёжиков Яков" in page and "(гость)" in page and "решает" in page and "67%" in page and "✓" in page


def test_the_table_reads_in_a_fixed_number_of_queries(client, teacher, django_assert_max_num_queries):
    assignment = make_assignment(teacher)
    client.force_login(teacher)
    solved(assignment, "Первый", [True] * 4)
    with django_assert_max_num_queries(10) as few:
        client.get(assignment.get_absolute_url())
    for number in range(15):
        solved(assignment, f"Ученик {number}", [number % 2 == 0] * 4, user=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(assignment.get_absolute_url()).status_code == 200


def test_my_assignments_count_the_works(as_teacher, marked, django_assert_max_num_queries):
    make_assignment(marked.teacher)
    with django_assert_max_num_queries(8):
        response = as_teacher.get(reverse("problems:my_assignments"))
    rows = {assignment.pk: assignment for assignment in response.context["assignments"]}
    assert (rows[marked.pk].submitted_count, rows[marked.pk].in_progress_count) == (3, 1)
    assert marked.code in response.content.decode()


def test_the_csv(as_teacher, marked):
    response = as_teacher.get(reverse("problems:assignment_results_csv", args=[marked.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Ученик", "Гость", "1. Задача «число» √"] and rows[0][-3:] == [
        "Верных",
        "Время",
        "Отправлено",
    ]
    assert rows[1][:7] == ["'=HYPERLINK(1)", "да", "✗", "✗", "✗", "✗", "0"]
    assert rows[2][:7] == ["Анна Щукина", "нет", "✓", "✗", "✓", "✗", "2"]
    assert rows[4][0] == "Медленный Мирон" and rows[4][-1] == "не отправлено"
    assert rows[5][:6] == ["Доля верных ответов", "", "67%", "33%", "67%", "33%"]


def test_the_pdf_prints_every_name_and_mark(as_teacher, marked):
    response = as_teacher.get(reverse("problems:assignment_results_pdf", args=[marked.pk]))
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    for expected in ("Самостоятельная 7 «Б»", "Ёжиков Яков", "Анна Щукина", "✓", "✗", "67%", "Задача «число» √"):
        assert expected in text
    fonts = {
        str(font["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("DejaVu" in font for font in fonts)


@pytest.mark.parametrize(
    ("role", "status"), [(None, 302), ("volunteer", 403), ("teacher", 403), ("administrator", 200), ("main_admin", 200)]
)
def test_names_are_the_teachers_and_administrators_only(client, request, marked, role, status):
    """`teacher` here is another teacher: the assignment's is marked.teacher."""
    if role:
        client.force_login(request.getfixturevalue(role) if role != "teacher" else UserFactory(roles=["Преподаватель"]))
    for url in (
        marked.get_absolute_url(),
        reverse("problems:assignment_results_csv", args=[marked.pk]),
        reverse("problems:assignment_results_pdf", args=[marked.pk]),
        reverse("problems:assignment_delete", args=[marked.pk]),
    ):
        assert client.get(url).status_code == status


def test_a_pupil_sees_no_other_pupils_name(client, marked):
    join_as_guest(client, marked, "Новенький Ученик")
    for page in (client.get(open_url(marked)), client.get(reverse("problems:blocks"))):
        text = page.content.decode()
        assert "Ёжиков" not in text and "Щукина" not in text


def test_the_roles_permission():
    assert Group.objects.get(name=VOLUNTEER).permissions.filter(codename="add_assignment").count() == 0
    assert Group.objects.get(name="Преподаватель").permissions.filter(codename="add_assignment").count() == 1


def test_a_closed_teachers_account_takes_its_assignments_along(marked):
    marked.teacher.delete()
    assert not Assignment.objects.exists() and not AssignmentSubmission.objects.exists()
