import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Message
from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.testing import change_form_data
from problems import assignments as rules
from problems.models import AssignmentAnswer, AssignmentSubmission, Favorite, Solution, Task, Variant
from problems.services import variant_save
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

ADMIN_ROOT = "/admin/problems"
TASKS = f"{ADMIN_ROOT}/task/"
SOLUTIONS = f"{ADMIN_ROOT}/solution/"
KEYBOARD = "js/math-keyboard.js"
AUTOCOMPLETE = "/admin/autocomplete/"


def change_url(obj) -> str:
    return f"{ADMIN_ROOT}/{obj._meta.model_name}/{obj.pk}/change/"


def add_solution_row(data: dict, **row) -> dict:
    start = int(data["solutions-TOTAL_FORMS"])
    data.update({f"solutions-{start}-{name}": value for name, value in row.items()})
    data["solutions-TOTAL_FORMS"] = str(start + 1)
    return data


def moderation_notes() -> int:
    return Message.objects.filter(title__startswith="Задача на модерации").count()


# --- Smoke: every page of every model ---------------------------------------------------


def a_favorite():
    return Favorite.objects.create(user=UserFactory(last_name="Орлова"), task=TaskFactory())


def a_variant():
    owner = UserFactory()
    return variant_save(owner=owner, title="Контрольная 7А", kind=Variant.Kind.MANUAL, task_ids=[TaskFactory().pk])


MODELS = [
    pytest.param("block", lambda: BlockFactory(title="Тригонометрия"), "тригон", id="block"),
    pytest.param("reference", lambda: ReferenceFactory(title="Теорема Виета"), "Виета", id="reference"),
    pytest.param("task", lambda: TaskFactory(title="Задача о бассейне"), "бассейн", id="task"),
    pytest.param("solution", lambda: SolutionFactory(title="Решение через дроби"), "дроб", id="solution"),
    pytest.param("favorite", a_favorite, "Орлова", id="favorite"),
    pytest.param("variant", a_variant, "Контрольная", id="variant"),
]


@pytest.mark.parametrize(("model_name", "make", "query"), MODELS)
def test_main_admin_opens_every_page(as_main_admin, model_name, make, query):
    obj = make()
    changelist = f"{ADMIN_ROOT}/{model_name}/"

    assert as_main_admin.get(changelist).status_code == 200
    found = as_main_admin.get(changelist, {"q": query})
    assert found.status_code == 200
    assert obj in found.context["cl"].result_list
    assert not as_main_admin.get(changelist, {"q": "нет-такого"}).context["cl"].result_list
    assert as_main_admin.get(f"{changelist}add/").status_code == 200
    assert as_main_admin.get(change_url(obj)).status_code == 200


def test_tasks_are_found_by_statement_and_answer(as_main_admin):
    task = TaskFactory(statement="<p>Бассейн наполняется двумя трубами.</p>", answer="12 ч")

    for query in ("трубами", "12 ч"):
        assert list(as_main_admin.get(TASKS, {"q": query}).context["cl"].result_list) == [task]


def test_task_filters_by_block_status_and_author(as_main_admin):
    block = BlockFactory()
    wanted = TaskFactory(block=block, status=Task.Status.MODERATION)
    TaskFactory(block=block)
    TaskFactory(status=Task.Status.MODERATION)

    response = as_main_admin.get(
        TASKS, {"block__id__exact": block.pk, "status__exact": "moderation", "author__id__exact": wanted.author_id}
    )

    assert list(response.context["cl"].result_list) == [wanted]


# --- Query counts -----------------------------------------------------------------------


def test_task_list_runs_the_same_number_of_queries_for_5_and_60_tasks(as_main_admin):
    def list_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = as_main_admin.get(TASKS)
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    reviewer = UserFactory()
    TaskFactory.create_batch(5, reviewer=reviewer)
    few = list_queries()
    TaskFactory.create_batch(55, status=Task.Status.MODERATION, reviewer=reviewer)
    many = list_queries()

    assert few[1] == 5
    assert many[1] == 60
    # session, user, permissions ×2, queue size, block filter, author filter, counts ×2, page
    assert few[0] == many[0] <= 10


