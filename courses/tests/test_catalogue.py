import re
import threading
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format

from accounts.roles import MAIN_ADMIN, VOLUNTEER
from accounts.tests.factories import UserFactory
from core.testing import admin_change_url, change_form_data, png_upload
from core.text import duration_text
from courses.models import (
    Course,
    CourseFAQ,
    CourseLocation,
    CourseSkill,
    Lesson,
    VolunteerCourse,
    VolunteerLesson,
)
from courses.services import course_publish, course_refresh
from courses.tests.factories import CourseFactory, FAQFactory, SkillFactory, add_chapter, add_lesson, content_author
from courses.views.catalogue import date_text
from volunteers.importers import LocationRow, import_locations
from volunteers.models import Direction, Level, Location, Volunteer
from volunteers.services import levels_confirm, volunteer_choose_level
from volunteers.tests.factories import DirectionFactory, LocationFactory, VolunteerFactory, level_of_rank

CATALOGUE = "/courses/"
MY_COURSES = "/courses/my/"
STUDENT_VIEW = "/courses/student-view/"


def course_url(course, action=""):
    return f"/courses/{course.pk}/{action + '/' if action else ''}"


def volunteer_at(level_name: str = "Новичок", location: Location | None = None) -> Volunteer:
    """A volunteer profile with `level_name` confirmed (and the region given, or a new one)."""
    volunteer = VolunteerFactory(**({"location": location} if location else {}))
    level = Level.objects.get(name=level_name)
    if level.rank > 1:
        volunteer_choose_level(volunteer=volunteer, level=level)
        levels_confirm(record_ids=volunteer.level_records.values_list("pk", flat=True), confirmed_by=UserFactory())
    return Volunteer.objects.get(pk=volunteer.pk)


def page_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def card_of(page: str, title: str) -> str:
    """The catalogue card whose heading names the course."""
    for card in re.findall(r'<li class="card course-card">(.*?)</li>', page, re.S):
        if f">{title}</a></h3>" in card:
            return card
    raise AssertionError(f"no card for {title!r}")


def listed_titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="/courses/\d+/">([^<]+)</a></h3>', page)


# Content changes as the site makes them — in the admin, through the services — so that
# they retire the kept pages and lists (core.cache); a factory or the ORM would not.


def site_administrator() -> Client:
    client = Client()
    client.force_login(UserFactory(roles=[MAIN_ADMIN]))
    return client


def added_in_admin(model, **fields) -> None:
    admin, url = site_administrator(), f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    assert admin.post(url, change_form_data(admin, url, **fields)).status_code == 302


def saved_in_admin(obj, **changes) -> None:
    admin, url = site_administrator(), admin_change_url(obj)
    assert admin.post(url, change_form_data(admin, url, **changes)).status_code == 302


def deleted_in_admin(obj) -> None:
    url = admin_change_url(obj).replace("/change/", "/delete/")
    assert site_administrator().post(url, {"post": "yes"}).status_code == 302


def regions_imported(*regions: tuple[int, str]) -> None:
    rows = [LocationRow(line=line, code=code, region=region) for line, (code, region) in enumerate(regions, start=2)]
    assert not import_locations(rows, dry_run=False).errors


@pytest.fixture
def moscow(db):
    return Location.objects.create(code=77, region="Москва")


@pytest.fixture
def tver(db):
    return Location.objects.create(code=69, region="Тверская область")


@pytest.fixture
def novice(moscow):
    return volunteer_at("Новичок", moscow)


@pytest.fixture
def as_novice(client, novice):
    client.force_login(novice.user)
    return client


# --- Visibility -------------------------------------------------------------------------


@pytest.fixture
def signed_in_as(client, volunteer, teacher, administrator):
    """A client for each role of the site; the volunteer has a profile (Новичок)."""
    VolunteerFactory(user=volunteer)
    users = {"volunteer": volunteer, "teacher": teacher, "administrator": administrator}

    def sign_in(role):
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return sign_in


