import pickle

import pytest

from accounts.tests.factories import UserFactory
from core.cache import content_changed
from courses.models import (
    Course,
    CourseFAQ,
    CourseLocation,
    CourseSkill,
    Lesson,
    Question,
    VolunteerCourse,
)
from courses.selectors import (
    ANONYMOUS,
    catalogue_courses,
    course_lessons,
    course_structure,
    course_structure_with_progress,
    enrolment_statuses,
    learner_course,
    learner_of_user,
    quiz_key,
    quiz_questions,
)
from courses.tests.factories import CourseFactory, FAQFactory, SkillFactory, add_chapter, add_lesson, add_question
from volunteers.models import VolunteerLevel
from volunteers.services import levels_confirm, volunteer_choose_level
from volunteers.tests.factories import LocationFactory, VolunteerFactory, level_of_rank

pytestmark = pytest.mark.django_db


class TestLearnerOfUser:
    def test_is_the_volunteer_with_the_region_and_when_asked_the_highest_confirmed_level(
        self, django_assert_num_queries
    ):
        volunteer = VolunteerFactory()
        volunteer_choose_level(volunteer=volunteer, level=level_of_rank(2))
        levels_confirm(record_ids=volunteer.level_records.values_list("pk", flat=True), confirmed_by=UserFactory())
        volunteer_choose_level(volunteer=volunteer, level=level_of_rank(3))  # asked for, not confirmed

        experienced = level_of_rank(2)

        with django_assert_num_queries(1):  # the volunteer
            learner = learner_of_user(volunteer.user)
            assert learner.location_id == volunteer.location_id
        with django_assert_num_queries(1):  # the region, once asked for
            assert learner.location == volunteer.location
        with django_assert_num_queries(1):  # the level, once asked for
            assert learner.level == experienced
            assert learner.level.rank == 2

        assert learner.volunteer == volunteer
        assert learner.level == volunteer.effective_level

    def test_a_volunteer_without_a_confirmed_level_has_none(self):
        volunteer = VolunteerFactory()
        VolunteerLevel.objects.filter(volunteer=volunteer).update(confirmed=False, confirmed_at=None)

        learner = learner_of_user(volunteer.user)

        assert learner.volunteer == volunteer
        assert learner.level is None

    def test_a_user_without_a_profile_is_anonymous(self):
        assert learner_of_user(UserFactory()) is ANONYMOUS


class TestQuiz:
    @pytest.fixture
    def quiz(self, db):
        quiz = add_lesson(add_chapter(CourseFactory()), type=Lesson.Type.QUIZ)
        add_question(quiz, text="Сколько?", kind=Question.Kind.TEXT, accepted="два\n2", points=2)
        add_question(quiz, text="Кто?", choices=[("Я", False), ("Ты", True)])
        return quiz

    def test_learners_get_the_questions_and_choices_in_order_and_nothing_of_the_answers(self, quiz):
        questions = quiz_questions(quiz.pk)

        assert [(question.text, question.kind, question.points) for question in questions] == [
            ("Сколько?", "text", 2),
            ("Кто?", "single", 1),
        ]
        assert [choice.text for choice in questions[1].choices] == ["Я", "Ты"]
        assert not any(choice.is_correct for question in questions for choice in question.choices)
        assert [question.accepted_answers for question in questions] == ["", ""]

    def test_grading_gets_the_right_choices_and_the_accepted_answers(self, quiz):
        key = list(quiz_key(quiz.pk).values())

        assert key[0].accepted_answers == "два\n2"
        assert [(choice.text, choice.is_correct) for choice in key[1].choices] == [("Я", False), ("Ты", True)]

    def test_are_kept_as_plain_values(self, quiz, django_assert_num_queries):
        """Model instances with prefetched choices pickle their QuerySets, queries and all:
        slow to read back from the cache, three times for each learner of an exam rush."""
        quiz_questions(quiz.pk), quiz_key(quiz.pk)

        with django_assert_num_queries(0):
            kept = [quiz_questions(quiz.pk), list(quiz_key(quiz.pk).values())]
        assert b"django.db" not in pickle.dumps(kept)


