import re

import pytest
from django.utils import timezone

from accounts.models import Message
from accounts.roles import ADMIN, TEACHER
from accounts.tests.factories import UserFactory
from courses.models import (
    Answer,
    Course,
    Lesson,
    Question,
    QuizAttempt,
    VolunteerCourse,
    VolunteerLesson,
)
from courses.services import (
    CourseError,
    answer_review,
    course_publish,
    course_refresh,
    course_retake,
    course_unpublish,
    enrol,
    lesson_finish,
    lesson_open,
    normalize_answer,
    quiz_submit,
    reorder,
)
from courses.tests.factories import CourseFactory, add_chapter, add_lesson, add_question
from courses.tests.visitors import CATALOGUE, course_page, listed_titles, visitor_gets, visitor_sees
from volunteers.models import VolunteerLevel
from volunteers.services import volunteer_choose_level
from volunteers.tests.factories import LocationFactory, VolunteerFactory, level_of_rank

pytestmark = pytest.mark.django_db


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def volunteer_of_level(rank: int, **fields):
    """A volunteer whose confirmed level is `rank` (Новичок is confirmed on creation)."""
    volunteer = VolunteerFactory(**fields)
    if rank > 1:
        VolunteerLevel.objects.create(
            volunteer=volunteer, level=level_of_rank(rank), confirmed=True, confirmed_at=timezone.now()
        )
    return volunteer


def progress(enrolment, lesson) -> VolunteerLesson:
    return VolunteerLesson.objects.get(volunteer=enrolment.volunteer, lesson=lesson)


def fresh(enrolment) -> VolunteerCourse:
    enrolment.refresh_from_db()
    return enrolment


def checked_attempt(enrolment, quiz, score):
    """A quiz already scored in the enrolment's current attempt, its lesson passed — as
    quiz_submit / answer_review leave it — without going through them."""
    VolunteerLesson.objects.filter(volunteer=enrolment.volunteer, lesson=quiz).update(
        passed=True, start_date=timezone.now(), end_date=timezone.now()
    )
    return QuizAttempt.objects.create(
        enrolment=enrolment,
        lesson=quiz,
        number=enrolment.attempts,
        status=QuizAttempt.Status.CHECKED,
        score=score,
        checked_at=timezone.now(),
    )


def awaiting_attempt(enrolment, quiz, answers: dict[Question, tuple[float | None, str]]):
    """An attempt as quiz_submit leaves it when it has open questions: auto-checked answers
    scored (fraction), open answers waiting (None)."""
    attempt = QuizAttempt.objects.create(
        enrolment=enrolment, lesson=quiz, number=enrolment.attempts, status=QuizAttempt.Status.AWAITING_REVIEW
    )
    for question, (fraction, text) in answers.items():
        Answer.objects.create(attempt=attempt, question=question, fraction=fraction, text=text)
    return attempt


def messages_to(user):
    return list(Message.objects.filter(recipient=user).values_list("title", flat=True))


# --- Structure --------------------------------------------------------------------------


class TestCourseRefresh:
    def test_duration_and_classes_count_shown_lessons_only(self):
        course = CourseFactory()
        chapter = add_chapter(course)
        add_lesson(chapter, duration=30)
        add_lesson(add_chapter(course), duration=45)
        add_lesson(chapter, duration=20, visible=False)
        add_lesson(chapter, duration=15, published=False)
        add_lesson(chapter, duration=10, ready=False)
        add_lesson(add_chapter(CourseFactory()), duration=90)

        course_refresh(course=course)

        course.refresh_from_db()
        assert (course.duration, course.number_of_classes) == (75, 2)

    def test_lessons_added_later_reach_enrolled_volunteers(self):
        course = CourseFactory()
        chapter = add_chapter(course)
        first = add_lesson(chapter)
        enrolled, active = VolunteerFactory(), VolunteerFactory()
        enrol(volunteer=enrolled, course=course)
        lesson_open(enrolment=enrol(volunteer=active, course=course), lesson=first)
        added = add_lesson(chapter)
        assert not VolunteerLesson.objects.filter(lesson=added).exists()

        course_refresh(course=course)

        assert sorted(VolunteerLesson.objects.filter(lesson=added).values_list("volunteer_id", flat=True)) == sorted(
            [enrolled.pk, active.pk]
        )
        assert progress(fresh(VolunteerCourse.objects.get(volunteer=active)), first).start_date is not None

    def test_volunteers_who_passed_are_left_alone(self):
        course = CourseFactory()
        chapter = add_chapter(course)
        add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        VolunteerCourse.objects.filter(pk=enrolment.pk).update(status=VolunteerCourse.Status.PASSED, assessment=90)
        added = add_lesson(chapter)

        course_refresh(course=course)

        assert not VolunteerLesson.objects.filter(lesson=added).exists()