ROLES = ["anonymous", "volunteer", "teacher", "administrator"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("hidden_by", ["ready", "visible", "published"])
def test_a_course_not_ready_visible_and_published_is_neither_listed_nor_reachable(signed_in_as, role, hidden_by):
    shown = CourseFactory(title="Открытый курс")
    hidden = CourseFactory(title="Скрытый курс", **{hidden_by: False})
    client = signed_in_as(role)

    page = page_of(client.get(CATALOGUE))

    assert listed_titles(page) == ["Открытый курс"]
    assert client.get(course_url(shown)).status_code == 200
    assert client.get(course_url(hidden)).status_code == 404
    assert client.get(f"{CATALOGUE}?q=Скрытый").context["page_obj"].paginator.count == 0


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_catalogue_and_the_course_page(signed_in_as, role):
    course = CourseFactory(title="Первая помощь")
    client = signed_in_as(role)

    assert "Первая помощь" in page_of(client.get(CATALOGUE))
    assert '<h1 id="course-title">Первая помощь</h1>' in page_of(client.get(course_url(course)))


def test_hidden_lessons_are_not_in_the_course_programme(client, db):
    course = CourseFactory()
    chapter = add_chapter(course, title="Введение")
    add_lesson(chapter, title="Готовый урок")
    add_lesson(chapter, title="Черновик урока", ready=False)
    add_lesson(chapter, title="Выключенный урок", visible=False)
    add_lesson(chapter, title="Неопубликованный урок", published=False)

    page = page_of(client.get(course_url(course)))

    assert "Готовый урок" in page
    assert "Черновик урока" not in page
    assert "Выключенный урок" not in page
    assert "Неопубликованный урок" not in page


# --- Filters and search -----------------------------------------------------------------


class TestFilters:
    def test_by_direction(self, client, db):
        first, second = DirectionFactory(title="Экология"), DirectionFactory(title="Спорт")
        CourseFactory(title="Чистый берег", direction=first)
        CourseFactory(title="Марафон", direction=second)

        assert listed_titles(page_of(client.get(CATALOGUE, {"direction": first.pk}))) == ["Чистый берег"]

    def test_by_level(self, client, db):
        CourseFactory(title="Для новичков", level=level_of_rank(1))
        CourseFactory(title="Для бывалых", level=level_of_rank(2))

        assert listed_titles(page_of(client.get(CATALOGUE, {"level": level_of_rank(2).pk}))) == ["Для бывалых"]

    def test_by_region_includes_the_courses_open_everywhere(self, client, moscow, tver):
        in_moscow = CourseFactory(title="Московский курс")
        CourseLocation.objects.create(course=in_moscow, location=moscow)
        in_both = CourseFactory(title="Курс двух регионов")
        CourseLocation.objects.create(course=in_both, location=moscow)
        CourseLocation.objects.create(course=in_both, location=tver)
        in_tver = CourseFactory(title="Тверской курс")
        CourseLocation.objects.create(course=in_tver, location=tver)
        CourseFactory(title="Курс для всех")

        titles = listed_titles(page_of(client.get(CATALOGUE, {"location": moscow.pk})))

        assert sorted(titles) == sorted(["Московский курс", "Курс двух регионов", "Курс для всех"])

    def test_a_region_added_later_is_offered_and_filters(self, client, moscow):
        """The form class is built once (CourseFilter.get_form_class); its choices are not."""
        assert f'<option value="{moscow.pk}">' in page_of(client.get(CATALOGUE))
        regions_imported((10, "Республика Карелия"))
        karelia = Location.objects.get(code=10)
        CourseLocation.objects.create(course=CourseFactory(title="Карельский курс"), location=karelia)
        CourseLocation.objects.create(course=CourseFactory(title="Московский курс"), location=moscow)

        page = page_of(client.get(CATALOGUE, {"location": karelia.pk}))

        assert f'<option value="{karelia.pk}" selected>Республика Карелия</option>' in page
        assert listed_titles(page) == ["Карельский курс"]

    def test_by_format(self, client, db):
        CourseFactory(title="Онлайн-курс", format=Course.Format.ONLINE)
        CourseFactory(title="Очный курс", format=Course.Format.OFFLINE)

        assert listed_titles(page_of(client.get(CATALOGUE, {"format": "Очно"}))) == ["Очный курс"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("навигац", ["Навигация на местности"]),
            ("КАРТ", ["Навигация на местности"]),
            ("ориентир", ["Поиск людей"]),
            ("компас", ["Поиск людей"]),
            ("  ", ["Навигация на местности", "Поиск людей"]),
        ],
    )
    def test_search_over_title_and_descriptions(self, client, db, query, expected):
        CourseFactory(title="Навигация на местности", short_description="Карта и маршрут")
        CourseFactory(
            title="Поиск людей", short_description="Как ориентироваться", full_description="<p>Компас и GPS.</p>"
        )

        assert sorted(listed_titles(page_of(client.get(CATALOGUE, {"q": query})))) == expected

    def test_filters_combine_and_are_kept_in_the_pagination_links(self, client, db):
        direction = DirectionFactory()
        CourseFactory.create_batch(25, direction=direction, format=Course.Format.OFFLINE)
        CourseFactory.create_batch(3, direction=direction)

        first = client.get(CATALOGUE, {"direction": direction.pk, "format": "Очно"})
        second = client.get(CATALOGUE, {"direction": direction.pk, "format": "Очно", "page": 2})

        assert len(listed_titles(page_of(first))) == 20
        assert len(listed_titles(page_of(second))) == 5
        assert f"?direction={direction.pk}&amp;format=%D0%9E%D1%87%D0%BD%D0%BE&amp;page=2" in page_of(first)
        assert "Страница 2 из 2" in page_of(second)

    def test_the_selects_start_with_their_empty_choice_and_list_the_rows_in_order(self, client, moscow, tver):
        DirectionFactory(title="Экология"), DirectionFactory(title="Спорт")

        page = page_of(client.get(CATALOGUE))

        for name, empty in [("direction", "Все направления"), ("level", "Все уровни"), ("location", "Все регионы")]:
            select = re.search(rf'<select name="{name}" id="id_{name}">(.*?)</select>', page, re.S).group(1)
            assert re.findall(r"<option[^>]*>([^<]*)</option>", select)[0] == empty
        assert page.index(">Спорт</option>") < page.index(">Экология</option>")
        assert page.index(">Москва</option>") < page.index(">Тверская область</option>")
        assert ">Новичок</option>" in page
        assert '<option value="" selected>Любой</option>' in page

    def test_the_chosen_options_stay_selected(self, client, moscow):
        direction = DirectionFactory()

        page = page_of(client.get(CATALOGUE, {"direction": direction.pk, "location": moscow.pk}))

        assert f'<option value="{direction.pk}" selected>{direction.title}</option>' in page
        assert f'<option value="{moscow.pk}" selected>Москва</option>' in page

    @pytest.mark.parametrize("value", ["999999", "abc"])
    def test_an_unknown_choice_filters_nothing(self, client, db, value):
        CourseFactory(title="Первый"), CourseFactory(title="Второй")

        for name in ("direction", "level", "location"):
            response = client.get(CATALOGUE, {name: value})
            assert response.status_code == 200
            assert sorted(listed_titles(page_of(response))) == ["Второй", "Первый"]

    def test_the_lists_are_read_once_and_read_again_after_a_change(self, client, moscow):
        direction = DirectionFactory(title="Экология")
        client.get(CATALOGUE)

        with CaptureQueriesContext(connection) as queries:
            client.get(CATALOGUE)
        tables = ('"directions"', '"levels"', '"locations"')
        assert not [query["sql"] for query in queries if any(table in query["sql"] for table in tables)]

        added_in_admin(Direction, title="Спорт")
        assert ">Спорт</option>" in page_of(client.get(CATALOGUE))
        saved_in_admin(moscow, region="Город Москва")
        assert ">Город Москва</option>" in page_of(client.get(CATALOGUE))
        deleted_in_admin(direction)
        assert ">Экология</option>" not in page_of(client.get(CATALOGUE))

    def test_filter_labels_are_russian(self, client, db):
        page = page_of(client.get(CATALOGUE))

        for label in ("Поиск", "Направление", "Уровень", "Регион", "Формат"):
            assert f">{label}:</label>" in page


