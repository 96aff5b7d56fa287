import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import TEST_PASSWORD
from courses.models import (
    Answer,
    Chapter,
    Choice,
    Lesson,
    Question,
    QuizAttempt,
    VolunteerCourse,
    VolunteerLesson,
)
from courses.selectors import course_details, course_structure
from courses.services import answer_review
from courses.tests.factories import (
    CourseFactory,
    VideoLessonFactory,
    WebinarFactory,
    add_chapter,
    add_lesson,
    add_question,
)
from courses.tests.test_catalogue import course_url, messages_of, page_of, volunteer_at
from courses.views.catalogue import lesson_link
from courses.views.lessons import webinar_state
from volunteers.models import Location
from volunteers.tests.factories import DirectionFactory, VolunteerFactory


def lesson_url(course, lesson, action=""):
    return f"/courses/{course.pk}/lessons/{lesson.pk}/{action + '/' if action else ''}"


@pytest.fixture
def course(db):
    """Two chapters: «Введение» (text, video), «Практика» (webinar, quiz)."""
    course = CourseFactory(title="Поиск в лесу")
    first = add_chapter(course, title="Теория")
    second = add_chapter(course, title="Практика")
    course.intro = add_lesson(first, title="Введение", description="<p>Добро <em>пожаловать</em>.</p>")
    course.video = add_lesson(first, title="Видео о снаряжении", type=Lesson.Type.VIDEO)
    course.webinar = add_lesson(second, title="Встреча с инструктором", type=Lesson.Type.WEBINAR, duration=60)
    course.quiz = add_lesson(second, title="Итоговый тест", type=Lesson.Type.QUIZ)
    return course


@pytest.fixture
def learner(client, course):
    """A volunteer enrolled in the course, signed in."""
    volunteer = volunteer_at()
    VolunteerCourse.objects.create(volunteer=volunteer, course=course)
    client.force_login(volunteer.user)
    return volunteer


def enrolment_of(volunteer, course) -> VolunteerCourse:
    return VolunteerCourse.objects.get(volunteer=volunteer, course=course)


def progress_of(volunteer, lesson):
    return volunteer.lesson_progress.get(lesson=lesson)


# --- Access -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "teacher", "administrator"])
def test_only_enrolled_volunteers_open_lessons(client, course, request, role):
    if role == "volunteer":
        client.force_login(VolunteerFactory().user)
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(lesson_url(course, course.intro))

    assert response["Location"] == course_url(course)
    assert messages_of(response) == ["Уроки курса открываются после записи на него."]


@pytest.mark.parametrize("role", ["volunteer", "teacher", "administrator"])
def test_buttons_of_a_course_one_is_not_enrolled_in_change_nothing(client, course, request, role):
    user = VolunteerFactory().user if role == "volunteer" else request.getfixturevalue(role)
    client.force_login(user)

    finish = client.post(lesson_url(course, course.intro, "finish"))
    quiz = client.post(lesson_url(course, course.quiz, "quiz"))

    assert finish["Location"] == quiz["Location"] == course_url(course)
    assert not VolunteerCourse.objects.exists()
    assert not QuizAttempt.objects.exists()


def test_the_enrolled_volunteer_opens_every_lesson(client, course, learner):
    for lesson in (course.intro, course.video, course.webinar, course.quiz):
        assert client.get(lesson_url(course, lesson)).status_code == 200, lesson


@pytest.mark.parametrize("hidden_by", ["ready", "visible", "published"])
def test_a_hidden_lesson_is_not_found(client, course, learner, hidden_by):
    Lesson.objects.filter(pk=course.video.pk).update(**{hidden_by: False})

    assert client.get(lesson_url(course, course.video)).status_code == 404
    assert client.post(lesson_url(course, course.video, "finish")).status_code == 404
    contents = page_of(client.get(lesson_url(course, course.intro)))
    assert f'href="{lesson_url(course, course.video)}"' not in contents


def test_a_lesson_of_another_course_is_not_found(client, course, learner):
    other = add_lesson(add_chapter(CourseFactory()), title="Чужой урок")

    assert client.get(lesson_url(course, other)).status_code == 404


def test_the_lessons_of_a_hidden_course_are_not_found(client, course, learner):
    type(course).objects.filter(pk=course.pk).update(visible=False)

    assert client.get(lesson_url(course, course.intro)).status_code == 404


# --- Opening and «Далее» ----------------------------------------------------------------


