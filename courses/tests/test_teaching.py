from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Message, User
from accounts.tests.factories import UserFactory
from courses.models import Answer, Lesson, Question, QuizAttempt, VolunteerCourse, VolunteerLesson
from courses.tests.factories import CourseFactory, add_chapter, add_lesson, add_question
from courses.views import teaching
from volunteers.models import Volunteer
from volunteers.tests.factories import LocationFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

QUEUE = "/courses/review/"
STAFF = ["teacher", "administrator", "main_admin"]

ENROLLED, ACTIVE, PASSED, FAILED = (
    VolunteerCourse.Status.ENROLLED,
    VolunteerCourse.Status.ACTIVE,
    VolunteerCourse.Status.PASSED,
    VolunteerCourse.Status.FAILED,
)


def review_url(answer) -> str:
    return f"/courses/review/{answer.pk}/"


def students_url(course) -> str:
    return f"/courses/{course.pk}/students/"


def many_volunteers(count: int, location=None) -> list[Volunteer]:
    """Profiles in two INSERTs (no levels or history: the teachers' pages do not read them)."""
    location = location or LocationFactory()
    users = User.objects.bulk_create([UserFactory.build() for _ in range(count)])
    return Volunteer.objects.bulk_create([VolunteerFactory.build(user=user, location=location) for user in users])