@pytest.mark.parametrize("model_name", ["solution", "variant", "block"])
def test_other_lists_run_a_fixed_number_of_queries(as_main_admin, model_name):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_main_admin.get(f"{ADMIN_ROOT}/{model_name}/").status_code == 200
        return len(queries)

    def make(count):
        for _ in range(count):
            {"solution": SolutionFactory, "variant": a_variant, "block": TaskFactory}[model_name]()

    make(3)
    few = list_queries()
    make(20)

    assert list_queries() == few


# --- The virtual keyboard ---------------------------------------------------------------


@pytest.mark.parametrize("url", [f"{TASKS}add/", f"{SOLUTIONS}add/"])
def test_the_keyboard_script_is_in_the_task_and_solution_forms(as_main_admin, url):
    response = as_main_admin.get(url)

    assert KEYBOARD in str(response.context["media"])
    assert KEYBOARD in response.content.decode()
    form = response.context["adminform"].form
    assert "data-math-keyboard" in form.fields["title"].widget.attrs


def test_the_task_form_marks_its_plain_fields_and_solution_titles(as_main_admin):
    task = TaskFactory()
    SolutionFactory(task=task)

    response = as_main_admin.get(change_url(task))

    form = response.context["adminform"].form
    assert "data-math-keyboard" in form.fields["answer"].widget.attrs
    [solutions] = response.context["inline_admin_formsets"]
    assert "data-math-keyboard" in solutions.formset.forms[0].fields["title"].widget.attrs
    assert KEYBOARD in response.content.decode()


# --- Administrators ---------------------------------------------------------------------


def test_administrator_adds_a_task_with_a_solution_and_it_goes_to_moderation(as_administrator, administrator):
    block, theorem = BlockFactory(), ReferenceFactory()
    data = change_form_data(
        as_administrator,
        f"{TASKS}add/",
        title="Угол треугольника",
        block=block.pk,
        statement="<p>В △ABC ∠A = 40°, ∠B = 60°. Найдите ∠C.</p><script>alert(1)</script>",
        answer="80°",
        references=[theorem.pk],
    )
    add_solution_row(data, title="Сумма углов", text="<p>180° − 40° − 60° = 80°.</p>")

    response = as_administrator.post(f"{TASKS}add/", data)

    assert response.status_code == 302, response.context["errors"]
    task = Task.objects.get()
    assert (task.status, task.author) == (Task.Status.MODERATION, administrator)
    assert "<script>" not in task.statement
    assert list(task.references.all()) == [theorem]
    assert task.solutions.get().author == administrator
    assert moderation_notes() >= 1


def test_administrator_corrects_any_task_and_it_keeps_its_state(as_administrator, teacher):
    task = TaskFactory(author=teacher, title="Опечатка")
    solution = SolutionFactory(task=task)

    response = as_administrator.post(
        change_url(task),
        change_form_data(as_administrator, change_url(task), title="Без опечатки", **{"solutions-0-text": "<p>4</p>"}),
    )

    assert response.status_code == 302
    task.refresh_from_db()
    solution.refresh_from_db()
    assert (task.title, task.status, task.author) == ("Без опечатки", Task.Status.PUBLISHED, teacher)
    assert solution.text == "<p>4</p>"
    assert moderation_notes() == 0


def test_nobody_edits_the_state_by_hand(as_administrator):
    task = TaskFactory(status=Task.Status.MODERATION)

    response = as_administrator.get(change_url(task))
    as_administrator.post(change_url(task), change_form_data(as_administrator, change_url(task), status="published"))

    form_fields = set(response.context["adminform"].form.fields)
    assert not {"status", "reviewer", "reviewed_at", "rejection_reason"} & form_fields
    task.refresh_from_db()
    assert task.status == Task.Status.MODERATION


