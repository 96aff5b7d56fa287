"""The admin names our models in the case Russian needs (core.admin, «The model's name in
cases»): «Изменить задачу», not Django's «Изменить задача»."""

import json
import re

import pytest
from django.contrib import admin
from django.utils.html import format_html, strip_tags
from django.utils.translation import gettext

from core.admin import message_in_cases, name_cases
from core.testing import change_form_data, message_texts
from methodics.models import Category
from problems.tests.factories import SolutionFactory, TaskFactory
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("core", "accounts", "volunteers", "courses", "methodics", "problems", "projects", "config")
OURS = [
    (model, model_admin)
    for model, model_admin in admin.site._registry.items()
    if type(model_admin).__module__.split(".")[0] in OUR_APPS
]
# Every model in the admin: ours and those of Django and other packages (auth, social_django,
# simplejwt's token_blacklist, axes), named through core.admin.OTHER_MODELS_CASES.
REGISTERED = list(admin.site._registry.items())


def _url(model, page: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _nominative_after_verb(html: str, name: str, accusative: str) -> list[str]:
    """The phrases of Django's nominative that the page still holds (none where the two forms are one)."""
    if name.lower() == accusative.lower():
        return []
    phrases = (f"Изменить {name}", f"Добавить {name}", f"Выберите {name}", f"Просмотреть {name}")
    # Not a beginning of the accusative: «Добавить волонтёр» in «Добавить волонтёра».
    return [phrase for phrase in phrases if re.search(re.escape(phrase) + "(?![а-яё])", html, re.IGNORECASE)]


def test_every_model_in_the_admin_declares_its_cases():
    missing = [model._meta.label for model, model_admin in REGISTERED if name_cases(model_admin) is None]
    inlines = {
        inline.model._meta.label
        for _model, model_admin in REGISTERED
        for inline in model_admin.inlines
        if name_cases(inline) is None
    }  # and those get_inlines() chooses: the change page of every model below
    uncounted = [model._meta.label for model, model_admin in REGISTERED if not name_cases(model_admin).genitive_plural]
    assert missing == []
    assert inlines == set()
    assert uncounted == [], "the bulk deletion's «Удалено: 5 задач» needs the genitive plural"


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED])
def test_changelist_and_add_page_name_the_model_in_the_accusative(client, main_admin, model, model_admin):
    client.force_login(main_admin)
    cases = name_cases(model_admin)
    name = str(model._meta.verbose_name)

    changelist = client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    title = changelist.context["title"]
    assert title in (
        gettext("Select %s to change") % cases.accusative,
        gettext("Select %s to view") % cases.accusative,
    )
    assert f"<h1>{title}</h1>" in html
    assert _nominative_after_verb(html, name, str(cases.accusative)) == []

    add = client.get(_url(model, "add"))
    if add.status_code == 403:  # nobody adds these rows here (levels, messages, records)
        return
    assert add.status_code == 200
    html = add.content.decode()
    assert add.context["title"] == gettext("Add %s") % cases.accusative
    assert f"Добавить {cases.accusative}" in html  # the heading and the breadcrumbs
    assert _nominative_after_verb(html, name, str(cases.accusative)) == []
    if model_admin.has_add_permission(changelist.wsgi_request):
        assert f"Добавить {cases.accusative}" in changelist.content.decode()  # the list's button


def test_change_page_of_a_task_and_its_inline(client, main_admin):
    task = SolutionFactory().task
    client.force_login(main_admin)

    response = client.get(_url(type(task), "change", task.pk))

    html = response.content.decode()
    assert "Изменить задачу" in html
    assert "Изменить задача" not in html
    (solutions,) = response.context["inline_admin_formsets"]
    assert json.loads(solutions.inline_formset_data)["options"]["addText"] == "Добавить ещё решение"


def test_changelist_offers_to_delete_selected_people_in_the_accusative_plural(client, main_admin):
    VolunteerFactory()
    client.force_login(main_admin)

    response = client.get("/admin/volunteers/volunteer/")

    labels = dict(response.context["action_form"].fields["action"].choices)
    assert labels["delete_selected"] == "Удалить выбранных волонтёров"


