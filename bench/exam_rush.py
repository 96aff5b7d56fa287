"""The exam rush (issue 17): a webinar ends and 250 learners open the same diploma quiz within
one second, then submit it within one second.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volna .venv/bin/python bench/exam_rush.py
    .venv/bin/python bench/exam_rush.py --learners 20              # a quick check
    .venv/bin/python bench/exam_rush.py --threads 16 --spread 0.5

For scale: with Moodle's STACK question type, 250 users starting one quiz of 16 STACK
questions at once saw «Start attempt» take up to 600 s (maths/moodle-qtype_stack issue 712,
2021). Here the target is 5 s from the first request of a wave to its last response.

It runs everything as production does, on the bench database (bench/common.py, filled by
bench/data.py): gunicorn with the deployed settings (deploy/gunicorn.conf.py: --workers 2
gthread workers × --threads, 8 by default), a Celery worker (`celery -A config worker
--concurrency 2`, run as its systemd unit runs it: bench/background.py's --worker-nice and
--worker-idle), both with REDIS_URL and CELERY_BROKER_URL on a Redis database of their own
(--redis-url, database 12 by default; emptied at the start and the end), DEBUG off, emails
dropped, and the certificates' PDFs in a temporary folder (PRIVATE_MEDIA_ROOT), removed at the
end; gunicorn and the worker are stopped at the end, also after a failure or Ctrl-C.

Data, prepared here and re-usable (a second run finds them and only resets them): the course
«Экзаменационный курс (bench)» (shown, open to every level and region, the bench teacher its
head) with one chapter of three lessons — a text, the webinar, and the diploma quiz of 10
auto-checked questions (single and multiple choice, short text answers; 13 points in all) —
and the learners exam-rush-001…250@bench.example, volunteers enrolled in it («Активный»)
with the text and the webinar passed. Before the waves (and again at the end) their quiz
attempts, certificates and messages are deleted and their progress set back. Each learner
is signed in without the login form: a session made here in the servers' session store
(cached_db on that Redis), so the waves measure the quiz, not password hashing.

Before the waves, 16 requests of the course page warm both workers up (URLconf, templates,
the course in the cache), as on a server that has been up for a while; it only reads, so
each worker's first submits still pay for its first Celery publish. Wave 1: each learner
GETs the quiz page, the starts spread evenly over --spread seconds (1), a thread and a
connection each; a page must answer 200 and carry the quiz form (its action, the CSRF token,
a field for every question). Wave 2, --pause seconds later: each learner POSTs answers read
off their page's form (field names and choice ids; the CSRF token from the form and the
cookie) — learner n gets (n - 1) mod 6 questions wrong, so scores run from 100 down to
46.2, and 192 of 250 pass — and follows the redirect to the lesson page, which must show the
score those answers earn (in the result and in the message). Per wave: requests, non-2xx/3xx
responses, errors (connection, timeout), pages without what they must show,
latency p50 / p95 / max (wave 2: from the POST to the result page; the POST alone on a
line of its own), and the time from the first start to the last response — target ≤ 5 s.

Then the database: exactly one attempt per learner (none lost, none twice), each with an
answer to every question, scored as the answers imply, and each enrolment passed or failed
as that score implies. Last, it waits (--certificate-wait, 60 s) for a certificate (row
and file) for every learner who passed (courses.tasks, in the worker), and none for the
others, and says when the last one came. Printed: the tables, a pass/miss
status per target; the `timeit` yardstick (the README's «Benchmarks») before and after. The
exit status is 1 when a target is missed.
"""

import argparse
import http.client
import os
import re
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from background import (
    add_worker_arguments,
    celery_worker,
    cpu_seconds,
    deployed_gunicorn,
    gunicorn_master,
    production_environment,
    redis_database,
    require_migrated,
    worker_settings,
)
from certificates import FIRST_NAMES, LAST_NAMES
from load import HOST, free_port, server_environment
from pages import bench_user, missed_status, print_table, setup_bench, yardstick_ms
from stampede import latency

LEARNERS = 250
SPREAD = 1.0  # seconds over which a wave's requests start
PAUSE = 2.0  # seconds between the waves
TARGET_SECONDS = 5.0  # from a wave's first start to its last response
CERTIFICATE_WAIT = 60
REDIS_URL = os.environ.get("BENCH_EXAM_REDIS_URL", "redis://127.0.0.1:6379/12")
WARM_UP = 16
TIMEOUT = 120

COURSE_TITLE = "Экзаменационный курс (bench)"
LEARNER_EMAIL = "exam-rush-{:03d}@bench.example"
LEARNER_PATTERN = r"^exam-rush-\d+@bench\.example$"
WRONG_TEXT = "не знаю"


@dataclass(frozen=True)
class QuestionSpec:
    kind: str  # a Question.Kind value
    text: str
    points: int
    choices: tuple[tuple[str, bool], ...] = ()  # (text, right) of a choice question
    accepted: str = ""  # a text question's accepted answers, one a line
    typed: str = ""  # what a learner who knows types: the normalisation must accept it