# --- What visitors see follows the services -------------------------------------------------
#
# The catalogue and a course's page are kept for anonymous visitors (core.cache): each
# test reads them before the change, so that they are kept, and shows them changed at once.


class TestPublicPagesFollowTheServices:
    def test_an_unpublished_course_leaves_the_catalogue_and_its_page_is_gone(self):
        course, other = CourseFactory(title="Навигация"), CourseFactory(title="Азбука Морзе")
        editor = UserFactory(roles=[ADMIN])
        assert sorted(listed_titles(visitor_sees(CATALOGUE))) == ["Азбука Морзе", "Навигация"]
        assert "Навигация" in visitor_sees(course_page(course))

        changed = course_unpublish(courses=Course.objects.filter(pk=course.pk), user=editor)

        assert changed == 1
        assert listed_titles(visitor_sees(CATALOGUE)) == ["Азбука Морзе"]
        assert visitor_gets(course_page(course)).status_code == 404
        assert visitor_gets(course_page(other)).status_code == 200
        course.refresh_from_db()
        assert (course.published, course.user_modified) == (False, editor)

    def test_a_published_course_joins_the_catalogue_and_its_page_opens(self):
        draft, live = CourseFactory(title="Азбука Морзе", published=False), CourseFactory(title="Навигация")
        editor = UserFactory(roles=[ADMIN])
        assert listed_titles(visitor_sees(CATALOGUE)) == ["Навигация"]
        assert visitor_gets(course_page(draft)).status_code == 404

        changed = course_publish(courses=Course.objects.filter(pk__in=[draft.pk, live.pk]), user=editor)

        assert changed == 1  # the other one was published already
        assert sorted(listed_titles(visitor_sees(CATALOGUE))) == ["Азбука Морзе", "Навигация"]
        assert '<h1 id="course-title">Азбука Морзе</h1>' in visitor_sees(course_page(draft))
        draft.refresh_from_db(), live.refresh_from_db()
        assert (draft.user_modified, live.user_modified) == (editor, live.user_created)

    def test_publishing_nothing_new_changes_nothing(self):
        course = CourseFactory(published=False)

        assert course_unpublish(courses=Course.objects.filter(pk=course.pk), user=UserFactory()) == 0
        course.refresh_from_db()
        assert course.user_modified == course.user_created

    def test_a_refreshed_course_shows_its_new_lessons_and_duration(self):
        course = CourseFactory()
        chapter = add_chapter(course, title="Основы")
        add_lesson(chapter, title="Карта", duration=30)
        course_refresh(course=course)
        page = visitor_sees(course_page(course))
        assert "<dd>30 мин</dd>" in page
        assert "Компас" not in page

        add_lesson(chapter, title="Компас", duration=45)
        course_refresh(course=course)

        page = visitor_sees(course_page(course))
        assert "Компас" in page
        assert "<dd>1 ч 15 мин</dd>" in page

    def test_reordered_chapters_show_in_their_new_order(self):
        course = CourseFactory()
        for title in ("Первая", "Вторая"):
            add_lesson(add_chapter(course, title=title))
        first, second = course.course_chapters.order_by("order_number")
        page = visitor_sees(course_page(course))
        assert page.index("1. Первая") < page.index("2. Вторая")

        reorder(links=[first, second], order=[second.pk, first.pk])

        page = visitor_sees(course_page(course))
        assert page.index("1. Вторая") < page.index("2. Первая")


# --- Enrolment --------------------------------------------------------------------------