# --- Teachers ---------------------------------------------------------------------------


def test_teacher_adds_a_task_that_goes_to_moderation_as_theirs(as_teacher, teacher):
    data = change_form_data(as_teacher, f"{TASKS}add/", title="Моя задача", block=BlockFactory().pk)
    data.update(statement="<p>Решите x² = 9.</p>", author=UserFactory().pk, status="published")
    add_solution_row(data, title="Решение", text="<p>x = ±3.</p>")

    page = as_teacher.get(f"{TASKS}add/")
    response = as_teacher.post(f"{TASKS}add/", data)

    assert not {"author", "status", "external_key"} & set(page.context["adminform"].form.fields)
    assert response.status_code == 302, response.context["errors"]
    task = Task.objects.get()
    assert (task.status, task.author) == (Task.Status.MODERATION, teacher)
    assert task.solutions.get().author == teacher


@pytest.mark.parametrize("status", [Task.Status.DRAFT, Task.Status.MODERATION, Task.Status.REJECTED])
def test_teacher_changes_an_own_unpublished_task_and_it_goes_back_to_moderation(
    as_teacher, teacher, administrator, status
):
    task = TaskFactory(author=teacher, status=status, rejection_reason="Нет решения." if status == "rejected" else "")

    response = as_teacher.post(change_url(task), change_form_data(as_teacher, change_url(task), title="Исправлено"))

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.status, task.rejection_reason) == ("Исправлено", Task.Status.MODERATION, "")
    assert Message.objects.filter(recipient=administrator, title="Задача на модерации: Исправлено").exists()


def test_teacher_only_views_an_own_published_task_and_others_tasks(as_teacher, teacher):
    own_published = TaskFactory(author=teacher)
    foreign = TaskFactory(status=Task.Status.MODERATION)

    for task in (own_published, foreign):
        page = as_teacher.get(change_url(task))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        forged = as_teacher.post(change_url(task), {"title": "Взлом", "block": task.block_id, "statement": "<p>x</p>"})
        assert forged.status_code == 403
        task.refresh_from_db()
        assert task.title != "Взлом"
    assert own_published.status == Task.Status.PUBLISHED


def test_teacher_sees_only_own_solutions_in_the_task_form(as_teacher, teacher, administrator):
    task = TaskFactory(author=teacher, status=Task.Status.REJECTED)
    own = SolutionFactory(task=task)
    SolutionFactory(task=task, author=administrator, title="Заметка модератора", is_private=True)

    response = as_teacher.get(change_url(task))

    [solutions] = response.context["inline_admin_formsets"]
    assert [form.instance for form in solutions.formset.forms] == [own]
    assert "Заметка модератора" not in response.content.decode()


def test_teacher_never_sees_private_solutions_of_others(as_teacher, teacher):
    public = SolutionFactory(title="Открытое")
    own_private = SolutionFactory(task=TaskFactory(author=teacher), is_private=True, title="Моё скрытое")
    others_private = SolutionFactory(is_private=True, title="Чужое скрытое")

    listed = as_teacher.get(SOLUTIONS)

    assert set(listed.context["cl"].result_list) == {public, own_private}
    assert as_teacher.get(change_url(others_private)).status_code == 302  # «не существует» → the list


def test_teacher_adds_solutions_only_to_own_unpublished_tasks(as_teacher, teacher):
    own = TaskFactory(author=teacher, status=Task.Status.REJECTED)
    foreign = TaskFactory(status=Task.Status.MODERATION)
    own_published = TaskFactory(author=teacher)

    def add(task):
        return as_teacher.post(
            f"{SOLUTIONS}add/", {"task": task.pk, "title": "Ещё решение", "text": "<p>Ответ: 4.</p>"}
        )

    refused = [add(foreign), add(own_published)]
    accepted = add(own)

    for response in refused:
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["task"] == [
            "Решения можно добавлять только к своим неопубликованным задачам."
        ]
    assert accepted.status_code == 302
    solution = Solution.objects.get()
    assert (solution.task, solution.author) == (own, teacher)
    own.refresh_from_db()
    assert own.status == Task.Status.MODERATION


