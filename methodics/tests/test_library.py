import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from core.testing import admin_change_url, change_form_data, form_values
from methodics.models import Methodic, MethodicMedia, Tag
from methodics.selectors import CATEGORY_TREE
from methodics.services import methodic_publish, methodic_save
from methodics.tests.factories import CategoryFactory, MethodicFactory, TagFactory, add_step
from methodics.views.library import video_embed_url

LIST = "/methodics/"
MODERATORS = "/methodics/moderators/"


def detail_url(methodic) -> str:
    return f"/methodics/{methodic.pk}/"


def page_of(response) -> str:
    return response.content.decode()


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/methodics/\d+/">([^<]+)</a></h3>', page)


def titles_for(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return sorted(listed_titles(page_of(response)))


@pytest.fixture
def moderator(db):
    """A teacher given methodics.moderate_methodic by hand."""
    user = UserFactory(roles=[TEACHER])
    user.user_permissions.add(Permission.objects.get(codename="moderate_methodic"))
    return user


# --- The list: filters, search, drafts ------------------------------------------------


class TestFilters:
    def test_a_category_includes_its_subcategories_at_every_level(self, client, db):
        games = CategoryFactory(name="Игры")
        icebreakers = CategoryFactory(name="Ледоколы", parent=games)
        with_names = CategoryFactory(name="С именами", parent=icebreakers)
        other = CategoryFactory(name="Лекции")
        MethodicFactory(title="Верхний уровень", category=games)
        MethodicFactory(title="Второй уровень", category=icebreakers)
        MethodicFactory(title="Третий уровень", category=with_names)
        MethodicFactory(title="Другая категория", category=other)

        assert titles_for(client, category=games.pk) == ["Верхний уровень", "Второй уровень", "Третий уровень"]
        assert titles_for(client, category=icebreakers.pk) == ["Второй уровень", "Третий уровень"]
        assert titles_for(client, category=with_names.pk) == ["Третий уровень"]

    def test_the_category_choices_show_the_tree(self, client, db):
        games = CategoryFactory(name="Игры")
        CategoryFactory(name="Ледоколы", parent=games)

        page = page_of(client.get(LIST))

        assert f'<option value="{games.children.get().pk}">— Ледоколы</option>' in page

    def test_tags_select_the_methodics_carrying_every_chosen_tag(self, client, db):
        outdoor, team = TagFactory(name="улица"), TagFactory(name="команда")
        MethodicFactory(title="Обе метки").tags.set([outdoor, team])
        MethodicFactory(title="Только улица").tags.set([outdoor])
        MethodicFactory(title="Без меток")

        assert titles_for(client, tags=[outdoor.pk]) == ["Обе метки", "Только улица"]
        assert titles_for(client, tags=[outdoor.pk, team.pk]) == ["Обе метки"]

    def test_by_author(self, client, teacher):
        MethodicFactory(title="Моя", author=teacher)
        MethodicFactory(title="Чужая")

        assert titles_for(client, author=teacher.pk) == ["Моя"]

    def test_by_total_duration_range(self, client, db):
        for minutes in (15, 45, 90):
            add_step(MethodicFactory(title=f"{minutes} минут"), duration=minutes)

        assert titles_for(client, duration_min=30) == ["45 минут", "90 минут"]
        assert titles_for(client, duration_max=45) == ["15 минут", "45 минут"]
        assert titles_for(client, duration_min=20, duration_max=60) == ["45 минут"]

    def test_a_bad_value_is_ignored_with_an_error_not_a_crash(self, client, db):
        MethodicFactory(title="Единственная")

        assert titles_for(client, duration_min="много", category="x") == ["Единственная"]

    def test_without_search_the_newest_published_come_first(self, client, db):
        now = timezone.now()
        MethodicFactory(title="Старая", published_at=now - timedelta(days=3))
        MethodicFactory(title="Новая", published_at=now)
        MethodicFactory(title="Средняя", published_at=now - timedelta(days=1))

        assert listed_titles(page_of(client.get(LIST))) == ["Новая", "Средняя", "Старая"]


class TestSearch:
    @pytest.fixture
    def library(self, db):
        plain = {"short_description": "Для отряда.", "materials": ""}
        MethodicFactory(title="Первое занятие в лагере", goal="Познакомить ребят.", description="<p>Круг.</p>", **plain)
        MethodicFactory(title="Весёлый старт", goal="Подвижная игра с мячом.", description="<p>Эстафета.</p>", **plain)
        MethodicFactory(
            title="Вечер у костра", goal="Сплотить отряд.", description="<p>Рассказываем истории о лесе.</p>", **plain
        )

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("занятия", ["Первое занятие в лагере"]),  # a title word, another form
            ("игры", ["Весёлый старт"]),  # a goal word: «игра»
            ("история", ["Вечер у костра"]),  # a description word: «истории»
            ("лагерях", ["Первое занятие в лагере"]),
        ],
    )
    def test_finds_by_russian_word_forms_in_title_goal_and_description(self, client, library, query, expected):
        assert titles_for(client, q=query) == expected

    def test_a_match_in_the_title_ranks_above_one_in_the_description(self, client, db):
        MethodicFactory(title="Эстафета по кругу", description="<p>Бегаем.</p>")
        MethodicFactory(title="Разминка", description="<p>В конце эстафета.</p>", published_at=timezone.now())
        MethodicFactory(title="Без совпадений", description="<p>Ничего.</p>")

        assert listed_titles(page_of(client.get(LIST, {"q": "эстафеты"}))) == ["Эстафета по кругу", "Разминка"]

    def test_search_combines_with_filters(self, client, db):
        camp = CategoryFactory(name="Лагерь")
        MethodicFactory(title="Игра в лагере", category=camp)
        MethodicFactory(title="Игра в школе")

        assert titles_for(client, q="игры", category=camp.pk) == ["Игра в лагере"]


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "author", "teacher", "moderator", "administrator"])
def test_drafts_are_never_listed_nor_found(client, role, volunteer, teacher, moderator, administrator):
    author = UserFactory(roles=[TEACHER])
    MethodicFactory(title="Опубликованная игра", author=author)
    MethodicFactory(title="Черновая игра", author=author, status=Methodic.Status.DRAFT, published_at=None)
    users = {"volunteer": volunteer, "author": author, "teacher": teacher, "moderator": moderator}
    users["administrator"] = administrator
    if role != "anonymous":
        client.force_login(users[role])

    assert titles_for(client) == ["Опубликованная игра"]
    assert titles_for(client, q="игра") == ["Опубликованная игра"]