class TestEnrolGating:
    def test_a_course_of_a_higher_level_is_refused(self):
        course = CourseFactory(level=level_of_rank(2))

        with pytest.raises(CourseError, match=exactly("Записаться нельзя: нужен уровень Бывалый.")):
            enrol(volunteer=VolunteerFactory(), course=course)

        assert not VolunteerCourse.objects.exists()

    def test_a_pending_higher_level_does_not_open_it(self):
        UserFactory(roles=[ADMIN])
        volunteer = VolunteerFactory()
        volunteer_choose_level(volunteer=volunteer, level=level_of_rank(2))
        assert volunteer.pending_level == level_of_rank(2)

        with pytest.raises(CourseError, match="нужен уровень Бывалый"):
            enrol(volunteer=volunteer, course=CourseFactory(level=level_of_rank(2)))

    @pytest.mark.parametrize("course_rank", [1, 2])
    def test_the_confirmed_level_and_those_below_are_open(self, course_rank):
        volunteer = volunteer_of_level(2)
        course = CourseFactory(level=level_of_rank(course_rank))

        enrolment = enrol(volunteer=volunteer, course=course)

        assert (enrolment.volunteer, enrolment.course, enrolment.status) == (volunteer, course, "Вы записаны")

    def test_another_region_is_refused(self):
        course = CourseFactory()
        course.location.add(LocationFactory())

        with pytest.raises(CourseError, match=exactly("Записаться нельзя: недоступно в вашем регионе.")):
            enrol(volunteer=VolunteerFactory(), course=course)

    def test_the_volunteers_region_among_several_is_open(self):
        volunteer = VolunteerFactory()
        course = CourseFactory()
        course.location.add(LocationFactory(), volunteer.location)

        assert enrol(volunteer=volunteer, course=course).course == course

    def test_a_course_without_regions_is_open_everywhere(self):
        volunteers = [VolunteerFactory() for _ in range(3)]
        course = CourseFactory()

        for volunteer in volunteers:
            enrol(volunteer=volunteer, course=course)

        assert VolunteerCourse.objects.filter(course=course).count() == 3

    @pytest.mark.parametrize("hidden", [{"ready": False}, {"visible": False}, {"published": False}])
    def test_a_course_not_shown_is_refused(self, hidden):
        with pytest.raises(CourseError, match=exactly("Курс недоступен.")):
            enrol(volunteer=VolunteerFactory(), course=CourseFactory(**hidden))

    def test_enrolling_twice_gives_the_same_enrolment(self):
        volunteer, course = VolunteerFactory(), CourseFactory()

        assert enrol(volunteer=volunteer, course=course) == enrol(volunteer=volunteer, course=course)
        assert VolunteerCourse.objects.count() == 1


# --- Lessons ----------------------------------------------------------------------------


@pytest.fixture
def course():
    return CourseFactory()


@pytest.fixture
def chapter(course):
    return add_chapter(course)


@pytest.fixture
def quiz(chapter):
    return add_lesson(chapter, type=Lesson.Type.QUIZ, title="Итоговый тест")


@pytest.fixture
def enrolment(course, chapter, quiz):
    """An enrolment in a course whose only lesson is `quiz`."""
    return enrol(volunteer=VolunteerFactory(), course=course)


