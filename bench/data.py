"""Fill the bench database with Volna data at a realistic scale, for the page and load benches.

    .venv/bin/python bench/data.py --scale 1        # full size: under a minute on this machine
    .venv/bin/python bench/data.py --scale 0.01     # quick
    .venv/bin/python bench/data.py --scale 1 --force --today 2026-12-01 --seed 7

It works on the PostgreSQL server of the settings (DATABASE_URL, or the embedded one), in the
database `bench_database()` of bench/common.py: BENCH_DATABASE, or the settings' database name
with `_bench` appended (DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna gives
`volna_bench`). That database is dropped if it exists (with --force even while someone is
connected to it), created, migrated, then filled. The settings' own database is never touched
(the script refuses to run if both names are the same).

What it creates at scale 1 (every count is multiplied by --scale, at least 1 of each):

- the 89 regions of volunteers/data/regions.csv, the demo directions and badges, and staff:
  10 administrators, 200 teachers, a main administrator;
- 50,000 volunteers (a user with the «Волонтёр» role and a profile each, all with one
  precomputed password hash), their confirmed levels (and some requests waiting for an
  administrator), directions and badges;
- 2,000 courses (most ready, visible and published; varied directions, levels, formats,
  some open in a few regions only) with 60,000 lessons through chapters: chapters, their
  order in the course, the lessons' order in the chapter; videos, webinars, quiz questions
  and choices for the lessons of those types; skills and FAQ;
- 500,000 lesson-progress rows (VolunteerLesson): a row for every lesson of a course a
  volunteer is enrolled in, as enrolment creates them, with the ~17,000 enrolments
  (VolunteerCourse) that imply them — enrolled, active, passed or failed, each with its
  lessons' progress to match, and only where the volunteer's level and region admit;
- 100,000 tasks in 30 blocks (90 % published, the rest on moderation, drafts or rejected),
  150,000 solutions (10 % private), 300 reference materials linked to a third of the tasks;
- 20,000 methodics (90 % published) with 150,000 steps, a category tree, tags, some video
  links and comments;
- 200 projects with 20,000 students: members (teachers), terms (the last one current),
  student groups and memberships, documents, the terms' courses with their groups and
  tutors, and weekly scheduled lessons with methodics, tutors and absences.

The texts are Russian, built from bench/vocabulary.py (math and pedagogy, inflected forms,
Zipf-like frequencies, a topic per block or category); everything is deterministic for a
--seed, dates are relative to --today (by default the day of the run).

Known accounts, password `bench-password`:

- bench-volunteer@bench.example — volunteer #1, level Профессионал (confirmed), in Москва,
  enrolled in courses 1–6 (active in 1, 2, 6; passed 3; enrolled 4; failed 5) with progress;
- bench-teacher@bench.example — «Преподаватель»; administrator and tutor of project 1 (its
  last term is current: the schedule page has lessons), moderator of project 2; authors some
  methodics and tasks;
- bench-admin@bench.example — «Администратор»;
- bench-main@bench.example — «Главный администратор».

Rows go in by COPY (psycopg 3), streamed from generators: each table's column list comes from
its model's concrete fields, without generated columns (search vectors) and those with a
database default (Task.draw_key), which PostgreSQL fills. Ids are given here, counting from 1
in the fresh database, and the sequences are reset afterwards, so the ORM inserts after them.
It ends with VACUUM ANALYZE, and prints each table's rows and seconds, the total time and the
peak memory (maxrss).
"""

import argparse
import csv
import random
import resource
import sys
import time
from array import array
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from itertools import accumulate
from zoneinfo import ZoneInfo

from common import ROOT, bench_database, setup_django
from vocabulary import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    NOUNS,
    PATRONYMICS,
    STREETS,
    TOPICS,
    Text,
    clip,
    translit,
)

PASSWORD = "bench-password"
DOMAIN = "bench.example"

# Counts at scale 1.
COUNTS = {
    "administrators": 10,
    "teachers": 200,
    "volunteers": 50_000,
    "courses": 2_000,
    "lessons": 60_000,
    "lesson_progress": 500_000,
    "blocks": 30,
    "tasks": 100_000,
    "solutions": 150_000,
    "references": 300,
    "methodics": 20_000,
    "steps": 150_000,
    "methodic_comments": 10_000,
    "methodic_links": 1_000,
    "projects": 200,
    "students": 20_000,
}

# Topics: the first 30 are the problem bank's blocks; the rest are for methodics and courses.
BLOCK_TOPICS = list(TOPICS)[:30]
CATEGORIES = {
    "Игры": ("Подвижные игры", "Настольные игры", "Интеллектуальные игры"),
    "Команда": ("Знакомство", "Сплочение", "Рефлексия"),
    "Математика": ("Математический кружок", "Подготовка к олимпиаде", "Логические задачи", "Проценты", "Треугольники"),
    "Творчество и праздники": ("Творчество", "Экскурсии и праздники"),
    "Воспитание": ("Работа с родителями", "Безопасность", "Наставничество", "Методика преподавания"),
}
TAGS = (
    "математика", "логика", "геометрия", "дроби", "проценты", "уравнения", "олимпиада", "кружок",
    "игра", "подвижная игра", "настольная игра", "командная игра", "разминка", "знакомство", "сплочение",
    "рефлексия", "творчество", "рисование", "праздник", "экскурсия", "безопасность", "родители",
    "наставничество", "1–4 классы", "5–6 классы", "7–9 классы", "10–11 классы", "дошкольники",
    "подростки", "на улице", "в помещении", "в лагере", "без подготовки", "с реквизитом", "онлайн",
    "большая группа", "малая группа", "индивидуально", "10 минут", "полчаса", "целое занятие",
    "новичкам", "опытным", "проект", "исследование", "соревнование", "квест", "эстафета", "викторина",
    "головоломки",
)  # fmt: skip
SKILLS = (
    "Работа в команде", "Первая помощь", "Общение с детьми", "Ведение занятия", "Организация мероприятия",
    "Публичные выступления", "Решение конфликтов", "Планирование", "Работа с картой", "Навигация",
    "Устный счёт", "Объяснение решений", "Подготовка к олимпиадам", "Игровые методики", "Наставничество",
    "Работа с родителями", "Безопасность на выезде", "Ведение документации", "Фото и видео", "Соцсети проекта",
)  # fmt: skip
DOCUMENT_TYPES = ("Свидетельство о рождении", "Паспорт РФ", "СНИЛС", "Полис ОМС")
GROUP_NAMES = ("Младшая", "Средняя", "Старшая", "Олимпиадная", "Начинающие", "Продолжающие", "Сильная", "Вечерняя")
PROJECT_KINDS = (
    "Математический кружок", "Летняя математическая школа", "Клуб юных математиков", "Олимпиадная школа",
    "Школа волонтёров", "Лагерная смена", "Мастерская головоломок", "Субботняя школа",
)  # fmt: skip
CITIES = (
    "Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Пермь",
    "Самара", "Краснодар", "Воронеж", "Томск", "Ярославль", "Калуга", "Тверь", "Псков",
)  # fmt: skip
PUBLISHERS = ("М.: Просвещение", "М.: МЦНМО", "СПб.: Питер", "М.: Бином", "М.: Дрофа", "Киров: АСА")
# Regions' weights in the volunteers' addresses, by code (others weigh 1): the big ones first.
REGION_WEIGHTS = {77: 40, 78: 20, 50: 15, 23: 8, 66: 7, 16: 7, 2: 6, 54: 6, 52: 6, 61: 6, 74: 5, 63: 5, 59: 4}
MOSCOW_CODE = 77


def scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def partition(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """`parts` positive whole numbers, each about `low`–`high`, that add up to `total`."""
    if parts > total:
        raise ValueError(f"{total} cannot be split into {parts} positive parts")
    counts = [rng.randint(low, high) for _ in range(parts)]
    factor = total / sum(counts)
    counts = [max(1, round(count * factor)) for count in counts]
    difference = total - sum(counts)
    while difference:
        index = rng.randrange(parts)
        if difference > 0:
            counts[index] += 1
            difference -= 1
        elif counts[index] > 1:
            counts[index] -= 1
            difference += 1
    return counts


class Zipf:
    """Indexes 0…n-1 drawn with weight 1/(i+1)^exponent."""

    def __init__(self, n: int, exponent: float = 1.0):
        self.cum_weights = list(accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))

    def draw(self, rng: random.Random) -> int:
        return bisect(self.cum_weights, rng.random() * self.cum_weights[-1])


# --- Loading --------------------------------------------------------------------------------


class Loader:
    """COPY of generated rows into the tables of models, with a line of figures per table."""

    def __init__(self, now: datetime):
        self.now = now
        self.models = []

    def copy(self, model, rows: Iterable[dict]) -> int:
        """COPY the rows (dicts by field attname) into the model's table. The columns are the
        model's concrete fields but generated ones and those with a database default; a
        field missing from the first row takes its default (a callable one is called per
        row: codes, tokens), auto_now fields the loader's `now`; a NOT NULL field without
        either is an error. Every row must have the keys of the first."""
        from django.db import connection

        start = time.perf_counter()
        table = model._meta.db_table
        rows = iter(rows)
        first = next(rows, None)
        count = 0
        if first is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
                if cursor.fetchone()[0]:
                    raise SystemExit(f"{table} is not empty: the ids given here would collide.")
            columns, make = self._row_maker(model, first)
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                write = copy.write_row
                write(make(first))
                count = 1
                for row in rows:
                    write(make(row))
                    count += 1
        self.models.append(model)
        self.report(table, count, time.perf_counter() - start)
        return count

    def _row_maker(self, model, first: dict) -> tuple[list[str], Callable[[dict], tuple]]:
        from django.db.models import NOT_PROVIDED

        fields = [
            field for field in model._meta.concrete_fields if not field.generated and field.db_default is NOT_PROVIDED
        ]
        unknown = set(first) - {field.attname for field in fields}
        if unknown:
            raise ValueError(f"{model.__name__}: no such columns to fill: {', '.join(sorted(unknown))}")
        given = [field for field in fields if field.attname in first]
        called, constant = [], []
        for field in fields:
            if field.attname in first or field.primary_key:  # a missing id comes from the sequence
                continue
            if field.has_default() and callable(field.default):
                called.append(field)
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                constant.append((field, self.now))
            else:
                value = field.get_default()
                if value is None and not field.null:
                    raise ValueError(f"{model.__name__}.{field.name} is NOT NULL: give it a value")
                constant.append((field, value))
        keys = [field.attname for field in given]
        defaults = [field.default for field in called]
        constants = tuple(value for _, value in constant)
        columns = [field.column for field in (*given, *called)] + [field.column for field, _ in constant]

        def make(row: dict) -> tuple:
            return (*[row[key] for key in keys], *[default() for default in defaults], *constants)

        return columns, make

    def report(self, what: str, rows: int | None, seconds: float) -> None:
        figures = f"{rows:>10,} rows" if rows is not None else " " * 15
        print(f"{what:<34}{figures}  {seconds:7.1f} s", flush=True)

    def reset_sequences(self) -> None:
        from django.core.management.color import no_style
        from django.db import connection

        start = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(statement)
        self.report("(id sequences reset)", None, time.perf_counter() - start)


def links(m2m_field, pairs: Iterable[tuple[int, int]]) -> Iterator[dict]:
    """Rows of a many-to-many field's own table from (source id, target id) pairs."""
    through = m2m_field.remote_field.through
    source = through._meta.get_field(m2m_field.m2m_field_name()).attname
    target = through._meta.get_field(m2m_field.m2m_reverse_field_name()).attname
    for source_id, target_id in pairs:
        yield {source: source_id, target: target_id}


# --- The plan of the data -------------------------------------------------------------------


@dataclass(frozen=True)
class CoursePlan:
    id: int
    topic: str
    author: int
    level_rank: int
    attempts_limit: int  # 0: no limit
    shown: bool
    regions: tuple[int, ...]  # location ids; empty: every region
    first_chapter: int
    chapter_sizes: tuple[int, ...]
    first_lesson: int  # lessons have consecutive ids in reading order
    types: tuple[str, ...]
    durations: tuple[int, ...]
    lessons_shown: tuple[bool, ...]

    @property
    def lesson_count(self) -> int:
        return len(self.types)


@dataclass(frozen=True)
class Enrolment:
    id: int
    volunteer: int
    course: CoursePlan
    status: str
    passed: int  # lessons passed, in reading order
    attempts: int
    assessment: float
    created_at: datetime


@dataclass
class ProjectPlan:
    id: int
    author: int
    members: list[tuple[int, str]]  # (user id, role)
    terms: list[tuple[int, date, date]]  # (id, start, finish)
    groups: list[int]
    first_student: int
    student_count: int
    memberships: list[tuple[int, int, int, date, date | None]]  # (id, group, student, joined, left)
    courses: list[tuple[int, int, date, date, list[int], list[int]]]  # (id, term, start, finish, groups, tutors)
    # (id, course, date, start, finish, tutors, absent students, methodic id: published or not)
    lessons: list[tuple[int, int, date, clock, clock, list[int], list[int], int]]


