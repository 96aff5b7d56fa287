"""Demo courses: three directions and levels, each with chapters and text, video, webinar
and quiz lessons, and demo volunteers at different stages. Runs after volunteers.demo."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import User
from courses.models import (
    FAQ,
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
    Skill,
    VideoLesson,
    Webinar,
)
from courses.selectors import course_lessons
from courses.services import course_refresh, enrol, lesson_finish, lesson_open, quiz_submit
from volunteers.models import Direction, Level, Location, Volunteer

MOSCOW = ZoneInfo("Europe/Moscow")
TEXT, VIDEO, WEBINAR, QUIZ = Lesson.Type.TEXT, Lesson.Type.VIDEO, Lesson.Type.WEBINAR, Lesson.Type.QUIZ


@dataclass(frozen=True)
class DemoLesson:
    title: str
    type: str
    duration: int
    text: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCourse:
    title: str
    direction: str
    level: int
    format: str
    start_date: date
    short: str
    description: str
    skills: tuple[tuple[str, str], ...]
    faq: tuple[tuple[str, str], ...]
    chapters: tuple[tuple[str, tuple[DemoLesson, ...]], ...]
    region_codes: tuple[int, ...] = ()
    attempts_limit: int = 0


QUIZ_SEARCH = (
    ("single", "Что делать, если вы потерялись в лесу во время поиска?", (("Остановиться и выйти на связь со штабом", True), ("Идти на звук шоссе", False), ("Ждать темноты", False)), ""),
    ("multiple", "Что обязательно взять на выезд?", (("Заряженный телефон", True), ("Фонарь", True), ("Свисток", True), ("Ноутбук", False)), ""),
    ("text", "Как называется место, откуда координируют поиск?", (), "штаб\nштаб поиска\nкоординационный штаб"),
)  # fmt: skip
QUIZ_ELDERLY = (
    ("single", "Как лучше начать первый визит к подопечному?", (("Представиться и рассказать о цели визита", True), ("Сразу начать уборку", False)), ""),
    ("open", "Опишите, как вы поступите, если подопечный отказывается открыть дверь.", (), ""),
)  # fmt: skip
QUIZ_ECO = (
    ("single", "Какой пластик чаще всего принимают на переработку?", (("ПЭТ (маркировка 1)", True), ("ПВХ (маркировка 3)", False)), ""),
    ("text", "Как называется раздельный сбор отходов одним словом?", (), "сортировка\nраздельный сбор"),
    ("number", "На субботнике собрали 200 кг отходов, из них 50 кг — пластик. Какая доля отходов — пластик?", (), "1/4"),
    ("expression", "Команда собирает x мешков мусора в час, и 2 мешка собраны ещё до начала. Сколько мешков будет через 3 часа? Запишите выражение с x.", (), "3x + 2"),
)  # fmt: skip

DEMO_COURSES = (
    DemoCourse(
        title="Основы поисково-спасательной работы",
        direction="Поисково-спасательные работы",
        level=1,
        format=Course.Format.BLENDED,
        start_date=date(2026, 9, 1),
        short="Как устроен поиск пропавших людей и чем может помочь новичок.",
        description="<p>Курс для тех, кто впервые выходит на поиск: устройство штаба, роли в группе, "
        "безопасность в лесу и в городе, связь и навигация.</p><p>После курса вы сможете участвовать "
        "в поисковых мероприятиях в составе группы.</p>",
        skills=(("Работа в поисковой группе", "Роли, связь и дисциплина в группе"), ("Навигация", "Карта, компас, GPS")),
        faq=(("Нужно ли снаряжение?", "Для курса — нет. Для выездов список выдаётся в штабе."),),
        chapters=(
            (
                "Как устроен поиск",
                (
                    DemoLesson("Штаб и его роли", TEXT, 20, "<p>Штаб координирует поиск: принимает заявку, "
                               "делит территорию на квадраты и распределяет группы.</p>"),
                    DemoLesson("Лиза Алерт: опыт поисков", VIDEO, 25, "<p>Видеолекция о том, как проходят поиски.</p>",
                               {"video_url": "https://rutube.ru/video/demo-poisk/"}),
                ),
            ),
            (
                "Безопасность и связь",
                (
                    DemoLesson("Безопасность на выезде", TEXT, 30, "<p>Правило: никогда не отрываться от группы. "
                               "Держите телефон заряженным, сообщайте о себе штабу каждый час.</p>"),
                    DemoLesson("Вебинар: вопросы опытным поисковикам", WEBINAR, 60, "<p>Живой эфир с ответами на вопросы.</p>",
                               {"webinar": ("https://telemost.yandex.ru/j/demo-volna", datetime(2026, 12, 10, 19, 0, tzinfo=MOSCOW))}),
                    DemoLesson("Итоговый тест", QUIZ, 15, "<p>Проверьте себя.</p>", {"questions": QUIZ_SEARCH, "diploma": True}),
                ),
            ),
        ),
        attempts_limit=3,
    ),
    DemoCourse(
        title="Помощь пожилым людям: первые визиты",
        direction="Помощь пожилым людям",
        level=2,
        format=Course.Format.OFFLINE,
        start_date=date(2026, 10, 15),
        short="Как выстроить доверие с подопечным и не навредить.",
        description="<p>Курс для волонтёров с опытом: общение с пожилыми людьми, границы помощи, "
        "взаимодействие с соцслужбами.</p>",
        skills=(("Эмпатичное общение", "Слушать и слышать подопечного"),),
        faq=(("Сколько длится визит?", "Обычно 1–2 часа, раз в неделю."),),
        chapters=(
            (
                "Подопечный и волонтёр",
                (
                    DemoLesson("Первая встреча", TEXT, 30, "<p>Представьтесь, покажите удостоверение волонтёра, "
                               "расскажите о цели визита.</p>"),
                    DemoLesson("Сложные ситуации", QUIZ, 20, "<p>Ответьте на вопросы.</p>", {"questions": QUIZ_ELDERLY}),
                ),
            ),
        ),
        region_codes=(77, 78, 16),
    ),
    DemoCourse(
        title="Экологические акции: организация субботника",
        direction="Экологические акции",
        level=1,
        format=Course.Format.ONLINE,
        start_date=date(2026, 11, 1),
        short="От идеи до отчёта: как провести уборку берега или парка.",
        description="<p>Планирование, согласование с администрацией, безопасность участников и раздельный "
        "сбор собранных отходов.</p>",
        skills=(("Организация мероприятий", "План, роли, отчёт"),),
        faq=(("Нужно ли согласование?", "Да, с администрацией территории."),),
        chapters=(
            (
                "",
                (
                    DemoLesson("План субботника", TEXT, 25, "<p>Выберите место, дату и ответственных.</p>"),
                    DemoLesson("Раздельный сбор", QUIZ, 10, "<p>Короткий тест.</p>", {"questions": QUIZ_ECO}),
                    DemoLesson("Дополнительно: отчёт для соцсетей", TEXT, 15, "<p>Фото до и после, цифры, благодарности.</p>",
                               {"additional": True}),
                ),
            ),
        ),
    ),
    DemoCourse(
        title="Руководство поисковой группой",
        direction="Поисково-спасательные работы",
        level=3,
        format=Course.Format.OFFLINE,
        start_date=date(2027, 2, 1),
        short="Для опытных поисковиков: как вести группу на задаче.",
        description="<p>Курс старших групп: постановка задачи, контроль, связь со штабом и разбор выезда.</p>",
        skills=(("Лидерство", "Ответственность за группу"),),
        faq=(),
        chapters=(("Старший группы", (DemoLesson("Задача группы", TEXT, 40, "<p>Как принять и поставить задачу.</p>"),)),),
        region_codes=(77, 59),
    ),
)  # fmt: skip

# Who has got how far: (email, course title, how many lessons to finish, quiz answers or None).
DEMO_PROGRESS = (
    ("volunteer@volna.example", "Основы поисково-спасательной работы", "all", "right"),
    ("anna@volna.example", "Основы поисково-спасательной работы", 2, None),
    ("anna@volna.example", "Экологические акции: организация субботника", 0, None),
    ("mikhail.orlov@volna.example", "Руководство поисковой группой", "all", None),
    ("artem.volkov@volna.example", "Экологические акции: организация субботника", "all", "right"),
    ("sergey.pavlov@volna.example", "Основы поисково-спасательной работы", "all", "wrong"),
    ("olga.nikitina@volna.example", "Помощь пожилым людям: первые визиты", "all", "right"),
)


def seed() -> dict[str, int]:
    """Create the demo courses that are missing, then the demo volunteers' progress on
    courses they are not enrolled in yet. The demo teacher is their author: without that
    account (accounts.demo) no course is created."""
    author = User.objects.filter(email__iexact="teacher@volna.example").first()
    missing = [demo for demo in DEMO_COURSES if not Course.objects.filter(title=demo.title).exists()]
    created = sum(_seed_course(demo, author) for demo in missing) if author is not None else 0
    enrolments = sum(_seed_progress(*entry) for entry in DEMO_PROGRESS)
    return {"курсы": created, "записи на курсы": enrolments}


def _seed_course(demo: DemoCourse, author: User) -> int:
    by = {"user_created": author, "user_modified": author}
    course = Course.objects.create(
        title=demo.title,
        direction=Direction.objects.get(title=demo.direction),
        level=Level.objects.get(rank=demo.level),
        format=demo.format,
        start_date=demo.start_date,
        short_description=demo.short,
        full_description=demo.description,
        attempts_limit=demo.attempts_limit,
        ready=True,
        visible=True,
        published=True,
        **by,
    )
    for location in Location.objects.filter(code__in=demo.region_codes):
        CourseLocation.objects.create(course=course, location=location)
    for title, description in demo.skills:
        skill, _ = Skill.objects.get_or_create(title=title, defaults={"description": description, **by})
        CourseSkill.objects.create(course=course, skill=skill)
    for question, answer in demo.faq:
        CourseFAQ.objects.create(course=course, faq=FAQ.objects.create(question=question, answer=answer, **by))
    for chapter_number, (chapter_title, lessons) in enumerate(demo.chapters, start=1):
        chapter = Chapter.objects.create(title=chapter_title, **by)
        CourseChapter.objects.create(course=course, chapter=chapter, order_number=chapter_number)
        for lesson_number, demo_lesson in enumerate(lessons, start=1):
            lesson = _seed_lesson(demo_lesson, author)
            ChapterLesson.objects.create(chapter=chapter, lesson=lesson, order_number=lesson_number)
    course_refresh(course=course)
    return 1


def _seed_lesson(demo: DemoLesson, author: User) -> Lesson:
    by = {"user_created": author, "user_modified": author}
    lesson = Lesson.objects.create(
        title=demo.title,
        type=demo.type,
        duration=demo.duration,
        description=demo.text,
        ready=True,
        visible=True,
        published=True,
        additional=demo.extra.get("additional", False),
        diploma=demo.extra.get("diploma", False),
        **by,
    )
    if "video_url" in demo.extra:
        VideoLesson.objects.create(lesson=lesson, url=demo.extra["video_url"], **by)
    if "webinar" in demo.extra:
        url, start = demo.extra["webinar"]
        Webinar.objects.create(lesson=lesson, url_webinar=url, start_date=start, **by)
    for number, (kind, text, choices, accepted) in enumerate(demo.extra.get("questions", ()), start=1):
        question = Question.objects.create(
            lesson=lesson, order_number=number, kind=kind, text=text, accepted_answers=accepted
        )
        Choice.objects.bulk_create([Choice(question=question, text=label, is_correct=ok) for label, ok in choices])
    return lesson


def _quiz_responses(lesson: Lesson, quality: str) -> dict[int, dict]:
    """Answers a demo volunteer gives: all right, or all wrong (open answers are written)."""
    responses = {}
    for question in lesson.questions.prefetch_related("choices"):
        right = quality == "right"
        chosen = [choice.pk for choice in question.choices.all() if choice.is_correct == right]
        accepted = question.accepted_answers.splitlines()
        wrong = "0" if question.kind in Question.VALUE_KINDS else "не знаю"  # a wrong value, understood
        text = (accepted[0] if right else wrong) if accepted else "Позвоню координатору и соцработнику."
        responses[question.pk] = {"choices": chosen, "text": text}
    return responses


def _seed_progress(email: str, title: str, lessons_to_finish, quiz_quality: str | None) -> int:
    volunteer = Volunteer.objects.filter(user__email__iexact=email).first()
    course = Course.objects.filter(title=title).first()
    if volunteer is None or course is None or volunteer.enrolments.filter(course=course).exists():
        return 0
    enrolment = enrol(volunteer=volunteer, course=course)
    lessons = course_lessons(course)
    count = len(lessons) if lessons_to_finish == "all" else lessons_to_finish
    for lesson in lessons[:count]:
        lesson_open(enrolment=enrolment, lesson=lesson)
        if lesson.type == Lesson.Type.QUIZ:
            quiz_submit(enrolment=enrolment, lesson=lesson, responses=_quiz_responses(lesson, quiz_quality or "right"))
        else:
            lesson_finish(enrolment=enrolment, lesson=lesson)
        enrolment.refresh_from_db()
    return 1