def test_a_card_shows_cover_category_duration_tags_and_author_name(client, db):
    author = UserFactory(roles=[TEACHER], first_name="Анна", last_name="Зайцева")
    methodic = MethodicFactory(author=author, category=CategoryFactory(name="Игры"), cover="methodics/covers/a.jpg")
    methodic.tags.set([TagFactory(name="знакомство")])
    add_step(methodic, duration=30)
    add_step(methodic, duration=45)

    page = page_of(client.get(LIST))

    assert 'class="methodic-cover" src="/media/methodics/covers/a.jpg.480x270' in page
    assert "Игры" in page and "1 ч 15 мин" in page and "#знакомство" in page and "Анна Зайцева" in page
    assert author.email not in page


def admin_client() -> Client:
    staff = Client()
    staff.force_login(UserFactory(roles=[MAIN_ADMIN]))
    return staff


def admin_saves(staff: Client, url: str, **changes) -> None:
    """The admin's change (or add) form of `url`, saved with `changes`."""
    response = staff.post(url, change_form_data(staff, url, **changes))
    assert response.status_code == 302, response.context and response.context["errors"]


def test_kept_cards_follow_the_methodic_its_category_and_tags(client, db):
    """The library keeps a page of rendered cards (by all they show), never past a change."""
    author = UserFactory(roles=[TEACHER], first_name="Анна", last_name="Зайцева")
    category = CategoryFactory(name="Игры")
    methodic = MethodicFactory(title="Снежный ком", author=author, category=category)
    tag = TagFactory(name="знакомство")
    methodic.tags.set([tag])
    assert "#знакомство" in page_of(client.get(LIST))

    # The methodic's own row does not change with these.
    staff = admin_client()
    admin_saves(staff, admin_change_url(category), name="Подвижные игры")
    admin_saves(staff, admin_change_url(tag), name="разминка")
    methodic_save(methodic=methodic, tags=[tag, TagFactory(name="лагерь")])
    page = page_of(client.get(LIST))

    for shown in ("<dd>Подвижные игры</dd>", "#разминка", "#лагерь"):
        assert shown in page
    assert "#знакомство" not in page

    methodic.title = "Снежный ком зимой"
    methodic_save(methodic=methodic)
    add_step(methodic, duration=45)
    page = page_of(client.get(LIST))

    assert listed_titles(page) == ["Снежный ком зимой"]
    assert "<dd>45 мин</dd>" in page


