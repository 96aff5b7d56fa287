import pytest

from accounts.tests.factories import UserFactory
from courses.models import CourseLocation, VolunteerCourse
from courses.selectors import (
    ANONYMOUS,
    catalogue_courses,
    courses_shown_with_enrolment,
    joined_enrolment,
    learner_of_user,
    lesson_progress,
)
from courses.tests.factories import CourseFactory, add_chapter, add_lesson
from volunteers.models import VolunteerLevel
from volunteers.services import levels_confirm, volunteer_choose_level
from volunteers.tests.factories import LocationFactory, VolunteerFactory, level_of_rank

pytestmark = pytest.mark.django_db


class TestLearnerOfUser:
    def test_is_the_volunteer_with_the_region_and_the_highest_confirmed_level(self, django_assert_num_queries):
        volunteer = VolunteerFactory()
        volunteer_choose_level(volunteer=volunteer, level=level_of_rank(2))
        levels_confirm(record_ids=volunteer.level_records.values_list("pk", flat=True), confirmed_by=UserFactory())
        volunteer_choose_level(volunteer=volunteer, level=level_of_rank(3))  # asked for, not confirmed

        experienced = level_of_rank(2)

        with django_assert_num_queries(1):
            learner = learner_of_user(volunteer.user)
            assert (learner.level, learner.location) == (experienced, volunteer.location)
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


class TestEnrolmentJoined:
    def test_is_the_volunteers_enrolment_or_none(self, django_assert_num_queries):
        volunteer, other = VolunteerFactory(), VolunteerFactory()
        enrolled_in, not_enrolled_in = CourseFactory(), CourseFactory()
        enrolment = VolunteerCourse.objects.create(volunteer=volunteer, course=enrolled_in)
        VolunteerCourse.objects.create(volunteer=other, course=not_enrolled_in)

        with django_assert_num_queries(1):
            courses = {course.pk: course for course in courses_shown_with_enrolment(volunteer)}
            assert joined_enrolment(courses[enrolled_in.pk]) == enrolment
            assert joined_enrolment(courses[enrolled_in.pk]).course is courses[enrolled_in.pk]
            assert joined_enrolment(courses[not_enrolled_in.pk]) is None

    def test_without_a_volunteer_there_is_none(self):
        course = CourseFactory()
        VolunteerCourse.objects.create(volunteer=VolunteerFactory(), course=course)

        assert joined_enrolment(courses_shown_with_enrolment(None).get(pk=course.pk)) is None


def test_catalogue_courses_carry_their_regions_and_the_volunteers_enrolment():
    volunteer = VolunteerFactory()
    first, second = LocationFactory(), LocationFactory()
    everywhere, listed = CourseFactory(), CourseFactory()
    CourseLocation.objects.create(course=listed, location=first)
    CourseLocation.objects.create(course=listed, location=second)
    VolunteerCourse.objects.create(volunteer=volunteer, course=listed, status=VolunteerCourse.Status.ACTIVE)

    courses = {course.pk: course for course in catalogue_courses(volunteer)}
    anonymous = {course.pk: course for course in catalogue_courses(None)}

    assert (courses[everywhere.pk].region_ids, courses[everywhere.pk].enrolment_status) == ([], None)
    assert sorted(courses[listed.pk].region_ids) == sorted([first.pk, second.pk])
    assert courses[listed.pk].enrolment_status == VolunteerCourse.Status.ACTIVE
    assert anonymous[listed.pk].enrolment_status is None


def test_lesson_progress_is_the_volunteers_rows_by_lesson():
    course = CourseFactory()
    chapter = add_chapter(course)
    first, second, elsewhere = add_lesson(chapter), add_lesson(chapter), add_lesson(add_chapter(CourseFactory()))
    volunteer = VolunteerFactory()
    VolunteerCourse.objects.create(volunteer=volunteer, course=course)  # creates the rows
    volunteer.lesson_progress.filter(lesson=first).update(passed=True)

    rows = lesson_progress(volunteer, [first, second, elsewhere])

    assert set(rows) == {first.pk, second.pk}
    assert (rows[first.pk].passed, rows[second.pk].passed) == (True, False)
