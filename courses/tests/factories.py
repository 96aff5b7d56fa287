from datetime import date

import factory

from accounts.models import User
from courses.models import (
    FAQ,
    Chapter,
    ChapterLesson,
    Choice,
    Course,
    CourseChapter,
    Lesson,
    Question,
    Skill,
    VideoLesson,
    Webinar,
)
from volunteers.tests.factories import DirectionFactory, level_of_rank


def content_author() -> User:
    """The one account, with no role, recorded as creator of the content the factories
    make (user_created / user_modified are required, spec 001); a test that cares about
    authorship passes its own user."""
    author, _ = User.objects.get_or_create(
        username="content-author", defaults={"email": "content-author@volna.example", "last_name": "Автор"}
    )
    return author


class AuthoredFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    user_created = factory.LazyFunction(content_author)
    user_modified = factory.SelfAttribute("user_created")


class CourseFactory(AuthoredFactory):
    """A course learners can see (ready, visible, published), for Новичок, open everywhere."""

    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Курс {n}")
    direction = factory.SubFactory(DirectionFactory)
    level = factory.LazyFunction(lambda: level_of_rank(1))
    format = Course.Format.ONLINE
    start_date = date(2026, 9, 1)
    short_description = "Основы волонтёрской работы."
    full_description = "<p>Подробное описание курса.</p>"
    ready = True
    visible = True
    published = True


class LessonFactory(AuthoredFactory):
    """A shown text lesson of 30 minutes."""

    class Meta:
        model = Lesson

    title = factory.Sequence(lambda n: f"Урок {n}")
    description = "<p>Текст урока.</p>"
    type = Lesson.Type.TEXT
    duration = 30
    ready = True
    visible = True
    published = True


class ChapterFactory(AuthoredFactory):
    class Meta:
        model = Chapter

    title = factory.Sequence(lambda n: f"Глава {n}")


class SkillFactory(AuthoredFactory):
    class Meta:
        model = Skill

    title = factory.Sequence(lambda n: f"Навык {n}")
    description = "Описание навыка."


class FAQFactory(AuthoredFactory):
    class Meta:
        model = FAQ

    question = factory.Sequence(lambda n: f"Вопрос {n}?")
    answer = "Ответ."


class VideoLessonFactory(AuthoredFactory):
    """Pass `lesson`, and `video` or `url`."""

    class Meta:
        model = VideoLesson


class WebinarFactory(AuthoredFactory):
    """A webinar (`lesson` and `start_date` are required)."""

    class Meta:
        model = Webinar

    url_webinar = "https://meet.example/room"


def add_chapter(course: Course, *, title: str = "", order_number: int | None = None) -> Chapter:
    """A new chapter at the end of the course (or at `order_number`)."""
    chapter = ChapterFactory(title=title or f"Глава курса {course.pk}")
    number = order_number or course.course_chapters.count() + 1
    CourseChapter.objects.create(course=course, chapter=chapter, order_number=number)
    return chapter


def add_lesson(chapter: Chapter, **fields) -> Lesson:
    """A new lesson at the end of the chapter (LessonFactory fields may be overridden)."""
    lesson = LessonFactory(**fields)
    ChapterLesson.objects.create(chapter=chapter, lesson=lesson, order_number=chapter.chapter_lessons.count() + 1)
    return lesson


def add_question(quiz: Lesson, *, kind=Question.Kind.SINGLE, text="Вопрос?", choices=(), accepted="", points=1):
    """A question at the end of the quiz; `choices` are (text, is_correct) pairs."""
    question = Question.objects.create(
        lesson=quiz,
        order_number=quiz.questions.count() + 1,
        kind=kind,
        text=text,
        accepted_answers=accepted,
        points=points,
    )
    Choice.objects.bulk_create([Choice(question=question, text=label, is_correct=ok) for label, ok in choices])
    return question
