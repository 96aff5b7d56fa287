"""Demo methodics: a small category tree and a dozen lesson plans by the demo teacher, with
timed steps, tags, drawn covers and step pictures (Pillow, no downloads), mostly
published, and a few comments by the demo volunteers. Runs after accounts.demo; a
methodic whose title exists is left as it is."""

import io
import zlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from core.cache import content_changed
from core.pdf import FONT_DIR
from methodics.models import Category, Methodic, Tag
from methodics.services import comment_add, media_add, methodic_publish, methodic_save, step_add

TEACHER_EMAIL = "teacher@volna.example"
COMMENTERS = ("volunteer@volna.example", "anna@volna.example")

# (parent, name); parents come first.
CATEGORIES = (
    (None, "Игры"),
    ("Игры", "Игры на знакомство"),
    ("Игры", "Подвижные игры"),
    (None, "Творчество"),
    ("Творчество", "Рисование"),
    (None, "Экология"),
    (None, "Первая помощь"),
)
PALETTE = ("#0b5cad", "#2e8b57", "#d2691e", "#8a2be2", "#c0392b", "#16a085", "#b7950b")


@dataclass(frozen=True)
class DemoMethodic:
    title: str
    category: str
    short: str
    goal: str
    materials: str
    description: str
    steps: tuple[tuple[int, str, str], ...]  # (minutes, what happens, expected result)
    tags: tuple[str, ...]
    literature: str = ""
    pictures: bool = False  # a drawn cover, step pictures and a photo in the gallery
    published: bool = True
    comments: tuple[str, ...] = ()