def test_delete_page_asks_about_the_task_in_the_accusative(client, main_admin):
    task = TaskFactory()
    client.force_login(main_admin)

    response = client.get(_url(type(task), "delete", task.pk))

    html = response.content.decode()
    assert "удалить задачу" in html
    assert "удалить задача" not in html


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ("_save", "Вы добавили категорию «Геометрия»."),
        ("_continue", "Вы добавили категорию «Геометрия». Ниже можно продолжить правку."),
        ("_addanother", "Вы добавили категорию «Геометрия». Ниже можно добавить ещё категорию."),
    ],
)
def test_message_after_adding(client, main_admin, button, expected):
    client.force_login(main_admin)
    url = _url(Category, "add")

    response = client.post(url, change_form_data(client, url, name="Геометрия", **{button: "1"}), follow=True)

    assert [strip_tags(text) for text in message_texts(response) if "Геометрия" in text] == [expected]


def test_messages_after_changing_and_deleting(client, main_admin):
    task = TaskFactory()
    client.force_login(main_admin)
    url = _url(type(task), "change", task.pk)

    changed = client.post(url, change_form_data(client, url, _continue="1"), follow=True)
    deleted = client.post(_url(type(task), "delete", task.pk), {"post": "yes"}, follow=True)

    assert f"Вы изменили задачу «{task}». Ниже можно продолжить правку." in map(strip_tags, message_texts(changed))
    assert f"Вы удалили задачу «{task}»." in message_texts(deleted)


def test_other_messages_stay_as_they_are():
    cases = name_cases(admin.site._registry[Category])
    own = format_html("Блокировка снята: {}", "<b>")

    assert message_in_cases(own, "категория", cases) is own
    assert message_in_cases("Готово.", "категория", cases) == "Готово."


# --- One change page of every model --------------------------------------------------------


def _other_row(label: str):
    """A row of a model that has no factory: of Django's or another package's, or one of
    ours made by a line or a service."""
    from axes.models import AccessAttempt
    from django.utils import timezone
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
    from social_django.models import Association, Nonce, UserSocialAuth

    from accounts.models import Message
    from accounts.tests.factories import UserFactory
    from courses.models import Question, TeacherScope
    from courses.services import enrol
    from courses.tests.factories import CourseFactory, LessonFactory
    from methodics.models import Comment
    from methodics.tests.factories import MethodicFactory
    from problems.models import Assignment, AssignmentSubmission, Favorite
    from problems.services import variant_save
    from projects.models import DocumentType, GroupMembership, ProjectMember
    from projects.tests.factories import ProjectFactory, StudentFactory, StudentGroupFactory
    from volunteers.models import PendingLevel
    from volunteers.tests.factories import VolunteerLevelFactory

    def outstanding():
        return OutstandingToken.objects.create(
            user=UserFactory(), jti="j1", token="t", expires_at=timezone.now() + timezone.timedelta(days=1)
        )

    def assignment():
        teacher = UserFactory()
        variant = variant_save(owner=teacher, title="Контрольная", kind="random", task_ids=[TaskFactory().pk])
        return Assignment.objects.create(variant=variant, teacher=teacher, title="Самостоятельная 7 «Б»")

    makers = {
        "social_django.usersocialauth": lambda: UserSocialAuth.objects.create(
            user=UserFactory(), provider="yandex-oauth2", uid="42"
        ),
        "social_django.nonce": lambda: Nonce.objects.create(server_url="https://id.example", timestamp=1, salt="s"),
        "social_django.association": lambda: Association.objects.create(
            server_url="https://id.example", handle="h", secret="s", issued=1, lifetime=1, assoc_type="HMAC-SHA1"
        ),
        "token_blacklist.outstandingtoken": outstanding,
        "token_blacklist.blacklistedtoken": lambda: BlacklistedToken.objects.create(token=outstanding()),
        "axes.accessattempt": lambda: AccessAttempt.objects.create(
            user_agent="Firefox", ip_address="10.0.0.1", username="someone", failures_since_start=1
        ),
        "accounts.message": lambda: Message.objects.create(recipient=UserFactory(), title="Тема", text="Текст"),
        "courses.question": lambda: Question.objects.create(lesson=LessonFactory(), order_number=1, text="2 + 2?"),
        "methodics.comment": lambda: Comment.objects.create(
            methodic=MethodicFactory(), author=UserFactory(), text="Ок"
        ),
        "problems.favorite": lambda: Favorite.objects.create(user=UserFactory(), task=TaskFactory()),
        "problems.assignment": assignment,
        "problems.assignmentsubmission": lambda: AssignmentSubmission.objects.create(
            assignment=assignment(), guest_name="Пётр Ёлкин", guest_key="key"
        ),
        "problems.variant": lambda: variant_save(
            owner=UserFactory(), title="Контрольная", kind="random", task_ids=[TaskFactory().pk]
        ),
        "projects.documenttype": lambda: DocumentType.objects.create(name="Справка"),
        "projects.groupmembership": lambda: GroupMembership.objects.create(
            group=StudentGroupFactory(), student=StudentFactory(), joined_on=timezone.localdate()
        ),
        "volunteers.pendinglevel": lambda: PendingLevel.objects.get(pk=VolunteerLevelFactory().pk),
        "courses.volunteercourse": lambda: enrol(volunteer=VolunteerFactory(), course=CourseFactory()),
        "courses.teacherscope": lambda: TeacherScope.objects.create(teacher=UserFactory()),
        "projects.projectmember": lambda: ProjectMember.objects.create(
            project=ProjectFactory(), user=UserFactory(), role="viewer"
        ),
    }
    return makers[label]() if label in makers else None


