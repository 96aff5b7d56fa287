"""The courses API (/api/v1/courses/…, my/courses/, certificates/, teaching/reviews/)
through real requests with a Bearer token: the role matrix of every endpoint, the site's
gating and filters, progress recorded as on the site, quiz answers never given away, and
the lists' queries counted."""

import json

import pytest
from django.core.files.base import ContentFile

from accounts.models import Message
from accounts.tests.api_clients import ROLES, api_as, user_of_role
from courses.models import (
    Answer,
    Certificate,
    Lesson,
    Question,
    QuizAttempt,
    TeacherScope,
    VolunteerCourse,
    VolunteerLesson,
)
from courses.services import certificate_issue, course_refresh, quiz_submit
from courses.tests.factories import CourseFactory, FAQFactory, SkillFactory, add_chapter, add_lesson, add_question
from courses.tests.test_teaching import Quiz, many_volunteers
from volunteers.models import Direction
from volunteers.tests.factories import DirectionFactory, LocationFactory, VolunteerFactory, level_of_rank

pytestmark = pytest.mark.django_db

API = "/api/v1"
STAFF = ["teacher", "administrator", "main_admin"]


def course_url(course, action="") -> str:
    return f"{API}/courses/{course.pk}/{action + '/' if action else ''}"


def lesson_url(course, lesson, action="") -> str:
    return f"{API}/courses/{course.pk}/lessons/{lesson.pk}/{action + '/' if action else ''}"


def titles(response) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


@pytest.fixture
def learner(volunteer):
    """The `volunteer` fixture's user with a profile: Новичок, in a region of their own."""
    return VolunteerFactory(user=volunteer)


@pytest.fixture
def course(db):
    """Two chapters: «Теория» (a text lesson, a video), «Практика» (a quiz of one single
    choice question and one short answer)."""
    course = CourseFactory(title="Поиск в лесу")
    first, second = add_chapter(course, title="Теория"), add_chapter(course, title="Практика")
    course.intro = add_lesson(first, title="Введение")
    course.video = add_lesson(first, title="Снаряжение", type=Lesson.Type.VIDEO)
    course.quiz = add_lesson(second, title="Итоговый тест", type=Lesson.Type.QUIZ)
    course.single = add_question(course.quiz, text="Куда звонить?", choices=[("112", True), ("01", False)])
    course.short = add_question(
        course.quiz, kind=Question.Kind.TEXT, text="Прибор для сторон света?", accepted="компас"
    )
    course_refresh(course=course)
    course.refresh_from_db()
    return course


def enrolled(volunteer, course) -> VolunteerCourse:
    return VolunteerCourse.objects.create(volunteer=volunteer, course=course)


# --- The catalogue ------------------------------------------------------------------------