# --- Cards and reasons ------------------------------------------------------------------


class TestReasons:
    def test_each_card_says_why_the_volunteer_may_not_enrol(self, as_novice, novice, moscow, tver):
        CourseFactory(title="Для новичков")
        CourseFactory(title="Для бывалых", level=level_of_rank(2))
        in_tver = CourseFactory(title="Только в Твери")
        CourseLocation.objects.create(course=in_tver, location=tver)
        in_moscow = CourseFactory(title="Только в Москве")
        CourseLocation.objects.create(course=in_moscow, location=moscow)

        page = page_of(as_novice.get(CATALOGUE))

        assert "course-mark" not in card_of(page, "Для новичков")
        assert "нужен уровень Бывалый" in card_of(page, "Для бывалых")
        assert "недоступно в вашем регионе" in card_of(page, "Только в Твери")
        assert "course-mark" not in card_of(page, "Только в Москве")

    def test_a_higher_level_opens_lower_courses(self, client, moscow):
        experienced = volunteer_at("Бывалый", moscow)
        CourseFactory(title="Для новичков")
        CourseFactory(title="Для бывалых", level=level_of_rank(2))
        CourseFactory(title="Для профессионалов", level=level_of_rank(3))
        client.force_login(experienced.user)

        page = page_of(client.get(CATALOGUE))

        assert "course-mark" not in card_of(page, "Для новичков")
        assert "course-mark" not in card_of(page, "Для бывалых")
        assert "нужен уровень Профессионал" in card_of(page, "Для профессионалов")

    def test_enrolled_and_passed_courses_are_marked(self, as_novice, novice):
        enrolled = CourseFactory(title="Записан")
        passed = CourseFactory(title="Пройденный")
        VolunteerCourse.objects.create(volunteer=novice, course=enrolled)
        VolunteerCourse.objects.create(volunteer=novice, course=passed, status=VolunteerCourse.Status.PASSED)

        page = page_of(as_novice.get(CATALOGUE))

        assert "Вы записаны" in card_of(page, "Записан")
        assert "Пройден" in card_of(page, "Пройденный")

    def test_visitors_and_staff_without_a_profile_see_no_reasons(self, client, teacher):
        CourseFactory(title="Для бывалых", level=level_of_rank(2))

        assert "course-mark" not in card_of(page_of(client.get(CATALOGUE)), "Для бывалых")
        client.force_login(teacher)
        assert "course-mark" not in card_of(page_of(client.get(CATALOGUE)), "Для бывалых")

    def test_a_card_shows_the_facts(self, client, db):
        course = CourseFactory(
            title="Штабная работа",
            direction=DirectionFactory(title="Поиск"),
            level=level_of_rank(2),
            format=Course.Format.BLENDED,
            start_date=date(2026, 10, 5),
        )
        Course.objects.filter(pk=course.pk).update(duration=150, number_of_classes=4)

        card = card_of(page_of(client.get(CATALOGUE)), "Штабная работа")

        for fact in ("Поиск", "Бывалый", "Смешанный", "5 октября 2026", "2 ч 30 мин", "<dd>4</dd>"):
            assert fact in card
        assert '<time datetime="2026-10-05">5 октября 2026</time>' in card