def _a_row(model):
    """A row to open: made by the app's factory `<Model>Factory`, else by _other_row, else
    one the migrations made (levels, roles)."""
    import importlib

    try:
        factories = importlib.import_module(f"{model._meta.app_config.name}.tests.factories")
    except ImportError:
        factories = None
    factory = getattr(factories, f"{model.__name__}Factory", None)
    if factory is not None:
        return factory()
    return _other_row(model._meta.label_lower) or model._default_manager.order_by("pk").first()


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED])
def test_change_page_names_the_model_in_the_accusative(client, main_admin, model, model_admin):
    row = _a_row(model)
    if row is None:
        pytest.skip(f"no factory makes a {model._meta.label} here")
    client.force_login(main_admin)
    cases = name_cases(model_admin)

    response = client.get(_url(model, "change", row.pk))

    assert response.status_code == 200
    assert response.context["title"] in (
        gettext("Change %s") % cases.accusative,
        gettext("View %s") % cases.accusative,
    )
    html = response.content.decode()
    assert _nominative_after_verb(html, str(model._meta.verbose_name), str(cases.accusative)) == []
    for inline in response.context["inline_admin_formsets"]:
        data = inline.inline_formset_data
        add_text = json.loads(data() if callable(data) else data)["options"]["addText"]
        assert add_text == f"Добавить ещё {name_cases(inline.opts).accusative}"