QUESTIONS = (
    QuestionSpec(
        "single",
        "Что сделать первым делом, если участнику мероприятия стало плохо?",
        1,
        (
            ("Убедиться, что вокруг безопасно, и вызвать помощь", True),
            ("Дать ему воды", False),
            ("Отвести его в сторону", False),
            ("Подождать, пока пройдёт", False),
        ),
    ),
    QuestionSpec(
        "single",
        "По какому номеру вызывают экстренные службы с мобильного телефона?",
        1,
        (("112", True), ("01", False), ("911", False), ("100", False)),
    ),
    QuestionSpec(
        "multiple",
        "Что входит в обязанности волонтёра на входе в зал?",
        2,
        (
            ("Встречать и направлять участников", True),
            ("Проверять списки регистрации", True),
            ("Выдавать лекарства", False),
            ("Сообщать координатору о происшествиях", True),
        ),
    ),
    QuestionSpec(
        "text",
        "Как называется повязка, которую накладывают выше раны при сильном артериальном кровотечении?",
        1,
        accepted="жгут\nкровоостанавливающий жгут",
        typed="  Жгут ",
    ),
    QuestionSpec(
        "single",
        "Куда отвести потерявшегося ребёнка?",
        1,
        (
            ("К информационной стойке или координатору", True),
            ("К выходу", False),
            ("В гардероб", False),
            ("Никуда: пусть ждёт на месте один", False),
        ),
    ),
    QuestionSpec(
        "multiple",
        "Какие сведения об участнике нельзя публиковать без его согласия?",
        2,
        (("Телефон", True), ("Фотографию", True), ("Название мероприятия", False), ("Адрес", True)),
    ),
    QuestionSpec(
        "single",
        "Что делать, если вы не знаете ответа на вопрос участника?",
        1,
        (
            ("Найти того, кто знает, или проводить к информационной стойке", True),
            ("Придумать ответ", False),
            ("Промолчать", False),
            ("Отправить на сайт", False),
        ),
    ),
    QuestionSpec(
        "text",
        "Сколько нажатий на грудную клетку делают в одном цикле сердечно-лёгочной реанимации взрослого?",
        2,
        accepted="30\nтридцать",
        typed="30",
    ),
    QuestionSpec(
        "single",
        "Когда волонтёр уходит со смены?",
        1,
        (
            ("Когда его отпустил координатор", True),
            ("Когда устал", False),
            ("В любой момент", False),
            ("Когда ушли участники", False),
        ),
    ),
    QuestionSpec(
        "multiple",
        "Что взять с собой на выездное мероприятие?",
        1,
        (("Бейдж", True), ("Заряженный телефон", True), ("Документы других волонтёров", False), ("Воду", True)),
    ),
)
TOTAL_POINTS = sum(spec.points for spec in QUESTIONS)


# --- The data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionKey:
    """A question of the quiz as the learners answer it: the values of its form field."""

    field: str  # the form field's name
    points: int
    right: tuple[str, ...]
    wrong: tuple[str, ...]


@dataclass(frozen=True)
class Learner:
    number: int  # 1, 2, …
    user_id: int
    volunteer_id: int
    enrolment_id: int


@dataclass(frozen=True)
class Exam:
    course_id: int
    quiz_id: int
    other_lesson_ids: tuple[int, ...]
    course_url: str
    quiz_url: str
    submit_url: str
    questions: tuple[QuestionKey, ...]
    learners: tuple[Learner, ...]

    def wrong_questions(self, learner: Learner) -> set[int]:
        """Which questions (indexes) the learner gets wrong: (number - 1) mod 6 of them."""
        count = len(self.questions)
        return {(3 * learner.number + 7 * k) % count for k in range((learner.number - 1) % 6)}

    def answers(self, learner: Learner) -> list[tuple[str, str]]:
        wrong = self.wrong_questions(learner)
        return [
            (question.field, value)
            for index, question in enumerate(self.questions)
            for value in (question.wrong if index in wrong else question.right)
        ]

    def score(self, learner: Learner) -> float:
        """As courses.services scores it: the share of the points, rounded to 0.1."""
        wrong = self.wrong_questions(learner)
        earned = sum(question.points for index, question in enumerate(self.questions) if index not in wrong)
        return round(100 * earned / sum(question.points for question in self.questions), 1)

    def passes(self, learner: Learner) -> bool:
        """The diploma quiz is the course's only quiz: the assessment is its score."""
        from django.conf import settings

        return self.score(learner) >= settings.COURSE_PASS_MARK