def test_a_card_shows_the_cover_thumbnail_made_at_upload(client, db, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # made once the upload commits (core.thumbnails)
        CourseFactory(title="С обложкой", cover=png_upload("cover.png", (32, 18)))
    CourseFactory(title="Без обложки")

    page = page_of(client.get(CATALOGUE))

    thumbnail, picture = re.search(
        r'<img class="course-cover" src="/media/(courses/covers/cover\w*\.png\.640x360[^"]+)" '
        r'data-full="/media/(courses/covers/cover\w*\.png)" alt=""',
        card_of(page, "С обложкой"),
    ).groups()
    assert (settings.MEDIA_ROOT / thumbnail).is_file()
    assert thumbnail.startswith(picture)
    assert "<img" not in card_of(page, "Без обложки")


@pytest.mark.parametrize("month", range(1, 13))
def test_date_text_writes_what_the_date_filter_writes(month):
    day = date(2026, month, 1 + month * 2)

    assert date_text(day) == date_format(day, "j E Y")


@pytest.mark.parametrize(("minutes", "text"), [(0, "0 мин"), (45, "45 мин"), (60, "1 ч"), (95, "1 ч 35 мин")])
def test_duration_text(minutes, text):
    assert duration_text(minutes) == text


def test_kept_cards_follow_the_course_its_direction_and_the_reader(client, novice, moscow):
    """The catalogue keeps rendered cards (by all they show), never past a change."""
    course = CourseFactory(title="Навигация", level=level_of_rank(1))
    other = volunteer_at("Новичок", moscow)
    VolunteerCourse.objects.create(volunteer=novice, course=course)
    client.force_login(novice.user)
    assert "Вы записаны" in page_of(client.get(CATALOGUE))

    saved_in_admin(course, title="Навигация зимой")
    saved_in_admin(course.direction, title="Поиск в лесу")
    page = page_of(client.get(CATALOGUE))
    assert listed_titles(page) == ["Навигация зимой"]
    assert "<dd>Поиск в лесу</dd>" in page

    client.force_login(other.user)
    page = page_of(client.get(CATALOGUE))
    assert listed_titles(page) == ["Навигация зимой"]
    assert "Вы записаны" not in page


def test_the_kept_list_follows_new_courses_and_each_reader_gets_their_marks(client, novice, moscow, settings):
    """The list of courses is kept for everyone while the content does not change
    (PAGE_CACHE_SECONDS); whether the reader is enrolled is read for each request."""
    settings.PAGE_CACHE_SECONDS = 60
    course = CourseFactory(title="Навигация", level=level_of_rank(1))
    morse = CourseFactory(title="Азбука Морзе", level=level_of_rank(1), start_date=course.start_date, published=False)
    other = volunteer_at("Новичок", moscow)
    client.force_login(novice.user)
    assert listed_titles(page_of(client.get(CATALOGUE))) == ["Навигация"]

    with CaptureQueriesContext(connection) as queries:
        client.get(CATALOGUE)
    # session, user, learner, their level, the reader's enrolments: neither count nor page
    assert len(queries) == 5
    VolunteerCourse.objects.create(volunteer=novice, course=course)
    course_publish(courses=Course.objects.filter(pk=morse.pk), user=UserFactory(roles=[MAIN_ADMIN]))
    page = page_of(client.get(CATALOGUE))
    assert listed_titles(page) == ["Азбука Морзе", "Навигация"]
    assert page.count("Вы записаны") == 1

    client.force_login(other.user)
    assert "Вы записаны" not in page_of(client.get(CATALOGUE))


# --- Query counts -----------------------------------------------------------------------


def _published_courses(count: int, direction, levels, regions, *, first_number: int = 0, published: bool = True):
    author = content_author()
    courses = Course.objects.bulk_create(
        [
            Course(
                title=f"Курс {first_number + number:04}",
                direction=direction,
                level=levels[number % 3],
                start_date=date(2026, 9, 1),
                short_description="Кратко.",
                full_description="<p>Подробно.</p>",
                ready=True,
                visible=True,
                published=published,
                duration=90,
                number_of_classes=3,
                user_created=author,
                user_modified=author,
            )
            for number in range(count)
        ]
    )
    CourseLocation.objects.bulk_create(
        [CourseLocation(course=course, location=regions[number % 2]) for number, course in enumerate(courses[::3])]
    )
    return courses


def test_a_catalogue_page_takes_the_same_few_queries_for_25_and_1000_courses(client, moscow, tver):
    direction, levels = DirectionFactory(), list(Level.objects.order_by("rank"))
    courses = _published_courses(24, direction, levels, [moscow, tver])
    _published_courses(1, direction, levels, [moscow, tver], first_number=24, published=False)
    publisher = UserFactory(roles=[MAIN_ADMIN])
    volunteer = volunteer_at("Новичок", moscow)
    VolunteerCourse.objects.bulk_create(
        # courses without regions, so that all are on the first page for Moscow
        [VolunteerCourse(volunteer=volunteer, course=course) for index, course in enumerate(courses[:8]) if index % 3]
    )
    enrolled = VolunteerCourse.objects.count()
    client.force_login(volunteer.user)

    def render_first_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CATALOGUE, {"location": moscow.pk})
        assert response.status_code == 200
        assert len(listed_titles(page_of(response))) == 20
        assert page_of(response).count("Вы записаны") == enrolled
        assert page_of(response).count("нужен уровень") > 0
        return len(queries)

    first = render_first_page()  # reads the filter lists, which are then cached
    # The list of a page is kept until the courses change: each render below follows a
    # publication, so it reads the list anew (and the filter lists from the cache).
    course_publish(courses=Course.objects.filter(published=False), user=publisher)
    with_25 = render_first_page()
    _published_courses(975, direction, levels, [moscow, tver], first_number=25, published=False)
    course_publish(courses=Course.objects.filter(published=False), user=publisher)
    assert Course.objects.count() == 1000
    with_1000 = render_first_page()

    # session, user with the unread count, volunteer, its level, count, page (with the
    # regions), the volunteer's enrolments of its courses; the first request reads the
    # three filter lists too
    assert first == with_25 + 3
    assert with_25 == with_1000 == 7, (with_25, with_1000)