DEMO_METHODICS = (
    DemoMethodic(
        title="Снежный ком: знакомство по именам",
        category="Игры на знакомство",
        short="Игра, после которой вся группа знает имена друг друга.",
        goal="Запомнить имена участников и снять напряжение первой встречи.",
        materials="Мяч\nБейджи и маркеры",
        description="<p>Участники стоят в круге. Каждый повторяет имена всех, кто говорил до него, и добавляет своё.</p>",
        steps=(
            (5, "Ведущий объясняет правила и первым называет своё имя с жестом.", "Группа понимает правила."),
            (15, "По кругу каждый повторяет имена и жесты предыдущих и добавляет свои.", "Каждый назвал себя."),
            (5, "Мяч бросают тому, чьё имя называют вслух.", "Имена закрепляются в игре."),
            (5, "Обсуждение: чьё имя запомнилось легче всего и почему.", "Участники делятся впечатлениями."),
        ),
        tags=("знакомство", "круг", "первое занятие"),
        literature="Шевцова И. В. Тренинг: игры и упражнения. — М., 2019.",
        pictures=True,
        comments=("Проверили в отряде из 18 человек — работает отлично!", "Мы добавили к жесту ещё и любимое блюдо."),
    ),
    DemoMethodic(
        title="Два факта и одна выдумка",
        category="Игры на знакомство",
        short="Участники рассказывают о себе, а группа угадывает выдумку.",
        goal="Узнать участников лучше и потренировать внимание к собеседнику.",
        materials="Листы бумаги\nРучки",
        description="<p>Каждый пишет о себе три утверждения: два правдивых и одно выдуманное.</p>",
        steps=(
            (5, "Раздать листы, объяснить правила.", "Все готовы писать."),
            (10, "Участники записывают два факта и одну выдумку.", "У каждого три утверждения."),
            (20, "По очереди зачитывают, группа голосует, где выдумка.", "Группа узнаёт неожиданные факты."),
        ),
        tags=("знакомство", "общение"),
    ),
    DemoMethodic(
        title="Вышибалы с заданиями",
        category="Подвижные игры",
        short="Классическая игра в мяч с заданиями для выбывших.",
        goal="Дать группе подвигаться и научить договариваться в команде.",
        materials="Мягкий мяч\nКонусы для разметки площадки",
        description="<p>Выбывший игрок возвращается в игру, выполнив задание ведущего.</p>",
        steps=(
            (5, "Разметить площадку и разделить игроков на две команды.", "Команды на местах."),
            (5, "Разминка: бег, прыжки, наклоны.", "Мышцы разогреты."),
            (20, "Игра в вышибалы с заданиями для выбывших.", "Все активно участвуют."),
            (5, "Заминка и подведение итогов.", "Пульс восстановлен, группа спокойна."),
        ),
        tags=("мяч", "спорт", "на улице"),
        pictures=True,
    ),
    DemoMethodic(
        title="Эстафета «Собери пазл»",
        category="Подвижные игры",
        short="Командная эстафета: бегом доставить детали и собрать картинку.",
        goal="Развить командную работу и скорость принятия решений.",
        materials="Два разрезанных на части плаката\nОбручи\nСекундомер",
        description="<p>Каждый участник приносит по одной детали, последний собирает пазл вместе с командой.</p>",
        steps=(
            (5, "Построить команды в колонны, объяснить правила.", "Команды готовы."),
            (15, "Эстафета: по одному бегут к обручу за деталью.", "Все детали у команд."),
            (10, "Команды собирают пазл на скорость.", "Картинки собраны."),
        ),
        tags=("эстафета", "команда", "на улице"),
    ),
    DemoMethodic(
        title="Рисуем эмоции",
        category="Рисование",
        short="Участники изображают чувства цветом и линией.",
        goal="Помочь детям называть свои эмоции и говорить о них.",
        materials="Бумага А3\nГуашь\nКисти\nСтаканчики для воды",
        description="<p>Без предметного рисунка: только цвет, линии и пятна.</p><p>Важно не оценивать работы.</p>",
        steps=(
            (5, "Беседа: какие бывают эмоции, как они выглядят.", "Дети называют эмоции."),
            (20, "Каждый рисует три эмоции: радость, грусть и злость.", "Три рисунка у каждого."),
            (10, "Выставка и обсуждение: что было трудно нарисовать.", "Дети говорят о чувствах."),
        ),
        tags=("рисование", "эмоции", "дети"),
        pictures=True,
        comments=("Дети были в восторге, особенно от «злости» :)",),
    ),
    DemoMethodic(
        title="Коллективный плакат «Наш двор»",
        category="Творчество",
        short="Группа вместе рисует карту своего двора.",
        goal="Научить договариваться об общем замысле и распределять работу.",
        materials="Рулон обоев\nФломастеры\nЦветная бумага\nКлей",
        description="<p>Плакат делится на зоны, каждая мини-группа отвечает за свою.</p>",
        steps=(
            (10, "Обсудить, что есть в нашем дворе, и нарисовать общий план.", "Есть общий план."),
            (25, "Мини-группы рисуют свои зоны.", "Все зоны заполнены."),
            (10, "Презентация плаката.", "Каждая группа рассказала о своей зоне."),
        ),
        tags=("команда", "дети"),
        published=False,
    ),
    DemoMethodic(
        title="Сортируем отходы правильно",
        category="Экология",
        short="Практическое занятие о раздельном сборе мусора.",
        goal="Научить отличать виды отходов и знать, что из них перерабатывается.",
        materials="Чистые упаковки разных видов\nЧетыре коробки с надписями\nКарточки с маркировками пластика",
        description="<p>Участники в командах сортируют набор упаковок и проверяют себя по маркировке.</p>",
        steps=(
            (10, "Рассказ о переработке и маркировках пластика.", "Участники знают маркировки."),
            (15, "Командная сортировка упаковок по коробкам.", "Упаковки разложены."),
            (10, "Проверка и разбор ошибок.", "Ошибки разобраны."),
            (5, "Итог: где в нашем районе принимают вторсырьё.", "Участники знают адреса пунктов."),
        ),
        tags=("экология", "переработка"),
        literature="Гид по раздельному сбору отходов. — Гринпис России, 2022.",
        pictures=True,
        comments=("Полезно! Добавьте, пожалуйста, карточки для распечатки.",),
    ),
    DemoMethodic(
        title="Экотропа в парке",
        category="Экология",
        short="Прогулка с заданиями: деревья, птицы и следы человека в парке.",
        goal="Научить замечать природу рядом и бережно к ней относиться.",
        materials="Маршрутные листы\nЛупы\nПакеты и перчатки для сбора мусора",
        description="<p>Маршрут из пяти точек, на каждой — задание.</p>",
        steps=(
            (5, "Инструктаж по безопасности и маршруту.", "Все знают правила."),
            (40, "Прохождение пяти точек с заданиями.", "Маршрутные листы заполнены."),
            (15, "Сбор мусора на обратном пути.", "Участок парка чище."),
            (10, "Обсуждение находок.", "Участники делятся наблюдениями."),
        ),
        tags=("экология", "на улице"),
    ),
    DemoMethodic(
        title="Первая помощь при кровотечении",
        category="Первая помощь",
        short="Как остановить кровотечение до приезда скорой.",
        goal="Научить останавливать наружное кровотечение и вызывать помощь.",
        materials="Бинты\nЖгут\nПерчатки\nМанекен или статист",
        description="<p>Занятие ведёт инструктор с опытом. Каждый участник отрабатывает наложение повязки.</p>",
        steps=(
            (10, "Виды кровотечений и порядок действий.", "Участники знают алгоритм."),
            (5, "Как вызвать скорую: что сказать диспетчеру.", "Участники умеют вызвать помощь."),
            (25, "Отработка давящей повязки и жгута в парах.", "Каждый наложил повязку."),
            (5, "Разбор ошибок.", "Ошибки разобраны."),
        ),
        tags=("первая помощь", "безопасность"),
        literature="Первая помощь: учебное пособие. — Российский Красный Крест, 2020.",
        pictures=True,
    ),
    DemoMethodic(
        title="Сердечно-лёгочная реанимация: основы",
        category="Первая помощь",
        short="Отработка СЛР на манекене.",
        goal="Научить проверять сознание и дыхание и проводить компрессии грудной клетки.",
        materials="Манекен для СЛР\nАнтисептик\nМетроном",
        description="<p>Темп компрессий — 100–120 в минуту, глубина — 5–6 см.</p>",
        steps=(
            (10, "Алгоритм: безопасность, сознание, дыхание, вызов помощи.", "Участники знают алгоритм."),
            (30, "Отработка компрессий под метроном.", "Каждый выполнил пять циклов."),
            (5, "Вопросы и ответы.", "Сомнения сняты."),
        ),
        tags=("первая помощь", "безопасность"),
        comments=("Очень нужная тема, спасибо!",),
    ),
    DemoMethodic(
        title="Крокодил: объясни без слов",
        category="Игры",
        short="Пантомима для разрядки в середине долгого занятия.",
        goal="Снять усталость и развить невербальное общение.",
        materials="Карточки со словами",
        description="<p>Показывающий объясняет слово только жестами.</p>",
        steps=(
            (5, "Разделиться на две команды, объяснить правила.", "Команды готовы."),
            (15, "Команды по очереди показывают слова.", "Все попробовали показать."),
        ),
        tags=("разминка", "общение"),
    ),
    DemoMethodic(
        title="Рисуем пальчиками: осенний лес",
        category="Рисование",
        short="Пальчиковое рисование для дошкольников.",
        goal="Развить мелкую моторику и чувство цвета.",
        materials="Пальчиковые краски\nПлотная бумага\nВлажные салфетки",
        description="<p>Ствол рисуем ладонью, листья — отпечатками пальцев.</p>",
        steps=(
            (5, "Рассматриваем осенние листья, называем цвета.", "Дети называют цвета."),
            (15, "Рисуем деревья и листья пальчиками.", "У каждого картина."),
            (5, "Уборка и выставка.", "Место убрано, рисунки на стене."),
        ),
        tags=("рисование", "дети"),
        published=False,
    ),
)