def exam_course():
    """The bench's exam course, made the first time."""
    from django.db import transaction

    from courses import services
    from courses.models import Chapter, ChapterLesson, Choice, Course, CourseChapter, Lesson, Question
    from volunteers.models import Direction, Level

    course = Course.objects.filter(title=COURSE_TITLE).order_by("pk").first()
    if course is not None:
        return course
    teacher = bench_user("teacher")
    shown = {"ready": True, "visible": True, "published": True}
    with transaction.atomic():
        course = Course.objects.create(
            title=COURSE_TITLE,
            direction=Direction.objects.order_by("pk").first(),
            level=Level.objects.get(rank=1),
            start_date=date.today(),
            short_description="Вебинар и дипломный тест: курс бенчмарка bench/exam_rush.py.",
            full_description="<p>Курс для бенчмарка «Экзаменационный наплыв».</p>",
            responsible=teacher,
            user_created=teacher,
            user_modified=teacher,
            **shown,
        )
        chapter = Chapter.objects.create(title="Итоговая аттестация", user_created=teacher, user_modified=teacher)
        CourseChapter.objects.create(course=course, chapter=chapter, order_number=1)
        lessons = [
            Lesson.objects.create(
                title=title,
                type=kind,
                duration=minutes,
                diploma=diploma,
                user_created=teacher,
                user_modified=teacher,
                **shown,
            )
            for title, kind, minutes, diploma in (
                ("Памятка к экзамену", Lesson.Type.TEXT, 10, False),
                ("Итоговый вебинар", Lesson.Type.WEBINAR, 60, False),
                ("Дипломный тест", Lesson.Type.QUIZ, 20, True),
            )
        ]
        ChapterLesson.objects.bulk_create(
            ChapterLesson(chapter=chapter, lesson=lesson, order_number=number)
            for number, lesson in enumerate(lessons, 1)
        )
        for number, spec in enumerate(QUESTIONS, 1):
            question = Question.objects.create(
                lesson=lessons[-1],
                order_number=number,
                kind=spec.kind,
                text=spec.text,
                accepted_answers=spec.accepted,
                points=spec.points,
            )
            Choice.objects.bulk_create(
                Choice(question=question, text=text, is_correct=right) for text, right in spec.choices
            )
        services.course_refresh(course=course)
    return course


def question_keys(quiz) -> tuple[QuestionKey, ...]:
    """The right and a wrong answer of each question, read from the database: a wrong choice
    for single choice, one right choice of several for multiple choice, «не знаю» for text."""
    questions = list(quiz.questions.prefetch_related("choices").order_by("order_number"))
    if [(question.kind, question.text) for question in questions] != [(spec.kind, spec.text) for spec in QUESTIONS]:
        raise SystemExit(f"The quiz {quiz.pk} of «{COURSE_TITLE}» is not this script's: delete the course and rerun.")
    keys = []
    for question, spec in zip(questions, QUESTIONS, strict=True):
        right = [str(choice.pk) for choice in question.choices.all() if choice.is_correct]
        wrong = [str(choice.pk) for choice in question.choices.all() if not choice.is_correct]
        if spec.kind == "single":
            answers = (right[0],), (wrong[0],)
        elif spec.kind == "multiple":
            answers = tuple(right), (right[0],)
        else:
            answers = (spec.typed,), (WRONG_TEXT,)
        keys.append(QuestionKey(f"question-{question.pk}", question.points, *answers))
    return tuple(keys)


def exam_learners(course, lessons: list, count: int) -> tuple[Learner, ...]:
    """The first `count` bench learners, made if missing, each enrolled in the course with
    a progress row for every lesson."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from accounts.roles import VOLUNTEER
    from courses.models import VolunteerCourse, VolunteerLesson
    from volunteers.models import Level, Location, Volunteer, VolunteerLevel

    emails = [LEARNER_EMAIL.format(number) for number in range(1, count + 1)]
    with transaction.atomic():
        known = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        missing = [(number, email) for number, email in enumerate(emails, 1) if email not in known]
        if missing:
            password = make_password(None)  # no password: they never sign in through the form
            users = User.objects.bulk_create(
                User(
                    username=email.split("@")[0],
                    email=email,
                    first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[number % len(LAST_NAMES)],
                    password=password,
                )
                for number, email in missing
            )
            group = Group.objects.get(name=VOLUNTEER)
            User.groups.through.objects.bulk_create(User.groups.through(user=user, group=group) for user in users)
            location = Location.objects.filter(code=77).first() or Location.objects.order_by("pk").first()
            volunteers = Volunteer.objects.bulk_create(
                Volunteer(user=user, phone_number=f"+7990{number:07d}", birth_date=date(2000, 1, 1), location=location)
                for (number, _), user in zip(missing, users, strict=True)
            )
            level, now = Level.objects.get(rank=1), timezone.now()
            VolunteerLevel.objects.bulk_create(
                VolunteerLevel(volunteer=volunteer, level=level, confirmed=True, confirmed_at=now)
                for volunteer in volunteers
            )
        volunteers = dict(Volunteer.objects.filter(user__email__in=emails).values_list("user__email", "pk"))
        enrolled = set(VolunteerCourse.objects.filter(course=course).values_list("volunteer_id", flat=True))
        # bulk_create, not save(): the progress rows come next, in one statement.
        VolunteerCourse.objects.bulk_create(
            VolunteerCourse(volunteer_id=pk, course=course, status=VolunteerCourse.Status.ACTIVE)
            for pk in volunteers.values()
            if pk not in enrolled
        )
        VolunteerLesson.objects.bulk_create(
            (VolunteerLesson(volunteer_id=pk, lesson=lesson) for pk in volunteers.values() for lesson in lessons),
            ignore_conflicts=True,
        )
    users = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    enrolments = dict(
        VolunteerCourse.objects.filter(course=course, volunteer_id__in=volunteers.values()).values_list(
            "volunteer_id", "pk"
        )
    )
    return tuple(
        Learner(number, users[email], volunteers[email], enrolments[volunteers[email]])
        for number, email in enumerate(emails, 1)
    )


def exam_reset(exam: Exam) -> None:
    """Every enrolment in the exam course back to «Активный», everything but the quiz
    passed: the quiz's attempts, the course's certificates and the learners' messages go;
    then the tables written are vacuumed and analysed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Message
    from courses.models import Answer, Certificate, QuizAttempt, VolunteerCourse, VolunteerLesson

    enrolments = VolunteerCourse.objects.filter(course_id=exam.course_id)
    volunteer_ids = enrolments.values("volunteer_id")
    now = timezone.now()
    with transaction.atomic():
        QuizAttempt.objects.filter(lesson_id=exam.quiz_id).delete()
        Certificate.objects.filter(course_id=exam.course_id).delete()
        Message.objects.filter(recipient__email__regex=LEARNER_PATTERN).delete()
        enrolments.update(status=VolunteerCourse.Status.ACTIVE, assessment=0, attempts=1, updated_at=now)
        progress = VolunteerLesson.objects.filter(volunteer_id__in=volunteer_ids)
        opened = now - timedelta(hours=1)
        progress.filter(lesson_id__in=exam.other_lesson_ids).update(
            passed=True, start_date=opened, end_date=opened, updated_at=now
        )
        progress.filter(lesson_id=exam.quiz_id).update(passed=False, start_date=None, end_date=None, updated_at=now)
    # The rows are gone, their space is not: this machine's PostgreSQL runs no autovacuum,
    # and each run left the next more dead rows to step over (after 28 runs in a day, 87,044
    # in quiz_answers_choices and 69,190 in quiz_answers, each of them empty). Every run
    # starts as the first did, with the statistics of what is there.
    written = (QuizAttempt, Answer, Answer.choices.through, Certificate, Message, VolunteerCourse, VolunteerLesson)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE " + ", ".join(connection.ops.quote_name(m._meta.db_table) for m in written))