def test_the_kept_program_follows_its_lessons_and_the_readers_progress(client, moscow):
    """The course page keeps its drawn program by all it shows, so nothing goes stale."""
    course = CourseFactory()
    lesson = add_lesson(add_chapter(course, title="Основы"), title="Карта")
    reader, other = volunteer_at("Новичок", moscow), volunteer_at("Новичок", moscow)
    for volunteer in (reader, other):
        VolunteerCourse.objects.create(volunteer=volunteer, course=course)
    client.force_login(reader.user)
    assert "✓ пройден" not in page_of(client.get(course_url(course)))

    VolunteerLesson.objects.update_or_create(volunteer=reader, lesson=lesson, defaults={"passed": True})
    saved_in_admin(lesson, title="Карта и компас")
    page = page_of(client.get(course_url(course)))
    assert "✓ пройден" in page
    assert "Карта и компас</a>" in page

    client.force_login(other.user)
    assert "✓ пройден" not in page_of(client.get(course_url(course)))


def test_the_course_page_takes_the_same_few_queries_for_10_and_100_lessons(client, moscow):
    course = CourseFactory()
    chapters = [add_chapter(course, title=f"Глава {number + 1}") for number in range(10)]
    for chapter in chapters:
        add_lesson(chapter)
    volunteer = volunteer_at("Новичок", moscow)
    VolunteerCourse.objects.create(volunteer=volunteer, course=course)
    CourseLocation.objects.create(course=course, location=moscow)
    for number in range(3):
        skill = SkillFactory(title=f"Навык {number}", description="Описание")
        CourseSkill.objects.create(course=course, skill=skill)
        faq = FAQFactory(question=f"Вопрос {number}?", answer="Ответ.")
        CourseFAQ.objects.create(course=course, faq=faq)
    client.force_login(volunteer.user)

    def render(lesson_count: int) -> tuple[int, int]:
        """The queries of the first reading, and of the next, the course being cached."""
        counts = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(course_url(course))
            assert response.status_code == 200
            assert page_of(response).count(f'<a href="/courses/{course.pk}/lessons/') == lesson_count
            counts.append(len(queries))
        return tuple(counts)

    with_10 = render(10)
    for chapter in chapters:
        for _ in range(9):
            add_lesson(chapter)
    course_refresh(course=course)  # as the admin does after lessons are added
    with_100 = render(100)

    # Cached: session, user with the unread count, volunteer, its level, enrolment,
    # progress. The first reading adds the course with its direction and level, its
    # regions, skills and FAQ, the chapters and their lessons.
    assert with_10 == with_100 == (12, 6), (with_10, with_100)


# --- Course page ------------------------------------------------------------------------