def test_opening_a_lesson_records_it_and_makes_the_enrolment_active(client, course, learner):
    assert enrolment_of(learner, course).status == VolunteerCourse.Status.ENROLLED

    client.get(lesson_url(course, course.intro))
    opened = progress_of(learner, course.intro).start_date
    client.get(lesson_url(course, course.intro))

    assert opened is not None
    assert progress_of(learner, course.intro).start_date == opened, "the first opening counts"
    assert enrolment_of(learner, course).status == VolunteerCourse.Status.ACTIVE
    assert progress_of(learner, course.video).start_date is None


def test_reading_an_opened_lesson_again_writes_nothing(client, course, learner):
    client.get(lesson_url(course, course.intro))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(lesson_url(course, course.intro)).status_code == 200

    statements = [query["sql"].split()[0].upper() for query in queries]
    assert set(statements) == {"SELECT"}, statements


def test_opening_a_lesson_without_a_progress_row_creates_it(client, course, learner):
    learner.lesson_progress.filter(lesson=course.video).delete()

    assert client.get(lesson_url(course, course.video)).status_code == 200

    assert progress_of(learner, course.video).start_date is not None


def test_the_contents_mark_the_passed_lessons(client, course, learner):
    learner.lesson_progress.filter(lesson=course.intro).update(passed=True)

    page = page_of(client.get(lesson_url(course, course.video)))

    passed = re.findall(r'>([^<>]+)</a>\s*<span class="status-ok"', page)
    assert passed == ["Введение"]


def test_a_text_lesson_shows_its_text_and_the_contents(client, course, learner):
    page = page_of(client.get(lesson_url(course, course.intro)))

    assert "<p>Добро <em>пожаловать</em>.</p>" in page
    assert f'<a href="{lesson_url(course, course.intro)}" aria-current="page">Введение</a>' in page
    assert page.count('aria-current="page"') == 1
    assert "Урок 1 из 4" in page
    assert f'action="{lesson_url(course, course.intro, "finish")}"' in page
    assert 'rel="prev"' not in page


def test_an_untitled_chapter_is_named_by_its_number_on_the_course_and_lesson_pages(client, course, learner):
    Chapter.objects.filter(title="Практика").update(title="")

    course_page = page_of(client.get(course_url(course)))
    lesson_page = page_of(client.get(lesson_url(course, course.intro)))

    assert re.findall(r'<h3 id="chapter-\d+">([^<]+)</h3>', course_page) == ["1. Теория", "Глава 2"]
    assert re.findall(r"<h3>([^<]+)</h3>", lesson_page) == ["Теория", "Глава 2"]


@pytest.mark.parametrize(("course_id", "lesson_id"), [(1, 3), (10, 100), (205, 7), (7, 1020)])
def test_lesson_links_are_the_lessons_urls(course_id, lesson_id):
    assert lesson_link(course_id)(lesson_id) == reverse("courses:lesson", args=[course_id, lesson_id])


def test_previous_and_next_follow_chapter_and_lesson_order(client, course, learner):
    page = page_of(client.get(lesson_url(course, course.webinar)))

    assert f'<a href="{lesson_url(course, course.video)}" rel="prev">← Видео о снаряжении</a>' in page
    assert "дальше: Итоговый тест" in page


def test_next_passes_the_lesson_and_goes_on(client, course, learner):
    response = client.post(lesson_url(course, course.intro, "finish"))

    assert response["Location"] == lesson_url(course, course.video)
    progress = progress_of(learner, course.intro)
    assert progress.passed
    assert progress.end_date is not None
    assert '✓<span class="visually-hidden"> пройден</span>' in page_of(client.get(response["Location"]))


def test_the_kept_menu_follows_the_learners_progress(client, course, learner):
    """The lesson page keeps its drawn menu by all it shows: a passed lesson is marked at once."""
    url = lesson_url(course, course.intro)
    assert 'visually-hidden"> пройден' not in page_of(client.get(url))

    VolunteerLesson.objects.filter(volunteer=learner, lesson=course.video).update(passed=True)

    assert page_of(client.get(url)).count('✓<span class="visually-hidden"> пройден</span>') == 1


def test_next_after_the_last_lesson_returns_to_the_course(client, learner):
    course = CourseFactory()
    only = add_lesson(add_chapter(course), title="Единственный урок")
    VolunteerCourse.objects.create(volunteer=learner, course=course)

    response = client.post(lesson_url(course, only, "finish"))

    assert response["Location"] == course_url(course)
    assert messages_of(response) == ["Курс пройден! Оценка: 100 из 100."]
    assert enrolment_of(learner, course).status == VolunteerCourse.Status.PASSED