def exam_prepare(count: int) -> Exam:
    from django.urls import reverse

    from courses.models import Lesson
    from courses.selectors import course_lessons

    course = exam_course()
    lessons = course_lessons(course)
    quiz = next(lesson for lesson in lessons if lesson.type == Lesson.Type.QUIZ and lesson.diploma)
    exam = Exam(
        course_id=course.pk,
        quiz_id=quiz.pk,
        other_lesson_ids=tuple(lesson.pk for lesson in lessons if lesson.pk != quiz.pk),
        course_url=course.get_absolute_url(),
        quiz_url=reverse("courses:lesson", args=[course.pk, quiz.pk]),
        submit_url=reverse("courses:quiz_submit", args=[course.pk, quiz.pk]),
        questions=question_keys(quiz),
        learners=exam_learners(course, lessons, count),
    )
    exam_reset(exam)
    return exam


def sign_in(learners: tuple[Learner, ...]) -> dict[int, str]:
    """A session for each learner, as a password login through the email backend makes it,
    in the servers' session store: its key by user id."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in User.objects.filter(pk__in=[learner.user_id for learner in learners]):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "accounts.backends.EmailBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.pk] = session.session_key
    return keys


# --- The waves --------------------------------------------------------------------------------


@dataclass
class Exchange:
    """A learner's part of a wave: when it started and got its last response (perf_counter),
    that response's status and page, and what went wrong."""

    cookies: dict = field(default_factory=dict)  # the learner's browser's cookies
    started: float = 0.0
    answered: float | None = None
    posted: float | None = None  # wave 2: when the POST's own response came
    status: int | None = None
    page: str = ""
    error: str = ""  # no response: connection refused or reset, timeout
    problem: str = ""  # a response, but not the one expected

    def keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            try:
                parsed = SimpleCookie(header)
            except CookieError:
                continue
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value

    def fetch(self, connection: http.client.HTTPConnection, method: str, url: str, **extra) -> tuple[int, str, str]:
        """One request on the learner's connection, with their cookies, which the response
        updates: its status, Location and page."""
        cookies = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, url, headers={"Cookie": cookies, **extra.pop("headers", {})}, **extra)
        response = connection.getresponse()
        page = response.read().decode("utf-8", errors="replace")
        self.keep_cookies(response)
        return response.status, response.getheader("Location", ""), page

    def post_and_follow(self, connection: http.client.HTTPConnection, url: str, *, body: str, headers: dict, then: str):
        """A form's POST, then the GET of the page it redirects to, which must be `then`: the
        POST's own response time in `posted`, the last response's in `answered`. True when
        that page answered 200; False otherwise (noting a POST that went elsewhere)."""
        self.status, location, self.page = self.fetch(connection, "POST", url, body=body, headers=headers)
        self.posted = time.perf_counter()
        if self.status != 302 or urlsplit(location).path != then:
            self.answered = self.posted
            if 200 <= self.status < 400:
                self.problem = f"the POST answered {self.status} {location}".rstrip()
            return False
        self.status, _, self.page = self.fetch(connection, "GET", then)
        self.answered = time.perf_counter()
        return self.status == 200