# --- Pictures --------------------------------------------------------------------------------


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), size)


def _png(image: Image.Image, name: str) -> ContentFile:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


def _colour(text: str) -> str:
    return PALETTE[zlib.crc32(text.encode()) % len(PALETTE)]


def draw_cover(title: str, category: str) -> ContentFile:
    """A 960×540 cover: a coloured field, circles, the category and the title."""
    image = Image.new("RGB", (960, 540), _colour(category))
    draw = ImageDraw.Draw(image)
    for index in range(6):
        radius = 60 + 25 * index
        x, y = 780 - 70 * index, 110 + 60 * (index % 3)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline="white", width=4)
    draw.rectangle((0, 360, 960, 540), fill="#ffffff")
    draw.text((40, 40), category.upper(), fill="white", font=_font(30))
    words, lines = title.split(), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if draw.textlength(candidate, font=_font(44)) > 880:
            lines.append(word)
        else:
            lines[-1] = candidate
    for index, line in enumerate(lines[:2]):
        draw.text((40, 380 + 60 * index), line, fill="#1b2430", font=_font(44))
    return _png(image, "cover.png")


def draw_step(number: int, minutes: int, text: str) -> ContentFile:
    """A 640×360 step card: the step number in a circle, its minutes and a short caption."""
    image = Image.new("RGB", (640, 360), "#f4f7fb")
    draw = ImageDraw.Draw(image)
    colour = _colour(text)
    draw.ellipse((40, 40, 200, 200), fill=colour)
    draw.text((120, 120), str(number), fill="white", font=_font(90), anchor="mm")
    draw.text((240, 80), f"{minutes} мин", fill=colour, font=_font(48))
    draw.rounded_rectangle((40, 240, 600, 320), radius=20, outline=colour, width=4)
    caption = text if len(text) <= 34 else text[:33] + "…"
    draw.text((60, 280), caption, fill="#1b2430", font=_font(24), anchor="lm")
    return _png(image, f"step-{number}.png")