def test_teacher_cannot_change_a_solution_of_a_published_task(as_teacher, teacher):
    solution = SolutionFactory(task=TaskFactory(author=teacher))

    assert not as_teacher.get(change_url(solution)).context["has_change_permission"]
    assert (
        as_teacher.post(change_url(solution), {"task": solution.task_id, "title": "x", "text": "y"}).status_code == 403
    )


def test_favourites_and_variants_are_for_administrators_only(as_teacher):
    favorite, variant = a_favorite(), a_variant()

    for model_name, obj in (("favorite", favorite), ("variant", variant)):
        assert as_teacher.get(f"{ADMIN_ROOT}/{model_name}/").status_code == 403
        assert as_teacher.get(change_url(obj)).status_code == 403
    index = as_teacher.get("/admin/").content.decode()
    assert f"{ADMIN_ROOT}/variant/" not in index
    assert f"{ADMIN_ROOT}/task/" in index


def test_variant_tasks_are_picked_among_published_ones(as_administrator):
    published = TaskFactory(title="Квадратное уравнение")
    TaskFactory(title="Квадратное неравенство", status=Task.Status.MODERATION)

    response = as_administrator.get(
        AUTOCOMPLETE,
        {"app_label": "problems", "model_name": "varianttask", "field_name": "task", "term": "Квадратное"},
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(published.pk)]


def test_blocks_and_references_are_autocomplete_sources(as_administrator):
    block, theorem = BlockFactory(title="Стереометрия"), ReferenceFactory(title="Объём шара")

    for field, term, expected in (("block", "Стерео", block), ("references", "шара", theorem)):
        response = as_administrator.get(
            AUTOCOMPLETE, {"app_label": "problems", "model_name": "task", "field_name": field, "term": term}
        )
        assert [result["id"] for result in response.json()["results"]] == [str(expected.pk)]


# --- Who enters ---------------------------------------------------------------------------


def test_teacher_moderation_page_is_refused_for_volunteers_and_visitors(client, volunteer):
    assert client.get(TASKS).url.startswith("/admin/login/")
    client.force_login(volunteer)
    assert client.get(TASKS).url.startswith("/admin/login/")


def test_teachers_of_the_role_hold_no_moderation_permission(teacher):
    assert teacher.has_perm("problems.change_task")
    assert not teacher.has_perm("problems.moderate_task")
    assert UserFactory(roles=[TEACHER]).has_perm("problems.add_task")


# --- Class assignments: for administrators only (pupils' names) ----------------------------

ASSIGNMENTS = f"{ADMIN_ROOT}/assignment/"
SUBMISSIONS = f"{ADMIN_ROOT}/assignmentsubmission/"


def an_assignment(teacher, *, pupils=("Пётр Ёлкин",), title="Самостоятельная 7 «Б»"):
    """An assignment of two tasks, with a sent work of a guest for each of `pupils` (the
    first task right, the second wrong)."""
    tasks = [TaskFactory(answer="4"), TaskFactory(answer="9")]
    variant = variant_save(owner=teacher, title="Контрольная", kind=Variant.Kind.MANUAL, task_ids=[t.pk for t in tasks])
    assignment = rules.assignment_create(
        variant=variant, teacher=teacher, title=title, deadline=None, check_mode="at_end"
    )
    for number, name in enumerate(pupils):
        work = rules.submission_start_for_guest(assignment=assignment, name=name, guest_key=f"key-{number}")
        rules.submission_submit(submission=work, tasks=tasks, answers={tasks[0].pk: "4", tasks[1].pk: "7"})
    return assignment


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("volunteer", "login"), ("teacher", 403), ("administrator", 200), ("main_admin", 200)],
)
def test_assignments_and_pupils_works_are_for_administrators_only(client, request, teacher, role, expected):
    assignment = an_assignment(teacher)
    work = assignment.submissions.get()
    if role:
        client.force_login(request.getfixturevalue(role))

    for url in (ASSIGNMENTS, change_url(assignment), SUBMISSIONS, change_url(work)):
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302
            assert response.url.startswith("/admin/login/"), url
        else:
            assert response.status_code == expected, url
    if expected == 200:
        assert assignment.code in client.get(ASSIGNMENTS).content.decode()
        page = client.get(change_url(assignment)).content.decode()
        assert assignment.code in page
        assert "Пётр Ёлкин" in page
        assert "Пётр Ёлкин" in client.get(SUBMISSIONS).content.decode()
    if role == "teacher":
        assert ASSIGNMENTS not in client.get("/admin/").content.decode()