def test_next_does_not_pass_a_quiz(client, course, learner):
    response = client.post(lesson_url(course, course.quiz, "finish"))

    assert response["Location"] == lesson_url(course, course.quiz)
    assert messages_of(response) == ["Тест засчитывается после проверки ответов."]
    assert not progress_of(learner, course.quiz).passed


def test_the_lesson_pages_need_post_for_their_buttons(client, course, learner):
    assert client.get(lesson_url(course, course.intro, "finish")).status_code == 405
    assert client.get(lesson_url(course, course.quiz, "quiz")).status_code == 405


# --- Video and webinars -----------------------------------------------------------------


def test_an_uploaded_video_plays_in_the_page_and_a_link_opens_outside(client, course, learner):
    VideoLessonFactory(
        lesson=course.video, video=SimpleUploadedFile("kit.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4")
    )
    VideoLessonFactory(lesson=course.video, url="https://rutube.ru/video/abc/")

    page = page_of(client.get(lesson_url(course, course.video)))

    assert re.search(
        r'<video class="lesson-video" controls preload="metadata" src="/media/courses/videos/kit\w*\.mp4">', page
    )
    assert 'href="https://rutube.ru/video/abc/"' in page


@pytest.mark.parametrize(
    ("minutes_from_start", "state"), [(-1, "скоро"), (0, "идёт"), (59, "идёт"), (60, "прошёл"), (600, "прошёл")]
)
def test_webinar_state(minutes_from_start, state):
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)

    assert webinar_state(start, 60, start + timedelta(minutes=minutes_from_start)) == state


def test_a_webinar_shows_moscow_time_its_state_and_link(client, course, learner):
    WebinarFactory(
        lesson=course.webinar,
        url_webinar="https://meet.example/room",
        start_date=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )

    page = page_of(client.get(lesson_url(course, course.webinar)))

    assert "1 мая 2026, 12:00</time> по московскому времени" in page
    assert 'href="https://meet.example/room"' in page


@pytest.mark.parametrize(("shift", "state"), [(timedelta(hours=2), "скоро"), (timedelta(minutes=-10), "идёт")])
def test_the_webinar_state_is_shown(client, course, learner, shift, state):
    WebinarFactory(lesson=course.webinar, url_webinar="https://meet.example/room", start_date=timezone.now() + shift)

    page = page_of(client.get(lesson_url(course, course.webinar)))

    assert re.search(rf'<span class="webinar-state[^"]*">{state}</span>', page)
    assert "Перейти к вебинару" in page


# --- Quizzes ----------------------------------------------------------------------------


@pytest.fixture
def questions(course):
    return {
        "single": add_question(
            course.quiz, text="Столица России?", choices=[("Тверь", False), ("Москва", True), ("Казань", False)]
        ),
        "multiple": add_question(
            course.quiz,
            kind=Question.Kind.MULTIPLE,
            text="Что взять в лес?",
            choices=[("Компас", True), ("Фонарь", True), ("Зонт", False)],
        ),
        "text": add_question(
            course.quiz, kind=Question.Kind.TEXT, text="Самая длинная река Европы?", accepted="Волга\nр. Волга"
        ),
    }


def choice_id(question, label):
    return question.choices.get(text=label).pk


def test_the_quiz_form_does_not_give_the_answers_away(client, course, learner, questions):
    page = page_of(client.get(lesson_url(course, course.quiz)))

    assert "Волга" not in page
    assert "correct" not in page.lower()
    assert "accepted" not in page.lower()
    labels = re.findall(r'<label class="choice">(.*?)</label>', page, re.S)
    assert len(labels) == 6
    shapes = {
        re.sub(r'value="\d+"', 'value="#"', label).replace(choice.text, "TEXT")
        for question in (questions["single"], questions["multiple"])
        for choice in question.choices.all()
        for label in labels
        if label.endswith(f" {choice.text}")
    }
    assert shapes == {
        '<input type="radio" name="question-{}" value="#"> TEXT'.format(questions["single"].pk),
        '<input type="checkbox" name="question-{0}" value="#" aria-describedby="hint-{0}"> TEXT'.format(
            questions["multiple"].pk
        ),
    }, "a right choice looks exactly like a wrong one"


