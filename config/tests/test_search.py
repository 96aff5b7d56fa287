"""The site search, /search/, on PostgreSQL: Russian morphology, ranking, snippets, who
sees what, and queries typed by someone careless or hostile."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from config.views import KINDS, _union
from core.search import PLACEHOLDERS, candidates, compiled_rows, index_scans, matching, statement
from courses.tests.factories import CourseFactory
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from problems.models import Task
from problems.services import task_approve
from problems.tests.factories import BlockFactory, ReferenceFactory, SolutionFactory, TaskFactory

SEARCH = reverse("search")

pytestmark = pytest.mark.django_db


def found_titles(response, kind: str) -> list[str]:
    """The titles listed in one group of results, in order."""
    page = response.content.decode()
    group = re.search(rf'<section class="search-group" aria-labelledby="group-{kind}">(.*?)</section>', page, re.S)
    if group is None:
        return []
    return re.findall(r"<h3><a href=\"[^\"]*\">([^<]*)</a></h3>", group.group(1))


def group_counts(response) -> dict[str, int]:
    """The counts shown on the tabs of kinds."""
    page = response.content.decode()
    tabs = re.findall(r'kind=(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', page)
    return {kind: int(count) for kind, count in tabs}


class TestMorphologyAndRanking:
    def test_an_inflected_word_finds_every_form(self, client):
        TaskFactory(title="Одна задача о поездах", statement="<p>Поезд выехал из пункта А.</p>")
        TaskFactory(title="Про бассейн", statement="<p>Трубы наполняют бассейн.</p>")

        response = client.get(SEARCH, {"q": "поезда"})

        assert found_titles(response, "tasks") == ["Одна задача о поездах"]

    def test_the_plural_finds_the_singular_across_kinds(self, client):
        CourseFactory(title="Вожатый", full_description="<p>Как вести игру с отрядом.</p>")
        MethodicFactory(title="Игра «Снежный ком»")
        TaskFactory(title="Сколько партий", statement="<p>В турнире каждая игра длится час.</p>")

        response = client.get(SEARCH, {"q": "игры"})

        assert found_titles(response, "courses") == ["Вожатый"]
        assert found_titles(response, "methodics") == ["Игра «Снежный ком»"]
        assert found_titles(response, "tasks") == ["Сколько партий"]

    def test_a_title_match_comes_before_a_body_full_of_the_word(self, client):
        TaskFactory(title="Пешеходы", statement="<p>Скорость, скорость и ещё раз скорость: скорость пешехода.</p>")
        TaskFactory(title="Скорость лодки", statement="<p>Лодка плывёт по течению.</p>")

        assert found_titles(client.get(SEARCH, {"q": "скорость"}), "tasks") == ["Скорость лодки", "Пешеходы"]

    def test_all_words_are_required_and_the_last_one_may_be_unfinished(self, client):
        TaskFactory(title="Квадратное уравнение", statement="<p>Решите x² − 5x + 6 = 0.</p>")
        TaskFactory(title="Квадратная рамка", statement="<p>Найдите периметр.</p>")

        assert found_titles(client.get(SEARCH, {"q": "квадратное уравн"}), "tasks") == ["Квадратное уравнение"]


class TestGroupsAndPages:
    def test_results_are_grouped_by_kind_with_counts(self, client):
        for number in range(7):
            TaskFactory(title=f"Треугольник {number}")
        ReferenceFactory(title="Признаки равенства треугольников")
        MethodicFactory(title="Геометрия вокруг нас", goal="Найти треугольники в классе.")

        response = client.get(SEARCH, {"q": "треугольник"})

        assert group_counts(response) == {"courses": 0, "methodics": 1, "tasks": 7, "references": 1}
        assert len(found_titles(response, "tasks")) == 5  # the first five, with a link to all seven
        assert "Все результаты: задачи (7)" in response.content.decode()
        assert "Найдено: 9" in response.content.decode()

    def test_one_kind_is_paginated_by_twenty(self, client):
        for number in range(23):
            TaskFactory(title=f"Функция номер {number:02d}")

        first = client.get(SEARCH, {"q": "функция", "kind": "tasks"})
        second = client.get(SEARCH, {"q": "функция", "kind": "tasks", "page": 2})

        assert len(found_titles(first, "tasks")) == 20
        assert len(found_titles(second, "tasks")) == 3
        assert "Страница 2 из 2" in second.content.decode()
        assert group_counts(second)["tasks"] == 23

    def test_a_reference_material_links_to_the_handbook_at_its_place(self, client):
        material = ReferenceFactory(title="Теорема Пифагора")

        page = client.get(SEARCH, {"q": "пифагора"}).content.decode()

        assert (
            f"/problems/reference/?q=%D0%BF%D0%B8%D1%84%D0%B0%D0%B3%D0%BE%D1%80%D0%B0#reference-{material.pk}" in page
        )

    def test_the_header_of_every_page_has_the_search_box(self, client):
        page = client.get(reverse("home")).content.decode()

        assert f'action="{SEARCH}"' in page
        assert 'name="q"' in page

    def test_the_number_of_queries_does_not_grow_with_the_results(self, django_assert_num_queries):
        for number in range(30):
            TaskFactory(title=f"Дробь {number}")
            CourseFactory(title=f"Дроби для вожатых {number}")
            MethodicFactory(title=f"Дроби на кухне {number}")
            ReferenceFactory(title=f"Сложение дробей {number}")

        # every kind's rows and count in one query, in index_scans (BEGIN, its settings, COMMIT)
        with django_assert_num_queries(4):
            Client().get(SEARCH, {"q": "дробь"})
        # the kind's page and the other kinds' counts in one query, in index_scans
        with django_assert_num_queries(4):
            Client().get(SEARCH, {"q": "дробь", "kind": "methodics", "page": 2})

    def test_the_page_of_one_kind_counts_the_others_too(self, client):
        for number in range(3):
            TaskFactory(title=f"Призма {number}")
        MethodicFactory(title="Призма из бумаги")

        response = client.get(SEARCH, {"q": "призма", "kind": "methodics"})

        assert found_titles(response, "methodics") == ["Призма из бумаги"]
        assert found_titles(response, "tasks") == []
        assert group_counts(response) == {"courses": 0, "methodics": 1, "tasks": 3, "references": 0}
        assert "Найдено: 4" in response.content.decode()

    @pytest.mark.parametrize(("page", "shown"), [("2", 2), ("7", 2), ("0", 2), ("-1", 2), ("два", 1), ("", 1)])
    def test_a_page_number_means_what_it_means_on_every_list(self, client, page, shown):
        # Django's Paginator.get_page: past the last page or below the first, the last one;
        # not a number, the first.
        for number in range(23):
            TaskFactory(title=f"Пирамида {number:02d}")

        response = client.get(SEARCH, {"q": "пирамида", "kind": "tasks", "page": page})

        assert f"Страница {shown} из 2" in response.content.decode()
        assert len(found_titles(response, "tasks")) == (3 if shown == 2 else 20)
        assert group_counts(response)["tasks"] == 23

    def test_the_same_search_again_reads_no_database(self, django_assert_num_queries, settings):
        settings.PAGE_CACHE_SECONDS = 0  # not the kept page: the kept results
        TaskFactory(title="Трапеция")
        Client().get(SEARCH, {"q": "трапеция"})

        with django_assert_num_queries(0):
            response = Client().get(SEARCH, {"q": "трапеция"})

        assert found_titles(response, "tasks") == ["Трапеция"]

    def test_content_changed_by_a_service_is_found_at_once(self, client):
        TaskFactory(title="Трапеция")
        client.get(SEARCH, {"q": "трапеция"})
        moderated = TaskFactory(title="Трапеция равнобедренная", status=Task.Status.MODERATION)

        task_approve(task=moderated, moderator=UserFactory())

        assert found_titles(client.get(SEARCH, {"q": "трапеция"}), "tasks") == ["Трапеция равнобедренная", "Трапеция"]


class TestSnippets:
    def test_the_matched_words_are_marked_in_a_passage_without_tags(self, client):
        TaskFactory(
            title="Бассейн",
            statement="<p>Первая <b>труба</b> наполняет бассейн за 3 часа, вторая — за 6 часов.</p>",
        )

        page = client.get(SEARCH, {"q": "трубы"}).content.decode()

        assert "Первая <mark>труба</mark> наполняет бассейн" in page
        assert "<b>" not in page.split('class="search-snippet"')[1].split("</p>")[0]

    def test_text_that_looks_like_html_is_shown_escaped(self, client):
        TaskFactory(title="Неравенство", statement="<p>Докажите, что a &lt; b &amp;&amp; b &lt;script&gt; c.</p>")

        page = client.get(SEARCH, {"q": "докажите"}).content.decode()

        assert "<mark>Докажите</mark>, что a &lt; b &amp;&amp; b &lt;script" in page
        assert "<script" not in page.split('class="search-snippet"')[1].split("</p>")[0]


class TestVisibility:
    def test_only_courses_shown_to_learners_are_found(self, client):
        CourseFactory(title="Навигация открытая")
        CourseFactory(title="Навигация черновик", published=False)
        CourseFactory(title="Навигация скрытая", visible=False)

        assert found_titles(client.get(SEARCH, {"q": "навигация"}), "courses") == ["Навигация открытая"]

    @pytest.mark.parametrize("role", ["as_volunteer", "as_teacher", "as_administrator", "as_main_admin"])
    def test_drafts_are_found_by_nobody(self, role, request):
        signed_in = request.getfixturevalue(role)
        MethodicFactory(title="Квест опубликованный")
        MethodicFactory(title="Квест на модерации", status=Methodic.Status.DRAFT, published_at=None)
        TaskFactory(title="Квест-задача опубликованная")
        TaskFactory(title="Квест-задача отклонённая", status=Task.Status.REJECTED)

        response = signed_in.get(SEARCH, {"q": "квест"})

        assert found_titles(response, "methodics") == ["Квест опубликованный"]
        assert found_titles(response, "tasks") == ["Квест-задача опубликованная"]

    @pytest.mark.parametrize("role", ["client", "as_volunteer", "as_administrator"])
    def test_the_words_of_a_private_solution_find_nothing_and_never_show(self, role, request):
        searcher = request.getfixturevalue(role)
        SolutionFactory(title="Тайный ход", text="<p>Воспользуемся леммой Жуковского-Вавилова.</p>", is_private=True)

        page = searcher.get(SEARCH, {"q": "жуковского"}).content.decode()

        assert "Ничего не нашлось" in page
        assert "Вавилова" not in page

    def test_a_task_found_by_its_statement_shows_no_solution_or_answer(self, client):
        task = TaskFactory(title="Монеты", statement="<p>Сколько монет в копилке?</p>", answer="сорок две")
        SolutionFactory(task=task, text="<p>Секретный ход решения.</p>", is_private=True)

        page = client.get(SEARCH, {"q": "копилка"}).content.decode()

        assert "Монеты" in page
        assert "сорок две" not in page
        assert "Секретный" not in page


class TestBadInput:
    @pytest.mark.parametrize(
        "query",
        [
            "",
            "а",
            "я" * 1_000,
            "!!! ??? …",
            "& | ! ( ) : * '",
            "задача & | !(",
            "'); DROP TABLE tasks; --",
            "уравнение:* & !",
            "<script>alert(1)</script>",
        ],
    )
    def test_any_query_gives_a_normal_page(self, client, query):
        TaskFactory(title="Задача про уравнение")

        response = client.get(SEARCH, {"q": query})

        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()

    def test_a_control_character_is_a_bad_request(self, client):
        # core.middleware: a NUL would reach PostgreSQL, which refuses it in text.
        assert client.get(SEARCH, {"q": "\x00задача"}).status_code == 400

    def test_an_empty_query_asks_for_words(self, client):
        assert "Введите слово или несколько" in client.get(SEARCH).content.decode()

    def test_a_query_of_punctuation_says_there_is_no_word(self, client):
        assert "В запросе нет ни одного слова" in client.get(SEARCH, {"q": "?!…"}).content.decode()

    def test_syntax_characters_around_a_word_still_find_it(self, client):
        TaskFactory(title="Параллелограмм")

        response = client.get(SEARCH, {"q": "(параллелограмм):* & !|"})

        assert found_titles(response, "tasks") == ["Параллелограмм"]

    def test_an_unknown_kind_or_page_falls_back(self, client):
        TaskFactory(title="Ромб")

        assert found_titles(client.get(SEARCH, {"q": "ромб", "kind": "nope"}), "tasks") == ["Ромб"]
        assert found_titles(client.get(SEARCH, {"q": "ромб", "kind": "tasks", "page": "999"}), "tasks") == ["Ромб"]


class TestListPages:
    """Each app's list page searches its own kind the same way."""

    @pytest.fixture(params=["catalogue", "block", "methodics", "handbook"])
    def kind(self, request):
        """(make a row with a title and a text, the list page's URL)"""
        block = BlockFactory()
        return {
            "catalogue": (lambda title, text: CourseFactory(title=title, full_description=text), "/courses/"),
            "block": (
                lambda title, text: TaskFactory(title=title, statement=text, block=block),
                f"/problems/blocks/{block.pk}/",
            ),
            "methodics": (lambda title, text: MethodicFactory(title=title, description=text), "/methodics/"),
            "handbook": (lambda title, text: ReferenceFactory(title=title, description=text), "/problems/reference/"),
        }[request.param]

    @staticmethod
    def listed(client, url, query) -> list[str]:
        response = client.get(url, {"q": query})
        assert response.status_code == 200
        return re.findall(r"<h3>(?:<a href=\"[^\"]*\">)?([^<]+)(?:</a>)?</h3>", response.content.decode())

    def test_morphology_and_title_first(self, client, kind):
        make, url = kind
        make("Про костёр", "<p>Костры, костры и ещё костры у палатки.</p>")
        make("Костры в походе", "<p>Правила безопасности.</p>")
        make("Палатка", "<p>Как её поставить.</p>")

        assert self.listed(client, url, "костра") == ["Костры в походе", "Про костёр"]

    def test_hostile_queries_list_normally(self, client, kind):
        make, url = kind
        make("Компас", "<p>Стороны света.</p>")

        assert self.listed(client, url, "компас:* & !(") == ["Компас"]
        assert self.listed(client, url, "&|!():*'") == ["Компас"]  # nothing to search: the whole list
        assert self.listed(client, url, "ю" * 1_000) == []