def test_kept_cards_follow_their_authors_name(client, db):
    author = UserFactory(roles=[TEACHER], first_name="Анна", last_name="Зайцева")
    MethodicFactory(title="Снежный ком", author=author)
    assert "Анна Зайцева" in page_of(client.get(LIST))

    own = Client()
    own.force_login(author)
    profile = form_values(own.get("/accounts/profile/").context["form"])
    assert own.post("/accounts/profile/", {**profile, "last_name": "Петрова"}).status_code == 302
    page = page_of(client.get(LIST))

    assert "Анна Петрова" in page and "Зайцева" not in page


def test_the_signed_in_user_gets_a_link_to_their_own_methodics(client, volunteer):
    assert "/methodics/mine/" not in page_of(client.get(LIST))
    client.force_login(volunteer)
    assert 'href="/methodics/mine/"' in page_of(client.get(LIST))


def test_the_main_navigation_links_the_library(client, db):
    assert f'href="{LIST}"' in page_of(client.get("/"))


# --- The 5,000-methodics page ------------------------------------------------------------


def _bulk_methodics(count: int, *, authors, categories, tags, first_number: int = 0) -> None:
    now = timezone.now()
    created = Methodic.objects.bulk_create(
        [
            Methodic(
                author=authors[number % len(authors)],
                title=f"Методика {number}",
                short_description="Краткое описание",
                goal="Цель",
                category=categories[number % len(categories)],
                cover=f"methodics/covers/{number}.jpg",
                status=Methodic.Status.PUBLISHED,
                published_at=now - timedelta(minutes=number),
                total_duration=10 + number % 90,
            )
            for number in range(first_number, first_number + count)
        ]
    )
    Tagged = Methodic.tags.through
    Tagged.objects.bulk_create(
        [
            Tagged(methodic_id=methodic.pk, tag_id=tag.pk)
            for index, methodic in enumerate(created)
            for tag in tags[index % 3 : index % 3 + 2]
        ]
    )


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_takes_the_same_few_queries_for_25_and_5000_methodics(client, volunteer, signed_in):
    authors = [UserFactory(roles=[TEACHER]) for _ in range(5)]
    root = CategoryFactory(name="Корень")
    categories = [root, CategoryFactory(parent=root), CategoryFactory()]
    tags = [TagFactory() for _ in range(5)]
    _bulk_methodics(25, authors=authors, categories=categories, tags=tags)
    if signed_in:
        client.force_login(volunteer)

    def render_pages() -> list[int]:
        cache.clear()  # the filter's choices are read on the first visit, cached for the next
        counts = []
        for params in ({}, {"category": root.pk, "tags": [tags[1].pk], "duration_min": 5}):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(LIST, params)
            assert response.status_code == 200
            titles = listed_titles(page_of(response))
            assert len(titles) == 20 if not params else 0 < len(titles) <= 20
            assert 'class="tag"' in page_of(response)
            counts.append(len(queries))
        return counts

    with_25 = render_pages()
    _bulk_methodics(4975, authors=authors, categories=categories, tags=tags, first_number=25)
    assert Methodic.objects.count() == 5000
    with_5000 = render_pages()

    # (session, user with the unread messages count when signed in) + the category tree,
    # the authors and the tags on the first visit (then cached), count, page, the page's tags
    assert with_25 == with_5000, (with_25, with_5000)
    assert with_5000 == ([8, 5] if signed_in else [6, 3]), with_5000