def connection_visitor(port: int, timeout: float) -> Callable[[Exchange, Callable], None]:
    """visit(exchange, requests): requests(connection) on a connection of its own to the
    server on `port`, closed after — a learner's browser for one step of a wave."""

    def visit(exchange: Exchange, requests: Callable[[http.client.HTTPConnection], None]) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            requests(connection)
        finally:
            connection.close()

    return visit


def wave(exchanges: list[Exchange], spread: float, visit: Callable[[int, Exchange], None]) -> None:
    """visit(index, exchange) for each exchange in a thread of its own, the starts spread
    evenly over `spread` seconds; returns when every visit is over."""
    count = len(exchanges)
    start = time.perf_counter() + 0.5  # time enough to start the threads

    def run(index: int) -> None:
        exchange = exchanges[index]
        time.sleep(max(0.0, start + spread * index / count - time.perf_counter()))
        exchange.started = time.perf_counter()
        try:
            visit(index, exchange)
        except (OSError, http.client.HTTPException) as error:
            exchange.error = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


class QuizForm(HTMLParser):
    """The quiz form of a lesson page: its action, CSRF token, and the values each of its
    fields offers (a choice id for each radio button and checkbox; none for a text)."""

    def __init__(self, page: str):
        super().__init__()
        self.action, self.token, self.fields, self.inside = None, None, {}, False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and "quiz" in (attributes.get("class") or "").split():
            self.inside, self.action = True, attributes.get("action")
        elif self.inside and tag in ("input", "textarea") and attributes.get("name"):
            name = attributes["name"]
            if name == "csrfmiddlewaretoken":
                self.token = attributes.get("value")
            else:
                offered = self.fields.setdefault(name, set())
                if attributes.get("type") in ("radio", "checkbox"):
                    offered.add(attributes.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_problem(exam: Exam, exchange: Exchange, form: QuizForm) -> str:
    """What the learner's quiz page lacks for them to answer; empty if nothing."""
    if exchange.status != 200:
        return f"answered {exchange.status}"
    if form.action != exam.submit_url:
        return "no quiz form on the page"
    if not form.token or "csrftoken" not in exchange.cookies:
        return "no CSRF token in the form or the cookies"
    if set(form.fields) != {question.field for question in exam.questions}:
        return f"the form's fields are {sorted(form.fields)}"
    for question in exam.questions:
        offered = form.fields[question.field]
        if offered and not set(question.right + question.wrong) <= offered:
            return f"{question.field} offers {sorted(offered)}"
    return ""


SCORE_SHOWN = re.compile(r"Результат: <strong>([\d,]+) из 100</strong>")
SCORE_TOLD = re.compile(r"Тест проверен: ([\d,]+) из 100")


def result_problem(expected: float, page: str) -> str:
    """Whether the lesson page after the submit shows the expected score, in the result
    and in the message that the submit left; empty if it does."""
    for pattern, where in ((SCORE_SHOWN, "the result"), (SCORE_TOLD, "a message")):
        found = pattern.search(page)
        if found is None:
            return f"no score in {where}"
        shown = float(found.group(1).replace(",", "."))
        if abs(shown - expected) > 0.05:
            return f"{where} shows {shown:g}, not {expected:g}"
    return ""


@dataclass(frozen=True)
class WaveFigures:
    name: str
    exchanges: list[Exchange]
    end: str = "answered"  # or "posted": the POST alone
    with_targets: bool = True

    def latencies_ms(self) -> list[float]:
        ends = [(each.started, getattr(each, self.end)) for each in self.exchanges]
        return [1000 * (end - start) for start, end in ends if end is not None]

    def first_and_last(self) -> tuple[float, float] | None:
        """perf_counter of the first start and of the last response."""
        ends = [getattr(each, self.end) for each in self.exchanges if getattr(each, self.end) is not None]
        return (min(each.started for each in self.exchanges), max(ends)) if ends else None

    @property
    def span(self) -> float:
        """Seconds from the first start to the last response."""
        first_and_last = self.first_and_last()
        return first_and_last[1] - first_and_last[0] if first_and_last else float("nan")

    def counts(self) -> tuple[int, int, int]:
        """Responses with a status out of 2xx and 3xx, errors, pages not as expected."""
        statuses = sum(1 for each in self.exchanges if each.status is not None and not 200 <= each.status < 400)
        errors = sum(1 for each in self.exchanges if each.error)
        return statuses, errors, sum(1 for each in self.exchanges if each.problem)

    def misses(self) -> list[str]:
        if not self.with_targets:
            return []
        statuses, errors, problems = self.counts()
        found = [
            f"{count} {what}"
            for count, what in ((statuses, "non-2xx/3xx"), (errors, "errors"), (problems, "wrong pages"))
            if count
        ]
        if not self.span <= TARGET_SECONDS:
            found.append(f"{self.span:.2f} s > {TARGET_SECONDS:g} s")
        return found

    def row(self) -> list[str]:
        times = latency(self.latencies_ms()) if len(self.latencies_ms()) > 1 else ["—"] * 3
        counts = list(map(str, self.counts())) if self.with_targets else ["", "", ""]
        verdict = ("no: " + "; ".join(self.misses()) if self.misses() else "yes") if self.with_targets else ""
        return [self.name, str(len(self.exchanges)), *counts, *times, f"{self.span:.2f}", verdict]

    def example(self) -> str:
        """The first error or wrong page, for the reader."""
        return next((each.error or each.problem for each in self.exchanges if each.error or each.problem), "")


def run_waves(
    exam: Exam, sessions: dict[int, str], port: int, args, cpu: Callable[[], dict[str, float]]
) -> tuple[list[WaveFigures], list[list[str]]]:
    """The warm-up, then the two waves: their figures, and the CPU seconds each process of
    `cpu()` (by name) spent in each wave, with the milliseconds a learner, as table rows."""
    from django.conf import settings

    origin = f"http://{HOST}:{port}"

    def browser(learner: Learner) -> Exchange:
        return Exchange(cookies={settings.SESSION_COOKIE_NAME: sessions[learner.user_id]})

    visit = connection_visitor(port, args.timeout)

    def warm(index: int, exchange: Exchange) -> None:
        def requests(connection):
            exchange.status = exchange.fetch(connection, "GET", exam.course_url)[0]

        visit(exchange, requests)

    warm_up = [browser(exam.learners[0]) for _ in range(WARM_UP)]
    wave(warm_up, 0.0, warm)
    failed = next((each for each in warm_up if each.status != 200), None)
    if failed:
        raise SystemExit(f"The course page {exam.course_url} answered the warm-up with {failed.status} {failed.error}")

    opened = [browser(learner) for learner in exam.learners]

    def open_quiz(index: int, exchange: Exchange) -> None:
        def requests(connection):
            exchange.status, _, exchange.page = exchange.fetch(connection, "GET", exam.quiz_url)
            exchange.answered = time.perf_counter()

        visit(exchange, requests)

    print(f"Wave 1: {len(opened)} learners open the quiz within {args.spread:g} s", flush=True)
    spent = []
    before = cpu()
    wave(opened, args.spread, open_quiz)
    spent.append(("wave 1", before, cpu()))
    forms = [QuizForm(exchange.page) for exchange in opened]
    for exchange, form in zip(opened, forms, strict=True):
        if exchange.status is not None and 200 <= exchange.status < 400:  # others are counted by status
            exchange.problem = form_problem(exam, exchange, form)

    time.sleep(args.pause)
    submitted = [Exchange(cookies=dict(exchange.cookies)) for exchange in opened]

    def submit(index: int, exchange: Exchange) -> None:
        learner, form = exam.learners[index], forms[index]
        if not form.token:
            exchange.problem = "no form to submit"
            return
        body = urlencode([("csrfmiddlewaretoken", form.token), *exam.answers(learner)])
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + exam.quiz_url,
        }

        def requests(connection):
            if exchange.post_and_follow(connection, exam.submit_url, body=body, headers=headers, then=exam.quiz_url):
                exchange.problem = result_problem(exam.score(learner), exchange.page)

        visit(exchange, requests)

    print(f"Wave 2: {len(submitted)} learners submit within {args.spread:g} s", flush=True)
    before = cpu()
    wave(submitted, args.spread, submit)
    spent.append(("wave 2", before, cpu()))
    figures = [
        WaveFigures("wave 1: open the quiz", opened),
        WaveFigures("wave 2: submit → result page", submitted),
        WaveFigures("  the POST alone", submitted, end="posted", with_targets=False),
    ]
    rows = [
        [
            name,
            process,
            f"{after[process] - before[process]:.2f}",
            f"{1000 * (after[process] - before[process]) / len(exam.learners):.1f}",
        ]
        for name, before, after in spent
        for process in before
    ]
    return figures, rows