class TestCatalogue:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_reads_the_shown_courses_only(self, request, role):
        CourseFactory(title="Открытый")
        CourseFactory(title="Черновик", published=False)
        CourseFactory(title="Скрытый", visible=False)

        response = api_as(user_of_role(request, role)).get(f"{API}/courses/")

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert titles(response) == ["Открытый"]

    def test_the_site_filters(self, db):
        moscow, tver = LocationFactory(region="Москва"), LocationFactory(region="Тверь")
        rescue, events = DirectionFactory(title="Поиск"), DirectionFactory(title="События")
        CourseFactory(title="Поиск для новичков", direction=rescue, full_description="<p>Навигация по компасу.</p>")
        CourseFactory(title="Поиск для бывалых", direction=rescue, level=level_of_rank(2))
        CourseFactory(title="События в Москве", direction=events).location.add(moscow)
        CourseFactory(title="События в Твери", direction=events).location.add(tver)
        api = api_as()

        assert titles(api.get(f"{API}/courses/", {"direction": rescue.pk})) == [
            "Поиск для бывалых",
            "Поиск для новичков",
        ]
        assert titles(api.get(f"{API}/courses/", {"level": level_of_rank(2).pk})) == ["Поиск для бывалых"]
        in_moscow = titles(api.get(f"{API}/courses/", {"location": moscow.pk}))
        assert "События в Москве" in in_moscow and "События в Твери" not in in_moscow
        assert "Поиск для новичков" in in_moscow  # open everywhere
        assert titles(api.get(f"{API}/courses/", {"q": "компас"})) == ["Поиск для новичков"]
        assert api.get(f"{API}/courses/", {"direction": 999999}).status_code == 400

    def test_a_volunteer_is_told_why_not_and_where_they_are_enrolled(self, learner):
        open_course = CourseFactory(title="А: для всех")
        higher = CourseFactory(title="Б: для бывалых", level=level_of_rank(2))
        elsewhere = CourseFactory(title="В: в другом регионе")
        elsewhere.location.add(LocationFactory())
        enrolled(learner, open_course)

        rows = {row["title"]: row for row in api_as(learner.user).get(f"{API}/courses/").json()["results"]}

        assert rows[open_course.title]["enrolment_status"] == "Вы записаны"
        assert rows[open_course.title]["refusal"] is None
        assert rows[higher.title]["refusal"] == "нужен уровень Бывалый"
        assert rows[elsewhere.title]["refusal"] == "недоступно в вашем регионе"
        assert rows[elsewhere.title]["enrolment_status"] is None

    @pytest.mark.parametrize(("role", "most"), [("anonymous", 2), ("volunteer", 6)])
    def test_a_page_takes_the_same_queries_for_3_and_25_courses(
        self, request, django_assert_max_num_queries, role, most
    ):
        """Anonymous: the count and the page. Signed in: the token's user, the profile, its
        level, and the enrolments among the page's courses besides. The lists of directions, levels and
        regions the filters check come from the cache (read by the first request)."""
        if role == "volunteer":
            request.getfixturevalue("learner")
        api = api_as(user_of_role(request, role))
        direction = DirectionFactory()
        api.get(f"{API}/courses/", {"direction": direction.pk})
        for count in (3, 25):
            for number in range(count - Direction.objects.get(pk=direction.pk).courses.count()):
                course = CourseFactory(direction=direction)
                if number % 2:
                    course.location.add(LocationFactory())
            with django_assert_max_num_queries(most):
                response = api.get(f"{API}/courses/", {"page_size": 25, "direction": direction.pk})
            assert len(response.json()["results"]) == count


# --- A course -----------------------------------------------------------------------------


class TestCourse:
    @pytest.mark.parametrize("role", ROLES)
    def test_everyone_reads_a_shown_course_and_nobody_a_hidden_one(self, request, course, role):
        hidden = CourseFactory(ready=False)
        api = api_as(user_of_role(request, role))

        response = api.get(course_url(course))

        assert response.status_code == 200
        body = response.json()
        assert body["title"] == "Поиск в лесу"
        assert body["duration"] == 90
        assert [chapter["title"] for chapter in body["structure"]] == ["Теория", "Практика"]
        assert [lesson["title"] for lesson in body["structure"][0]["lessons"]] == ["Введение", "Снаряжение"]
        assert body["enrolment"] is None and body["next_lesson_id"] is None
        assert api.get(course_url(hidden)).status_code == 404

    def test_skills_faq_regions_and_the_learners_progress(self, learner, course):
        course.skills.add(SkillFactory(title="Ориентирование", description="По карте и компасу."))
        course.faq.add(FAQFactory(question="Нужна ли форма?", answer="Нет."))
        course.location.add(learner.location)
        enrolment = enrolled(learner, course)
        VolunteerLesson.objects.filter(volunteer=learner, lesson=course.intro).update(passed=True)

        body = api_as(learner.user).get(course_url(course)).json()

        assert body["skills"] == [{"title": "Ориентирование", "description": "По карте и компасу."}]
        assert body["faq"] == [{"question": "Нужна ли форма?", "answer": "Нет."}]
        assert body["regions"] == [{"id": learner.location.pk, "region": learner.location.region}]
        assert body["enrolment"]["status"] == enrolment.status
        assert (body["lesson_count"], body["passed_count"]) == (3, 1)
        assert body["structure"][0]["lessons"][0]["passed"] is True
        assert body["next_lesson_id"] == course.video.pk
        assert body["refusal"] is None