def test_assignments_are_found_by_code_and_title(as_administrator, teacher):
    wanted = an_assignment(teacher, title="Дроби, 6 «А»")
    an_assignment(teacher, title="Уравнения, 8 «В»")

    for query in (wanted.code, wanted.code.lower(), "дроби"):
        assert list(as_administrator.get(ASSIGNMENTS, {"q": query}).context["cl"].result_list) == [wanted]


def test_assignment_list_counts_works_and_runs_a_fixed_number_of_queries(
    as_main_admin, teacher, django_assert_max_num_queries
):
    def list_queries() -> tuple:
        with CaptureQueriesContext(connection) as queries:
            response = as_main_admin.get(ASSIGNMENTS)
        assert response.status_code == 200
        return len(queries), response

    first = an_assignment(teacher, pupils=("Пётр Ёлкин", "Анна Ким"))
    rules.submission_start_for_guest(assignment=first, name="Олег Юн", guest_key="not-sent")
    few, response = list_queries()
    row = response.context["cl"].result_list[0]
    assert (row.submission_count, row.submitted_count) == (3, 2)
    for _ in range(5):
        an_assignment(UserFactory(roles=[TEACHER]), pupils=("Ира", "Лев", "Миша"))
    many, response = list_queries()

    assert len(response.context["cl"].result_list) == 6
    assert few == many
    # session, user, permissions ×2, teacher filter, counts ×2, page
    with django_assert_max_num_queries(8):
        as_main_admin.get(ASSIGNMENTS)


def test_nobody_adds_or_changes_assignments_works_or_answers(as_main_admin, teacher):
    assignment = an_assignment(teacher)
    work = assignment.submissions.get()
    answer = work.answers.order_by("pk").first()

    assert as_main_admin.get(f"{ASSIGNMENTS}add/").status_code == 403
    assert as_main_admin.get(f"{SUBMISSIONS}add/").status_code == 403
    assert as_main_admin.post(change_url(assignment), {"title": "Другое"}).status_code == 403
    forged = {"score": "2", "answers-TOTAL_FORMS": "1", "answers-INITIAL_FORMS": "1", "answers-0-id": answer.pk}
    assert as_main_admin.post(change_url(work), {**forged, "answers-0-answer": "9"}).status_code == 403
    page = as_main_admin.get(change_url(work)).content.decode()

    assert 'name="answers-0-answer"' not in page  # shown, not editable
    assert "Пётр Ёлкин" in page
    work.refresh_from_db()
    assert work.score == 1
    assert AssignmentAnswer.objects.get(pk=answer.pk).answer == answer.answer
    assignment.refresh_from_db()
    assert assignment.title == "Самостоятельная 7 «Б»"


def test_administrator_deletes_an_assignment_with_its_works(as_administrator, teacher):
    assignment = an_assignment(teacher)
    delete_url = change_url(assignment).replace("/change/", "/delete/")

    assert as_administrator.get(delete_url).status_code == 200
    assert as_administrator.post(delete_url, {"post": "yes"}).status_code == 302
    assert not AssignmentSubmission.objects.filter(assignment_id=assignment.pk).exists()