def test_every_question_is_a_fieldset_with_a_legend_and_labelled_inputs(client, course, learner, questions):
    open_question = add_question(course.quiz, kind=Question.Kind.OPEN, text="Опишите свой первый выход.")

    page = page_of(client.get(lesson_url(course, course.quiz)))

    assert page.count('<fieldset class="question">') == page.count("<legend>") == 4
    assert "<legend>Вопрос 1 из 4. Столица России?</legend>" in page
    pk = questions["text"].pk
    assert f'<label for="answer-{pk}">Ваш ответ</label>' in page
    assert f'<input type="text" id="answer-{pk}" name="question-{pk}"' in page
    assert f'<textarea id="answer-{open_question.pk}" name="question-{open_question.pk}"' in page


def test_the_forms_ids_are_plain_digits_whatever_the_number_format(client, course, learner, settings):
    settings.USE_THOUSAND_SEPARATOR = True  # ru: 12 345 with a no-break space
    question = add_question(course.quiz, kind=Question.Kind.SINGLE, text="Сколько?")
    Choice.objects.create(pk=12_345, question=question, text="Много", is_correct=True)

    page = page_of(client.get(lesson_url(course, course.quiz)))

    assert f'<input type="radio" name="question-{question.pk}" value="12345">' in page


def test_a_quiz_is_checked_at_once_and_the_result_shown(client, course, learner, questions):
    single, multiple, text = questions["single"], questions["multiple"], questions["text"]

    response = client.post(
        lesson_url(course, course.quiz, "quiz"),
        {
            f"question-{single.pk}": choice_id(single, "Москва"),
            f"question-{multiple.pk}": [choice_id(multiple, "Компас")],
            f"question-{text.pk}": "  ВОЛГА ",
        },
    )

    assert response["Location"] == lesson_url(course, course.quiz)
    assert messages_of(response) == ["Тест проверен: 66,7 из 100."]
    attempt = QuizAttempt.objects.get()
    assert (attempt.status, attempt.score) == (QuizAttempt.Status.CHECKED, 66.7)
    assert progress_of(learner, course.quiz).passed
    page = page_of(client.get(lesson_url(course, course.quiz)))
    assert "Результат: <strong>66,7 из 100</strong>" in page
    assert page.count("✓ Верно") == 2
    assert page.count("✗ Неверно") == 1
    assert re.search(r"Ваш ответ:\s*Компас\s*</p>", page)
    assert 'name="question-' not in page, "the form is gone once the attempt is sent"


def test_the_result_keeps_the_questions_lines_and_shows_each_answer_as_given(client, course, learner):
    two_lines = add_question(
        course.quiz,
        kind=Question.Kind.MULTIPLE,
        text="Что взять в поход?\nОтметьте <все> нужное.",
        choices=[("Компас", True), ("Фонарь", True), ("Зонт", False)],
    )
    unanswered = add_question(course.quiz, kind=Question.Kind.TEXT, text="Самая длинная река?", accepted="Волга")
    client.post(
        lesson_url(course, course.quiz, "quiz"),
        {f"question-{two_lines.pk}": [choice_id(two_lines, "Фонарь"), choice_id(two_lines, "Компас")]},
    )

    page = page_of(client.get(lesson_url(course, course.quiz)))

    first, second = page.split('<li class="quiz-answer')[1:]
    assert "Что взять в поход?<br>Отметьте &lt;все&gt; нужное." in first
    assert re.search(r"Ваш ответ:\s*Компас; Фонарь\s*</p>", first), "picked choices in the question's order"
    assert first.startswith(' quiz-answer-right"') and "✓ Верно" in first
    assert unanswered.text in second and re.search(r"Ваш ответ:\s*—\s*</p>", second) and "✗ Неверно" in second


def test_the_result_shows_a_written_answer_with_its_lines_and_escaped(client, course, learner):
    question = add_question(course.quiz, kind=Question.Kind.TEXT, text="Самая длинная река?", accepted="Волга")
    client.post(lesson_url(course, course.quiz, "quiz"), {f"question-{question.pk}": "Волга,\n<b>Ока</b>"})

    page = page_of(client.get(lesson_url(course, course.quiz)))

    assert re.search(r"Ваш ответ:\s*Волга,<br>&lt;b&gt;Ока&lt;/b&gt;\s*</p>", page)