class TestLearnerCourse:
    def test_is_the_shown_course_with_the_volunteers_enrolment(self, django_assert_num_queries):
        volunteer, other = VolunteerFactory(), VolunteerFactory()
        enrolled_in, not_enrolled_in = CourseFactory(attempts_limit=3), CourseFactory()
        enrolment = VolunteerCourse.objects.create(volunteer=volunteer, course=enrolled_in, attempts=2)
        VolunteerCourse.objects.create(volunteer=other, course=not_enrolled_in)
        learner_course(enrolled_in.pk, None)  # the course, cached for every reader

        with django_assert_num_queries(1):  # the enrolment
            found = learner_course(enrolled_in.pk, volunteer)

        stored = Course.objects.get(pk=enrolled_in.pk)
        fields = [field.attname for field in Course._meta.concrete_fields if not field.generated]
        assert [getattr(found.course, name) for name in fields] == [getattr(stored, name) for name in fields]
        assert found.enrolment == enrolment
        assert (found.enrolment.status, found.enrolment.attempts) == (VolunteerCourse.Status.ENROLLED, 2)
        assert found.enrolment.course is found.course
        assert learner_course(not_enrolled_in.pk, volunteer).enrolment is None
        assert learner_course(enrolled_in.pk, None).enrolment is None

    @pytest.mark.parametrize("hidden_by", ["ready", "visible", "published"])
    def test_a_hidden_course_is_none(self, hidden_by):
        course = CourseFactory(**{hidden_by: False})

        assert learner_course(course.pk, VolunteerFactory()) is None

    def test_with_details_the_direction_level_and_lists_come_in_order(self, django_assert_num_queries):
        course, other = CourseFactory(), CourseFactory()
        south, north = LocationFactory(region="Южный регион"), LocationFactory(region="Северный регион")
        for location in (south, north):
            CourseLocation.objects.create(course=course, location=location)
        CourseLocation.objects.create(course=other, location=LocationFactory())
        for title in ("Связь", "Навигация"):
            CourseSkill.objects.create(course=course, skill=SkillFactory(title=title, description=f"О {title}"))
        for question in ("Сколько длится?", "Где проходит?"):
            CourseFAQ.objects.create(course=course, faq=FAQFactory(question=question, answer="Ответ."))

        learner_course(course.pk, None)
        with django_assert_num_queries(0):  # cached
            found = learner_course(course.pk, None)
            assert (found.course.direction, found.course.level) == (course.direction, course.level)
            assert found.course.level.rank == 1

        assert found.regions == [(north.pk, "Северный регион"), (south.pk, "Южный регион")]
        assert found.skills == [("Навигация", "О Навигация"), ("Связь", "О Связь")]
        assert found.questions == [("Где проходит?", "Ответ."), ("Сколько длится?", "Ответ.")]
        assert learner_course(other.pk, None).skills == []

    def test_is_read_anew_once_the_courses_change(self):
        course = CourseFactory(title="Старое название")
        assert learner_course(course.pk, None).course.title == "Старое название"
        Course.objects.filter(pk=course.pk).update(title="Новое название")
        assert learner_course(course.pk, None).course.title == "Старое название"

        content_changed("courses")

        assert learner_course(course.pk, None).course.title == "Новое название"
        Course.objects.filter(pk=course.pk).update(published=False)
        content_changed("courses")
        assert learner_course(course.pk, None) is None