# --- The database afterwards ------------------------------------------------------------------


def database_checks(exam: Exam) -> tuple[list[list[str]], list[str]]:
    """One attempt per learner, every answer recorded, scores and statuses as the answers
    imply: the table's rows and what missed."""
    from django.db.models import Count

    from courses.models import QuizAttempt, VolunteerCourse

    learners = {learner.enrolment_id: learner for learner in exam.learners}
    attempts = list(
        QuizAttempt.objects.filter(lesson_id=exam.quiz_id)
        .annotate(answer_count=Count("answers"))
        .values_list("enrolment_id", "status", "score", "answer_count")
    )
    per_enrolment = Counter(enrolment_id for enrolment_id, *_ in attempts)
    lost = sum(1 for enrolment_id in learners if enrolment_id not in per_enrolment)
    twice = sum(count - 1 for count in per_enrolment.values() if count > 1)
    strangers = sum(1 for enrolment_id in per_enrolment if enrolment_id not in learners)
    full = sum(1 for *_, answer_count in attempts if answer_count == len(exam.questions))
    scored = sum(
        1
        for enrolment_id, status, score, _ in attempts
        if enrolment_id in learners
        and status == QuizAttempt.Status.CHECKED
        and score is not None
        and abs(score - exam.score(learners[enrolment_id])) < 1e-6
    )
    enrolments = VolunteerCourse.objects.filter(pk__in=learners).values_list("pk", "status", "assessment")
    passed = VolunteerCourse.Status.PASSED, VolunteerCourse.Status.FAILED
    settled = sum(
        1
        for pk, status, assessment in enrolments
        if status == passed[not exam.passes(learners[pk])] and abs(assessment - exam.score(learners[pk])) < 1e-6
    )
    count = len(learners)
    checks = [
        ("quiz attempts", count, len(attempts)),
        ("learners without an attempt (lost)", 0, lost),
        ("attempts beyond one a learner (duplicated)", 0, twice),
        ("attempts of other enrolments", 0, strangers),
        (f"attempts with all {len(exam.questions)} answers", count, full),
        ("attempts checked, scored as the answers imply", count, scored),
        ("enrolments passed / failed as the score implies", count, settled),
    ]
    rows = [[what, str(expected), str(found), "yes" if found == expected else "no"] for what, expected, found in checks]
    missed = [f"{what}: {found}, not {expected}" for what, expected, found in checks if found != expected]
    return rows, missed