def test_a_second_submission_in_the_same_attempt_is_refused(client, course, learner, questions):
    single = questions["single"]
    client.post(lesson_url(course, course.quiz, "quiz"), {f"question-{single.pk}": choice_id(single, "Тверь")})

    response = client.post(
        lesson_url(course, course.quiz, "quiz"), {f"question-{single.pk}": choice_id(single, "Москва")}
    )

    assert messages_of(response)[-1] == "Ответы на этот тест уже отправлены."
    assert QuizAttempt.objects.count() == 1
    assert Answer.objects.get(question=single).choices.get().text == "Тверь"


def test_a_choice_of_another_question_is_ignored(client, course, learner, questions):
    single = questions["single"]
    other_question_choice = choice_id(questions["multiple"], "Компас")

    response = client.post(lesson_url(course, course.quiz, "quiz"), {f"question-{single.pk}": [other_question_choice]})

    assert response.status_code == 302
    assert not Answer.objects.get(question=single).choices.exists()


@pytest.mark.parametrize("junk", ["9" * 5000, "9" * 20, "²", "abc", ""])
def test_a_choice_that_is_no_id_is_a_400_and_the_attempt_is_kept(client, course, learner, questions, junk):
    single, multiple = questions["single"], questions["multiple"]

    response = client.post(
        lesson_url(course, course.quiz, "quiz"),
        {f"question-{single.pk}": choice_id(single, "Москва"), f"question-{multiple.pk}": [junk]},
    )

    assert response.status_code == 400
    assert not QuizAttempt.objects.exists()
    assert not Answer.objects.exists()
    assert 'name="question-' in page_of(client.get(lesson_url(course, course.quiz))), "the quiz can still be sent"


def test_an_open_answer_waits_for_the_teacher_and_then_shows_the_comment(client, course, learner, teacher):
    choice = add_question(course.quiz, text="2 + 2?", choices=[("4", True), ("5", False)])
    essay = add_question(course.quiz, kind=Question.Kind.OPEN, text="Опишите свой первый выход.", points=3)

    response = client.post(
        lesson_url(course, course.quiz, "quiz"),
        {f"question-{choice.pk}": choice_id(choice, "4"), f"question-{essay.pk}": "Шли по азимуту."},
    )

    assert messages_of(response) == ["Ответы отправлены. Развёрнутые ответы проверит преподаватель."]
    page = page_of(client.get(lesson_url(course, course.quiz)))
    assert "Итог появится после проверки преподавателем." in page
    assert "Ждёт проверки преподавателем" in page
    assert "✓ Верно" in page
    assert not progress_of(learner, course.quiz).passed

    answer_review(
        answer=Answer.objects.get(question=essay), fraction=1 / 3, comment="Мало подробностей.", teacher=teacher
    )

    page = page_of(client.get(lesson_url(course, course.quiz)))
    assert "Результат: <strong>50 из 100</strong>" in page
    assert "Проверено преподавателем: 1 из 3 (баллы)" in page
    assert "<strong>Комментарий преподавателя:</strong> Мало подробностей." in page
    assert "Ждёт проверки преподавателем" not in page
    assert progress_of(learner, course.quiz).passed


def test_a_quiz_query_count_does_not_grow_with_questions(client, course, learner, django_assert_max_num_queries):
    for number in range(20):
        add_question(course.quiz, text=f"Вопрос {number}?", choices=[("да", True), ("нет", False)])

    course_details(course.pk), course_structure(course)  # as any reader before left them cached

    # session, user with the unread count, volunteer, enrolment, progress, questions,
    # choices, attempt; the first opening also writes the start and the status (in a
    # transaction: savepoint, two updates, release)
    with django_assert_max_num_queries(12):
        assert client.get(lesson_url(course, course.quiz)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(lesson_url(course, course.quiz)).status_code == 200


def test_a_lesson_and_its_quiz_never_read_the_learners_level(client, course, learner):
    """Enrolled is enough: the level opened the course at enrolment. A webinar's learners
    open and submit its quiz at once (bench/exam_rush.py), and the level cost each request
    a subquery."""
    question = add_question(course.quiz, text="Верно?", choices=[("да", True), ("нет", False)])
    right = question.choices.get(is_correct=True)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(lesson_url(course, course.quiz)).status_code == 200
        response = client.post(lesson_url(course, course.quiz, "quiz"), {f"question-{question.pk}": right.pk})
        assert response.status_code == 302
        assert "Результат: <strong>100 из 100</strong>" in page_of(client.get(lesson_url(course, course.quiz)))

    assert not [query["sql"] for query in queries.captured_queries if '"volunteers_levels"' in query["sql"]]


# --- The whole course -------------------------------------------------------------------


def test_passing_every_lesson_and_the_quiz_passes_the_course(client, db):
    course = CourseFactory(title="Короткий курс")
    chapter = add_chapter(course)
    text = add_lesson(chapter, title="Теория")
    quiz = add_lesson(chapter, title="Проверка", type=Lesson.Type.QUIZ)
    add_lesson(chapter, title="Дополнительное чтение", additional=True)
    question = add_question(quiz, text="Верно?", choices=[("Да", True), ("Нет", False)])
    volunteer = volunteer_at()
    client.force_login(volunteer.user)

    client.post(course_url(course, "enrol"))
    client.get(lesson_url(course, text))
    assert client.post(lesson_url(course, text, "finish"))["Location"] == lesson_url(course, quiz)
    client.get(lesson_url(course, quiz))
    response = client.post(lesson_url(course, quiz, "quiz"), {f"question-{question.pk}": choice_id(question, "Да")})

    assert messages_of(response)[-2:] == ["Тест проверен: 100 из 100.", "Курс пройден! Оценка: 100 из 100."]
    enrolment = enrolment_of(volunteer, course)
    assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.PASSED, 100)
    my_courses = page_of(client.get("/courses/my/"))
    assert "Короткий курс" in my_courses
    assert "<td>Пройден</td>" in my_courses
    assert "100 из 100" in my_courses
    assert "Пройден" in page_of(client.get("/courses/"))