class TestCommonWords:
    def test_a_word_matching_more_than_the_ranked_rows_is_counted_as_at_least(self, client, monkeypatch):
        monkeypatch.setattr("core.search.MAX_RANKED", 3)
        block = BlockFactory()
        for number in range(5):
            TaskFactory(title=f"Окружность {number}", block=block)
        ReferenceFactory(title="Длина окружности")

        response = client.get(SEARCH, {"q": "окружность"})
        block_page = client.get(f"/problems/blocks/{block.pk}/", {"q": "окружность"}).content.decode()

        assert len(found_titles(response, "tasks")) == 3
        assert '<span class="count">3+</span>' in response.content.decode()  # the tasks' tab
        assert "Найдено: 4+" in response.content.decode()
        assert "Найдено задач: 3+" in block_page
        assert "Найдено задач: 5" in client.get(f"/problems/blocks/{block.pk}/").content.decode()

    def test_the_word_as_typed_fills_the_ranked_rows_before_the_words_it_begins(self, client, monkeypatch):
        monkeypatch.setattr("core.search.MAX_RANKED", 2)
        TaskFactory(title="Ориентироваться на местности")  # the first the index gives
        TaskFactory(title="Ориентир на карте")
        TaskFactory(title="Ориентиры в лесу")

        response = client.get(SEARCH, {"q": "ориентир"})

        assert sorted(found_titles(response, "tasks")) == ["Ориентир на карте", "Ориентиры в лесу"]
        assert '<span class="count">2+</span>' in response.content.decode()

    def test_the_words_it_begins_are_found_while_the_word_as_typed_leaves_room(self, client, monkeypatch):
        monkeypatch.setattr("core.search.MAX_RANKED", 3)
        TaskFactory(title="Ориентир на карте")
        TaskFactory(title="Ориентироваться на местности")

        response = client.get(SEARCH, {"q": "ориентир"})

        assert found_titles(response, "tasks") == ["Ориентироваться на местности", "Ориентир на карте"]
        assert group_counts(response)["tasks"] == 2