# --- Seeding ---------------------------------------------------------------------------------


def _categories() -> tuple[dict[str, Category], int]:
    found, created = {}, 0
    for parent, name in CATEGORIES:
        category, new = Category.objects.get_or_create(parent=found.get(parent), name=name)
        found[name] = category
        created += new
    if created:
        content_changed("methodics")  # the library's category filter
    return found, created


@transaction.atomic
def _create(demo: DemoMethodic, *, teacher: User, category: Category, commenters: list[User]) -> int:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in demo.tags]
    methodic = Methodic(
        author=teacher,
        title=demo.title,
        short_description=demo.short,
        goal=demo.goal,
        materials=demo.materials,
        description=demo.description,
        literature=demo.literature,
        category=category,
        cover=draw_cover(demo.title, category.name) if demo.pictures else "",
    )
    methodic_save(methodic=methodic, tags=tags)
    for number, (minutes, text, result) in enumerate(demo.steps, start=1):
        image = draw_step(number, minutes, text) if demo.pictures else None
        step_add(methodic=methodic, duration=minutes, description=text, expected_result=result, image=image)
    if demo.pictures:
        photo = draw_step(len(demo.steps) + 1, methodic.total_duration, "Так это было у нас")
        media_add(methodic=methodic, kind="image", file=photo, caption="Фото с занятия")
    if not demo.published:
        return 0
    methodic_publish(methodic=methodic, by=methodic.author)
    comments = 0
    for index, text in enumerate(demo.comments):
        if commenters:
            comment_add(methodic=methodic, author=commenters[(index + len(demo.title)) % len(commenters)], text=text)
            comments += 1
    return comments


def seed() -> dict[str, int]:
    """The category tree, then every demo methodic whose title is not taken yet."""
    categories, new_categories = _categories()
    teacher = User.objects.filter(email__iexact=TEACHER_EMAIL).first()
    if teacher is None:
        return {"категории методик": new_categories, "методики": 0, "комментарии к методикам": 0}
    commenters = [user for email in COMMENTERS if (user := User.objects.filter(email__iexact=email).first())]
    existing = set(
        Methodic.objects.filter(title__in=[demo.title for demo in DEMO_METHODICS]).values_list("title", flat=True)
    )
    created = comments = 0
    for demo in DEMO_METHODICS:
        if demo.title in existing:
            continue
        comments += _create(demo, teacher=teacher, category=categories[demo.category], commenters=commenters)
        created += 1
    return {"категории методик": new_categories, "методики": created, "комментарии к методикам": comments}