class Quiz:
    """A course whose quiz has an open question worth 4 points and an auto-checked one."""

    def __init__(self, title="Курс первой помощи"):
        self.course = CourseFactory(title=title)
        chapter = add_chapter(self.course)
        self.text_lesson = add_lesson(chapter, title="Введение")
        self.lesson = add_lesson(chapter, type=Lesson.Type.QUIZ, title="Итоговый тест")
        self.auto = add_question(self.lesson, choices=[("112", True), ("01", False)], text="Номер экстренных служб?")
        self.open = add_question(
            self.lesson, kind=Question.Kind.OPEN, text="Опишите, как вы поможете пострадавшему.", points=4
        )

    def waiting(self, volunteers, *, text="Проверю дыхание и вызову скорую.", minutes_ago=0) -> list[Answer]:
        """Submitted attempts, one per volunteer, their open answers unscored."""
        enrolments = VolunteerCourse.objects.bulk_create(
            [VolunteerCourse(volunteer=volunteer, course=self.course, status=ACTIVE) for volunteer in volunteers]
        )
        attempts = QuizAttempt.objects.bulk_create(
            [
                QuizAttempt(enrolment=enrolment, lesson=self.lesson, status=QuizAttempt.Status.AWAITING_REVIEW)
                for enrolment in enrolments
            ]
        )
        QuizAttempt.objects.filter(pk__in=[attempt.pk for attempt in attempts]).update(
            submitted_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
        Answer.objects.bulk_create([Answer(attempt=attempt, question=self.auto, fraction=1) for attempt in attempts])
        return Answer.objects.bulk_create(
            [Answer(attempt=attempt, question=self.open, text=text) for attempt in attempts]
        )


@pytest.fixture
def quiz():
    return Quiz()


@pytest.fixture
def staff_client(client, teacher):
    client.force_login(teacher)
    return client


def listed(response) -> list:
    return list(response.context["page_obj"].object_list)


class TestAccess:
    @pytest.fixture
    def urls(self, quiz):
        [answer] = quiz.waiting([VolunteerFactory()])
        return [QUEUE, review_url(answer), students_url(quiz.course)]

    def test_the_url_names(self, quiz):
        assert reverse("courses:review_queue") == QUEUE
        assert reverse("courses:review_answer", args=[7]) == "/courses/review/7/"
        assert reverse("courses:course_students", args=[quiz.course.pk]) == students_url(quiz.course)

    def test_anonymous_visitors_are_sent_to_sign_in(self, client, urls):
        for url in urls:
            assert client.get(url)["Location"] == f"/accounts/login/?next={url}"

    def test_volunteers_are_refused(self, client, volunteer, urls):
        client.force_login(volunteer)

        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(urls[1], {"points": "4"}).status_code == 403
        assert Answer.objects.get(question__kind=Question.Kind.OPEN).fraction is None

    @pytest.mark.parametrize("role", STAFF)
    def test_teachers_and_administrators_may_see_them(self, client, request, urls, role):
        client.force_login(request.getfixturevalue(role))

        for url in urls:
            assert client.get(url).status_code == 200, url


class TestReviewQueue:
    def test_lists_open_answers_without_a_score_oldest_first(self, staff_client, quiz):
        [newer] = quiz.waiting([VolunteerFactory()], minutes_ago=5)
        [older] = quiz.waiting([VolunteerFactory()], minutes_ago=60)
        [scored] = quiz.waiting([VolunteerFactory()], minutes_ago=90)
        Answer.objects.filter(pk=scored.pk).update(fraction=0.5)
        text_quiz = add_lesson(add_chapter(CourseFactory()), type=Lesson.Type.QUIZ)
        auto_text = add_question(text_quiz, kind=Question.Kind.TEXT, accepted="112")
        other = VolunteerCourse.objects.create(volunteer=VolunteerFactory(), course=CourseFactory())
        attempt = QuizAttempt.objects.create(enrolment=other, lesson=text_quiz, status=QuizAttempt.Status.CHECKED)
        Answer.objects.create(attempt=attempt, question=auto_text, text="911", fraction=0)

        response = staff_client.get(QUEUE)

        assert listed(response) == [older, newer]

    def test_shows_course_quiz_volunteer_question_and_answer(self, staff_client, quiz):
        volunteer = VolunteerFactory(user=UserFactory(first_name="Анна", last_name="Смирнова"))
        [answer] = quiz.waiting([volunteer], text="Позвоню 112 <script>alert(1)</script>")

        page = staff_client.get(QUEUE).content.decode()

        assert "Курс первой помощи" in page
        assert "Итоговый тест" in page
        assert "Анна Смирнова" in page
        assert "Опишите, как вы поможете пострадавшему." in page
        assert "Позвоню 112 &lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert" not in page
        assert f'href="{review_url(answer)}"' in page
        assert f'href="?course={quiz.course.pk}"' in page

    def test_is_paginated(self, staff_client, quiz):
        quiz.waiting(many_volunteers(25))

        first, second = staff_client.get(QUEUE), staff_client.get(QUEUE, {"page": 2})

        assert len(listed(first)) == 20
        assert len(listed(second)) == 5
        assert not set(listed(first)) & set(listed(second))
        assert "Ждут проверки: <strong>25</strong>" in first.content.decode()

    def test_one_course_only(self, staff_client, quiz):
        [mine] = quiz.waiting([VolunteerFactory()])
        Quiz("Другой курс").waiting([VolunteerFactory()])

        response = staff_client.get(QUEUE, {"course": quiz.course.pk})

        assert listed(response) == [mine]
        page = response.content.decode()
        assert f'href="{students_url(quiz.course)}"' in page
        assert f'href="{review_url(mine)}?course={quiz.course.pk}"' in page

    def test_a_course_filter_that_is_not_a_number_shows_every_course(self, staff_client, quiz):
        quiz.waiting([VolunteerFactory()])
        Quiz("Другой курс").waiting([VolunteerFactory()])

        assert len(listed(staff_client.get(QUEUE, {"course": "abc"}))) == 2

    def test_an_unknown_course_is_404(self, staff_client, quiz):
        assert staff_client.get(QUEUE, {"course": quiz.course.pk + 1000}).status_code == 404

    def test_nothing_to_review(self, staff_client, db):
        assert "Все ответы проверены" in staff_client.get(QUEUE).content.decode()

    def test_runs_a_fixed_number_of_queries(self, staff_client, quiz, django_assert_num_queries):
        quiz.waiting(many_volunteers(5))
        with CaptureQueriesContext(connection) as few:
            assert staff_client.get(QUEUE).status_code == 200

        quiz.waiting(many_volunteers(45))
        Quiz("Второй курс").waiting(many_volunteers(5))
        with django_assert_num_queries(len(few)):
            response = staff_client.get(QUEUE)

        assert len(listed(response)) == 20
        # session, user with the unread messages count, the user's and the groups'
        # permissions, the teacher's direction scope (TeacherScope), count, page
        assert len(few) == 7


class TestReviewAnswer:
    @pytest.fixture
    def answer(self, quiz):
        [answer] = quiz.waiting([VolunteerFactory(user=UserFactory(first_name="Анна", last_name="Смирнова"))])
        return answer

    def test_the_form_shows_the_question_and_the_answer(self, staff_client, answer):
        page = staff_client.get(review_url(answer)).content.decode()

        assert "Опишите, как вы поможете пострадавшему." in page
        assert "Проверю дыхание и вызову скорую." in page
        assert "Анна Смирнова" in page
        assert 'name="points"' in page
        assert 'name="comment"' in page
        assert "От 0 до 4: столько баллов стоит вопрос." in page

    def test_scoring_checks_the_attempt_and_tells_the_volunteer(self, client, teacher, answer):
        client.force_login(teacher)

        response = client.post(review_url(answer), {"points": "3", "comment": "Хорошо, но забыли про жгут."})

        assert response["Location"] == QUEUE
        answer.refresh_from_db()
        assert (answer.fraction, answer.teacher_comment, answer.reviewed_by) == (
            0.75,
            "Хорошо, но забыли про жгут.",
            teacher,
        )
        attempt = answer.attempt
        attempt.refresh_from_db()
        # the auto-checked question (1 point) right, the open one 3 of 4: 4 of 5 points
        assert (attempt.status, attempt.score) == (QuizAttempt.Status.CHECKED, 80.0)
        volunteer_user = attempt.enrolment.volunteer.user
        assert Message.objects.filter(recipient=volunteer_user, title="Тест «Итоговый тест» проверен").exists()
        page = client.get(response["Location"]).content.decode()
        assert "Ответ оценён: 3 из 4. Тест проверен, результат: 80 из 100." in page
        assert "Все ответы проверены" in page

    @pytest.mark.parametrize(("points", "fraction"), [("1,5", 0.375), ("2.5", 0.625), ("0", 0.0), ("4", 1.0)])
    def test_points_may_be_fractional(self, staff_client, answer, points, fraction):
        staff_client.post(review_url(answer), {"points": points})

        answer.refresh_from_db()
        assert answer.fraction == fraction

    @pytest.mark.parametrize(
        ("points", "error"),
        [
            ("-1", "Укажите число от 0 до 4."),
            ("4,5", "Укажите число от 0 до 4."),
            ("100", "Укажите число от 0 до 4."),
            ("много", "Введите число."),
            ("", "Обязательное поле."),
        ],
    )
    def test_bad_points_are_a_russian_field_error(self, staff_client, answer, points, error):
        response = staff_client.post(review_url(answer), {"points": points, "comment": "…"})

        assert response.status_code == 200
        assert response.context["form"].errors["points"] == [error]
        answer.refresh_from_db()
        assert (answer.fraction, answer.teacher_comment) == (None, "")

    def test_an_answer_already_scored_goes_back_to_the_queue(self, staff_client, answer):
        Answer.objects.filter(pk=answer.pk).update(fraction=0.5, teacher_comment="Первая оценка")

        shown = staff_client.get(review_url(answer), follow=True)
        staff_client.post(review_url(answer), {"points": "4", "comment": "Вторая"})

        assert shown.redirect_chain == [(QUEUE, 302)]
        assert "Этот ответ уже проверен." in shown.content.decode()
        answer.refresh_from_db()
        assert (answer.fraction, answer.teacher_comment) == (0.5, "Первая оценка")

    def test_a_score_given_meanwhile_by_another_teacher_stands(self, staff_client, answer, monkeypatch):
        opened = Answer.objects.select_related("question", "attempt").get(pk=answer.pk)
        Answer.objects.filter(pk=answer.pk).update(fraction=0.25, teacher_comment="Первый преподаватель")
        # The page was opened before the other teacher saved their score.
        monkeypatch.setattr(teaching, "get_object_or_404", lambda *args, **kwargs: opened)

        response = staff_client.post(review_url(answer), {"points": "4", "comment": "Второй"}, follow=True)

        assert "Этот ответ уже проверен другим преподавателем." in response.content.decode()
        answer.refresh_from_db()
        assert (answer.fraction, answer.teacher_comment) == (0.25, "Первый преподаватель")

    def test_back_to_the_same_courses_queue(self, staff_client, quiz, answer):
        response = staff_client.post(f"{review_url(answer)}?course={quiz.course.pk}", {"points": "4"})

        assert response["Location"] == f"{QUEUE}?course={quiz.course.pk}"

    def test_an_auto_checked_answer_is_not_reviewed_here(self, staff_client, answer):
        auto = Answer.objects.get(attempt=answer.attempt, question__kind=Question.Kind.SINGLE)

        assert staff_client.get(review_url(auto)).status_code == 404
        assert staff_client.get("/courses/review/999999/").status_code == 404

    def test_the_last_score_completes_the_course(self, staff_client, quiz, answer):
        enrolment = answer.attempt.enrolment
        VolunteerLesson.objects.create(volunteer=enrolment.volunteer, lesson=quiz.text_lesson, passed=True)

        staff_client.post(review_url(answer), {"points": "4"})

        enrolment.refresh_from_db()
        assert (enrolment.status, enrolment.assessment) == (PASSED, 100.0)


class TestCourseStudents:
    @pytest.fixture
    def course(self):
        course = CourseFactory(title="Школа вожатых", attempts_limit=3)
        chapter = add_chapter(course)
        self.lessons = [add_lesson(chapter) for _ in range(3)]
        add_lesson(chapter, visible=False)
        return course

    def enrol(self, course, volunteer, status, *, passed=0, assessment=0, attempts=1):
        enrolment = VolunteerCourse.objects.create(
            volunteer=volunteer, course=course, status=status, assessment=assessment, attempts=attempts
        )
        VolunteerLesson.objects.bulk_create(
            [VolunteerLesson(volunteer=volunteer, lesson=lesson, passed=True) for lesson in self.lessons[:passed]]
        )
        return enrolment

    def person(self, first_name, last_name, region):
        return VolunteerFactory(
            user=UserFactory(first_name=first_name, last_name=last_name), location=LocationFactory(region=region)
        )

    def test_every_enrolment_grouped_by_status(self, staff_client, course):
        self.enrol(course, self.person("Пётр", "Яшин", "Тверская область"), PASSED, passed=3, assessment=92.5)
        self.enrol(course, self.person("Анна", "Белова", "Москва"), ACTIVE, passed=2)
        self.enrol(course, self.person("Олег", "Васин", "Казань"), ENROLLED)
        self.enrol(course, self.person("Ира", "Зуева", "Пермь"), FAILED, passed=3, assessment=41, attempts=2)
        self.enrol(CourseFactory(), self.person("Чужой", "Слушатель", "Омск"), ACTIVE)

        response = staff_client.get(students_url(course))

        rows = listed(response)
        assert [(row.volunteer.user.last_name, row.status) for row in rows] == [
            ("Васин", ENROLLED),
            ("Белова", ACTIVE),
            ("Яшин", PASSED),
            ("Зуева", FAILED),
        ]
        assert [row.lessons_passed for row in rows] == [0, 2, 3, 3]
        page = response.content.decode()
        assert "Слушатели курса «Школа вожатых»" in page
        assert f'<a href="{students_url(course)}" aria-current="page">Все' in page
        assert "Чужой" not in page
        for text in ("Пётр Яшин", "Тверская область", "3 из 3", "92,5", "Ира Зуева", "41", "2 из 3", "Анна Белова"):
            assert text in page
        assert page.index("Вы записаны</th>") < page.index("Активный</th>") < page.index("Пройден</th>")
        assert page.index("Пройден</th>") < page.index("Не пройден</th>")
        assert [(label, count) for _value, label, count in response.context["tabs"]] == [
            ("Все", 4),
            ("Вы записаны", 1),
            ("Активный", 1),
            ("Пройден", 1),
            ("Не пройден", 1),
        ]

    @pytest.mark.parametrize("status", [ENROLLED, ACTIVE, PASSED, FAILED])
    def test_filtered_by_status(self, staff_client, course, status):
        for each in (ENROLLED, ACTIVE, PASSED, FAILED):
            self.enrol(course, VolunteerFactory(), each)

        response = staff_client.get(students_url(course), {"status": status, "page": 1})

        assert [row.status for row in listed(response)] == [status]
        page = response.content.decode()
        assert f'<a href="{students_url(course)}">Все' in page
        assert f'aria-current="page">{status} <span class="tab-count">1</span>' in page

    def test_an_unknown_status_shows_everyone(self, staff_client, course):
        self.enrol(course, VolunteerFactory(), ACTIVE)
        self.enrol(course, VolunteerFactory(), PASSED)

        assert len(listed(staff_client.get(students_url(course), {"status": "Удалён"}))) == 2

    def test_progress_counts_this_courses_shown_lessons_only(self, staff_client, course):
        volunteer = VolunteerFactory()
        self.enrol(course, volunteer, ACTIVE, passed=1)
        hidden = Lesson.objects.get(visible=False)
        elsewhere = add_lesson(add_chapter(CourseFactory()))
        VolunteerLesson.objects.bulk_create(
            [VolunteerLesson(volunteer=volunteer, lesson=lesson, passed=True) for lesson in (hidden, elsewhere)]
        )

        response = staff_client.get(students_url(course))

        assert [row.lessons_passed for row in listed(response)] == [1]
        assert response.context["lessons_total"] == 3

    def test_links_to_the_courses_review_queue(self, staff_client):
        quiz = Quiz()
        quiz.waiting([VolunteerFactory()])

        page = staff_client.get(students_url(quiz.course)).content.decode()

        assert f'href="{QUEUE}?course={quiz.course.pk}"' in page
        assert "ждёт проверки" in page

    def test_a_course_without_lessons_or_students(self, staff_client):
        page = staff_client.get(students_url(CourseFactory(published=False))).content.decode()

        assert "Записавшихся на курс пока нет." in page
        assert "курс пока не показан волонтёрам" in page

    def test_an_unknown_course_is_404(self, staff_client, db):
        assert staff_client.get("/courses/999999/students/").status_code == 404

    def test_runs_a_fixed_number_of_queries(self, staff_client, course, django_assert_num_queries):
        statuses = [ENROLLED, ACTIVE, PASSED, FAILED]

        def enrol_many(count):
            volunteers = many_volunteers(count)
            VolunteerCourse.objects.bulk_create(
                [
                    VolunteerCourse(volunteer=volunteer, course=course, status=statuses[number % 4])
                    for number, volunteer in enumerate(volunteers)
                ]
            )
            VolunteerLesson.objects.bulk_create(
                [VolunteerLesson(volunteer=volunteer, lesson=self.lessons[0], passed=True) for volunteer in volunteers]
            )

        enrol_many(5)
        with CaptureQueriesContext(connection) as few:
            assert staff_client.get(students_url(course)).status_code == 200

        enrol_many(95)
        with django_assert_num_queries(len(few)):
            response = staff_client.get(students_url(course))

        assert len(listed(response)) == 50
        assert response.context["page_obj"].paginator.count == 100
        # session, user with the unread count, the user's and the groups' permissions, the
        # course, its chapters with their lessons, the counts by status, the page count, the page
        assert len(few) == 9