class TestLessonProgress:
    def test_opening_sets_the_start_once_and_activates_the_course(self, course, chapter):
        first, second = add_lesson(chapter), add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        opened = lesson_open(enrolment=enrolment, lesson=first)
        started = opened.start_date
        lesson_open(enrolment=enrolment, lesson=first)
        lesson_open(enrolment=enrolment, lesson=second)

        assert started is not None
        assert progress(enrolment, first).start_date == started
        assert not progress(enrolment, first).passed
        assert fresh(enrolment).status == VolunteerCourse.Status.ACTIVE

    def test_opening_with_the_row_at_hand_reads_nothing_and_writes_only_the_first_time(
        self, course, chapter, django_assert_num_queries
    ):
        lesson = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        row = progress(enrolment, lesson)

        # the start and the status: in a transaction (savepoint, two updates, release)
        with django_assert_num_queries(4):
            opened = lesson_open(enrolment=enrolment, lesson=lesson, progress=row)
        with django_assert_num_queries(0):
            again = lesson_open(enrolment=enrolment, lesson=lesson, progress=row)

        assert opened is again is row
        assert progress(enrolment, lesson).start_date == row.start_date is not None
        assert fresh(enrolment).status == VolunteerCourse.Status.ACTIVE

    def test_opening_a_lesson_without_its_row_creates_it(self, course, chapter):
        lesson = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        VolunteerLesson.objects.filter(volunteer=enrolment.volunteer, lesson=lesson).delete()

        opened = lesson_open(enrolment=enrolment, lesson=lesson, progress=None)

        assert opened.pk == progress(enrolment, lesson).pk
        assert opened.start_date is not None

    def test_the_row_at_hand_must_be_the_volunteers_row_of_the_lesson(self, course, chapter):
        first, second = add_lesson(chapter), add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        stranger = enrol(volunteer=VolunteerFactory(), course=course)

        with pytest.raises(ValueError):
            lesson_open(enrolment=enrolment, lesson=first, progress=progress(enrolment, second))
        with pytest.raises(ValueError):
            lesson_open(enrolment=enrolment, lesson=first, progress=progress(stranger, first))
        assert progress(enrolment, first).start_date is None

    def test_finishing_sets_the_end_and_passed(self, course, chapter):
        first, _second = add_lesson(chapter), add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        lesson_open(enrolment=enrolment, lesson=first)

        lesson_finish(enrolment=enrolment, lesson=first)

        row = progress(enrolment, first)
        assert row.passed
        assert row.end_date is not None
        assert row.start_date <= row.end_date
        assert fresh(enrolment).status == VolunteerCourse.Status.ACTIVE, "one lesson is still ahead"

    def test_a_lesson_finished_unopened_gets_its_row_opened_and_finished_at_once(self, course, chapter):
        first, _second = add_lesson(chapter), add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        lesson_finish(enrolment=enrolment, lesson=first)  # the API's «finish» without reading it first

        row = progress(enrolment, first)
        assert row.passed
        assert row.start_date == row.end_date is not None

    def test_a_quiz_is_not_finished_with_the_next_button(self, course, chapter):
        quiz = add_lesson(chapter, type=Lesson.Type.QUIZ)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        with pytest.raises(CourseError, match=exactly("Тест засчитывается после проверки ответов.")):
            lesson_finish(enrolment=enrolment, lesson=quiz)

        assert not progress(enrolment, quiz).passed


# --- Quizzes ----------------------------------------------------------------------------


def choice(question, text):
    return question.choices.get(text=text).pk


class TestNormalizeAnswer:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("  Красная   площадь ", "красная площадь"),
            ("ЁЛКА", "елка"),
            ("Сто\tдвенадцать\n", "сто двенадцать"),
        ],
    )
    def test_case_yo_and_whitespace_do_not_matter(self, given, expected):
        assert normalize_answer(given) == expected