def test_a_failed_quiz_fails_the_course_and_the_retake_reopens_it(client, db):
    course = CourseFactory(attempts_limit=3)
    quiz = add_lesson(add_chapter(course), title="Экзамен", type=Lesson.Type.QUIZ)
    question = add_question(quiz, text="Верно?", choices=[("Да", True), ("Нет", False)])
    volunteer = volunteer_at()
    VolunteerCourse.objects.create(volunteer=volunteer, course=course)
    client.force_login(volunteer.user)

    response = client.post(lesson_url(course, quiz, "quiz"), {f"question-{question.pk}": choice_id(question, "Нет")})

    assert messages_of(response)[-1] == "Курс не пройден: оценка 0 из 100."
    assert "Пройти заново" in page_of(client.get(course_url(course)))
    client.post(course_url(course, "retake"))
    page = page_of(client.get(lesson_url(course, quiz)))
    assert f'name="question-{question.pk}"' in page, "a new course attempt gets a new quiz attempt"


# --- In a browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_volunteer_finds_a_course_enrols_learns_and_passes_it(page):
    medicine, sport = DirectionFactory(title="Медицина"), DirectionFactory(title="Спорт")
    course = CourseFactory(title="Первая помощь", direction=medicine)
    chapter = add_chapter(course, title="Основы")
    add_lesson(chapter, title="Что в аптечке", description="<p>Бинт, пластырь, перчатки.</p>")
    quiz = add_lesson(chapter, title="Проверим себя", type=Lesson.Type.QUIZ)
    add_question(quiz, text="Нужны ли перчатки?", choices=[("Да", True), ("Нет", False)])
    CourseFactory(title="Бег по пересечённой местности", direction=sport)
    volunteer = volunteer_at("Новичок", Location.objects.create(code=77, region="Москва"))

    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(volunteer.user.email)
    page.get_by_label("Пароль:", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("navigation", name="Основная навигация").get_by_role("link", name="Курсы").click()

    page.get_by_label("Направление").select_option(label="Медицина")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_role("heading", level=3)).to_have_text(["Первая помощь"])
    page.get_by_role("link", name="Первая помощь").click()

    page.get_by_role("button", name="Записаться").click()
    expect(page.get_by_role("status")).to_contain_text("Вы записались на курс «Первая помощь».")
    page.get_by_role("link", name="Начать обучение").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Что в аптечке")
    expect(page.get_by_text("Бинт, пластырь, перчатки.")).to_be_visible()
    page.get_by_role("button", name="Далее").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Проверим себя")
    page.get_by_role("group", name="Нужны ли перчатки?").get_by_label("Да").check()
    page.get_by_role("button", name="Отправить ответы").click()
    expect(page.get_by_role("status")).to_contain_text("Курс пройден! Оценка: 100 из 100.")

    page.get_by_role("link", name="Мои курсы").first.click()
    row = page.get_by_role("row").filter(has_text="Первая помощь")
    expect(row.get_by_role("cell").nth(1)).to_have_text("Пройден")
