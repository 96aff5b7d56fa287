"""Browsing the bank: blocks, a block's tasks, a task and what its buttons reveal, the
handbook, favourites. Who sees what (statuses, private solutions) is in test_visibility."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from problems.models import Favorite, Task
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory
from problems.views.browsing import plain_excerpt

BLOCKS = "/problems/"
HANDBOOK = "/problems/reference/"
FAVORITES = "/problems/favorites/"
FRAGMENT = {"HTTP_X_REQUESTED_WITH": "fetch"}

# A GIF of one pixel: enough for an ImageField.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def block_url(block):
    return f"/problems/blocks/{block.pk}/"


def task_url(task, action=""):
    return f"/problems/tasks/{task.pk}/{action + '/' if action else ''}"


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def listed_tasks(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/problems/tasks/\d+/">([^<]+)</a></h3>', page)


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def signed_in(client, volunteer):
    client.force_login(volunteer)
    return client


# --- Excerpts ---------------------------------------------------------------------------


class TestPlainExcerpt:
    def test_strips_tags_decodes_entities_and_spaces_paragraphs(self):
        html = "<p>Найдите&nbsp;x, если x &lt; 5</p><p>и <strong>x</strong> ≥ 2.</p>"

        assert plain_excerpt(html) == "Найдите x, если x < 5 и x ≥ 2."

    def test_is_cut_to_the_length_with_an_ellipsis(self):
        assert plain_excerpt("<p>" + "слово " * 100 + "</p>", length=20) == "слово слово слово с…"

    def test_drops_a_tag_cut_off_by_the_database_prefix(self):
        assert plain_excerpt('<p>Условие</p><img src="/media/problems/tas') == "Условие"


# --- Blocks -----------------------------------------------------------------------------


class TestBlocks:
    def test_lists_the_blocks_in_order_with_their_published_task_counts(self, client, db):
        second = BlockFactory(title="Геометрия", order_number=2)
        first = BlockFactory(title="Алгебра", order_number=1, description="Уравнения и неравенства")
        TaskFactory.create_batch(3, block=first)
        TaskFactory(block=first, status=Task.Status.MODERATION)
        TaskFactory(block=first, status=Task.Status.DRAFT)
        BlockFactory(title="Пустой блок", order_number=3)

        page = page_of(client.get(BLOCKS))

        titles = re.findall(r'<h3><a href="/problems/blocks/\d+/">([^<]+)</a></h3>', page)
        assert titles == ["Алгебра", "Геометрия", "Пустой блок"]
        assert f'href="{block_url(first)}"' in page
        assert f'href="{block_url(second)}"' in page
        assert "Уравнения и неравенства" in page
        assert page.count("Задач: 3") == 1
        assert page.count("Задач: 0") == 2

    def test_links_to_the_handbook_and_the_variants(self, client, db):
        page = page_of(client.get(BLOCKS))

        assert f'href="{HANDBOOK}"' in page
        assert 'href="/problems/variants/random/"' in page
        assert 'href="/problems/variants/"' not in page, "saved variants are for signed-in users"
        assert f'href="{FAVORITES}"' not in page

    def test_links_to_favourites_when_signed_in(self, signed_in):
        assert f'href="{FAVORITES}"' in page_of(signed_in.get(BLOCKS))

    def test_is_in_the_main_navigation(self, client, db):
        page = page_of(client.get(BLOCKS))

        nav = re.search(r'<nav class="main-nav".*?</nav>', page, re.S).group()
        assert f'<a href="{BLOCKS}" aria-current="page">Задачи</a>' in nav
        assert nav.index(">Курсы<") < nav.index(">Задачи<") < nav.index(">О платформе<")

    def test_counts_in_one_query(self, client, django_assert_num_queries, db):
        for _ in range(5):
            TaskFactory.create_batch(2, block=BlockFactory())

        with django_assert_num_queries(1):
            client.get(BLOCKS)


# --- A block ----------------------------------------------------------------------------


class TestBlock:
    def test_lists_its_published_tasks_with_excerpts(self, client, db):
        block = BlockFactory(title="Алгебра", description="Уравнения")
        TaskFactory(block=block, title="Квадратное уравнение", statement="<p>Решите x² − 5x + 6 = 0.</p>")
        TaskFactory(block=block, title="Черновик", status=Task.Status.DRAFT)
        TaskFactory(title="Из другого блока")

        page = page_of(client.get(block_url(block)))

        assert "<h1>Алгебра</h1>" in page
        assert listed_tasks(page) == ["Квадратное уравнение"]
        assert '<p class="task-excerpt">Решите x² − 5x + 6 = 0.</p>' in page
        assert "Найдено задач: 1" in page

    @pytest.mark.parametrize(("query", "count"), [("", 3), ("!!!", 3), ("поезд", 1), ("самолёт", 0)])
    def test_the_count_is_of_what_the_search_leaves(self, client, db, query, count):
        block = BlockFactory()
        TaskFactory(block=block, title="Поезд")
        TaskFactory.create_batch(2, block=block, title="Лодка")
        TaskFactory(block=block, title="Поезд-черновик", status=Task.Status.DRAFT)

        page = page_of(client.get(block_url(block), {"q": query}))

        assert f"Найдено задач: {count}" in page
        assert len(listed_tasks(page)) == count

    def test_an_excerpt_is_plain_and_short(self, client, db):
        task = TaskFactory(statement="<p><strong>Длинное</strong> условие. " + "Очень " * 200 + "</p>")

        page = page_of(client.get(block_url(task.block)))

        excerpt = re.search(r'<p class="task-excerpt">(.*?)</p>', page).group(1)
        assert excerpt.startswith("Длинное условие. Очень")
        assert excerpt.endswith("…")
        assert len(excerpt) == 200

    def test_searches_titles_and_statements(self, client, db):
        block = BlockFactory()
        TaskFactory(block=block, title="Площадь круга", statement="<p>Радиус 3.</p>")
        TaskFactory(block=block, title="Задача про поезд", statement="<p>Найдите скорость ПОЕЗДА.</p>")
        TaskFactory(block=block, title="Задача про трубы", statement="<p>Бассейн наполняют две трубы.</p>")
        TaskFactory(title="Поезда в другом блоке")

        assert listed_tasks(page_of(client.get(block_url(block), {"q": "круг"}))) == ["Площадь круга"]
        assert listed_tasks(page_of(client.get(block_url(block), {"q": "поезд"}))) == ["Задача про поезд"]
        assert listed_tasks(page_of(client.get(block_url(block), {"q": "  "}))) == [
            "Площадь круга",
            "Задача про поезд",
            "Задача про трубы",
        ]
        empty = page_of(client.get(block_url(block), {"q": "интеграл"}))
        assert "Задач по этому запросу не нашлось." in empty

    def test_is_paginated_by_twenty_keeping_the_search(self, client, db):
        block = BlockFactory()
        for number in range(1, 26):
            TaskFactory(block=block, title=f"Поезд {number:02}")

        first = page_of(client.get(block_url(block), {"q": "поезд"}))
        second = page_of(client.get(block_url(block), {"q": "поезд", "page": 2}))

        assert len(listed_tasks(first)) == 20
        assert listed_tasks(second) == [f"Поезд {number}" for number in range(21, 26)]
        assert 'href="?q=%D0%BF%D0%BE%D0%B5%D0%B7%D0%B4&amp;page=2"' in first
        assert "Страница 2 из 2" in second

    def test_signed_in_users_get_stars(self, signed_in, volunteer):
        block = BlockFactory()
        starred, plain = TaskFactory(block=block, title="Отмеченная"), TaskFactory(block=block, title="Обычная")
        Favorite.objects.create(user=volunteer, task=starred)

        page = page_of(signed_in.get(block_url(block)))

        assert f'action="{task_url(starred, "favorite")}"' in page
        assert f'action="{task_url(plain, "favorite")}"' in page
        assert 'Убрать из избранного<span class="visually-hidden">: Отмеченная</span>' in page
        assert 'В избранное<span class="visually-hidden">: Обычная</span>' in page
        assert f'name="next" value="{block_url(block)}"' in page

    def test_anonymous_visitors_get_no_stars(self, client, db):
        task = TaskFactory()

        assert "favorite" not in page_of(client.get(block_url(task.block)))

    def test_an_unknown_block_is_not_found(self, client, db):
        assert client.get("/problems/blocks/999999/").status_code == 404

    @pytest.mark.parametrize("signed", [False, True])
    def test_in_a_fixed_number_of_queries(self, client, volunteer, signed):
        few, many = BlockFactory(), BlockFactory()
        for task in TaskFactory.create_batch(5, block=few) + TaskFactory.create_batch(60, block=many):
            Favorite.objects.create(user=volunteer, task=task)
        if signed:
            client.force_login(volunteer)

        # anonymous: the block with its count, the page; signed in: + session, user with the
        # unread messages count, stars, progress (solved in the block and on the page)
        expected = 6 if signed else 2
        assert queries_for(client, block_url(few)) == queries_for(client, block_url(many)) == expected
        # Again: a visitor gets the page kept for visitors, without a query.
        assert queries_for(client, block_url(many)) == (expected if signed else 0)


# --- A task -----------------------------------------------------------------------------


class TestTask:
    def test_shows_title_statement_image_and_the_buttons(self, client, db):
        task = TaskFactory(
            title="Корень",
            statement="<p>Найдите <em>√16</em>.</p>",
            image=SimpleUploadedFile("figure.gif", PIXEL, content_type="image/gif"),
        )
        task.references.add(ReferenceFactory())

        page = page_of(client.get(task_url(task)))

        assert '<h1 id="task-title">Корень</h1>' in page
        assert "<p>Найдите <em>√16</em>.</p>" in page
        assert f'<img class="task-image" src="{task.image.url}"' in page
        assert f'<a href="{block_url(task.block)}">{task.block.title}</a>' in page
        assert f'href="{task_url(task, "references")}" data-reveal-target="task-references"' in page
        assert f'href="{task_url(task, "solutions")}" data-reveal-target="task-solutions"' in page
        assert ">Справка</a>" in page
        assert ">Показать ответ</a>" in page

    def test_never_contains_the_answer_the_solutions_or_the_reference_material(self, client, administrator):
        task = TaskFactory(statement="<p>Условие.</p>", answer="ОТВЕТ-42")
        task.references.add(ReferenceFactory(description="<p>ТЕКСТ-СПРАВКИ</p>"))
        SolutionFactory(task=task, text="<p>ТЕКСТ-РЕШЕНИЯ</p>")
        SolutionFactory(task=task, text="<p>СКРЫТОЕ-РЕШЕНИЕ</p>", is_private=True)

        for viewer in (None, task.author, administrator):
            if viewer:
                client.force_login(viewer)
            page = page_of(client.get(task_url(task)))
            for secret in ("ОТВЕТ-42", "ТЕКСТ-РЕШЕНИЯ", "СКРЫТОЕ-РЕШЕНИЕ", "ТЕКСТ-СПРАВКИ"):
                assert secret not in page, (viewer, secret)

    def test_loads_the_reveal_script_deferred(self, client, db):
        page = page_of(client.get(task_url(TaskFactory())))

        assert '<script src="/static/js/problems.js" defer></script>' in page

    def test_without_reference_material_there_is_no_help_button(self, client, db):
        page = page_of(client.get(task_url(TaskFactory())))

        assert ">Справка</a>" not in page
        assert 'id="task-references"' not in page
        assert ">Показать ответ</a>" in page

    def test_the_star_is_for_signed_in_users(self, client, volunteer):
        task = TaskFactory()

        assert "favorite" not in page_of(client.get(task_url(task)))
        client.force_login(volunteer)
        page = page_of(client.get(task_url(task)))
        assert f'action="{task_url(task, "favorite")}"' in page
        assert f'name="next" value="{task_url(task)}"' in page

    def test_an_unknown_task_is_not_found(self, client, db):
        assert client.get("/problems/tasks/999999/").status_code == 404

    def test_in_a_fixed_number_of_queries(self, client, volunteer, django_assert_max_num_queries):
        task = TaskFactory()
        task.references.add(*ReferenceFactory.create_batch(3))
        client.force_login(volunteer)

        # session, user with the unread messages count, task with block and reference count, star
        with django_assert_max_num_queries(4):
            client.get(task_url(task))


# --- What the buttons reveal ------------------------------------------------------------


class TestRevealSolutions:
    @pytest.fixture
    def task(self, db):
        task = TaskFactory(title="Корень", answer="4")
        SolutionFactory(task=task, title="Через определение", text="<p>√16 = 4, так как 4² = 16.</p>")
        SolutionFactory(task=task, title="Подбором", text="<p>Пробуем 1, 2, 3, 4.</p>")
        return task

    @pytest.mark.parametrize("ask", [FRAGMENT, {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}, "?fragment=1"])
    def test_as_a_fragment_for_the_script(self, client, task, ask):
        if isinstance(ask, str):
            response = client.get(task_url(task, "solutions") + ask)
        else:
            response = client.get(task_url(task, "solutions"), **ask)

        fragment = page_of(response)
        assert fragment.lstrip().startswith("<section")
        assert "<html" not in fragment
        assert "Ответ: <strong>4</strong>" in fragment
        assert "<p>√16 = 4, так как 4² = 16.</p>" in fragment
        assert fragment.index("Через определение") < fragment.index("Подбором")
        assert "X-Requested-With" in response["Vary"]
        assert "private" in response["Cache-Control"]

    def test_as_a_full_page_without_javascript(self, client, task):
        response = client.get(task_url(task, "solutions"))

        page = page_of(response)
        assert page.startswith("<!doctype html>")
        assert "<h1>Корень</h1>" in page
        assert "Ответ: <strong>4</strong>" in page
        assert "<p>Пробуем 1, 2, 3, 4.</p>" in page
        assert f'<a href="{task_url(task)}">← К условию задачи</a>' in page
        assert "X-Requested-With" in response["Vary"]

    def test_says_when_there_is_nothing_yet(self, client, db):
        fragment = page_of(client.get(task_url(TaskFactory(answer=""), "solutions"), **FRAGMENT))

        assert "Краткий ответ не указан." in fragment
        assert "Решений пока нет." in fragment

    def test_in_a_fixed_number_of_queries(self, client, task, django_assert_max_num_queries):
        SolutionFactory.create_batch(10, task=task)

        with django_assert_max_num_queries(2):  # task with block, solutions
            client.get(task_url(task, "solutions"), **FRAGMENT)


class TestRevealReferences:
    @pytest.fixture
    def task(self, db):
        task = TaskFactory(title="Гипотенуза")
        task.references.add(
            ReferenceFactory(title="Теорема Пифагора", description="<p>c² = a² + b²</p>"),
            ReferenceFactory(title="Квадратный корень", description="<p>√(a²) = |a|</p>"),
        )
        ReferenceFactory(title="Не по этой задаче")
        return task

    def test_as_a_fragment_for_the_script(self, client, task):
        fragment = page_of(client.get(task_url(task, "references"), **FRAGMENT))

        assert "<html" not in fragment
        assert re.findall(r'<h3 id="reference-\d+">([^<]+)</h3>', fragment) == ["Квадратный корень", "Теорема Пифагора"]
        assert "<p>c² = a² + b²</p>" in fragment
        assert "Не по этой задаче" not in fragment
        assert f'href="{HANDBOOK}"' in fragment

    def test_as_a_full_page_without_javascript(self, client, task):
        page = page_of(client.get(task_url(task, "references")))

        assert page.startswith("<!doctype html>")
        assert "<h1>Гипотенуза</h1>" in page
        assert "<p>√(a²) = |a|</p>" in page
        assert f'<a href="{task_url(task)}">← К условию задачи</a>' in page


# --- Handbook ---------------------------------------------------------------------------


class TestHandbook:
    def test_lists_every_material_with_its_published_task_count(self, client, db):
        pythagoras = ReferenceFactory(title="Теорема Пифагора", description="<p>c² = a² + b²</p>")
        ReferenceFactory(title="Формула Виета")
        for task in TaskFactory.create_batch(2):
            task.references.add(pythagoras)
        TaskFactory(status=Task.Status.DRAFT).references.add(pythagoras)

        page = page_of(client.get(HANDBOOK))

        assert re.findall(r"<h3>([^<]+)</h3>", page) == ["Теорема Пифагора", "Формула Виета"]
        assert "<p>c² = a² + b²</p>" in page
        assert "Задач с этим материалом: 2" in page
        assert "Задач с этим материалом: 0" in page

    def test_searches_titles_and_descriptions(self, client, db):
        ReferenceFactory(title="Теорема Пифагора", description="<p>Про треугольник.</p>")
        ReferenceFactory(title="Формула Виета", description="<p>Сумма корней квадратного уравнения.</p>")

        assert re.findall(r"<h3>([^<]+)</h3>", page_of(client.get(HANDBOOK, {"q": "пифагор"}))) == ["Теорема Пифагора"]
        assert re.findall(r"<h3>([^<]+)</h3>", page_of(client.get(HANDBOOK, {"q": "КОРНЕЙ"}))) == ["Формула Виета"]
        assert "ничего не нашлось" in page_of(client.get(HANDBOOK, {"q": "интеграл"}))

    def test_is_paginated(self, client, db):
        for number in range(1, 23):
            ReferenceFactory(title=f"Правило {number:02}")

        first = page_of(client.get(HANDBOOK))
        second = page_of(client.get(HANDBOOK, {"page": 2}))

        assert len(re.findall(r"<h3>", first)) == 20
        assert re.findall(r"<h3>([^<]+)</h3>", second) == ["Правило 21", "Правило 22"]

    def test_in_a_fixed_number_of_queries(self, client, db, django_assert_max_num_queries):
        for _ in range(30):
            TaskFactory().references.add(ReferenceFactory())

        with django_assert_max_num_queries(2):  # count, page with task counts
            client.get(HANDBOOK)


# --- Favourites -------------------------------------------------------------------------


class TestFavorites:
    def test_needs_signing_in(self, client, db):
        assert client.get(FAVORITES)["Location"] == f"/accounts/login/?next={FAVORITES}"

    def test_lists_the_users_published_stars_newest_first(self, signed_in, volunteer):
        older, newer = TaskFactory(title="Раньше"), TaskFactory(title="Позже")
        hidden = TaskFactory(title="Снятая с публикации")
        for task in (older, hidden, newer):
            Favorite.objects.create(user=volunteer, task=task)
        Task.objects.filter(pk=hidden.pk).update(status=Task.Status.DRAFT)
        Favorite.objects.create(user=UserFactory(), task=TaskFactory(title="Чужая"))

        page = page_of(signed_in.get(FAVORITES))

        assert listed_tasks(page) == ["Позже", "Раньше"]
        assert f'<p class="hint">{older.block.title}</p>' in page
        assert page.count("Убрать из избранного") == 2
        assert f'name="next" value="{FAVORITES}"' in page

    def test_says_when_empty(self, signed_in):
        assert "В избранном пока ничего нет." in page_of(signed_in.get(FAVORITES))

    def test_in_a_fixed_number_of_queries(self, signed_in, volunteer, django_assert_max_num_queries):
        for task in TaskFactory.create_batch(15):
            Favorite.objects.create(user=volunteer, task=task)

        # session, user, count, page with tasks and blocks, unread messages
        with django_assert_max_num_queries(5):
            signed_in.get(FAVORITES)


class TestFavoriteToggle:
    def test_stars_and_unstars_and_returns_to_next(self, signed_in, volunteer):
        task = TaskFactory(title="Корень")
        back = f"{block_url(task.block)}?q=%D0%BA&page=1"

        response = signed_in.post(task_url(task, "favorite"), {"next": back})

        assert response["Location"] == back
        assert messages_of(response) == ["Задача «Корень» добавлена в избранное."]
        assert Favorite.objects.filter(user=volunteer, task=task).exists()

        response = signed_in.post(task_url(task, "favorite"), {"next": FAVORITES})

        assert response["Location"] == FAVORITES
        assert messages_of(response)[-1] == "Задача «Корень» убрана из избранного."
        assert not Favorite.objects.filter(user=volunteer).exists()

    @pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", ""])
    def test_an_unsafe_or_missing_next_goes_to_the_task(self, signed_in, unsafe):
        task = TaskFactory()

        assert signed_in.post(task_url(task, "favorite"), {"next": unsafe})["Location"] == task_url(task)

    def test_only_by_post(self, signed_in):
        task = TaskFactory()

        assert signed_in.get(task_url(task, "favorite")).status_code == 405
        assert not Favorite.objects.exists()

    def test_a_visitor_is_sent_to_log_in_and_back_to_the_task(self, client, db):
        task = TaskFactory()

        response = client.post(task_url(task, "favorite"), {"next": FAVORITES})

        assert response["Location"] == f"/accounts/login/?next={task_url(task)}"
        assert not Favorite.objects.exists()

    @pytest.mark.parametrize("status", [Task.Status.DRAFT, Task.Status.MODERATION, Task.Status.REJECTED])
    def test_an_unpublished_task_cannot_be_starred_even_by_its_author(self, client, db, status):
        task = TaskFactory(status=status)
        client.force_login(task.author)

        assert client.post(task_url(task, "favorite")).status_code == 404
        assert not Favorite.objects.exists()


# --- In a browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_learner_reveals_the_help_and_the_answer_without_leaving_the_page(page):
    user = UserFactory()
    block = BlockFactory(title="Арифметика")
    task = TaskFactory(block=block, title="Корень из шестнадцати", statement="<p>Найдите √16.</p>", answer="4")
    task.references.add(ReferenceFactory(title="Квадратный корень", description="<p>√(a²) = |a|</p>"))
    SolutionFactory(task=task, title="Решение", text="<p>4² = 16, значит √16 = 4.</p>")

    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(user.email)
    page.get_by_label("Пароль:", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("navigation", name="Основная навигация").get_by_role("link", name="Задачи").click()
    page.get_by_role("link", name="Арифметика").click()
    page.get_by_role("link", name="Корень из шестнадцати").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Корень из шестнадцати")
    url = page.url

    answer = page.get_by_role("button", name="Показать ответ")
    expect(answer).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text("4² = 16, значит √16 = 4.")).to_have_count(0)
    answer.focus()
    page.keyboard.press("Enter")
    expect(answer).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_text("4² = 16, значит √16 = 4.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ответ", exact=True)).to_be_focused()
    # The reveal buttons' announcer (the answer form and the keyboard have their own).
    expect(page.locator("body > [role=status][aria-live=polite]")).to_have_text("Ответ показан")

    help_button = page.get_by_role("button", name="Справка")
    help_button.focus()
    page.keyboard.press("Space")
    expect(page.get_by_text("√(a²) = |a|")).to_be_visible()
    expect(help_button).to_have_attribute("aria-controls", "task-references")

    answer.click()
    expect(answer).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text("4² = 16, значит √16 = 4.")).to_be_hidden()
    assert page.url == url

    page.get_by_role("button", name="В избранное").click()
    expect(page.get_by_text("Задача «Корень из шестнадцати» добавлена в избранное.")).to_be_visible()
    assert Favorite.objects.filter(user=user, task=task).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_buttons_are_links_to_pages(browser, live_server):
    task = TaskFactory(title="Корень", answer="4")
    SolutionFactory(task=task, text="<p>4² = 16.</p>")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()

    page.goto(task_url(task))
    page.get_by_role("link", name="Показать ответ").click()

    expect(page.get_by_text("4² = 16.")).to_be_visible()
    assert page.url.endswith(task_url(task, "solutions"))
    context.close()