class TestQuizAutoCheck:
    def test_single_choice(self, enrolment, quiz):
        question = add_question(quiz, choices=[("Москва", True), ("Казань", False)])

        attempt = quiz_submit(
            enrolment=enrolment, lesson=quiz, responses={question.pk: {"choices": [choice(question, "Москва")]}}
        )

        assert (attempt.status, attempt.score, attempt.number) == (QuizAttempt.Status.CHECKED, 100.0, 1)
        assert attempt.checked_at is not None
        assert progress(enrolment, quiz).passed
        assert progress(enrolment, quiz).end_date is not None

    def test_single_choice_wrong(self, enrolment, quiz):
        question = add_question(quiz, choices=[("Москва", True), ("Казань", False)])

        attempt = quiz_submit(
            enrolment=enrolment, lesson=quiz, responses={question.pk: {"choices": [choice(question, "Казань")]}}
        )

        assert attempt.score == 0.0

    @pytest.mark.parametrize(
        ("chosen", "score"),
        [(["А", "Б"], 100.0), (["А"], 0.0), (["А", "Б", "В"], 0.0), ([], 0.0)],
    )
    def test_multiple_choice_needs_the_exact_set(self, enrolment, quiz, chosen, score):
        question = add_question(quiz, kind=Question.Kind.MULTIPLE, choices=[("А", True), ("Б", True), ("В", False)])

        attempt = quiz_submit(
            enrolment=enrolment,
            lesson=quiz,
            responses={question.pk: {"choices": [choice(question, label) for label in chosen]}},
        )

        assert attempt.score == score

    def test_choices_of_another_question_are_dropped(self, enrolment, quiz):
        asked = add_question(quiz, kind=Question.Kind.MULTIPLE, choices=[("Да", True), ("Нет", False)])
        other = add_question(add_lesson(add_chapter(CourseFactory()), type=Lesson.Type.QUIZ), choices=[("Да", True)])

        attempt = quiz_submit(
            enrolment=enrolment,
            lesson=quiz,
            responses={asked.pk: {"choices": [choice(asked, "Да"), str(choice(other, "Да"))]}},
        )

        assert attempt.score == 100.0
        assert list(attempt.answers.get().choices.values_list("pk", flat=True)) == [choice(asked, "Да")]

    @pytest.mark.parametrize(
        "typed", ["Красная площадь", "  красная   ПЛОЩАДЬ ", "Красная\nплощадь", "ёлка", "Елка", "ЁЛКА"]
    )
    def test_short_text_ignores_case_yo_and_whitespace(self, enrolment, quiz, typed):
        question = add_question(quiz, kind=Question.Kind.TEXT, accepted="Красная площадь\nЁлка")

        attempt = quiz_submit(enrolment=enrolment, lesson=quiz, responses={question.pk: {"text": typed}})

        assert attempt.score == 100.0

    def test_short_text_wrong(self, enrolment, quiz):
        question = add_question(quiz, kind=Question.Kind.TEXT, accepted="Красная площадь")

        attempt = quiz_submit(enrolment=enrolment, lesson=quiz, responses={question.pk: {"text": "Дворцовая"}})

        assert attempt.score == 0.0

    def test_points_weigh_the_questions(self, enrolment, quiz):
        easy = add_question(quiz, choices=[("да", True), ("нет", False)], points=1)
        hard = add_question(quiz, kind=Question.Kind.TEXT, accepted="42", points=3)

        attempt = quiz_submit(
            enrolment=enrolment,
            lesson=quiz,
            responses={easy.pk: {"choices": [choice(easy, "нет")]}, hard.pk: {"text": " 42 "}},
        )

        assert attempt.score == 75.0

    def test_a_second_submission_in_the_same_attempt_is_refused(self, enrolment, quiz):
        question = add_question(quiz, choices=[("Москва", True), ("Казань", False)])
        quiz_submit(
            enrolment=enrolment, lesson=quiz, responses={question.pk: {"choices": [choice(question, "Казань")]}}
        )

        with pytest.raises(CourseError, match=exactly("Ответы на этот тест уже отправлены.")):
            quiz_submit(
                enrolment=enrolment, lesson=quiz, responses={question.pk: {"choices": [choice(question, "Москва")]}}
            )

        assert QuizAttempt.objects.get().score == 0.0

    def test_a_lesson_that_is_not_a_quiz_is_refused(self, enrolment, chapter):
        with pytest.raises(CourseError, match=exactly("Этот урок — не тест.")):
            quiz_submit(enrolment=enrolment, lesson=add_lesson(chapter), responses={})


class TestOpenAnswerSubmission:
    def test_the_attempt_waits_and_teachers_are_told(self, enrolment, quiz):
        teachers = [UserFactory(roles=[TEACHER]), UserFactory(roles=[TEACHER])]
        bystander = UserFactory(roles=["Волонтёр"])
        auto = add_question(quiz, choices=[("да", True)])
        essay = add_question(quiz, kind=Question.Kind.OPEN, text="Опишите свои действия.")

        attempt = quiz_submit(
            enrolment=enrolment,
            lesson=quiz,
            responses={auto.pk: {"choices": [choice(auto, "да")]}, essay.pk: {"text": "Сначала позвоню 112."}},
        )

        assert (attempt.status, attempt.score) == (QuizAttempt.Status.AWAITING_REVIEW, None)
        assert attempt.answers.get(question=essay).fraction is None
        assert attempt.answers.get(question=essay).text == "Сначала позвоню 112."
        assert attempt.answers.get(question=auto).fraction == 1.0
        assert not progress(enrolment, quiz).passed
        for teacher in teachers:
            assert messages_to(teacher) == ["Ответы ждут проверки: Итоговый тест"]
        assert messages_to(bystander) == []
        assert messages_to(enrolment.volunteer.user) == []

    def test_the_teachers_message_names_the_volunteer_without_guessing_a_gender(self, enrolment, quiz):
        teacher = UserFactory(roles=[TEACHER])
        essay = add_question(quiz, kind=Question.Kind.OPEN, text="Опишите свои действия.")

        quiz_submit(enrolment=enrolment, lesson=quiz, responses={essay.pk: {"text": "Позвоню 112."}})

        text = Message.objects.get(recipient=teacher).text
        assert text == (
            f"Отправлен тест «Итоговый тест» курса «{enrolment.course}». Волонтёр: {enrolment.volunteer}. "
            "Откройте очередь проверки."
        )
        assert "отправил" not in text