class TestCompiledQuery:
    """core.search.compiled_rows: the site search's query compiled once, run for any text."""

    @pytest.mark.parametrize("text", ["треугольник", "треугольник площадь", "тр", "в", PLACEHOLDERS[True], "з"])
    @pytest.mark.parametrize("kind", [None, KINDS[2]])
    def test_it_finds_what_the_query_built_for_the_text_finds(self, text, kind):
        TaskFactory(title="Треугольник", statement="<p>Найдите площадь треугольника.</p>")
        TaskFactory(title="Тропинка в лесу", statement="<p>Заготовка дров: в лесу з тропинкой.</p>")
        MethodicFactory(title="Треугольники вокруг нас", goal="Найти в классе.")
        ReferenceFactory(title="Площадь", description="<p>Площадь треугольника и заготовка.</p>")
        statement(_union, True, (kind, 0))  # compiled first for the other words

        with index_scans():
            compiled = compiled_rows(_union, text, kind, 0)
            built = list(_union(text, kind, 0))

        assert compiled == built

    def test_it_finds_the_rows_of_each_kind(self):
        TaskFactory(title="Треугольник")
        MethodicFactory(title="Треугольники вокруг нас")
        ReferenceFactory(title="Признаки треугольников")

        with index_scans():
            rows = compiled_rows(_union, "треугольник", None, 0)

        assert [(row["kind"], row["title"], row["total"]) for row in rows] == [
            (1, "Треугольники вокруг нас", 1),
            (2, "Треугольник", 1),
            (3, "Признаки треугольников", 1),
        ]

    def test_the_query_is_built_once_for_every_text_of_its_shape(self):
        for text in ("треугольник", "площадь", "квадрат круг"):
            compiled_rows(_union, text, None, 0)

        assert statement.cache_info().misses == 1 and statement.cache_info().hits == 2


