import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Message
from accounts.roles import TEACHER
from accounts.tests.factories import UserFactory
from core.testing import change_form_data
from methodics.models import Category, Comment, Methodic, Tag
from methodics.services import comment_add, methodic_unpublish
from methodics.tests.factories import CategoryFactory, MethodicFactory, TagFactory, add_step

pytestmark = pytest.mark.django_db

ROOT = "/admin/methodics"


def change_url(obj) -> str:
    return f"{ROOT}/{obj._meta.model_name}/{obj.pk}/change/"


@pytest.fixture
def methodic():
    methodic = MethodicFactory(title="Снежный ком", category=CategoryFactory(name="Игры на знакомство"))
    methodic.tags.set([TagFactory(name="знакомство")])
    add_step(methodic, duration=10, description="Круг имён")
    return methodic


@pytest.fixture
def comment(methodic, volunteer):
    return comment_add(methodic=methodic, author=volunteer, text="Спасибо, очень помогло!")


# --- Smoke: changelist, search, add, change --------------------------------------------


@pytest.mark.parametrize("model", ["methodic", "category", "tag", "comment"])
def test_main_admin_opens_each_changelist_and_searches(as_main_admin, methodic, comment, model):
    assert as_main_admin.get(f"{ROOT}/{model}/").status_code == 200
    response = as_main_admin.get(f"{ROOT}/{model}/", {"q": "знакомство"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["methodic", "category", "tag"])
def test_main_admin_opens_each_add_page(as_main_admin, model):
    assert as_main_admin.get(f"{ROOT}/{model}/add/").status_code == 200


def test_comments_are_not_added_in_the_admin(as_main_admin):
    assert as_main_admin.get(f"{ROOT}/comment/add/").status_code == 403


def test_main_admin_opens_each_change_page(as_main_admin, methodic, comment):
    for obj in (methodic, methodic.category, methodic.tags.get(), comment):
        assert as_main_admin.get(change_url(obj)).status_code == 200


def test_search_finds_a_methodic_by_goal(as_main_admin, methodic):
    other = MethodicFactory(title="Другая", goal="Научить накладывать повязку.")
    response = as_main_admin.get(f"{ROOT}/methodic/", {"q": "повязку"})
    assert list(response.context["cl"].result_list) == [other]


def test_the_category_list_shows_the_full_path(as_main_admin):
    CategoryFactory(name="Подвижные игры", parent=CategoryFactory(name="Игры"))
    response = as_main_admin.get(f"{ROOT}/category/")
    assert "Игры → Подвижные игры" in response.content.decode()


def test_adding_a_category_tag_and_methodic(as_main_admin, main_admin):
    assert as_main_admin.post(f"{ROOT}/tag/add/", {"name": "экология"}).status_code == 302
    parent = CategoryFactory(name="Экология")
    assert as_main_admin.post(f"{ROOT}/category/add/", {"name": "Сортировка", "parent": parent.pk}).status_code == 302
    assert Category.objects.get(name="Сортировка").parent == parent

    data = change_form_data(
        as_main_admin,
        f"{ROOT}/methodic/add/",
        title="Сортируем отходы",
        author=str(main_admin.pk),
        short_description="Практикум",
        goal="Научить сортировать отходы.",
        tags=[str(Tag.objects.get(name="экология").pk)],
        **{
            "steps-TOTAL_FORMS": "2",
            "steps-0-order_number": "1",
            "steps-0-duration": "10",
            "steps-0-description": "Рассказ о маркировках",
            "steps-1-order_number": "2",
            "steps-1-duration": "15",
            "steps-1-description": "Сортировка в командах",
        },
    )
    response = as_main_admin.post(f"{ROOT}/methodic/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    methodic = Methodic.objects.get(title="Сортируем отходы")
    assert methodic.total_duration == 25
    assert methodic.status == Methodic.Status.DRAFT
    assert [tag.name for tag in methodic.tags.all()] == ["экология"]


def test_changing_steps_in_the_admin_refreshes_the_duration(as_main_admin, methodic):
    data = change_form_data(as_main_admin, change_url(methodic), **{"steps-0-duration": "40"})
    assert as_main_admin.post(change_url(methodic), data).status_code == 302
    methodic.refresh_from_db()
    assert methodic.total_duration == 40


def test_the_total_duration_is_read_only(as_main_admin, methodic):
    form = as_main_admin.get(change_url(methodic)).context["adminform"].form
    assert "total_duration" not in form.fields


# --- Teachers ---------------------------------------------------------------------------


def test_a_teacher_changes_only_own_methodics(client, teacher, methodic):
    own = MethodicFactory(author=teacher, title="Моя методика")
    client.force_login(teacher)

    assert client.get(change_url(own)).context["has_change_permission"] is True
    response = client.get(change_url(methodic))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False  # read-only view

    data = change_form_data(client, change_url(own), title="Моя методика, исправленная")
    assert client.post(change_url(own), data).status_code == 302
    own.refresh_from_db()
    assert own.title == "Моя методика, исправленная"

    assert client.post(change_url(methodic), {"title": "Чужая, испорченная"}).status_code == 403
    methodic.refresh_from_db()
    assert methodic.title == "Снежный ком"


def test_a_teacher_with_the_moderator_permission_changes_any_methodic(client, methodic):
    from django.contrib.auth.models import Permission

    moderator = UserFactory(roles=[TEACHER])
    moderator.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    client.force_login(moderator)
    assert client.get(change_url(methodic)).context["has_change_permission"] is True


def test_a_teacher_adds_a_methodic_as_its_author(client, teacher):
    client.force_login(teacher)
    data = change_form_data(
        client, f"{ROOT}/methodic/add/", title="Новая", short_description="Кратко", goal="Цель занятия."
    )
    assert "author" not in data
    assert client.post(f"{ROOT}/methodic/add/", data).status_code == 302
    assert Methodic.objects.get(title="Новая").author == teacher


def test_the_unpublish_action_skips_another_teachers_methodic(client, teacher, methodic):
    own = MethodicFactory(author=teacher)
    client.force_login(teacher)
    client.post(f"{ROOT}/methodic/", {"action": "unpublish", "_selected_action": [own.pk, methodic.pk]}, follow=True)
    own.refresh_from_db()
    methodic.refresh_from_db()
    assert own.status == Methodic.Status.DRAFT
    assert methodic.status == Methodic.Status.PUBLISHED


def test_another_teachers_draft_is_neither_listed_nor_opened(client, teacher, administrator):
    """The site's rule (methodics_visible_to) in the admin too: a draft is its author's and moderators'."""
    author = UserFactory(roles=[TEACHER])
    draft = MethodicFactory(author=author, title="Черновик коллеги", status=Methodic.Status.DRAFT, published_at=None)
    published = MethodicFactory(author=author, title="Опубликованная коллеги")
    client.force_login(teacher)

    assert client.get(change_url(draft)).status_code in (302, 403)
    assert client.get(f"{ROOT}/methodic/{draft.pk}/history/").status_code in (302, 403)
    listed = client.get(f"{ROOT}/methodic/").context["cl"].result_list
    assert draft not in listed
    assert published in listed
    assert client.get(change_url(published)).status_code == 200

    for user in (author, administrator):
        client.force_login(user)
        assert client.get(change_url(draft)).status_code == 200
        assert draft in client.get(f"{ROOT}/methodic/").context["cl"].result_list


def test_comments_under_another_teachers_draft_are_not_listed(client, teacher, comment, methodic):
    methodic_unpublish(methodic=methodic, by=methodic.author)
    client.force_login(teacher)
    assert comment not in client.get(f"{ROOT}/comment/").context["cl"].result_list
    assert client.get(change_url(comment)).status_code in (302, 403)


# --- Actions ----------------------------------------------------------------------------


def test_publish_refuses_a_methodic_without_steps(as_main_admin):
    empty = MethodicFactory(status=Methodic.Status.DRAFT, published_at=None)
    response = as_main_admin.post(
        f"{ROOT}/methodic/", {"action": "publish", "_selected_action": [empty.pk]}, follow=True
    )
    assert "добавьте хотя бы один шаг" in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == Methodic.Status.DRAFT


def test_a_moderator_unpublishes_and_the_author_is_told(as_main_admin, methodic):
    as_main_admin.post(f"{ROOT}/methodic/", {"action": "unpublish", "_selected_action": [methodic.pk]})
    methodic.refresh_from_db()
    assert methodic.status == Methodic.Status.DRAFT
    assert Message.objects.filter(recipient=methodic.author, title__contains="снята с публикации").exists()


def test_the_hide_action_hides_the_comment_and_notifies_its_writer(as_main_admin, main_admin, comment):
    response = as_main_admin.post(f"{ROOT}/comment/", {"action": "hide", "_selected_action": [comment.pk]}, follow=True)
    assert "Скрыто комментариев: 1" in response.content.decode()
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_by == main_admin
    assert Message.objects.filter(recipient=comment.author, title__startswith="Комментарий скрыт").count() == 1


def test_a_teacher_hides_comments_under_own_methodics_only(client, teacher, comment, volunteer):
    own = MethodicFactory(author=teacher)
    add_step(own)
    mine = comment_add(methodic=own, author=volunteer, text="Под моей методикой")
    client.force_login(teacher)
    client.post(f"{ROOT}/comment/", {"action": "hide", "_selected_action": [comment.pk, mine.pk]})
    assert list(Comment.objects.filter(is_hidden=True)) == [mine]


def test_the_comment_text_is_read_only(as_main_admin, comment):
    form = as_main_admin.get(change_url(comment)).context["adminform"].form
    assert "text" not in form.fields


# --- Query counts -----------------------------------------------------------------------


def changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_methodic_changelist_queries_do_not_grow_with_rows(as_main_admin):
    categories = [CategoryFactory() for _ in range(3)]
    authors = [UserFactory(roles=[TEACHER]) for _ in range(3)]
    for index in range(5):
        MethodicFactory(category=categories[index % 3], author=authors[index % 3])
    few = changelist_queries(as_main_admin, f"{ROOT}/methodic/")
    for index in range(55):
        MethodicFactory(category=categories[index % 3], author=authors[index % 3])
    many = changelist_queries(as_main_admin, f"{ROOT}/methodic/")
    assert few == many


@pytest.mark.parametrize("model", ["category", "comment", "tag"])
def test_the_other_changelists_do_not_grow_with_rows(as_main_admin, volunteer, model):
    def make(count):
        for _ in range(count):
            methodic = MethodicFactory(category=CategoryFactory(parent=CategoryFactory(parent=CategoryFactory())))
            methodic.tags.set([TagFactory()])
            add_step(methodic)
            comment_add(methodic=methodic, author=volunteer, text="Комментарий")

    make(3)
    few = changelist_queries(as_main_admin, f"{ROOT}/{model}/")
    make(20)
    assert changelist_queries(as_main_admin, f"{ROOT}/{model}/") == few