class TestCoursePage:
    def test_shows_description_skills_faq_and_structure_in_order(self, client, moscow):
        course = CourseFactory(
            title="Поисково-спасательный курс", full_description="<p>Полное <strong>описание</strong>.</p>"
        )
        CourseLocation.objects.create(course=course, location=moscow)
        Course.objects.filter(pk=course.pk).update(duration=75, number_of_classes=3)
        skill = SkillFactory(title="Работа с картой", description="Ориентирование")
        CourseSkill.objects.create(course=course, skill=skill)
        faq = FAQFactory(question="Нужна ли подготовка?", answer="Нет, всему научим.")
        CourseFAQ.objects.create(course=course, faq=faq)
        second = add_chapter(course, title="Практика", order_number=2)
        first = add_chapter(course, title="Теория", order_number=1)
        add_lesson(first, title="Карта", duration=25)
        add_lesson(first, title="Проверка знаний", type=Lesson.Type.QUIZ, duration=10)
        add_lesson(second, title="Выход в лес", type=Lesson.Type.WEBINAR, duration=40)

        page = page_of(client.get(course_url(course)))

        assert "<p>Полное <strong>описание</strong>.</p>" in page
        assert "Работа с картой" in page
        assert "<details><summary>Нужна ли подготовка?</summary><p>Нет, всему научим.</p></details>" in page
        order = [page.index(text) for text in ("Теория", "Карта", "Проверка знаний", "Практика", "Выход в лес")]
        assert order == sorted(order)
        assert "Тест (квиз), 10 мин" in page
        assert "Вебинар, 40 мин" in page
        assert "1 ч 15 мин" in page
        assert "<dt>Занятий</dt><dd>3</dd>" in page
        assert "Москва" in page

    def test_a_course_without_regions_is_open_everywhere(self, client, db):
        assert "Во всех регионах" in page_of(client.get(course_url(CourseFactory())))

    def test_a_visitor_is_asked_to_sign_in(self, client, db):
        course = CourseFactory()

        page = page_of(client.get(course_url(course)))

        assert f'href="/accounts/login/?next=/courses/{course.pk}/"' in page
        assert "Записаться</button>" not in page

    @pytest.mark.parametrize("role", ["teacher", "administrator"])
    def test_staff_without_a_profile_is_sent_to_the_profile(self, client, request, role):
        client.force_login(request.getfixturevalue(role))

        page = page_of(client.get(course_url(CourseFactory())))

        assert 'href="/volunteers/profile/"' in page
        assert "Записаться</button>" not in page

    def test_a_volunteer_who_may_enrol_gets_the_button(self, as_novice):
        course = CourseFactory()

        page = page_of(as_novice.get(course_url(course)))

        assert f'action="/courses/{course.pk}/enrol/"' in page
        assert "Записаться</button>" in page

    def test_a_volunteer_who_may_not_is_told_why(self, as_novice, tver):
        by_level = CourseFactory(level=level_of_rank(3))
        by_region = CourseFactory()
        CourseLocation.objects.create(course=by_region, location=tver)

        level_page = page_of(as_novice.get(course_url(by_level)))
        region_page = page_of(as_novice.get(course_url(by_region)))

        assert "Записаться нельзя: нужен уровень Профессионал." in level_page
        assert "Записаться нельзя: недоступно в вашем регионе." in region_page
        assert "Записаться</button>" not in level_page + region_page

    def test_an_enrolled_volunteer_sees_the_progress(self, as_novice, novice):
        course = CourseFactory()
        chapter = add_chapter(course)
        first = add_lesson(chapter, title="Первый")
        second = add_lesson(chapter, title="Второй")
        add_lesson(chapter, title="Третий")
        VolunteerCourse.objects.create(volunteer=novice, course=course)
        novice.lesson_progress.filter(lesson=first).update(passed=True)

        page = page_of(as_novice.get(course_url(course)))

        assert "Вы записаны" in page
        assert "<dt>Пройдено уроков</dt><dd>1 из 3</dd>" in page
        assert f'href="/courses/{course.pk}/lessons/{second.pk}/">Продолжить</a>' in page
        assert "Записаться</button>" not in page

    def test_a_passed_course_shows_the_assessment(self, as_novice, novice):
        course = CourseFactory()
        VolunteerCourse.objects.create(
            volunteer=novice, course=course, status=VolunteerCourse.Status.PASSED, assessment=87.5
        )

        page = page_of(as_novice.get(course_url(course)))

        assert "<dt>Оценка</dt><dd>87,5 из 100</dd>" in page

    def test_a_failed_course_offers_a_retake_while_attempts_remain(self, as_novice, novice):
        course = CourseFactory(attempts_limit=2)
        enrolment = VolunteerCourse.objects.create(
            volunteer=novice, course=course, status=VolunteerCourse.Status.FAILED, assessment=30
        )

        page = page_of(as_novice.get(course_url(course)))
        assert f'action="/courses/{course.pk}/retake/"' in page
        assert "Осталось попыток: 1." in page

        response = as_novice.post(course_url(course, "retake"))

        enrolment.refresh_from_db()
        assert response["Location"] == course_url(course)
        assert (enrolment.status, enrolment.attempts) == (VolunteerCourse.Status.ENROLLED, 2)
        assert messages_of(response) == ["Новая попытка началась: пройдите уроки курса заново."]

    def test_no_retake_once_the_attempts_are_used(self, as_novice, novice):
        course = CourseFactory(attempts_limit=2)
        enrolment = VolunteerCourse.objects.create(
            volunteer=novice, course=course, status=VolunteerCourse.Status.FAILED, attempts=2
        )

        page = page_of(as_novice.get(course_url(course)))
        response = as_novice.post(course_url(course, "retake"))

        assert "Попыток больше не осталось." in page
        assert "Пройти заново" not in page
        assert messages_of(response) == ["Попытки закончились: можно не больше 2."]
        enrolment.refresh_from_db()
        assert enrolment.attempts == 2


# --- Enrolment --------------------------------------------------------------------------