class TestPlans:
    def test_search_reads_its_candidates_through_the_index(self):
        # core.search.index_scans: left alone, the planner reads a table until 500 rows match.
        candidates = matching(Task.objects.all(), "уравнение").values("pk")[:500]
        outside = candidates.explain()
        with index_scans():
            inside = candidates.explain()

        assert "Seq Scan" in outside  # an empty table: the planner reads it
        assert "Seq Scan" not in inside and "Bitmap Index Scan" in inside

    def test_a_word_found_often_enough_as_typed_is_not_looked_up_as_a_prefix(self, monkeypatch):
        monkeypatch.setattr("core.search.MAX_RANKED", 2)
        TaskFactory.create_batch(2, title="Уравнение")

        with index_scans():
            plan = candidates(Task.objects.all(), "уравнение").explain(analyze=True)

        typed, begun = plan.split("Append")[1].split("Bitmap Heap Scan")[1:]
        assert "':*" not in typed and "never executed" not in typed
        assert "':*" in begun and "never executed" in begun


class TestTypos:
    def test_a_misspelt_word_that_finds_nothing_gets_a_suggestion(self, client):
        TaskFactory(title="Треугольник Паскаля")
        MethodicFactory(title="Эстафета с мячом")

        page = client.get(SEARCH, {"q": "треугальник"}).content.decode()

        assert "Ничего не нашлось" in page
        assert 'Возможно, вы искали <a href="/search/?q=%D1%82%D1%80%D0%B5%D1%83' in page
        assert "«треугольник»" in page

    def test_each_word_of_a_short_query_is_corrected(self, client):
        MethodicFactory(title="Эстафета с мячом")

        page = client.get(SEARCH, {"q": "эстафетта мечом"}).content.decode()

        assert "«эстафета мячом»" in page

    def test_no_suggestion_when_something_is_found_or_nothing_is_close(self, client):
        TaskFactory(title="Треугольник Паскаля")

        assert "Возможно" not in client.get(SEARCH, {"q": "треугольник"}).content.decode()
        assert "Возможно" not in client.get(SEARCH, {"q": "бегемот"}).content.decode()

    def test_a_new_title_is_suggested_at_once(self, client):
        TaskFactory(title="Треугольник Паскаля")
        client.get(SEARCH, {"q": "паралелограм"})  # the titles' words and the page are kept now

        task_approve(task=TaskFactory(title="Параллелограмм", status=Task.Status.MODERATION), moderator=UserFactory())

        assert "«параллелограмм»" not in client.get(SEARCH, {"q": "параллелограмм"}).content.decode()  # found
        assert "«параллелограмм»" in client.get(SEARCH, {"q": "паралелограм"}).content.decode()

    def test_drafts_are_never_suggested(self, client):
        TaskFactory(title="Тайнопись", status=Task.Status.DRAFT)

        assert "«тайнопись»" not in client.get(SEARCH, {"q": "таинопись"}).content.decode()