@dataclass(frozen=True)
class CertificateFigures:
    expected: int
    at_wave_end: int  # in place when the last result page came
    issued: int
    unexpected: int  # of learners who failed
    files: int
    last: datetime | None  # when the last one was made


def certificates_state(exam: Exam, private: Path) -> tuple[int, int, int, datetime | None]:
    """Certificates (with a file) of the learners who passed, of the others, PDF files in
    the folder, and when the last certificate was made."""
    from courses.models import Certificate

    passing = {learner.volunteer_id for learner in exam.learners if exam.passes(learner)}
    rows = list(
        Certificate.objects.filter(course_id=exam.course_id).exclude(file="").values_list("volunteer_id", "created_at")
    )
    issued = sum(1 for volunteer_id, _ in rows if volunteer_id in passing)
    files = sum(1 for _ in private.rglob("*.pdf"))
    return issued, len(rows) - issued, files, max((moment for _, moment in rows), default=None)


def await_certificates(exam: Exam, private: Path, wait: float, at_wave_end: int) -> CertificateFigures:
    """Polls the certificates until every learner who passed has one, or `wait` seconds."""
    expected = sum(1 for learner in exam.learners if exam.passes(learner))
    deadline = time.monotonic() + wait
    while True:
        issued, unexpected, files, last = certificates_state(exam, private)
        if (issued >= expected and files >= expected) or time.monotonic() > deadline:
            return CertificateFigures(expected, at_wave_end, issued, unexpected, files, last)
        time.sleep(0.2)


def certificate_rows(figures: CertificateFigures, submits: WaveFigures, wait: float) -> tuple[list, str, list[str]]:
    """The certificates' lines of the table after the waves, when the last one came, and
    what missed."""
    rows = [
        ["certificates of the learners who passed", str(figures.expected), str(figures.issued)],
        ["  of them in place at wave 2's last response", "", str(figures.at_wave_end)],
        ["certificate PDFs in PRIVATE_MEDIA_ROOT", str(figures.expected), str(figures.files)],
        ["certificates of learners who failed", "0", str(figures.unexpected)],
    ]
    rows = [[*row, ("yes" if row[1] == row[2] else "no") if row[1] else ""] for row in rows]
    first_and_last, when = submits.first_and_last(), "The last certificate: none."
    if figures.last and first_and_last:
        # perf_counter → the wall clock, which the certificates' created_at is read from.
        offset = time.time() - time.perf_counter()
        first, last = (moment + offset for moment in first_and_last)
        made = figures.last.timestamp()
        after_last = f"{made - last:.1f} s after" if made >= last else f"{last - made:.1f} s before"
        when = (
            f"The last certificate: {after_last} wave 2's last result page, "
            f"{made - first:.1f} s after its first submit."
        )
    missed = []
    if figures.issued != figures.expected or figures.files != figures.expected:
        missed.append(
            f"certificates: {figures.issued} rows and {figures.files} files of {figures.expected} within {wait:g} s"
        )
    if figures.unexpected:
        missed.append(f"{figures.unexpected} certificates of learners who failed")
    return rows, when, missed


# --- The run ----------------------------------------------------------------------------------


def rush_parser(description: str, *, people: str, count: int, redis_url: str) -> argparse.ArgumentParser:
    """The options of both rushes (this one and bench/assignment_rush.py): how many `people`
    (--learners, --pupils) each wave has, how the waves run, gunicorn's workers and threads,
    the bench's Redis database, the requests' timeout."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(f"--{people}", type=int, default=count, help=f"{people} in each wave ({count})")
    parser.add_argument(
        "--spread", type=float, default=SPREAD, help=f"seconds a wave's starts spread over ({SPREAD:g})"
    )
    parser.add_argument("--pause", type=float, default=PAUSE, help=f"seconds between the waves ({PAUSE:g})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker, GUNICORN_THREADS (8)")
    parser.add_argument("--redis-url", default=redis_url, help=f"a Redis database of the bench's own ({redis_url})")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help=f"seconds a request may take ({TIMEOUT})")
    return parser


def postmaster() -> int | None:
    """PostgreSQL's main process, whose children are the servers' connections: the parent
    of this connection's backend, if the database runs on this machine (else None)."""
    from django.db import connection

    connection.ensure_connection()
    backend = connection.connection.info.backend_pid  # psycopg knows it: no query
    try:
        status = Path(f"/proc/{backend}/status").read_text()
    except FileNotFoundError:
        return None
    return int(re.search(r"^PPid:\s+(\d+)$", status, re.MULTILINE).group(1))