class TestEnrol:
    def test_creates_the_enrolment_and_the_lesson_progress(self, as_novice, novice):
        course = CourseFactory(title="Первая помощь")
        chapter = add_chapter(course)
        lessons = [add_lesson(chapter) for _ in range(3)]

        response = as_novice.post(course_url(course, "enrol"))

        assert response["Location"] == course_url(course)
        assert messages_of(response) == ["Вы записались на курс «Первая помощь»."]
        enrolment = VolunteerCourse.objects.get(volunteer=novice, course=course)
        assert enrolment.status == VolunteerCourse.Status.ENROLLED
        assert set(novice.lesson_progress.values_list("lesson_id", flat=True)) == {lesson.pk for lesson in lessons}

    def test_enrolling_again_changes_nothing(self, as_novice, novice):
        course = CourseFactory()
        as_novice.post(course_url(course, "enrol"))

        response = as_novice.post(course_url(course, "enrol"))

        assert messages_of(response)[-1] == "Вы уже записаны на этот курс."
        assert VolunteerCourse.objects.filter(volunteer=novice).count() == 1

    @pytest.mark.parametrize(
        ("course_kwargs", "region", "reason"),
        [
            ({"level_rank": 2}, None, "Записаться нельзя: нужен уровень Бывалый."),
            ({}, "tver", "Записаться нельзя: недоступно в вашем регионе."),
        ],
    )
    def test_is_refused_by_level_and_region(self, as_novice, novice, request, course_kwargs, region, reason):
        course = CourseFactory(level=level_of_rank(course_kwargs.get("level_rank", 1)))
        add_lesson(add_chapter(course))
        if region:
            CourseLocation.objects.create(course=course, location=request.getfixturevalue(region))

        response = as_novice.post(course_url(course, "enrol"))

        assert messages_of(response) == [reason]
        assert not VolunteerCourse.objects.exists()
        assert not novice.lesson_progress.exists()

    def test_a_course_listing_the_volunteers_region_admits_them(self, as_novice, novice, moscow, tver):
        course = CourseFactory()
        CourseLocation.objects.create(course=course, location=moscow)
        CourseLocation.objects.create(course=course, location=tver)

        as_novice.post(course_url(course, "enrol"))

        assert VolunteerCourse.objects.filter(volunteer=novice, course=course).exists()

    def test_without_a_profile_nothing_is_created(self, client, teacher):
        client.force_login(teacher)

        response = client.post(course_url(CourseFactory(), "enrol"))

        assert messages_of(response) == ["Чтобы записаться на курс, заполните анкету волонтёра."]
        assert not VolunteerCourse.objects.exists()

    def test_only_by_post_and_signed_in(self, client, as_novice):
        course = CourseFactory()

        assert as_novice.get(course_url(course, "enrol")).status_code == 405
        as_novice.logout()
        assert client.post(course_url(course, "enrol"))["Location"].startswith("/accounts/login/")
        assert not VolunteerCourse.objects.exists()

    def test_a_hidden_course_is_not_found(self, as_novice):
        assert as_novice.post(course_url(CourseFactory(published=False), "enrol")).status_code == 404
        assert not VolunteerCourse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_enrol_requests_at_once_leave_one_enrolment_without_error():
    volunteer = VolunteerFactory(location=LocationFactory())
    course = CourseFactory()
    chapter = add_chapter(course)
    for _ in range(3):
        add_lesson(chapter)
    clients = [Client(), Client()]
    for each in clients:
        each.force_login(volunteer.user)
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def press_the_button(each):
        try:
            barrier.wait()
            statuses.append(each.post(course_url(course, "enrol")).status_code)
        except Exception as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_the_button, args=(each,)) for each in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [302, 302]
    assert VolunteerCourse.objects.filter(volunteer=volunteer, course=course).count() == 1
    assert volunteer.lesson_progress.count() == 3


# --- Мои курсы --------------------------------------------------------------------------


class TestMyCourses:
    def test_needs_signing_in(self, client, db):
        assert client.get(MY_COURSES)["Location"] == f"/accounts/login/?next={MY_COURSES}"

    def test_lists_the_enrolments_with_progress_and_where_to_go_on(self, as_novice, novice):
        going = CourseFactory(title="Текущий курс")
        chapter = add_chapter(going)
        first, second = add_lesson(chapter), add_lesson(chapter)
        VolunteerCourse.objects.create(volunteer=novice, course=going)
        VolunteerCourse.objects.filter(course=going).update(status=VolunteerCourse.Status.ACTIVE)
        novice.lesson_progress.filter(lesson=first).update(passed=True)
        done = CourseFactory(title="Пройденный курс")
        VolunteerCourse.objects.create(
            volunteer=novice, course=done, status=VolunteerCourse.Status.PASSED, assessment=92
        )
        CourseFactory(title="Чужой курс")
        VolunteerCourse.objects.create(volunteer=volunteer_at(), course=CourseFactory(title="Курс другого"))

        page = page_of(as_novice.get(MY_COURSES))

        assert "Текущий курс" in page
        assert "Пройденный курс" in page
        assert "Чужой курс" not in page
        assert "Курс другого" not in page
        assert "<td>1 из 2</td>" in page
        assert f'href="/courses/{going.pk}/lessons/{second.pk}/">Продолжить' in page
        assert "<td>Пройден</td>" in page
        assert "92 из 100" in page

    def test_in_a_fixed_number_of_queries(self, as_novice, novice, django_assert_max_num_queries):
        for _ in range(5):
            course = CourseFactory()
            add_lesson(add_chapter(course))
            VolunteerCourse.objects.create(volunteer=novice, course=course)

        # session, user, volunteer with its level, enrolments, chapters, lessons, passed
        # lessons, unread messages
        with django_assert_max_num_queries(8):
            assert as_novice.get(MY_COURSES).status_code == 200

    @pytest.mark.parametrize("role", ["teacher", "administrator"])
    def test_staff_without_a_profile_are_sent_to_the_profile(self, client, request, role):
        client.force_login(request.getfixturevalue(role))

        assert 'href="/volunteers/profile/"' in page_of(client.get(MY_COURSES))

    def test_is_in_the_navigation_of_signed_in_users_only(self, client, as_novice):
        assert 'href="/courses/my/"' in page_of(as_novice.get("/"))
        assert 'href="/courses/"' in page_of(as_novice.get("/"))
        as_novice.logout()
        anonymous_page = page_of(client.get("/"))
        assert 'href="/courses/my/"' not in anonymous_page
        assert 'href="/courses/"' in anonymous_page