# --- Bulk deletion -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_label", "expected"),
    [
        ("problems.Task", ["1 задача", "2 задачи", "5 задач", "21 задача", "12 задач"]),
        ("volunteers.Volunteer", ["1 волонтёр", "2 волонтёра", "5 волонтёров", "21 волонтёр", "12 волонтёров"]),
        ("problems.Favorite", [
            "1 избранная задача", "2 избранные задачи", "5 избранных задач", "21 избранная задача", "12 избранных задач"
        ]),
        ("projects.Student", ["1 учащийся", "2 учащихся", "5 учащихся", "21 учащийся", "12 учащихся"]),
        ("auth.Group", ["1 группа", "2 группы", "5 групп", "21 группа", "12 групп"]),
    ],
)  # fmt: skip
def test_the_bulk_deletion_message_counts_in_russian(model_label, expected):
    from django.apps import apps
    from django.contrib.admin.utils import model_ngettext

    model = apps.get_model(model_label)
    opts, cases = model._meta, name_cases(admin.site._registry[model])
    messages = []
    for count in (1, 2, 5, 21, 12):
        # Django's delete_selected: «Успешно удалены 5 задачи.»
        django_message = gettext("Successfully deleted %(count)d %(items)s.") % {
            "count": count,
            "items": model_ngettext(opts, count),
        }
        messages.append(message_in_cases(django_message, opts.verbose_name, cases, opts.verbose_name_plural))

    assert messages == [f"Удалено: {counted}." for counted in expected]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Удалено: 1 категория."),
        (2, "Удалено: 2 категории."),
        (5, "Удалено: 5 категорий."),
        (21, "Удалено: 21 категория."),
    ],
)
def test_bulk_deletion_in_the_admin_says_how_many(client, main_admin, count, expected):
    from core.testing import action_data
    from methodics.tests.factories import CategoryFactory

    categories = CategoryFactory.create_batch(count)
    client.force_login(main_admin)

    response = client.post(
        _url(Category, "changelist"), action_data("delete_selected", *categories, post="yes"), follow=True
    )

    assert expected in message_texts(response)
    assert not Category.objects.exists()


def test_the_bulk_deletion_asks_about_the_selected_rows_in_the_accusative(client, main_admin):
    from core.testing import action_data
    from projects.tests.factories import StudentFactory

    tasks = [TaskFactory() for _ in range(3)]
    students = [StudentFactory() for _ in range(2)]
    client.force_login(main_admin)

    three_tasks = client.post(_url(type(tasks[0]), "changelist"), action_data("delete_selected", *tasks))
    one_task = client.post(_url(type(tasks[0]), "changelist"), action_data("delete_selected", tasks[0]))
    two_students = client.post(_url(type(students[0]), "changelist"), action_data("delete_selected", *students))

    assert "Вы уверены, что хотите удалить выбранные задачи?" in three_tasks.content.decode()
    assert "Вы уверены, что хотите удалить задачу?" in one_task.content.decode()
    assert "Вы уверены, что хотите удалить выбранных учащихся?" in two_students.content.decode()


def test_a_refused_bulk_deletion_names_the_rows_in_the_genitive(client, main_admin):
    from core.testing import action_data

    blocks = [TaskFactory().block for _ in range(2)]  # a block with tasks is protected
    client.force_login(main_admin)

    response = client.post(_url(type(blocks[0]), "changelist"), action_data("delete_selected", *blocks))

    html = response.content.decode()
    assert response.context["title"] == "Не удается удалить блоки задач"
    assert "Удаление выбранных блоков задач потребует удаления следующих связанных защищенных объектов" in html


@pytest.mark.parametrize(("count", "named"), [(1, "волонтёра"), (2, "выбранных волонтёров")])
def test_a_bulk_deletion_without_rights_names_the_rows_in_the_genitive(client, main_admin, count, named):
    """Nobody deletes a volunteer's level records by hand, so neither the volunteer. Django's
    Russian says «Удаление выбранной …» whatever the gender."""
    from core.testing import action_data

    volunteers = [VolunteerFactory() for _ in range(count)]
    client.force_login(main_admin)

    response = client.post(_url(type(volunteers[0]), "changelist"), action_data("delete_selected", *volunteers))

    html = response.content.decode()
    assert response.context["title"] == f"Не удается удалить {'волонтёра' if count == 1 else 'волонтёров'}"
    assert f"Удаление {named} приведёт к удалению связанных объектов, но у вашей учётной записи нет прав" in html
    assert "выбранной" not in html


def test_the_delete_action_names_a_list_by_its_rows():
    from problems.models import Reference

    cases = name_cases(admin.site._registry[Reference])
    choices = [
        ("delete_selected", gettext("Delete selected %(verbose_name_plural)s") % {"verbose_name_plural": "справочник"})
    ]
    form = type("ActionForm", (), {"fields": {"action": type("Field", (), {"choices": choices})()}})()
    context = {"action_form": form}

    from core.admin import context_in_cases

    context_in_cases(context, Reference._meta, cases)

    assert form.fields["action"].choices == [("delete_selected", "Удалить выбранные справочные материалы")]