class TestEnrol:
    def test_anonymous_clients_must_sign_in(self, course):
        assert api_as().post(course_url(course, "enrol")).status_code == 401

    @pytest.mark.parametrize("role", [*STAFF, "volunteer"])
    def test_users_without_a_volunteer_profile_are_refused(self, request, course, role):
        response = api_as(user_of_role(request, role)).post(course_url(course, "enrol"))

        assert response.status_code == 403
        assert "анкету волонтёра" in response.json()["detail"]
        assert not VolunteerCourse.objects.exists()

    def test_a_volunteer_enrols_once(self, learner, course):
        api = api_as(learner.user)

        first = api.post(course_url(course, "enrol"))
        again = api.post(course_url(course, "enrol"))

        assert first.status_code == 201 and again.status_code == 200
        assert first.json() == {
            "course": course.pk,
            "status": "Вы записаны",
            "assessment": 0.0,
            "attempts": 1,
            "attempts_left": None,
        }
        assert VolunteerCourse.objects.get().volunteer == learner
        assert VolunteerLesson.objects.filter(volunteer=learner).count() == 3

    def test_the_courses_rules_refuse_as_on_the_site(self, learner):
        higher = CourseFactory(level=level_of_rank(2))

        response = api_as(learner.user).post(course_url(higher, "enrol"))

        assert response.status_code == 403
        assert response.json() == {"detail": "Записаться нельзя: нужен уровень Бывалый."}
        assert api_as(learner.user).post(course_url(CourseFactory(published=False), "enrol")).status_code == 404


class TestRetake:
    def test_a_failed_course_is_taken_again(self, learner, course):
        enrolment = enrolled(learner, course)
        api = api_as(learner.user)

        assert api.post(course_url(course, "retake")).status_code == 400
        VolunteerCourse.objects.filter(pk=enrolment.pk).update(status=VolunteerCourse.Status.FAILED)
        response = api.post(course_url(course, "retake"))

        assert response.status_code == 200
        assert response.json()["attempts"] == 2

    @pytest.mark.parametrize("role", ROLES)
    def test_nobody_else_retakes(self, request, course, role):
        expected = 401 if role == "anonymous" else 403
        assert api_as(user_of_role(request, role)).post(course_url(course, "retake")).status_code == expected


class TestMyCourses:
    URL = f"{API}/my/courses/"

    @pytest.mark.parametrize("role", ROLES)
    def test_only_signed_in_users_and_only_their_own(self, request, course, role):
        enrolled(VolunteerFactory(), course)  # someone else's

        response = api_as(user_of_role(request, role)).get(self.URL)

        assert response.status_code == (401 if role == "anonymous" else 200)
        if role != "anonymous":
            assert response.json()["results"] == []

    def test_enrolments_with_progress(self, learner, course):
        enrolled(learner, course)
        VolunteerLesson.objects.filter(volunteer=learner, lesson=course.intro).update(passed=True)

        [row] = api_as(learner.user).get(self.URL).json()["results"]

        assert row["course"] == {"id": course.pk, "title": "Поиск в лесу"}
        assert (row["lesson_count"], row["passed_count"], row["next_lesson_id"]) == (3, 1, course.video.pk)
        assert row["enrolment"]["status"] == "Вы записаны"
        assert row["finished"] is False

    def test_a_page_takes_the_same_queries_for_3_and_25_enrolments(self, learner, django_assert_max_num_queries):
        """The token's user, the profile, the count, the page, and the progress: the courses'
        chapters, their lessons, the lessons passed."""
        api = api_as(learner.user)
        for count in (3, 25):
            while learner.enrolments.count() < count:
                course = CourseFactory()
                add_lesson(add_chapter(course))
                enrolled(learner, course)
            with django_assert_max_num_queries(7):
                response = api.get(self.URL, {"page_size": 25})
            assert len(response.json()["results"]) == count


# --- Lessons and quizzes ------------------------------------------------------------------