class Bench:
    """Generates every table in the order of their foreign keys; see the module docstring."""

    def __init__(self, *, scale: float, seed: int, today: date):
        from django.conf import settings

        self.scale = scale
        self.seed = seed
        self.today = today
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = datetime.combine(today, clock(12, 0), tzinfo=self.zone)
        self.count = {name: scaled(count, scale) for name, count in COUNTS.items()}
        self.loader = Loader(self.now)

    # Helpers

    def rng(self, name: str) -> random.Random:
        """A generator of its own for each table or plan, so that changing one leaves the others."""
        return random.Random(f"{self.seed}:{name}")

    def text(self, name: str, domain: str = "teaching") -> Text:
        return Text(self.rng(f"text:{name}"), domain=domain)

    def past(self, rng: random.Random, days: float, *, since: datetime | None = None) -> datetime:
        """A moment up to `days` days before now (after `since`, when given)."""
        start = since or self.now - timedelta(days=days)
        span = max((self.now - start).total_seconds(), 1)
        return start + timedelta(seconds=int(rng.random() * span))

    def copy(self, model, rows: Iterable[dict]) -> int:
        return self.loader.copy(model, rows)

    # Everything

    def run(self) -> None:
        from django.contrib.auth.hashers import make_password

        self.password = make_password(PASSWORD)
        self.reference_data()
        self.users()
        self.course_reference()
        self.volunteers()
        self.courses()
        self.enrolments()
        self.problems()
        self.methodics()
        self.projects()
        self.loader.reset_sequences()

    # --- Reference data and people ----------------------------------------------------------

    def reference_data(self) -> None:
        from django.contrib.auth.models import Group

        from accounts.roles import ROLES
        from projects.models import DocumentType
        from volunteers.demo import BADGES, DIRECTIONS
        from volunteers.models import Badge, Direction, Level, Location

        with open(ROOT / "volunteers" / "data" / "regions.csv", encoding="utf-8-sig", newline="") as file:
            regions = [(int(row["code"]), row["region"]) for row in csv.DictReader(file)]
        self.copy(Location, ({"id": i, "code": code, "region": name} for i, (code, name) in enumerate(regions, 1)))
        self.location_ids = list(range(1, len(regions) + 1))
        self.location_weights = list(accumulate(REGION_WEIGHTS.get(code, 1) for code, _ in regions))
        self.moscow = next(i for i, (code, _) in enumerate(regions, 1) if code == MOSCOW_CODE)

        directions = [
            *DIRECTIONS,
            ("Математические кружки", "Занятия по математике со школьниками: кружки, олимпиады, летние школы."),
            ("Наставничество", "Сопровождение школьников и новичков-волонтёров."),
        ]
        self.copy(Direction, ({"id": i, "title": t, "description": d} for i, (t, d) in enumerate(directions, 1)))
        self.direction_ids = list(range(1, len(directions) + 1))
        self.copy(Badge, ({"id": i, "name": n, "description": d} for i, (n, d) in enumerate(BADGES, 1)))
        self.badge_ids = list(range(1, len(BADGES) + 1))

        self.level_ids = dict(Level.objects.values_list("rank", "pk"))  # the migrations' three rows
        self.group_ids = dict(Group.objects.filter(name__in=ROLES).values_list("name", "pk"))

        self.copy(DocumentType, ({"id": i, "name": name} for i, name in enumerate(DOCUMENT_TYPES, 1)))

    def course_reference(self) -> None:
        """The courses' skills and questions, written by the main administrator."""
        from courses.models import FAQ, Skill

        text = self.text("skills")
        self.copy(
            Skill,
            (
                {
                    "id": i,
                    "title": title,
                    "description": clip(text.sentence(), 255),
                    "created_at": self.now,
                    "user_created_id": self.main_admin,
                    "user_modified_id": self.main_admin,
                    "updated_at": self.now,
                }
                for i, title in enumerate(SKILLS, 1)
            ),
        )
        faq_count = 30
        self.copy(
            FAQ,
            (
                {
                    "id": i,
                    "question": clip(text.sentence()[:-1] + "?", 120),
                    "answer": clip(text.sentences(2), 255),
                    "created_at": self.now,
                    "user_created_id": self.main_admin,
                    "user_modified_id": self.main_admin,
                    "updated_at": self.now,
                }
                for i in range(1, faq_count + 1)
            ),
        )
        self.skill_ids, self.faq_ids = list(range(1, len(SKILLS) + 1)), list(range(1, faq_count + 1))

    def users(self) -> None:
        """Staff first (main administrator, administrators, teachers), then the volunteers'
        accounts; the known accounts are the first of their kind."""
        from accounts.models import User
        from accounts.roles import ADMIN, MAIN_ADMIN, TEACHER, VOLUNTEER

        self.main_admin = 1
        self.admins = list(range(2, 2 + self.count["administrators"]))
        first_teacher = self.admins[-1] + 1
        self.teachers = list(range(first_teacher, first_teacher + self.count["teachers"]))
        self.bench_teacher = self.teachers[0]
        self.first_volunteer_user = self.teachers[-1] + 1  # volunteer #n is user first_volunteer_user + n - 1
        self.staff_authors = [*self.teachers, *self.admins]
        self.teacher_zipf = Zipf(len(self.teachers), 0.8)
        known = {
            self.main_admin: ("bench-main", "Ирина", "Главная", MAIN_ADMIN),
            self.admins[0]: ("bench-admin", "Антон", "Администраторов", ADMIN),
            self.bench_teacher: ("bench-teacher", "Татьяна", "Учителева", TEACHER),
            self.first_volunteer_user: ("bench-volunteer", "Дмитрий", "Волонтёров", VOLUNTEER),
        }
        rng = self.rng("users")
        total = self.first_volunteer_user + self.count["volunteers"] - 1

        def role_of(user_id: int) -> str:
            if user_id == self.main_admin:
                return MAIN_ADMIN
            if user_id <= self.admins[-1]:
                return ADMIN
            return TEACHER if user_id <= self.teachers[-1] else VOLUNTEER

        def rows():
            for user_id in range(1, total + 1):
                female = rng.random() < 0.55
                first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
                last = rng.choice(LAST_NAMES)[1 if female else 0]
                if user_id in known:
                    username, first, last, _ = known[user_id]
                else:
                    username = f"{translit(first)}.{translit(last)}.{user_id}"
                joined = self.past(rng, 3 * 365)
                yield {
                    "id": user_id,
                    "password": self.password,
                    "last_login": self.past(rng, 30, since=joined) if rng.random() < 0.6 else None,
                    "is_superuser": False,
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@{DOMAIN}",
                    "is_staff": role_of(user_id) != VOLUNTEER,
                    "is_active": rng.random() > 0.005 or user_id in known,
                    "date_joined": joined,
                }

        self.copy(User, rows())
        self.copy(
            User.groups.through,
            links(User.groups.field, ((user_id, self.group_ids[role_of(user_id)]) for user_id in range(1, total + 1))),
        )

    def volunteer_user(self, volunteer_id: int) -> int:
        return self.first_volunteer_user + volunteer_id - 1

    def volunteers(self) -> None:
        """Profiles, levels (Новичок confirmed at once, higher ones by an administrator; a few
        requests waiting), directions and badges. Keeps each volunteer's rank and region."""
        from volunteers.models import Volunteer, VolunteerBadge, VolunteerLevel

        count = self.count["volunteers"]
        rng = self.rng("volunteers")
        self.volunteer_rank = bytearray(count + 1)
        self.volunteer_location = array("H", [0]) * (count + 1)

        def rows():
            for volunteer_id in range(1, count + 1):
                rank = 1 + (rng.random() < 0.40) + (rng.random() < 0.30)
                location = rng.choices(self.location_ids, cum_weights=self.location_weights)[0]
                if volunteer_id == 1:
                    rank, location = 3, self.moscow
                self.volunteer_rank[volunteer_id] = rank
                self.volunteer_location[volunteer_id] = location
                created = self.past(rng, 3 * 365)
                yield {
                    "id": volunteer_id,
                    "created_at": created,
                    "updated_at": self.past(rng, 0, since=created),
                    "user_id": self.volunteer_user(volunteer_id),
                    "phone_number": f"+79{rng.randrange(10**9):09d}",
                    "birth_date": self.today - timedelta(days=rng.randint(16 * 365, 60 * 365)),
                    "location_id": location,
                    "call_sign": f"{translit(rng.choice(NOUNS)[0])}{rng.randint(1, 99)}" if rng.random() < 0.2 else "",
                    "photo": "",
                }

        self.copy(Volunteer, rows())

        rng = self.rng("volunteer-levels")
        confirmers = [self.main_admin, *self.admins]

        def levels():
            row_id = 0
            for volunteer_id in range(1, count + 1):
                rank = self.volunteer_rank[volunteer_id]
                moment = self.past(rng, 3 * 365)
                for level_rank in range(1, rank + 1):
                    row_id += 1
                    if level_rank > 1:
                        moment = self.past(rng, 0, since=moment)
                    confirmer = None if level_rank == 1 else rng.choice(confirmers)
                    if volunteer_id == 1 and level_rank > 1:
                        confirmer = self.main_admin
                    yield {
                        "id": row_id,
                        "created_at": moment,
                        "updated_at": moment,
                        "volunteer_id": volunteer_id,
                        "level_id": self.level_ids[level_rank],
                        "confirmed": True,
                        "who_confirmed_id": confirmer,
                        "confirmed_at": moment,
                    }
                if rank < 3 and volunteer_id != 1 and rng.random() < 0.04:
                    row_id += 1
                    asked = self.past(rng, 60)
                    yield {
                        "id": row_id,
                        "created_at": asked,
                        "updated_at": asked,
                        "volunteer_id": volunteer_id,
                        "level_id": self.level_ids[rank + 1],
                        "confirmed": False,
                        "who_confirmed_id": None,
                        "confirmed_at": None,
                    }

        self.copy(VolunteerLevel, levels())

        rng = self.rng("volunteer-directions")

        def directions():
            for volunteer_id in range(1, count + 1):
                for direction_id in sorted(rng.sample(self.direction_ids, rng.choice((0, 1, 1, 2, 2, 3)))):
                    yield volunteer_id, direction_id

        self.copy(Volunteer.directions.through, links(Volunteer.directions.field, directions()))

        rng = self.rng("volunteer-badges")

        def badges():
            row_id = 0
            for volunteer_id in range(1, count + 1):
                if rng.random() >= 0.08 and volunteer_id != 1:
                    continue
                for badge_id in rng.sample(self.badge_ids, rng.randint(1, 2)):
                    row_id += 1
                    yield {
                        "id": row_id,
                        "volunteer_id": volunteer_id,
                        "badge_id": badge_id,
                        "awarded_by_id": rng.choice(confirmers),
                        "created_at": self.past(rng, 2 * 365),
                    }

        self.copy(VolunteerBadge, badges())

    # --- Courses ----------------------------------------------------------------------------

    def course_plans(self) -> list[CoursePlan]:
        """The structure of every course (a few thousand small records, kept in memory). The
        first ten are shown, open in every region and have every lesson shown: the bench
        volunteer is enrolled in the first six."""
        from courses.models import Lesson

        rng = self.rng("course-plans")
        count = self.count["courses"]
        sizes = partition(rng, self.count["lessons"], count, 10, 50)
        types = [Lesson.Type.TEXT.value] * 12 + [Lesson.Type.VIDEO.value] * 4 + [Lesson.Type.QUIZ.value] * 3
        types.append(Lesson.Type.WEBINAR.value)
        topics = list(TOPICS)
        plans, chapter_id, lesson_id = [], 1, 1
        for course_id, size in enumerate(sizes, 1):
            special = course_id <= 10
            chapter_count = max(1, min(size, rng.randint(2, 8)))
            chapter_sizes = tuple(partition(rng, size, chapter_count, 2, 8))
            lesson_types = [rng.choice(types) for _ in range(size)]
            if course_id == 1:  # the bench volunteer's first course shows every kind of lesson
                cycle = [Lesson.Type.TEXT, Lesson.Type.VIDEO, Lesson.Type.WEBINAR, Lesson.Type.QUIZ]
                lesson_types = [cycle[i % 4].value for i in range(size)]
            regions = ()
            if not special and rng.random() < 0.25:
                regions = tuple(sorted(rng.sample(self.location_ids, rng.randint(1, 4))))
            plans.append(
                CoursePlan(
                    id=course_id,
                    topic=rng.choice(topics),
                    author=self.teachers[self.teacher_zipf.draw(rng)],
                    level_rank=1 if special else rng.choices((1, 2, 3), weights=(50, 35, 15))[0],
                    attempts_limit=rng.choice((0, 0, 0, 1, 2, 3, 3, 5)),
                    shown=special or rng.random() < 0.9,
                    regions=regions,
                    first_chapter=chapter_id,
                    chapter_sizes=chapter_sizes,
                    first_lesson=lesson_id,
                    types=tuple(lesson_types),
                    durations=tuple(rng.choice((5, 10, 15, 15, 20, 30, 30, 45, 60, 90)) for _ in range(size)),
                    lessons_shown=tuple(special or rng.random() < 0.96 for _ in range(size)),
                )
            )
            chapter_id += chapter_count
            lesson_id += size
        return plans

    def courses(self) -> None:
        from courses.models import (
            Chapter,
            ChapterLesson,
            Choice,
            Course,
            CourseChapter,
            CourseFAQ,
            CourseLocation,
            CourseSkill,
            Lesson,
            Question,
            VideoLesson,
            Webinar,
        )

        self.course_plans_list = plans = self.course_plans()
        rng, text = self.rng("courses"), self.text("courses")

        def courses():
            for plan in plans:
                shown_minutes = sum(d for d, shown in zip(plan.durations, plan.lessons_shown, strict=True) if shown)
                created = self.past(rng, 3 * 365)
                yield {
                    "id": plan.id,
                    "created_at": created,
                    "updated_at": self.past(rng, 0, since=created),
                    "user_created_id": plan.author,
                    "user_modified_id": plan.author if rng.random() < 0.8 else rng.choice(self.staff_authors),
                    "title": text.title(plan.topic, words=(2, 5), max_length=120),
                    "direction_id": rng.choice(self.direction_ids),
                    "level_id": self.level_ids[plan.level_rank],
                    "format": rng.choices(Course.Format.values, weights=(70, 15, 15))[0],
                    "start_date": self.today + timedelta(days=rng.randint(-2 * 365, 180)),
                    "cover": "",
                    "short_description": clip(text.sentence(plan.topic), 120),
                    "full_description": text.paragraphs(rng.randint(2, 4), (2, 4), plan.topic),
                    "duration": min(shown_minutes, 32767),
                    "number_of_classes": sum(plan.lessons_shown),
                    "attempts_limit": plan.attempts_limit,
                    "responsible_id": rng.choice(self.teachers) if rng.random() < 0.3 else None,
                    "ready": plan.shown or rng.random() < 0.5,
                    "visible": plan.shown,
                    "published": plan.shown or rng.random() < 0.3,
                }

        self.copy(Course, courses())
        self.copy(
            CourseLocation,
            ({"course_id": plan.id, "location_id": region} for plan in plans for region in plan.regions),
        )
        rng = self.rng("course-skills")
        self.copy(
            CourseSkill,
            (
                {"course_id": plan.id, "skill_id": skill}
                for plan in plans
                for skill in sorted(rng.sample(self.skill_ids, rng.randint(2, 4)))
            ),
        )
        self.copy(
            CourseFAQ,
            (
                {"course_id": plan.id, "faq_id": faq}
                for plan in plans
                for faq in sorted(rng.sample(self.faq_ids, rng.randint(0, 3)))
            ),
        )

        rng, text = self.rng("chapters"), self.text("chapters")

        def chapters():
            for plan in plans:
                for number in range(len(plan.chapter_sizes)):
                    yield {
                        "id": plan.first_chapter + number,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "user_created_id": plan.author,
                        "user_modified_id": plan.author,
                        "title": text.title(plan.topic, words=(1, 4), max_length=120) if rng.random() < 0.85 else "",
                    }

        self.copy(Chapter, chapters())
        self.copy(
            CourseChapter,
            (
                {"course_id": plan.id, "chapter_id": plan.first_chapter + n, "order_number": n + 1}
                for plan in plans
                for n in range(len(plan.chapter_sizes))
            ),
        )

        rng, text = self.rng("lessons"), self.text("lessons")

        def lessons():
            for plan in plans:
                quizzes = [i for i, kind in enumerate(plan.types) if kind == Lesson.Type.QUIZ]
                diploma = quizzes[-1] if quizzes and rng.random() < 0.5 else None
                for i, kind in enumerate(plan.types):
                    nouns = rng.sample(NOUNS, 3)
                    yield {
                        "id": plan.first_lesson + i,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "user_created_id": plan.author,
                        "user_modified_id": plan.author,
                        "title": text.title(plan.topic, words=(2, 5), max_length=120),
                        "description": text.paragraphs(rng.randint(1, 3), (2, 4), plan.topic),
                        "type": kind,
                        "tags": ", ".join(noun[0] for noun in nouns),
                        "duration": plan.durations[i],
                        "ready": plan.lessons_shown[i],
                        "visible": plan.lessons_shown[i],
                        "published": plan.lessons_shown[i],
                        "additional": i != diploma and rng.random() < 0.05,
                        "diploma": i == diploma,
                    }

        self.copy(Lesson, lessons())

        def chapter_lessons():
            for plan in plans:
                lesson_id = plan.first_lesson
                for n, size in enumerate(plan.chapter_sizes):
                    for order in range(1, size + 1):
                        yield {"chapter_id": plan.first_chapter + n, "lesson_id": lesson_id, "order_number": order}
                        lesson_id += 1

        self.copy(ChapterLesson, chapter_lessons())

        def lessons_of(kind: str):
            for plan in plans:
                for i, each in enumerate(plan.types):
                    if each == kind:
                        yield plan, plan.first_lesson + i, i

        rng = self.rng("videos")
        self.copy(
            VideoLesson,
            (
                {
                    "created_at": self.now,
                    "updated_at": self.now,
                    "user_created_id": plan.author,
                    "user_modified_id": plan.author,
                    "lesson_id": lesson_id,
                    "video": "",
                    "url": f"https://rutube.ru/video/{rng.getrandbits(128):032x}/",
                }
                for plan, lesson_id, _ in lessons_of(Lesson.Type.VIDEO)
            ),
        )
        rng = self.rng("webinars")
        self.copy(
            Webinar,
            (
                {
                    "created_at": self.now,
                    "updated_at": self.now,
                    "user_created_id": plan.author,
                    "user_modified_id": plan.author,
                    "lesson_id": lesson_id,
                    "url_webinar": f"https://meet.{DOMAIN}/{rng.getrandbits(48):012x}",
                    "start_date": datetime.combine(
                        self.today + timedelta(days=rng.randint(-120, 60)),
                        clock(rng.choice((17, 18, 19)), 0),
                        self.zone,
                    ),
                }
                for plan, lesson_id, _ in lessons_of(Lesson.Type.WEBINAR)
            ),
        )

        def quiz(lesson_id: int) -> list[str]:
            """The kinds of a quiz's questions, the same in both passes."""
            kinds = random.Random(f"{self.seed}:quiz:{lesson_id}")
            weights = (("single", 50), ("multiple", 25), ("text", 20), ("open", 5))
            return kinds.choices([k for k, _ in weights], weights=[w for _, w in weights], k=kinds.randint(3, 5))

        rng, text = self.rng("questions"), self.text("questions")

        def questions():
            question_id = 0
            for plan, lesson_id, _ in lessons_of(Lesson.Type.QUIZ):
                for number, kind in enumerate(quiz(lesson_id), 1):
                    question_id += 1
                    yield {
                        "id": question_id,
                        "lesson_id": lesson_id,
                        "order_number": number,
                        "kind": kind,
                        "text": text.sentence(plan.topic)[:-1] + "?",
                        "accepted_answers": f"{rng.randint(1, 99)}\n{rng.randint(1, 99)}" if kind == "text" else "",
                        "points": rng.choice((1, 1, 1, 2, 3)),
                    }

        self.copy(Question, questions())
        rng, text = self.rng("choices"), self.text("choices")

        def choices():
            question_id = 0
            for plan, lesson_id, _ in lessons_of(Lesson.Type.QUIZ):
                for kind in quiz(lesson_id):
                    question_id += 1
                    if kind not in ("single", "multiple"):
                        continue
                    options = rng.randint(3, 4)
                    correct = set(rng.sample(range(options), 1 if kind == "single" else 2))
                    for option in range(options):
                        yield {
                            "question_id": question_id,
                            "text": text.title(plan.topic, words=(1, 4), max_length=255),
                            "is_correct": option in correct,
                        }

        self.copy(Choice, choices())

    def enrolments(self) -> None:
        """Enrolments until their lessons make the progress rows asked for: a volunteer (the
        more active ones more often) in a shown course their confirmed level and region admit,
        with a row per lesson of the course, passed in reading order as far as the status says."""
        from courses.models import VolunteerCourse, VolunteerLesson

        Status = VolunteerCourse.Status
        rng = self.rng("enrolments")
        plans = self.course_plans_list
        target = self.count["lesson_progress"]
        volunteers = self.count["volunteers"]
        by_rank = {rank: [plan for plan in plans if plan.shown and plan.level_rank <= rank] for rank in (1, 2, 3)}
        by_size: dict[int, list[CoursePlan]] = {}
        for plan in plans:
            if plan.shown and not plan.regions:
                by_size.setdefault(plan.lesson_count, []).append(plan)
        statuses = (Status.ENROLLED, Status.ACTIVE, Status.PASSED, Status.FAILED)
        taken: set[tuple[int, int]] = set()
        enrolments: list[Enrolment] = []
        rows = 0

        def add(volunteer: int, plan: CoursePlan, status: str | None = None, passed: int | None = None) -> None:
            nonlocal rows
            if status is None:
                status = rng.choices(statuses, weights=(15, 50, 30, 5))[0]
            size = plan.lesson_count
            if passed is None:
                passed = {Status.ENROLLED: 0, Status.PASSED: size, Status.FAILED: size}.get(status)
                passed = rng.randint(0, max(size - 1, 0)) if passed is None else passed
            assessment = 0.0
            if status == Status.PASSED:
                assessment = round(rng.uniform(60, 100), 1)
            elif status == Status.FAILED:
                assessment = round(rng.uniform(10, 59), 1)
            attempts = rng.choice((1, 1, 1, 2)) if status in (Status.PASSED, Status.FAILED) else 1
            attempts = min(attempts, plan.attempts_limit or attempts)
            enrolments.append(
                Enrolment(
                    id=len(enrolments) + 1,
                    volunteer=volunteer,
                    course=plan,
                    status=status,
                    passed=passed,
                    attempts=attempts,
                    assessment=assessment,
                    created_at=self.now - timedelta(days=1 + rng.random() * 400),
                )
            )
            taken.add((volunteer, plan.id))
            rows += size

        # The bench volunteer: courses 1–6 (or as many as there are).
        mine = [
            (Status.ACTIVE, 2),
            (Status.ACTIVE, None),
            (Status.PASSED, None),
            (Status.ENROLLED, 0),
            (Status.FAILED, None),
            (Status.ACTIVE, 1),
        ]
        for plan, (status, passed) in zip(plans[:6], mine, strict=False):
            add(1, plan, status, None if passed is None else min(passed, plan.lesson_count - 1))

        failures = 0
        while rows < target and failures < 1000:
            remaining = target - rows
            volunteer = 2 + int((volunteers - 1) * rng.random() ** 1.5) if volunteers > 1 else 1
            if remaining <= 60:  # the last ones: a course of exactly the remaining size, if any
                fitting = by_size.get(remaining) or [
                    plan for size, each in by_size.items() if size <= remaining - 10 for plan in each
                ]
                candidates = [p for p in fitting if p.level_rank <= self.volunteer_rank[volunteer]]
            else:
                candidates = by_rank[self.volunteer_rank[volunteer]]
            plan = rng.choice(candidates) if candidates else None
            if (
                plan is None
                or (volunteer, plan.id) in taken
                or plan.lesson_count > remaining
                or (plan.regions and self.volunteer_location[volunteer] not in plan.regions)
            ):
                failures += 1  # in a row: no eligible course is left for the last few rows
                continue
            add(volunteer, plan)
            failures = 0

        def opened(e: Enrolment) -> int:
            return e.passed + (e.status == Status.ACTIVE)

        def lesson_times(e: Enrolment, i: int) -> tuple[datetime, datetime | None]:
            """When the i-th lesson was opened and passed (None: not yet): the lessons opened
            spread evenly between the enrolment and now."""
            start = e.created_at + (self.now - e.created_at) * i / (opened(e) + 1)
            return start, min(start + timedelta(minutes=e.course.durations[i]), self.now) if i < e.passed else None

        def enrolment_rows():
            for e in enrolments:
                last = lesson_times(e, opened(e) - 1) if opened(e) else (e.created_at, None)
                yield {
                    "id": e.id,
                    "created_at": e.created_at,
                    "updated_at": last[1] or last[0],
                    "volunteer_id": e.volunteer,
                    "course_id": e.course.id,
                    "status": e.status,
                    "assessment": e.assessment,
                    "attempts": e.attempts,
                }

        self.copy(VolunteerCourse, enrolment_rows())

        def progress():
            row_id = 0
            for e in enrolments:
                for i in range(e.course.lesson_count):
                    row_id += 1
                    start, end = lesson_times(e, i) if i < opened(e) else (None, None)
                    yield {
                        "id": row_id,
                        "created_at": e.created_at,
                        "updated_at": end or start or e.created_at,
                        "volunteer_id": e.volunteer,
                        "lesson_id": e.course.first_lesson + i,
                        "passed": i < e.passed,
                        "start_date": start,
                        "end_date": end,
                    }

        self.copy(VolunteerLesson, progress())
        self.bench_enrolments = [(e.course, e.status) for e in enrolments if e.volunteer == 1]

    # --- Problems ---------------------------------------------------------------------------

    def problems(self) -> None:
        from problems.models import Block, Favorite, Reference, Solution, Task

        rng, text = self.rng("blocks"), self.text("blocks", "math")
        block_count = self.count["blocks"]
        block_topics = [BLOCK_TOPICS[i % len(BLOCK_TOPICS)] for i in range(block_count)]

        def block_title(i: int) -> str:
            topic = block_topics[i]
            return topic if i < len(BLOCK_TOPICS) else f"{topic}, часть {i // len(BLOCK_TOPICS) + 1}"

        self.copy(
            Block,
            (
                {
                    "id": i + 1,
                    "title": block_title(i),
                    "description": text.sentences(2, block_topics[i]),
                    "order_number": i + 1,
                    "external_key": None,
                }
                for i in range(block_count)
            ),
        )

        rng, text = self.rng("references"), self.text("references", "math")
        reference_count = self.count["references"]
        reference_topics = [BLOCK_TOPICS[i % len(BLOCK_TOPICS)] for i in range(reference_count)]
        references_by_topic: dict[str, list[int]] = {}
        for i, topic in enumerate(reference_topics, 1):
            references_by_topic.setdefault(topic, []).append(i)
        self.copy(
            Reference,
            (
                {
                    "id": i,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "title": text.title(topic, words=(2, 5), max_length=200),
                    "description": text.paragraphs(rng.randint(1, 3), (1, 3), topic, formulas=True),
                    "image": "",
                    "external_key": None,
                }
                for i, topic in enumerate(reference_topics, 1)
            ),
        )

        rng, text = self.rng("tasks"), self.text("tasks", "math")
        task_count = self.count["tasks"]
        block_zipf = Zipf(block_count, 0.5)
        task_block = array("H", [0]) * (task_count + 1)
        statuses = (Task.Status.PUBLISHED, Task.Status.MODERATION, Task.Status.DRAFT, Task.Status.REJECTED)
        reviewers = [self.main_admin, *self.admins]

        def tasks():
            for task_id in range(1, task_count + 1):
                block = block_zipf.draw(rng)
                task_block[task_id] = block
                topic = block_topics[block]
                status = rng.choices(statuses, weights=(90, 4, 3, 3))[0].value
                author = self.bench_teacher if rng.random() < 0.005 else self.teachers[self.teacher_zipf.draw(rng)]
                created = self.past(rng, 3 * 365)
                reviewed = status in ("published", "rejected")
                reviewed_at = self.past(rng, 0, since=created) if reviewed else None
                yield {
                    "id": task_id,
                    "created_at": created,
                    "updated_at": reviewed_at or created,
                    "title": text.title(topic, words=(2, 5), max_length=200),
                    "statement": text.paragraphs(rng.randint(1, 2), (1, 3), topic, formulas=True),
                    "image": "",
                    "block_id": block + 1,
                    "answer": str(rng.randint(-50, 500)) if rng.random() < 0.8 else "",
                    "status": status,
                    "rejection_reason": text.sentence(topic) if status == "rejected" else "",
                    "author_id": author,
                    "reviewer_id": rng.choice(reviewers) if reviewed else None,
                    "reviewed_at": reviewed_at,
                    "external_key": None,
                }

        self.copy(Task, tasks())

        rng = self.rng("task-references")

        def task_references():
            for task_id in range(1, task_count + 1):
                if rng.random() >= 0.33:
                    continue
                pool = references_by_topic.get(block_topics[task_block[task_id]]) or range(1, reference_count + 1)
                for reference_id in sorted(rng.sample(list(pool), min(len(pool), rng.randint(1, 2)))):
                    yield task_id, reference_id

        self.copy(Task.references.through, links(Task.references.field, task_references()))

        rng, text = self.rng("solutions"), self.text("solutions", "math")
        solution_count = self.count["solutions"]

        def solutions():
            previous_task, number = 0, 0
            for index in range(solution_count):
                task_id = index * task_count // solution_count + 1  # one or two a task, in order
                number = number + 1 if task_id == previous_task else 1
                previous_task = task_id
                topic = block_topics[task_block[task_id]]
                created = self.past(rng, 2 * 365)
                yield {
                    "id": index + 1,
                    "created_at": created,
                    "updated_at": created,
                    "task_id": task_id,
                    "title": "Решение" if number == 1 else f"Способ {number}: {text.title(topic, max_length=180)}",
                    "text": text.paragraphs(rng.randint(1, 3), (2, 4), topic, formulas=True),
                    "image": "",
                    "author_id": self.teachers[self.teacher_zipf.draw(rng)],
                    "is_private": rng.random() < 0.1,
                }

        self.copy(Solution, solutions())

        rng = self.rng("favorites")
        bench_users = (self.bench_teacher, self.volunteer_user(1))
        self.copy(
            Favorite,
            (
                {"user_id": user, "task_id": task_id, "created_at": self.past(rng, 90)}
                for user in bench_users
                for task_id in sorted(rng.sample(range(1, task_count + 1), min(task_count, 25)))
            ),
        )

    # --- Methodics --------------------------------------------------------------------------

    def methodics(self) -> None:
        from methodics.models import Category, Comment, Methodic, MethodicMedia, MethodicStep, Tag

        categories = []  # (id, name, parent id, topic)
        for root, children in CATEGORIES.items():
            root_id = len(categories) + 1
            categories.append((root_id, root, None, children[0]))
            categories.extend((len(categories) + 1, child, root_id, child) for child in children)
        self.copy(Category, ({"id": i, "name": name, "parent_id": parent} for i, name, parent, _ in categories))
        self.copy(Tag, ({"id": i, "name": name} for i, name in enumerate(TAGS, 1)))

        count = self.count["methodics"]
        rng = self.rng("methodic-plans")
        step_counts = partition(rng, self.count["steps"], count, 3, 12)
        category_weights = [3 if parent else 1 for _, _, parent, _ in categories]
        self.methodic_published = published = bytearray(count + 1)

        def step_minutes(methodic_id: int) -> list[int]:
            durations = random.Random(f"{self.seed}:steps:{methodic_id}")
            return [durations.choice((2, 3, 5, 5, 5, 10, 10, 15, 20)) for _ in range(step_counts[methodic_id - 1])]

        rng, text = self.rng("methodics"), self.text("methodics")
        methodic_topics = [None]

        def methodics():
            for methodic_id in range(1, count + 1):
                category = rng.choices(categories, weights=category_weights)[0] if rng.random() < 0.95 else None
                topic = category[3] if category else rng.choice(list(TOPICS))
                methodic_topics.append(topic)
                is_published = methodic_id == 1 or rng.random() < 0.9
                published[methodic_id] = is_published
                author = self.bench_teacher if rng.random() < 0.003 else rng.choice(self.staff_authors)
                created = self.past(rng, 3 * 365)
                materials = rng.sample(NOUNS[60:], rng.randint(0, 5))
                yield {
                    "id": methodic_id,
                    "created_at": created,
                    "updated_at": self.past(rng, 0, since=created),
                    "author_id": author,
                    "title": text.title(topic, words=(2, 6), max_length=200),
                    "short_description": clip(text.sentences(rng.randint(1, 2), topic), 300),
                    "goal": text.sentences(rng.randint(1, 2), topic),
                    "description": text.paragraphs(rng.randint(2, 5), (2, 4), topic),
                    "materials": ", ".join(noun[1] for noun in materials).capitalize(),
                    "cover": "",
                    "presentation": "",
                    "literature": "\n".join(
                        f"{rng.choice(LAST_NAMES)[0]} {rng.choice('АВГДЕИКМНОПС')}. {rng.choice('АВГДЕИКМНОПС')}. "
                        f"{text.title(topic, max_length=120)}. — {rng.choice(PUBLISHERS)}, {rng.randint(1995, 2025)}."
                        for _ in range(rng.choice((0, 0, 1, 2, 3)))
                    ),
                    "category_id": category[0] if category else None,
                    "status": "published" if is_published else "draft",
                    "published_at": self.past(rng, 0, since=created) if is_published else None,
                    "total_duration": sum(step_minutes(methodic_id)),
                }

        self.copy(Methodic, methodics())

        rng = self.rng("methodic-tags")
        self.copy(
            Methodic.tags.through,
            links(
                Methodic.tags.field,
                (
                    (methodic_id, tag)
                    for methodic_id in range(1, count + 1)
                    for tag in sorted(rng.sample(range(1, len(TAGS) + 1), rng.randint(1, 4)))
                ),
            ),
        )

        rng, text = self.rng("steps"), self.text("steps")

        def steps():
            step_id = 0
            for methodic_id in range(1, count + 1):
                topic = methodic_topics[methodic_id]
                for number, minutes in enumerate(step_minutes(methodic_id), 1):
                    step_id += 1
                    yield {
                        "id": step_id,
                        "methodic_id": methodic_id,
                        "order_number": number,
                        "duration": minutes,
                        "description": text.sentences(rng.randint(1, 3), topic),
                        "expected_result": text.sentence(topic) if rng.random() < 0.7 else "",
                        "image": "",
                    }

        self.copy(MethodicStep, steps())

        rng, text = self.rng("methodic-media"), self.text("methodic-media")
        self.copy(
            MethodicMedia,
            (
                {
                    "methodic_id": rng.randint(1, count),
                    "kind": "link",
                    "file": "",
                    "url": f"https://rutube.ru/video/{rng.getrandbits(128):032x}/",
                    "caption": text.title(max_length=200),
                    "created_at": self.now,
                }
                for _ in range(self.count["methodic_links"])
            ),
        )

        rng, text = self.rng("methodic-comments"), self.text("methodic-comments")
        moderators = [self.main_admin, *self.admins]

        def comments():
            for _ in range(self.count["methodic_comments"]):
                methodic_id = rng.randint(1, count)
                while not published[methodic_id]:
                    methodic_id = rng.randint(1, count)
                hidden = rng.random() < 0.03
                created = self.past(rng, 365)
                yield {
                    "methodic_id": methodic_id,
                    "author_id": self.volunteer_user(rng.randint(1, self.count["volunteers"])),
                    "text": text.sentences(rng.randint(1, 3), methodic_topics[methodic_id]),
                    "created_at": created,
                    "is_hidden": hidden,
                    "hidden_by_id": rng.choice(moderators) if hidden else None,
                    "hidden_at": self.past(rng, 0, since=created) if hidden else None,
                }

        self.copy(Comment, comments())

    # --- Projects ---------------------------------------------------------------------------

    def project_plans(self) -> Iterator[ProjectPlan]:
        """Every project's structure, rebuilt for each table from its own seed (a project holds
        a hundred students or so: cheap to redo, and nothing piles up in memory)."""
        count = self.count["projects"]
        student_counts = partition(self.rng("project-sizes"), self.count["students"], count, 40, 160)
        ids = dict.fromkeys(("term", "group", "student", "membership", "course", "lesson"), 0)

        def next_id(kind: str) -> int:
            ids[kind] += 1
            return ids[kind]

        methodics = self.count["methodics"]
        for project_id in range(1, count + 1):
            rng = self.rng(f"project:{project_id}")
            author = self.bench_teacher if project_id == 1 else self.teachers[self.teacher_zipf.draw(rng)]
            members = [(author, "admin")]
            others = [t for t in self.teachers if t != author]
            for user in rng.sample(others, min(len(others), rng.randint(1, 3))):
                members.append((user, rng.choice(("moderator", "viewer"))))
            if project_id == 2 and all(user != self.bench_teacher for user, _ in members):
                members.append((self.bench_teacher, "moderator"))
            tutors = [user for user, _ in members]

            terms = []
            finish = self.today + timedelta(days=rng.randint(60, 150))
            start = self.today - timedelta(days=rng.randint(30, 90))
            for _ in range(rng.randint(1, 3)):
                terms.append((start, finish))
                finish = start - timedelta(days=rng.randint(7, 60))
                start = finish - timedelta(days=rng.randint(90, 150))
            terms = [(next_id("term"), s, f) for s, f in reversed(terms)]

            student_count = student_counts[project_id - 1]
            groups = [next_id("group") for _ in range(max(1, round(student_count / 20)))]
            first_student = ids["student"] + 1
            ids["student"] += student_count
            project_start = terms[0][1]
            memberships, in_group = [], {group: [] for group in groups}
            for student in range(first_student, first_student + student_count):
                group = rng.choice(groups)
                moved = len(groups) > 1 and rng.random() < 0.08
                left = project_start + timedelta(days=rng.randint(20, 200)) if moved else None
                memberships.append((next_id("membership"), group, student, project_start, left))
                in_group[group].append((student, project_start, left))
                if moved:
                    other = rng.choice([g for g in groups if g != group])
                    memberships.append((next_id("membership"), other, student, left + timedelta(days=1), None))
                    in_group[other].append((student, left + timedelta(days=1), None))

            courses, lessons = [], []
            for term_id, term_start, term_finish in terms:
                for _ in range(rng.randint(2, 4)):
                    course_id = next_id("course")
                    course_groups = sorted(rng.sample(groups, min(len(groups), rng.randint(1, 2))))
                    course_tutors = sorted(rng.sample(tutors, min(len(tutors), rng.randint(1, 2))))
                    if project_id == 1 and self.bench_teacher not in course_tutors:
                        course_tutors = [self.bench_teacher, *course_tutors[:1]]
                    courses.append((course_id, term_id, term_start, term_finish, course_groups, course_tutors))
                    day = term_start + timedelta(days=rng.randint(0, 6))
                    begins = clock(rng.choice((10, 14, 15, 16, 17)), rng.choice((0, 30)))
                    ends = (datetime.combine(day, begins) + timedelta(minutes=90)).time()
                    roster = [entry for group in course_groups for entry in in_group[group]]
                    held = 0
                    while day <= term_finish and held < 25:
                        held += 1
                        absent = []
                        if day < self.today:
                            present = [s for s, joined, left in roster if joined <= day and (not left or day <= left)]
                            absent = sorted(set(rng.sample(present, min(len(present), rng.choice((0, 0, 1, 1, 2, 3))))))
                        lessons.append((next_id("lesson"), course_id, day, begins, ends, course_tutors[:1], absent))
                        day += timedelta(days=7)
            yield ProjectPlan(
                id=project_id,
                author=author,
                members=members,
                terms=terms,
                groups=groups,
                first_student=first_student,
                student_count=student_count,
                memberships=memberships,
                courses=courses,
                lessons=[(*lesson, rng.randint(1, methodics)) for lesson in lessons],
            )

    def projects(self) -> None:
        from projects.models import (
            GroupMembership,
            Project,
            ProjectCourse,
            ProjectLesson,
            ProjectMember,
            Student,
            StudentDocument,
            StudentGroup,
            Term,
        )

        rng, text = self.rng("projects"), self.text("projects")
        topics = list(TOPICS)

        def projects():
            for plan in self.project_plans():
                topic = rng.choice(topics)
                city = rng.choice(CITIES)
                created = self.past(rng, 2 * 365)
                yield {
                    "id": plan.id,
                    "created_at": created,
                    "updated_at": created,
                    "name": f"{rng.choice(PROJECT_KINDS)} «{rng.choice(NOUNS)[0].capitalize()}», {city}",
                    "short_description": clip(text.sentences(rng.randint(1, 2), topic), 300),
                    "description": text.paragraphs(rng.randint(1, 3), (2, 4), topic),
                    "label_image": "",
                    "author_id": plan.author,
                    "contacts": f"+7 9{rng.randrange(10**9):09d}\nproject{plan.id}@{DOMAIN}",
                    "address": f"г. {city}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}",
                    "note": "",
                }

        self.copy(Project, projects())
        self.copy(
            ProjectMember,
            (
                {"project_id": plan.id, "user_id": user, "role": role}
                for plan in self.project_plans()
                for user, role in plan.members
            ),
        )

        def season(start: date) -> str:
            name = {12: "Зимний", 1: "Зимний", 2: "Весенний", 3: "Весенний", 4: "Весенний", 5: "Летний", 6: "Летний"}
            name |= {7: "Летний", 8: "Осенний", 9: "Осенний", 10: "Осенний", 11: "Осенний"}
            return f"{name[start.month]} семестр {start.year}"

        self.copy(
            Term,
            (
                {
                    "id": term_id,
                    "project_id": plan.id,
                    "name": season(start),
                    "description": "",
                    "label_image": "",
                    "start_date": start,
                    "finish_date": finish,
                }
                for plan in self.project_plans()
                for term_id, start, finish in plan.terms
            ),
        )

        def groups():
            for plan in self.project_plans():
                for n, group_id in enumerate(plan.groups):
                    name = GROUP_NAMES[n % len(GROUP_NAMES)] + " группа"
                    if n >= len(GROUP_NAMES):
                        name += f" {n // len(GROUP_NAMES) + 1}"
                    yield {"id": group_id, "project_id": plan.id, "name": name, "note": ""}

        self.copy(StudentGroup, groups())

        rng = self.rng("students")

        def students():
            for plan in self.project_plans():
                for student_id in range(plan.first_student, plan.first_student + plan.student_count):
                    female = rng.random() < 0.5
                    first = rng.choice(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
                    last = rng.choice(LAST_NAMES)[female]
                    created = self.past(rng, 365)
                    yield {
                        "id": student_id,
                        "created_at": created,
                        "updated_at": created,
                        "project_id": plan.id,
                        "last_name": last,
                        "first_name": first,
                        "middle_name": rng.choice(PATRONYMICS)[female] if rng.random() < 0.9 else "",
                        "birthday": self.today - timedelta(days=rng.randint(7 * 365, 17 * 365)),
                        "phone": f"+79{rng.randrange(10**9):09d}" if rng.random() < 0.5 else "",
                        "email": f"{translit(last)}.s{student_id}@{DOMAIN}" if rng.random() < 0.3 else "",
                        "address": f"{rng.choice(STREETS)}, д. {rng.randint(1, 120)}" if rng.random() < 0.3 else "",
                        "avatar": "",
                        "note": "",
                    }

        self.copy(Student, students())
        rng = self.rng("student-documents")
        self.copy(
            StudentDocument,
            (
                {"student_id": student_id, "document_type_id": kind, "number": f"{rng.randrange(10**10):010d}"}
                for plan in self.project_plans()
                for student_id in range(plan.first_student, plan.first_student + plan.student_count)
                if rng.random() < 0.6
                for kind in (rng.randint(1, len(DOCUMENT_TYPES)),)
            ),
        )
        self.copy(
            GroupMembership,
            (
                {"id": m_id, "group_id": group, "student_id": student, "joined_on": joined, "left_on": left}
                for plan in self.project_plans()
                for m_id, group, student, joined, left in plan.memberships
            ),
        )

        rng, text = self.rng("project-courses"), self.text("project-courses")

        def courses():
            for plan in self.project_plans():
                for course_id, term_id, start, finish, _, _ in plan.courses:
                    topic = rng.choice(topics)
                    yield {
                        "id": course_id,
                        "term_id": term_id,
                        "name": text.title(topic, words=(1, 4), max_length=200),
                        "start_date": start,
                        "finish_date": finish,
                        "address": f"{rng.choice(STREETS)}, д. {rng.randint(1, 120)}, каб. {rng.randint(1, 40)}",
                        "contacts": "",
                        "web_links": "",
                        "note": "",
                    }

        self.copy(ProjectCourse, courses())
        self.copy(
            ProjectCourse.groups.through,
            links(
                ProjectCourse.groups.field,
                ((c[0], group) for plan in self.project_plans() for c in plan.courses for group in c[4]),
            ),
        )
        self.copy(
            ProjectCourse.tutors.through,
            links(
                ProjectCourse.tutors.field,
                ((c[0], user) for plan in self.project_plans() for c in plan.courses for user in c[5]),
            ),
        )

        rng, text = self.rng("project-lessons"), self.text("project-lessons")

        def lessons():
            for plan in self.project_plans():
                for lesson_id, course_id, day, begins, ends, _, _, methodic in plan.lessons:
                    yield {
                        "id": lesson_id,
                        "course_id": course_id,
                        "date": day,
                        "start_time": begins,
                        "finish_time": ends,
                        "description": text.sentence() if rng.random() < 0.5 else "",
                        "methodic_id": methodic if rng.random() < 0.6 and self.methodic_published[methodic] else None,
                        "web_links": "",
                        "note": "",
                    }

        self.copy(ProjectLesson, lessons())
        self.copy(
            ProjectLesson.tutors.through,
            links(
                ProjectLesson.tutors.field,
                ((lesson[0], user) for plan in self.project_plans() for lesson in plan.lessons for user in lesson[5]),
            ),
        )
        self.copy(
            ProjectLesson.absent_students.through,
            links(
                ProjectLesson.absent_students.field,
                ((lesson[0], s) for plan in self.project_plans() for lesson in plan.lessons for s in lesson[6]),
            ),
        )
        plan = next(self.project_plans())
        self.bench_term = plan.terms[-1][0]


# --- The database ----------------------------------------------------------------------------


def recreate_database(name: str, *, force: bool) -> None:
    """Drop the bench database if it exists and create it empty, through the server's
    maintenance database `postgres`."""
    import psycopg
    from django.conf import settings
    from django.db import connection
    from psycopg import sql

    if name == settings.DATABASES["default"]["NAME"]:
        raise SystemExit(f"The bench database would be the settings' own database «{name}»: set BENCH_DATABASE.")
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("options", None)  # the search_path is for the project's database
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as maintenance:
        drop = "DROP DATABASE IF EXISTS {} WITH (FORCE)" if force else "DROP DATABASE IF EXISTS {}"
        try:
            maintenance.execute(sql.SQL(drop).format(sql.Identifier(name)))
        except psycopg.errors.ObjectInUse as error:
            raise SystemExit(f"{error}\nClose those connections, or pass --force to drop it anyway.") from None
        maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def vacuum(loader: Loader) -> None:
    from django.db import connection

    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    loader.report("(VACUUM ANALYZE)", None, time.perf_counter() - start)


def summary(bench: Bench) -> None:
    """Where the known accounts lead."""
    from courses.models import VolunteerCourse

    print("\nKnown accounts (password bench-password):")
    print(f"  bench-volunteer@{DOMAIN}: volunteer #1 (Профессионал, Москва)")
    for plan, status in bench.bench_enrolments:
        first_shown = next(
            (plan.first_lesson + i for i, shown in enumerate(plan.lessons_shown) if shown), plan.first_lesson
        )
        label = VolunteerCourse.Status(status).label
        print(f"    /courses/{plan.id}/ ({label}), lesson /courses/{plan.id}/lessons/{first_shown}/")
    print(f"  bench-teacher@{DOMAIN}: administrator of project 1, its schedule /projects/terms/{bench.bench_term}/")
    print(f"  bench-admin@{DOMAIN}: Администратор;  bench-main@{DOMAIN}: Главный администратор")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every count (default 1)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of every random choice (default 2026)")
    parser.add_argument("--today", type=date.fromisoformat, help="the day dates are relative to (YYYY-MM-DD)")
    parser.add_argument("--force", action="store_true", help="drop the bench database even while in use")
    options = parser.parse_args()
    if options.scale <= 0:
        parser.error("--scale must be positive")

    started = time.perf_counter()
    setup_django()
    name = bench_database()
    recreate_database(name, force=options.force)
    setup_django(name)  # every connection from here on goes to the bench database

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    print(f"Database {name}, scale {options.scale:g}, seed {options.seed}", flush=True)
    bench = Bench(scale=options.scale, seed=options.seed, today=options.today or timezone.localdate())
    call_command("migrate", verbosity=0)
    bench.loader.report("(create and migrate)", None, time.perf_counter() - started)
    bench.run()
    vacuum(bench.loader)
    connection.close()

    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nTotal {total:.1f} s ({total / 60:.1f} min); peak RSS {peak:.0f} MB")
    summary(bench)


if __name__ == "__main__":
    sys.exit(main())