class TestAnswerReview:
    @pytest.fixture
    def teacher(self):
        return UserFactory(roles=[TEACHER])

    def test_scoring_the_last_open_answer_checks_the_attempt(self, enrolment, quiz, teacher):
        auto = add_question(quiz, choices=[("да", True)], points=2)
        essay = add_question(quiz, kind=Question.Kind.OPEN, points=2)
        attempt = awaiting_attempt(enrolment, quiz, {auto: (1.0, ""), essay: (None, "Мой ответ")})
        answer = attempt.answers.get(question=essay)

        checked = answer_review(answer=answer, fraction=0.5, comment="Неплохо, но без деталей.", teacher=teacher)

        assert (checked.status, checked.score) == (QuizAttempt.Status.CHECKED, 75.0)
        assert checked.checked_at is not None
        answer.refresh_from_db()
        assert (answer.fraction, answer.teacher_comment, answer.reviewed_by) == (
            0.5,
            "Неплохо, но без деталей.",
            teacher,
        )
        assert answer.reviewed_at is not None
        assert progress(enrolment, quiz).passed
        told = Message.objects.get(recipient=enrolment.volunteer.user, title="Тест «Итоговый тест» проверен")
        assert "Результат: 75 из 100." in told.text

    def test_the_attempt_waits_for_every_open_answer(self, enrolment, quiz, teacher):
        first = add_question(quiz, kind=Question.Kind.OPEN)
        second = add_question(quiz, kind=Question.Kind.OPEN)
        attempt = awaiting_attempt(enrolment, quiz, {first: (None, "один"), second: (None, "два")})

        after_first = answer_review(answer=attempt.answers.get(question=first), fraction=1, comment="", teacher=teacher)

        assert (after_first.status, after_first.score) == (QuizAttempt.Status.AWAITING_REVIEW, None)
        assert not progress(enrolment, quiz).passed
        assert messages_to(enrolment.volunteer.user) == []

        done = answer_review(answer=attempt.answers.get(question=second), fraction=0, comment="", teacher=teacher)

        assert (done.status, done.score) == (QuizAttempt.Status.CHECKED, 50.0)

    @pytest.mark.parametrize("fraction", [-0.1, 1.01])
    def test_a_fraction_outside_0_to_1_is_refused(self, enrolment, quiz, teacher, fraction):
        essay = add_question(quiz, kind=Question.Kind.OPEN)
        attempt = awaiting_attempt(enrolment, quiz, {essay: (None, "ответ")})

        with pytest.raises(CourseError, match="от 0 до 1"):
            answer_review(answer=attempt.answers.get(), fraction=fraction, comment="", teacher=teacher)

        assert attempt.answers.get().fraction is None

    def test_the_last_review_completes_the_course(self, course, chapter, enrolment, quiz, teacher):
        essay = add_question(quiz, kind=Question.Kind.OPEN)
        attempt = awaiting_attempt(enrolment, quiz, {essay: (None, "ответ")})

        answer_review(answer=attempt.answers.get(), fraction=0.8, comment="", teacher=teacher)

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.PASSED, 80.0)

    def test_an_answer_already_scored_is_not_scored_again(self, enrolment, quiz, teacher):
        essay = add_question(quiz, kind=Question.Kind.OPEN)
        attempt = awaiting_attempt(enrolment, quiz, {essay: (None, "ответ")})
        answer_review(answer=attempt.answers.get(), fraction=1, comment="", teacher=teacher)

        with pytest.raises(CourseError):
            answer_review(answer=attempt.answers.get(), fraction=0, comment="Передумал", teacher=teacher)

        attempt.refresh_from_db()
        assert (attempt.answers.get().fraction, attempt.score) == (1.0, 100.0)


# --- Completion and assessment ----------------------------------------------------------