# --- Вид студента -----------------------------------------------------------------------


class TestStudentView:
    @pytest.fixture
    def courses(self, moscow, tver):
        CourseFactory(title="Для новичков")
        in_moscow = CourseFactory(title="Бывалым в Москве", level=level_of_rank(2))
        CourseLocation.objects.create(course=in_moscow, location=moscow)
        in_tver = CourseFactory(title="Бывалым в Твери", level=level_of_rank(2))
        CourseLocation.objects.create(course=in_tver, location=tver)
        CourseFactory(title="Для профессионалов", level=level_of_rank(3))

    def test_an_administrator_sees_the_catalogue_as_a_chosen_volunteer(self, client, administrator, moscow, courses):
        client.force_login(administrator)

        response = client.post(STUDENT_VIEW, {"level": level_of_rank(2).pk, "location": moscow.pk})
        assert response["Location"] == CATALOGUE
        page = page_of(client.get(CATALOGUE))

        assert "Вы смотрите как волонтёр уровня <strong>Бывалый</strong>" in page
        assert "регион <strong>Москва</strong>" in page
        assert "course-mark" not in card_of(page, "Для новичков")
        assert "course-mark" not in card_of(page, "Бывалым в Москве")
        assert "недоступно в вашем регионе" in card_of(page, "Бывалым в Твери")
        assert "нужен уровень Профессионал" in card_of(page, "Для профессионалов")

    def test_the_banner_is_on_every_course_page_and_nothing_can_be_enrolled(self, client, administrator, moscow):
        course = CourseFactory()
        client.force_login(administrator)
        client.post(STUDENT_VIEW, {"level": level_of_rank(1).pk, "location": moscow.pk})

        for url in (CATALOGUE, course_url(course), MY_COURSES):
            assert "выйти из вида студента" in page_of(client.get(url)), url
        course_page = page_of(client.get(course_url(course)))
        assert "В виде студента записаться нельзя." in course_page
        assert "Записаться</button>" not in course_page
        response = client.post(course_url(course, "enrol"))
        assert messages_of(response) == ["В виде студента записаться нельзя: выйдите из него."]
        assert not VolunteerCourse.objects.exists()

    def test_without_a_region_only_courses_open_everywhere_are_open(self, client, administrator, courses):
        client.force_login(administrator)
        client.post(STUDENT_VIEW, {"level": level_of_rank(3).pk, "location": ""})

        page = page_of(client.get(CATALOGUE))

        assert "регион <strong>не выбран</strong>" in page
        assert "course-mark" not in card_of(page, "Для профессионалов")
        assert "недоступно в вашем регионе" in card_of(page, "Бывалым в Москве")

    def test_switching_off_restores_the_administrators_own_view(self, client, administrator, moscow, courses):
        client.force_login(administrator)
        client.post(STUDENT_VIEW, {"level": level_of_rank(2).pk, "location": moscow.pk})

        response = client.post(f"{STUDENT_VIEW}off/", {"next": "/courses/?q=x"})

        assert response["Location"] == "/courses/?q=x"
        page = page_of(client.get(CATALOGUE))
        assert "выйти из вида студента" not in page
        assert "course-mark" not in page

    @pytest.mark.parametrize(("role", "offered"), [("administrator", True), ("main_admin", True), ("teacher", False)])
    def test_the_catalogue_offers_the_switch_to_administrators(self, client, request, role, offered):
        client.force_login(request.getfixturevalue(role))

        assert ('href="/courses/student-view/"' in page_of(client.get(CATALOGUE))) is offered

    def test_the_form_is_in_russian(self, client, main_admin):
        client.force_login(main_admin)

        page = page_of(client.get(STUDENT_VIEW))

        assert "Уровень волонтёра" in page
        assert "Регион" in page
        assert "Смотреть как волонтёр" in page

    @pytest.mark.parametrize("role", ["volunteer", "teacher"])
    def test_others_may_not_switch(self, client, request, moscow, role):
        client.force_login(request.getfixturevalue(role))

        assert client.get(STUDENT_VIEW).status_code == 403
        assert client.post(STUDENT_VIEW, {"level": level_of_rank(2).pk, "location": moscow.pk}).status_code == 403
        assert "выйти из вида студента" not in page_of(client.get(CATALOGUE))

    def test_a_visitor_is_sent_to_login(self, client, db):
        assert client.get(STUDENT_VIEW)["Location"].startswith("/accounts/login/")

    def test_a_session_outliving_the_role_shows_nothing(self, client, administrator, moscow):
        client.force_login(administrator)
        client.post(STUDENT_VIEW, {"level": level_of_rank(2).pk, "location": moscow.pk})
        administrator.groups.clear()
        administrator.groups.add(*UserFactory(roles=[VOLUNTEER]).groups.all())

        assert "выйти из вида студента" not in page_of(client.get(CATALOGUE))