def rush_arguments(parser: argparse.ArgumentParser, people: str) -> argparse.Namespace:
    """The rush's options, checked; from then on SIGTERM ends the script like Ctrl-C,
    through the `finally`s, which stop the servers."""
    args = parser.parse_args()
    if getattr(args, people) < 2:
        parser.error(f"--{people}: at least 2")
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL (gunicorn's workers keep their connections only with it)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return args


def main() -> int:
    parser = rush_parser(__doc__.split("\n\n")[0], people="learners", count=LEARNERS, redis_url=REDIS_URL)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (2)")
    add_worker_arguments(parser)
    parser.add_argument(
        "--certificate-wait",
        type=float,
        default=CERTIFICATE_WAIT,
        help=f"seconds to wait for the certificates after the waves ({CERTIFICATE_WAIT})",
    )
    args = rush_arguments(parser, "learners")

    # The sessions made here must be in the servers' store, and the certificates this
    # process deletes in their folder.
    private = Path(tempfile.mkdtemp(prefix="volna-exam-rush-"))
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["PRIVATE_MEDIA_ROOT"] = str(private)
    try:
        database = setup_bench()
        require_migrated(database)
        from django.contrib.sessions.models import Session

        before = yardstick_ms()
        started = time.perf_counter()
        exam = exam_prepare(args.learners)
    except BaseException:
        shutil.rmtree(private, ignore_errors=True)
        raise
    passing = sum(1 for learner in exam.learners if exam.passes(learner))
    print(
        f"Database {database}: «{COURSE_TITLE}» {exam.course_url}, quiz {exam.quiz_url} ({len(exam.questions)} "
        f"questions, {TOTAL_POINTS} points); {len(exam.learners)} learners, {passing} of whom will pass; "
        f"prepared in {time.perf_counter() - started:.1f} s"
    )
    print(
        f"gunicorn -c deploy/gunicorn.conf.py: {args.workers} workers × {args.threads} threads; Celery worker "
        f"--concurrency {args.concurrency} ({worker_settings(args)}); "
        f"Redis {args.redis_url}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    environment = production_environment(server_environment(database), redis_url=args.redis_url, private_root=private)
    port = free_port()
    try:
        with redis_database(args.redis_url):
            sessions = sign_in(exam.learners)
            try:
                with (
                    celery_worker(
                        environment,
                        concurrency=args.concurrency,
                        name="bench-exam-rush",
                        nice=args.worker_nice,
                        idle=args.worker_idle,
                    ) as (_, worker),
                    deployed_gunicorn(environment, port, workers=args.workers, threads=args.threads) as log,
                ):
                    server, postgres = gunicorn_master(log), postmaster()

                    def cpu() -> dict[str, float]:
                        return {
                            "gunicorn": cpu_seconds(server),
                            "Celery worker": cpu_seconds(worker.pid),
                            "PostgreSQL": cpu_seconds(postgres) if postgres else float("nan"),
                            "this script": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                        }

                    figures, cpu_rows = run_waves(exam, sessions, port, args, cpu)
                    at_wave_end = certificates_state(exam, private)[0]
                    checks, missed = database_checks(exam)
                    certificates = await_certificates(exam, private, args.certificate_wait, at_wave_end)
            finally:
                Session.objects.filter(session_key__in=sessions.values()).delete()
    finally:
        exam_reset(exam)
        shutil.rmtree(private, ignore_errors=True)

    print()
    header = ["wave", "requests", "non-2xx/3xx", "errors", "wrong pages", "p50 ms", "p95 ms", "max ms"]
    print_table([*header, "first start → last response s", "meets targets"], [each.row() for each in figures])
    print(
        f"Targets: every response as expected; ≤ {TARGET_SECONDS:g} s from a wave's first start to its last response."
    )
    for each in figures:
        if each.misses():
            missed.append(f"{each.name.strip()}: {'; '.join(each.misses())}")
        if each.with_targets and each.example():
            print(f"  {each.name.strip()}, e.g.: {each.example()}")
    print()
    print_table(["CPU during", "processes", "seconds", "ms a learner"], cpu_rows)
    print()
    rows, when, missed_certificates = certificate_rows(certificates, figures[1], args.certificate_wait)
    print_table(["after the waves", "expected", "found", "as expected"], checks + rows)
    print(when)
    missed += missed_certificates
    print(f"timeit: {before:.1f} ms before, {yardstick_ms():.1f} ms after (the README's line: 3.4 ms on a usual day)")
    return missed_status(missed)


if __name__ == "__main__":
    sys.exit(main())