def all_keys(value) -> set[str]:
    """Every key of every object in a JSON document."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in all_keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in all_keys(item)}
    return set()


class TestLesson:
    @pytest.mark.parametrize("role", ROLES)
    def test_only_enrolled_volunteers_read_lessons(self, request, course, role):
        user = user_of_role(request, role)
        if role == "volunteer":
            VolunteerFactory(user=user)  # a profile, but no enrolment

        response = api_as(user).get(lesson_url(course, course.intro))

        assert response.status_code == (401 if role == "anonymous" else 403)

    def test_reading_a_lesson_opens_it_as_on_the_site(self, learner, course):
        enrolment = enrolled(learner, course)

        response = api_as(learner.user).get(lesson_url(course, course.intro))

        assert response.status_code == 200
        body = response.json()
        assert body["title"] == "Введение" and body["description"] == "<p>Текст урока.</p>"
        assert (body["position"], body["lesson_count"], body["previous_id"], body["next_id"]) == (
            1,
            3,
            None,
            course.video.pk,
        )
        assert body["progress"]["start_date"] is not None and body["progress"]["passed"] is False
        assert VolunteerLesson.objects.get(volunteer=learner, lesson=course.intro).start_date is not None
        enrolment.refresh_from_db()
        assert enrolment.status == VolunteerCourse.Status.ACTIVE

    def test_a_lesson_of_another_course_or_hidden_is_not_found(self, learner, course):
        enrolled(learner, course)
        other = add_lesson(add_chapter(CourseFactory()))
        hidden = add_lesson(add_chapter(course), published=False)
        api = api_as(learner.user)

        assert api.get(lesson_url(course, other)).status_code == 404
        assert api.get(lesson_url(course, hidden)).status_code == 404

    def test_a_quiz_comes_without_its_answers(self, learner, course):
        enrolled(learner, course)

        response = api_as(learner.user).get(lesson_url(course, course.quiz))

        quiz = response.json()["quiz"]
        assert [question["text"] for question in quiz["questions"]] == ["Куда звонить?", "Прибор для сторон света?"]
        assert [choice["text"] for choice in quiz["questions"][0]["choices"]] == ["112", "01"]
        assert quiz["attempt"] is None and quiz["results"] == []
        assert not all_keys(response.json()) & {"is_correct", "accepted_answers", "correct"}
        assert "компас" not in response.content.decode()

    def test_finish_passes_a_lesson_and_not_a_quiz(self, learner, course):
        enrolled(learner, course)
        api = api_as(learner.user)

        response = api.post(lesson_url(course, course.intro, "finish"))

        assert response.status_code == 200
        assert response.json()["next_id"] == course.video.pk
        assert VolunteerLesson.objects.get(volunteer=learner, lesson=course.intro).passed
        assert api.post(lesson_url(course, course.quiz, "finish")).status_code == 400

    @pytest.mark.parametrize("role", ROLES)
    def test_nobody_but_an_enrolled_volunteer_finishes(self, request, course, role):
        response = api_as(user_of_role(request, role)).post(lesson_url(course, course.intro, "finish"))

        assert response.status_code == (401 if role == "anonymous" else 403)
        assert not VolunteerLesson.objects.filter(passed=True).exists()


class TestQuiz:
    def answers(self, course, *, choice: int, text: str) -> dict:
        return {
            "answers": [
                {"question": course.single.pk, "choices": [choice]},
                {"question": course.short.pk, "text": text},
            ]
        }

    def test_answers_are_checked_once_and_the_correct_ones_never_shown(self, learner, course):
        enrolled(learner, course)
        api = api_as(learner.user)
        wrong = course.single.choices.get(text="01")
        right = course.single.choices.get(text="112")

        response = api.post(
            lesson_url(course, course.quiz, "quiz"), self.answers(course, choice=wrong.pk, text="Компас"), format="json"
        )

        assert response.status_code == 201
        body = response.json()
        assert body["quiz"]["attempt"]["status"] == "checked"
        assert body["quiz"]["attempt"]["score"] == 50.0
        assert [(row["verdict"], row["choices"]) for row in body["quiz"]["results"]] == [
            ("wrong", [wrong.pk]),
            ("right", []),
        ]
        assert not all_keys(body) & {"is_correct", "accepted_answers", "correct"}
        assert f'"id": {right.pk}' not in json.dumps(body["quiz"]["results"])
        again = api.post(
            lesson_url(course, course.quiz, "quiz"), self.answers(course, choice=right.pk, text="компас"), format="json"
        )
        assert again.status_code == 409
        assert again.json() == {"detail": "Ответы на этот тест уже отправлены."}
        assert QuizAttempt.objects.get().score == 50.0

    def test_after_a_submission_the_lesson_shows_the_result(self, learner, course):
        enrolment = enrolled(learner, course)
        quiz_submit(enrolment=enrolment, lesson=course.quiz, responses={course.short.pk: {"text": "компас"}})

        quiz = api_as(learner.user).get(lesson_url(course, course.quiz)).json()["quiz"]

        assert quiz["attempt"]["score"] == 50.0
        assert [row["verdict"] for row in quiz["results"]] == ["wrong", "right"]

    def test_garbled_answers_are_refused_and_cost_no_attempt(self, learner, course):
        enrolled(learner, course)

        response = api_as(learner.user).post(
            lesson_url(course, course.quiz, "quiz"), {"answers": [{"question": "x", "choices": ["a"]}]}, format="json"
        )

        assert response.status_code == 400
        assert not QuizAttempt.objects.exists()

    @pytest.mark.parametrize("role", ROLES)
    def test_nobody_but_an_enrolled_volunteer_submits(self, request, course, role):
        response = api_as(user_of_role(request, role)).post(
            lesson_url(course, course.quiz, "quiz"), {"answers": []}, format="json"
        )

        assert response.status_code == (401 if role == "anonymous" else 403)
        assert not QuizAttempt.objects.exists()


# --- Certificates -------------------------------------------------------------------------


def issued(volunteer, course, *, assessment=92.5) -> Certificate:
    enrolment = VolunteerCourse.objects.create(
        volunteer=volunteer, course=course, status=VolunteerCourse.Status.PASSED, assessment=assessment
    )
    certificate, _ = certificate_issue(enrolment=enrolment)
    return certificate


class TestCertificates:
    URL = f"{API}/certificates/"

    @pytest.mark.parametrize("role", ROLES)
    def test_each_user_lists_only_their_own(self, request, course, role):
        issued(VolunteerFactory(), course)

        response = api_as(user_of_role(request, role)).get(self.URL)

        assert response.status_code == (401 if role == "anonymous" else 200)
        if role != "anonymous":
            assert response.json()["results"] == []

    def test_the_owners_certificate_with_its_pdf_and_verification(self, learner, course):
        certificate = issued(learner, course)
        api = api_as(learner.user)

        [row] = api.get(self.URL).json()["results"]

        assert row["code"] == certificate.code
        assert row["course"] == {"id": course.pk, "title": course.title}
        assert row["final_assessment"] == 92.5
        assert row["pdf_url"] == f"http://testserver{API}/certificates/{certificate.pk}/pdf/"
        assert row["verify_url"] == f"http://testserver/certificates/verify/{certificate.code}/"
        pdf = api.get(row["pdf_url"], HTTP_ACCEPT="application/pdf")
        assert pdf.status_code == 200
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")
        assert "attachment" in pdf["Content-Disposition"]

    @pytest.mark.parametrize(
        ("role", "status"),
        [("anonymous", 401), ("volunteer", 404), ("teacher", 404), ("administrator", 200), ("main_admin", 200)],
    )
    def test_the_pdf_goes_to_whom_the_sites_download_allows(self, request, course, role, status):
        certificate = issued(VolunteerFactory(), course)

        response = api_as(user_of_role(request, role)).get(f"{self.URL}{certificate.pk}/pdf/")

        assert response.status_code == status

    def test_the_teacher_of_the_course_downloads_it(self, teacher, course):
        Course = type(course)
        Course.objects.filter(pk=course.pk).update(responsible=teacher)
        certificate = issued(VolunteerFactory(), course)

        assert api_as(teacher).get(f"{self.URL}{certificate.pk}/pdf/").status_code == 200

    @pytest.mark.parametrize("role", ROLES)
    def test_anyone_verifies_a_code(self, request, course, role):
        holder = VolunteerFactory(user__first_name="Анна", user__last_name="Иванова")
        certificate = issued(holder, course)
        api = api_as(user_of_role(request, role))

        response = api.get(f"{self.URL}{certificate.code}/")

        assert response.status_code == 200
        assert response.json() | {"issued_at": None} == {
            "code": certificate.code,
            "holder_name": "Анна Иванова",
            "course": course.title,
            "direction": course.direction.title,
            "final_assessment": 92.5,
            "issued_at": None,
        }
        assert api.get(f"{self.URL}no-such-code/").status_code == 404

    def test_the_list_takes_the_same_queries_for_3_and_25(self, learner, django_assert_max_num_queries):
        api = api_as(learner.user)
        for count in (3, 25):
            for _ in range(count - learner.certificates.count()):
                Certificate.objects.create(
                    volunteer=learner, course=CourseFactory(), final_assessment=80, file=ContentFile(b"%PDF", "c.pdf")
                )
            with django_assert_max_num_queries(3):
                response = api.get(self.URL, {"page_size": 25})
            assert response.json()["count"] == count


# --- Teachers' review ---------------------------------------------------------------------


class TestReviews:
    URL = f"{API}/teaching/reviews/"

    @pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("volunteer", 403)] + [(r, 200) for r in STAFF])
    def test_teachers_and_administrators_only(self, request, role, status):
        quiz = Quiz()
        [answer] = quiz.waiting([VolunteerFactory()])
        api = api_as(user_of_role(request, role))

        assert api.get(self.URL).status_code == status
        assert api.get(f"{self.URL}{answer.pk}/").status_code == status

    @pytest.mark.parametrize("role", ["anonymous", "volunteer"])
    def test_others_grade_nothing(self, request, role):
        [answer] = Quiz().waiting([VolunteerFactory()])

        response = api_as(user_of_role(request, role)).post(f"{self.URL}{answer.pk}/", {"points": 4}, format="json")

        assert response.status_code == (401 if role == "anonymous" else 403)
        assert Answer.objects.get(pk=answer.pk).fraction is None

    def test_the_queue_oldest_first_and_by_course(self, teacher):
        first, second = Quiz("Первый"), Quiz("Второй")
        [newer] = first.waiting([VolunteerFactory(user__first_name="Пётр", user__last_name="Новиков")], minutes_ago=5)
        [older] = second.waiting([VolunteerFactory()], minutes_ago=60)
        api = api_as(teacher)

        rows = api.get(self.URL).json()["results"]

        assert [row["id"] for row in rows] == [older.pk, newer.pk]
        assert rows[1]["volunteer_name"] == "Пётр Новиков"
        assert rows[1]["question"] == {"id": first.open.pk, "text": first.open.text, "points": 4}
        assert rows[1]["points"] is None
        assert [row["id"] for row in api.get(self.URL, {"course": first.course.pk}).json()["results"]] == [newer.pk]
        assert api.get(self.URL, {"course": 999999}).status_code == 404

    def test_a_restricted_teacher_sees_only_their_directions(self, teacher):
        mine, other = Quiz("Мой"), Quiz("Чужой")
        TeacherScope.objects.create(teacher=teacher, all_directions=False).directions.set([mine.course.direction])
        [my_answer] = mine.waiting([VolunteerFactory()])
        [other_answer] = other.waiting([VolunteerFactory()])
        api = api_as(teacher)

        assert [row["id"] for row in api.get(self.URL).json()["results"]] == [my_answer.pk]
        assert api.get(f"{self.URL}{other_answer.pk}/").status_code == 404
        assert api.post(f"{self.URL}{other_answer.pk}/", {"points": 4}, format="json").status_code == 404

    def test_grading_checks_the_attempt_once_and_tells_the_volunteer(self, teacher):
        quiz = Quiz()
        volunteer = VolunteerFactory()
        [answer] = quiz.waiting([volunteer])
        api = api_as(teacher)

        too_many = api.post(f"{self.URL}{answer.pk}/", {"points": 5}, format="json")
        graded = api.post(f"{self.URL}{answer.pk}/", {"points": "3.5", "comment": "Хорошо."}, format="json")
        again = api.post(f"{self.URL}{answer.pk}/", {"points": 1}, format="json")

        assert too_many.status_code == 400 and "points" in too_many.json()
        assert graded.status_code == 200
        body = graded.json()
        assert body["answer"]["points"] == 3.5 and body["answer"]["teacher_comment"] == "Хорошо."
        assert body["attempt_status"] == "checked"
        assert body["attempt_score"] == 90.0  # 1 + 3.5 of 5 points
        assert again.status_code == 409
        assert Answer.objects.get(pk=answer.pk).reviewed_by == teacher
        assert Message.objects.filter(recipient=volunteer.user, title__startswith="Тест").exists()

    def test_the_queue_takes_the_same_queries_for_3_and_25(self, teacher, django_assert_max_num_queries):
        """The token's user, their permissions (two), their direction scope, the count, the page."""
        quiz = Quiz()
        api = api_as(teacher)
        for count in (3, 25):
            quiz.waiting(many_volunteers(count - Answer.objects.filter(fraction__isnull=True).count()))
            with django_assert_max_num_queries(6):
                response = api.get(self.URL, {"page_size": 25})
            assert response.json()["count"] == count


def test_every_url_name_is_in_the_api_namespace():
    from django.urls import reverse

    assert reverse("api:course-list") == f"{API}/courses/"
    assert reverse("api:my-courses") == f"{API}/my/courses/"
    assert reverse("api:lesson-quiz", args=[1, 2]) == f"{API}/courses/1/lessons/2/quiz/"
    assert reverse("api:certificate-verify", args=["abc"]) == f"{API}/certificates/abc/"
    assert reverse("api:review-detail", args=[3]) == f"{API}/teaching/reviews/3/"