def test_catalogue_courses_carry_their_regions_and_enrolment_statuses_are_the_volunteers():
    volunteer, other = VolunteerFactory(), VolunteerFactory()
    first, second = LocationFactory(), LocationFactory()
    everywhere, listed, passed = CourseFactory(), CourseFactory(), CourseFactory()
    CourseLocation.objects.create(course=listed, location=first)
    CourseLocation.objects.create(course=listed, location=second)
    VolunteerCourse.objects.create(volunteer=volunteer, course=listed, status=VolunteerCourse.Status.ACTIVE)
    VolunteerCourse.objects.create(volunteer=other, course=passed, status=VolunteerCourse.Status.PASSED)

    courses = {course.pk: course for course in catalogue_courses()}

    assert courses[everywhere.pk].region_ids == []
    assert sorted(courses[listed.pk].region_ids) == sorted([first.pk, second.pk])
    ids = list(courses)
    assert enrolment_statuses(volunteer, ids) == {listed.pk: VolunteerCourse.Status.ACTIVE}
    assert enrolment_statuses(other, ids) == {passed.pk: VolunteerCourse.Status.PASSED}
    assert enrolment_statuses(None, ids) == enrolment_statuses(volunteer, []) == {}


class TestCourseStructure:
    @pytest.fixture
    def course(self):
        """«Вторая» (two shown lessons, a hidden one between them), «Пустая», whose only
        lesson is hidden, and «Первая», added last but numbered first."""
        course = CourseFactory()
        second = add_chapter(course, title="Вторая", order_number=2)
        course.practice = add_lesson(second, title="Практика")
        add_lesson(second, title="Черновик", ready=False)
        course.quiz = add_lesson(second, title="Тест")
        add_lesson(add_chapter(course, title="Пустая", order_number=3), title="Скрытый", published=False)
        course.theory = add_lesson(add_chapter(course, title="Первая", order_number=1), title="Теория")
        return course

    def test_is_the_chapters_in_order_with_their_shown_lessons_in_order(self, course, django_assert_num_queries):
        with django_assert_num_queries(2):  # the chapters, their lessons
            structure = course_structure(course)
        with django_assert_num_queries(0):  # cached for every reader
            assert course_structure(course) == structure

        assert [(entry.order_number, entry.chapter.title, lessons) for entry, lessons in structure] == [
            (1, "Первая", [course.theory]),
            (2, "Вторая", [course.practice, course.quiz]),
            (3, "Пустая", []),
        ]
        assert structure[1][1][1].title == "Тест"

    def test_with_progress_adds_the_volunteers_passed_lessons_and_row(self, course, django_assert_num_queries):
        volunteer, other = VolunteerFactory(), VolunteerFactory()
        VolunteerCourse.objects.create(volunteer=volunteer, course=course)  # creates the rows
        VolunteerCourse.objects.create(volunteer=other, course=course)
        volunteer.lesson_progress.filter(lesson=course.theory).update(passed=True)
        other.lesson_progress.filter(lesson=course.practice).update(passed=True)
        volunteer.lesson_progress.filter(lesson=course.quiz).delete()
        course_structure(course)

        with django_assert_num_queries(1):  # the progress; the structure is cached
            structure, passed_ids, row = course_structure_with_progress(course, volunteer, lesson_id=course.theory.pk)

        assert structure == course_structure(course)
        assert passed_ids == {course.theory.pk}
        assert row == volunteer.lesson_progress.get(lesson=course.theory)
        assert (row.volunteer_id, row.lesson_id, row.passed, row.start_date) == (
            volunteer.pk,
            course.theory.pk,
            True,
            None,
        )
        assert course_structure_with_progress(course, volunteer, lesson_id=course.quiz.pk)[2] is None
        assert course_structure_with_progress(course, volunteer)[2] is None

    def test_is_read_anew_once_the_courses_change(self, course):
        assert [lesson.title for lesson in course_lessons(course)] == ["Теория", "Практика", "Тест"]
        course_structure(course)
        course.theory.title = "Введение"
        course.theory.save()
        assert course_structure(course)[0][1][0].title == "Теория"
        assert course_lessons(course)[0].title == "Введение"  # the services read the database

        content_changed("courses")

        assert course_structure(course)[0][1][0].title == "Введение"