class TestCompletion:
    def test_all_lessons_passed_without_quizzes_scores_100_and_passes(self, course, chapter):
        lessons = [add_lesson(chapter) for _ in range(2)]
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        for lesson in lessons:
            lesson_open(enrolment=enrolment, lesson=lesson)
            lesson_finish(enrolment=enrolment, lesson=lesson)

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.PASSED, 100.0)
        assert messages_to(enrolment.volunteer.user) == [f"Курс «{course}» пройден"]

    def test_nothing_is_decided_while_a_required_lesson_is_ahead(self, course, chapter):
        first, _second = add_lesson(chapter), add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        lesson_finish(enrolment=enrolment, lesson=first)

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.ENROLLED, 0)
        assert messages_to(enrolment.volunteer.user) == []

    def test_additional_lessons_are_not_required(self, course, chapter):
        required = add_lesson(chapter)
        add_lesson(chapter, additional=True)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        lesson_finish(enrolment=enrolment, lesson=required)

        assert fresh(enrolment).status == VolunteerCourse.Status.PASSED

    def test_hidden_lessons_are_not_required(self, course, chapter):
        shown = add_lesson(chapter)
        add_lesson(chapter, published=False)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)

        lesson_finish(enrolment=enrolment, lesson=shown)

        assert fresh(enrolment).status == VolunteerCourse.Status.PASSED

    def test_the_assessment_at_the_pass_mark_passes(self, course, chapter, quiz, settings):
        settings.COURSE_PASS_MARK = 60
        text = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        checked_attempt(enrolment, quiz, 60)

        lesson_finish(enrolment=enrolment, lesson=text)

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.PASSED, 60.0)

    def test_below_the_pass_mark_fails_and_the_volunteer_is_told(self, course, chapter, quiz, settings):
        settings.COURSE_PASS_MARK = 60
        course.attempts_limit = 3
        course.save()
        text = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        checked_attempt(enrolment, quiz, 59.9)

        lesson_finish(enrolment=enrolment, lesson=text)

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.FAILED, 59.9)
        message = Message.objects.get(recipient=enrolment.volunteer.user)
        assert message.title == f"Курс «{course}» не пройден"
        assert "нужно не меньше 60" in message.text
        assert "осталось попыток: 2" in message.text

    def test_the_pass_mark_is_a_setting(self, course, chapter, quiz, settings):
        settings.COURSE_PASS_MARK = 80
        text = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        checked_attempt(enrolment, quiz, 70)

        lesson_finish(enrolment=enrolment, lesson=text)

        assert fresh(enrolment).status == VolunteerCourse.Status.FAILED

    def test_a_diploma_quiz_weighs_double(self, course, chapter, settings):
        settings.COURSE_PASS_MARK = 60
        ordinary = add_lesson(chapter, type=Lesson.Type.QUIZ)
        diploma = add_lesson(chapter, type=Lesson.Type.QUIZ, diploma=True)
        text = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        checked_attempt(enrolment, ordinary, 90)
        checked_attempt(enrolment, diploma, 30)

        lesson_finish(enrolment=enrolment, lesson=text)

        enrolment = fresh(enrolment)
        # (90 + 2 × 30) / 3 = 50; an unweighted mean would be 60 and pass.
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.FAILED, 50.0)

    def test_only_the_current_attempts_scores_count(self, course, chapter, quiz):
        text = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        checked_attempt(enrolment, quiz, 100)
        VolunteerCourse.objects.filter(pk=enrolment.pk).update(attempts=2)
        enrolment = fresh(enrolment)
        checked_attempt(enrolment, quiz, 40)

        lesson_finish(enrolment=enrolment, lesson=text)

        assert fresh(enrolment).assessment == 40.0

    def test_an_additional_quiz_not_taken_does_not_lower_the_assessment(self, course, chapter, quiz):
        add_lesson(chapter, type=Lesson.Type.QUIZ, additional=True)
        text = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        checked_attempt(enrolment, quiz, 100)

        lesson_finish(enrolment=enrolment, lesson=text)

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.PASSED, 100.0)

    def test_a_final_status_is_not_decided_again(self, course, chapter):
        first = add_lesson(chapter)
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        lesson_finish(enrolment=enrolment, lesson=first)
        extra = add_lesson(chapter, additional=True)

        lesson_finish(enrolment=fresh(enrolment), lesson=extra)

        assert len(messages_to(enrolment.volunteer.user)) == 1

    def test_a_volunteer_passes_a_course_through_its_quiz(self, course, chapter, quiz):
        text = add_lesson(chapter)
        question = add_question(quiz, kind=Question.Kind.TEXT, accepted="112")
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        lesson_open(enrolment=enrolment, lesson=text)
        lesson_finish(enrolment=enrolment, lesson=text)
        lesson_open(enrolment=enrolment, lesson=quiz)

        quiz_submit(enrolment=enrolment, lesson=quiz, responses={question.pk: {"text": "112"}})

        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment) == (VolunteerCourse.Status.PASSED, 100.0)


