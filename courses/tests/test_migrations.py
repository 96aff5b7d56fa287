"""The migrations that made user_created / user_modified required (spec 001): rows saved
before them, with either left empty, get a creator and a last editor."""

import importlib
from datetime import date

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.roles import MAIN_ADMIN

BEFORE = [("courses", "0007_webinar_reminded_at")]
AFTER = [("courses", "0009_authorship_required_neutral_labels")]
fill_authorship = importlib.import_module("courses.migrations.0008_fill_authorship").fill_authorship


def authorship(model, **lookup) -> tuple[str, str]:
    row = model.objects.select_related("user_created", "user_modified").get(**lookup)
    return row.user_created.username, row.user_modified.username


@pytest.fixture
def latest_schema_after():
    """The tests after this one find every migration applied, later ones of courses too."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_rows_without_authorship_take_their_courses_author_or_the_main_administrator(latest_schema_after):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The other apps as they are now, the courses as they were.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "courses"]
    old = executor.loader.project_state([*others, *BEFORE]).apps
    User, Group = old.get_model("accounts", "User"), old.get_model("auth", "Group")
    names = "Course Chapter CourseChapter Lesson ChapterLesson VideoLesson Webinar FAQ CourseFAQ Skill"
    model = {name: old.get_model("courses", name) for name in names.split()}
    # A superuser first (lowest id): a member of «Главный администратор» is still preferred.
    User.objects.create(username="root", email="root@volna.example", is_superuser=True)
    chief = User.objects.create(username="chief", email="chief@volna.example")
    chief.groups.add(Group.objects.get(name=MAIN_ADMIN))
    author, lead, editor = (
        User.objects.create(username=name, email=f"{name}@volna.example") for name in ("author", "lead", "editor")
    )
    course = {
        "Лес": model["Course"].objects.create(title="Лес", user_created=author, **course_fields(old)),
        "Горы": model["Course"].objects.create(title="Горы", responsible=lead, **course_fields(old)),
        "Город": model["Course"].objects.create(title="Город", **course_fields(old)),
    }
    chapter = model["Chapter"].objects.create(title="Снаряжение")
    model["CourseChapter"].objects.create(course=course["Лес"], chapter=chapter, order_number=1)
    model["CourseChapter"].objects.create(course=course["Горы"], chapter=chapter, order_number=1)
    lesson = model["Lesson"].objects.create(title="Рюкзак", duration=10)
    model["ChapterLesson"].objects.create(chapter=chapter, lesson=lesson, order_number=1)
    model["VideoLesson"].objects.create(lesson=lesson, url="https://video.example/1")
    model["Webinar"].objects.create(lesson=lesson, url_webinar="https://meet.example/1", start_date=timezone.now())
    model["Lesson"].objects.create(title="Без главы", duration=10)
    model["Lesson"].objects.create(title="Правленый", duration=10, user_modified=editor)
    model["Chapter"].objects.create(title="Своя", user_created=editor)
    faq = model["FAQ"].objects.create(question="Нужна ли форма?", answer="Нет.")
    model["CourseFAQ"].objects.create(course=course["Горы"], faq=faq)
    model["Skill"].objects.create(title="Ориентирование", description="По карте.")

    executor.loader.build_graph()
    executor.migrate(AFTER)
    # The models as they were right after (later migrations rename columns).
    after = executor.loader.project_state([*others, *AFTER]).apps

    Course, Chapter, Lesson = (after.get_model("courses", name) for name in ("Course", "Chapter", "Lesson"))
    assert authorship(Course, title="Лес") == ("author", "author")  # the editor defaults to the creator
    assert authorship(Course, title="Горы") == ("lead", "lead")  # the course's руководитель
    assert authorship(Course, title="Город") == ("chief", "chief")
    # The first course holding the chapter (the lowest id) names the author of all inside it.
    assert authorship(Chapter, title="Снаряжение") == ("author", "author")
    assert authorship(Lesson, title="Рюкзак") == ("author", "author")
    assert authorship(after.get_model("courses", "VideoLesson"), lesson__title="Рюкзак") == ("author", "author")
    assert authorship(after.get_model("courses", "Webinar"), lesson__title="Рюкзак") == ("author", "author")
    assert authorship(Lesson, title="Без главы") == ("chief", "chief")
    assert authorship(Lesson, title="Правленый") == ("editor", "editor")
    assert authorship(Chapter, title="Своя") == ("editor", "editor")
    assert authorship(after.get_model("courses", "FAQ"), question="Нужна ли форма?") == ("lead", "lead")
    assert authorship(after.get_model("courses", "Skill"), title="Ориентирование") == ("chief", "chief")


def course_fields(old_apps) -> dict:
    Direction, Level = old_apps.get_model("volunteers", "Direction"), old_apps.get_model("volunteers", "Level")
    return {
        "direction": Direction.objects.get_or_create(title="Поиск")[0],
        "level": Level.objects.order_by("rank").first(),
        "start_date": date(2026, 9, 1),
        "short_description": "Кратко.",
        "full_description": "<p>Подробно.</p>",
    }


@pytest.mark.django_db
def test_an_empty_database_has_nothing_to_fill():
    fill_authorship(current_apps)

    assert not current_apps.get_model("courses", "Course").objects.exists()