def test_a_search_over_5000_methodics_takes_a_fixed_number_of_queries(client, db):
    authors = [UserFactory(roles=[TEACHER])]
    categories, tags = [CategoryFactory()], [TagFactory() for _ in range(3)]
    _bulk_methodics(5000, authors=authors, categories=categories, tags=tags)
    MethodicFactory(title="Занятие у реки")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"q": "занятия"})

    assert listed_titles(page_of(response)) == ["Занятие у реки"]
    assert len(queries) <= 6


# --- A methodic's page ---------------------------------------------------------------------

ROLES = ["anonymous", "volunteer", "author", "other_teacher", "moderator", "administrator", "main_admin"]
SEES_DRAFTS = {"author", "moderator", "administrator", "main_admin"}
EDITS = {"author", "moderator", "administrator", "main_admin"}


@pytest.fixture
def sign_in_as(client, volunteer, teacher, moderator, administrator):
    author = UserFactory(roles=[TEACHER], first_name="Ирина", last_name="Автор")
    users = {
        "volunteer": volunteer,
        "author": author,
        "other_teacher": teacher,
        "moderator": moderator,
        "administrator": administrator,
        "main_admin": UserFactory(roles=[MAIN_ADMIN]),
    }

    def sign_in(role):
        if role != "anonymous":
            client.force_login(users[role])
        return client, author

    return sign_in


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_a_published_methodic(sign_in_as, role):
    client, author = sign_in_as(role)
    methodic = MethodicFactory(author=author, title="Круг знакомств")

    response = client.get(detail_url(methodic))

    assert response.status_code == 200
    page = page_of(response)
    assert '<h1 id="methodic-title">Круг знакомств</h1>' in page
    assert (f'href="/methodics/{methodic.pk}/edit/"' in page) == (role in EDITS)
    assert f'href="/methodics/{methodic.pk}/export/?format=pdf"' in page
    assert f'href="/methodics/{methodic.pk}/export/?format=docx"' in page
    assert ("Снять с публикации" in page) == (role in {"moderator", "administrator", "main_admin"})


@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_seen_by_its_author_and_moderators_only(sign_in_as, role):
    client, author = sign_in_as(role)
    draft = MethodicFactory(author=author, status=Methodic.Status.DRAFT, published_at=None)

    response = client.get(detail_url(draft))

    assert response.status_code == (200 if role in SEES_DRAFTS else 404)
    if response.status_code == 200:
        assert "Черновик" in page_of(response)


def test_the_page_shows_the_methodic_in_full(client, db):
    games = CategoryFactory(name="Игры")
    icebreakers = CategoryFactory(name="Ледоколы", parent=games)
    author = UserFactory(roles=[TEACHER], first_name="Пётр", last_name="Иванов")
    methodic = MethodicFactory(
        author=author,
        category=icebreakers,
        goal="Снять напряжение.",
        description="<p>Подробное <strong>описание</strong>.</p>",
        materials="Мяч",
        literature="Иванов И. Игры в кругу. 2010.",
        presentation="methodics/presentations/slides.pptx",
    )
    methodic.tags.set([TagFactory(name="знакомство")])
    tag = Tag.objects.get(name="знакомство")
    MethodicMedia.objects.create(methodic=methodic, kind="image", file="methodics/media/photo.jpg", caption="Фото")
    MethodicMedia.objects.create(methodic=methodic, kind="audio", file="methodics/media/song.mp3")
    MethodicMedia.objects.create(methodic=methodic, kind="video", file="methodics/media/clip.mp4")
    MethodicMedia.objects.create(methodic=methodic, kind="link", url="https://youtu.be/dQw4w9WgXcQ", caption="Ролик")
    MethodicMedia.objects.create(methodic=methodic, kind="link", url="https://example.com/video/1", caption="Чужой")

    page = page_of(client.get(detail_url(methodic)))

    breadcrumbs = page.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert breadcrumbs.index("Игры") < breadcrumbs.index("Ледоколы")
    assert "Снять напряжение." in page and "<strong>описание</strong>" in page and "Мяч" in page
    assert "Игры в кругу" in page and "Пётр Иванов" in page
    assert 'href="/media/methodics/presentations/slides.pptx" download' in page
    assert f'href="/methodics/?tags={tag.pk}">#знакомство' in page
    assert '<img src="/media/methodics/media/photo.jpg" alt="Фото"' in page
    assert '<audio controls preload="none" src="/media/methodics/media/song.mp3">' in page
    assert '<video controls preload="metadata" src="/media/methodics/media/clip.mp4">' in page
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert page.count("<iframe") == 1
    assert 'href="https://example.com/video/1"' in page