# --- Attempts limit ---------------------------------------------------------------------


def failed(enrolment, attempts=1) -> VolunteerCourse:
    VolunteerCourse.objects.filter(pk=enrolment.pk).update(
        status=VolunteerCourse.Status.FAILED, assessment=30, attempts=attempts
    )
    return fresh(enrolment)


class TestRetake:
    def test_resets_progress_and_counts_the_attempt(self, course, chapter):
        lessons = [add_lesson(chapter) for _ in range(2)]
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        for lesson in lessons:
            lesson_open(enrolment=enrolment, lesson=lesson)
            lesson_finish(enrolment=enrolment, lesson=lesson)

        retaken = course_retake(enrolment=failed(enrolment))

        assert (retaken.status, retaken.attempts, retaken.assessment) == (VolunteerCourse.Status.ENROLLED, 2, 0)
        rows = VolunteerLesson.objects.filter(volunteer=enrolment.volunteer)
        assert rows.count() == 2
        assert list(rows.values_list("passed", "start_date", "end_date").distinct()) == [(False, None, None)]
        assert fresh(enrolment).attempts == 2

    def test_refused_when_the_limit_is_reached(self, course, chapter):
        course.attempts_limit = 2
        course.save()
        enrolment = failed(enrol(volunteer=VolunteerFactory(), course=course))

        assert course_retake(enrolment=enrolment).attempts == 2
        enrolment = failed(enrolment, attempts=2)
        with pytest.raises(CourseError, match=exactly("Попытки закончились: можно не больше 2.")):
            course_retake(enrolment=enrolment)

        assert fresh(enrolment).status == VolunteerCourse.Status.FAILED

    def test_a_limit_of_one_allows_no_retake(self, course, chapter):
        course.attempts_limit = 1
        course.save()

        with pytest.raises(CourseError, match="Попытки закончились"):
            course_retake(enrolment=failed(enrol(volunteer=VolunteerFactory(), course=course)))

    def test_zero_means_unlimited(self, course, chapter):
        assert course.attempts_limit == 0
        enrolment = failed(enrol(volunteer=VolunteerFactory(), course=course), attempts=10)

        assert course_retake(enrolment=enrolment).attempts == 11

    @pytest.mark.parametrize("status", [VolunteerCourse.Status.ACTIVE, VolunteerCourse.Status.PASSED])
    def test_only_a_failed_course_is_retaken(self, course, chapter, status):
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        VolunteerCourse.objects.filter(pk=enrolment.pk).update(status=status)

        with pytest.raises(CourseError, match=exactly("Пересдать можно только не пройденный курс.")):
            course_retake(enrolment=enrolment)

    def test_gives_progress_rows_for_lessons_added_since(self, course, chapter):
        add_lesson(chapter)
        enrolment = failed(enrol(volunteer=VolunteerFactory(), course=course))
        added = add_lesson(chapter)

        course_retake(enrolment=enrolment)

        assert VolunteerLesson.objects.filter(volunteer=enrolment.volunteer, lesson=added).exists()

    def test_a_new_quiz_attempt_is_allowed_after_a_retake(self, course, chapter, quiz, settings):
        settings.COURSE_PASS_MARK = 60
        question = add_question(quiz, kind=Question.Kind.TEXT, accepted="112")
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        quiz_submit(enrolment=enrolment, lesson=quiz, responses={question.pk: {"text": "911"}})
        enrolment = fresh(enrolment)
        assert enrolment.status == VolunteerCourse.Status.FAILED

        enrolment = course_retake(enrolment=enrolment)
        second = quiz_submit(enrolment=enrolment, lesson=quiz, responses={question.pk: {"text": "112"}})

        assert (second.number, second.score) == (2, 100.0)
        enrolment = fresh(enrolment)
        assert (enrolment.status, enrolment.assessment, enrolment.attempts) == (VolunteerCourse.Status.PASSED, 100.0, 2)
        assert QuizAttempt.objects.filter(enrolment=enrolment).count() == 2