def test_the_timeline_lists_the_steps_in_order_with_their_times(client, db):
    methodic = MethodicFactory()
    add_step(methodic, duration=10, description="Приветствие", expected_result="Все знают имена")
    add_step(methodic, duration=25, description="Основная игра")
    add_step(methodic, duration=5, description="Рефлексия")

    page = page_of(client.get(detail_url(methodic)))
    timeline = page.split('class="methodic-timeline"')[1].split("</ol>")[0]

    assert re.findall(r'<span class="timeline-range">([^<]+)</span>', timeline) == [
        "0–10 мин",
        "10–35 мин",
        "35–40 мин",
    ]
    assert re.findall(r'<span class="timeline-duration">([^<]+)</span>', timeline) == ["10 мин", "25 мин", "5 мин"]
    assert timeline.index("Приветствие") < timeline.index("Основная игра") < timeline.index("Рефлексия")
    assert "Все знают имена" in timeline
    assert 'Ход занятия <span class="hint">· 40 мин</span>' in page


def test_the_methodic_page_takes_the_same_queries_for_3_and_30_steps(client, db):
    methodic = MethodicFactory()
    for _ in range(3):
        add_step(methodic, image="methodics/steps/a.jpg")

    def render() -> int:
        CATEGORY_TREE.get()  # read by every page of the library, cached under the same version
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(methodic)).status_code == 200
        return len(queries)

    with_3 = render()
    for _ in range(27):  # through the service, which retires the kept page
        add_step(methodic, image="methodics/steps/a.jpg")
    assert render() == with_3 == 5  # the methodic, its media, steps, tags and comments


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=5", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://rutube.ru/video/0123456789abcdef0123456789abcdef/",
            "https://rutube.ru/play/embed/0123456789abcdef0123456789abcdef",
        ),
        ("https://vk.com/video-12345_678", "https://vk.com/video_ext.php?oid=-12345&id=678"),
        ("https://vkvideo.ru/video-12345_678", "https://vk.com/video_ext.php?oid=-12345&id=678"),
        ('https://youtube.com/watch?v=bad"id', None),
        ("https://evil.example/youtube.com/watch?v=dQw4w9WgXcQ", None),
        ("javascript:alert(1)", None),
        ("https://rutube.ru/video/not-an-id/", None),
    ],
)
def test_only_known_video_hosts_are_embedded(url, embed):
    assert video_embed_url(url) == embed


# --- Moderators ------------------------------------------------------------------------------


def test_the_moderators_page_lists_administrators_and_teachers_given_the_permission(client, moderator):
    administrator = UserFactory(roles=[ADMIN], first_name="Ольга", last_name="Админова")
    UserFactory(roles=[TEACHER], first_name="Семён", last_name="Простой")
    moderator.first_name, moderator.last_name = "Мария", "Модераторова"
    moderator.save()

    response = client.get(MODERATORS)

    assert response.status_code == 200
    page = page_of(response)
    assert "Ольга Админова" in page and "Мария Модераторова" in page
    assert "Семён Простой" not in page
    assert administrator.email not in page and moderator.email not in page and moderator.username not in page


def test_the_filter_lists_follow_changes_at_once(client, db):
    author = UserFactory(roles=[TEACHER], first_name="Ада", last_name="Лавлейс")
    methodic = MethodicFactory(author=author, status=Methodic.Status.DRAFT, published_at=None)
    add_step(methodic)
    client.get(LIST)  # the lists are cached now
    methodic_publish(methodic=methodic)
    staff = admin_client()
    admin_saves(staff, "/admin/methodics/category/add/", name="Новая категория")
    admin_saves(staff, "/admin/methodics/tag/add/", name="новыйтег")

    page = page_of(client.get(LIST))

    assert "Ада Лавлейс" in page
    assert "Новая категория" in page
    assert "новыйтег" in page
