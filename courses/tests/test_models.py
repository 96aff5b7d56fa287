import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from courses.models import (
    Certificate,
    ChapterLesson,
    CourseChapter,
    VideoLesson,
    VolunteerCourse,
    VolunteerLesson,
)
from courses.services import enrol, reorder
from courses.tests.factories import CourseFactory, LessonFactory, VideoLessonFactory, add_chapter, add_lesson
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

PROGRESS_INSERT = 'INSERT INTO "volunteers_lessons"'


def check_deferred_constraints():
    """What COMMIT does: the deferred unique order constraints are checked now."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def progress_inserts(queries: CaptureQueriesContext) -> int:
    return sum(query["sql"].startswith(PROGRESS_INSERT) for query in queries.captured_queries)


@pytest.fixture
def course():
    return CourseFactory()


class TestOrderNumbers:
    def test_chapter_numbers_start_at_one(self, course):
        chapter = add_chapter(CourseFactory())
        with pytest.raises(IntegrityError, match="courses_chapters_order_positive"), transaction.atomic():
            CourseChapter.objects.create(course=course, chapter=chapter, order_number=0)

    def test_lesson_numbers_start_at_one(self, course):
        chapter = add_chapter(course)
        with pytest.raises(IntegrityError, match="chapters_lessons_order_positive"), transaction.atomic():
            ChapterLesson.objects.create(chapter=chapter, lesson=LessonFactory(), order_number=0)

    def test_order_below_one_is_a_validation_error_too(self, course):
        link = CourseChapter(course=course, chapter=add_chapter(course), order_number=0)

        with pytest.raises(ValidationError) as error:
            link.full_clean()

        assert "order_number" in error.value.message_dict

    def test_two_chapters_of_one_course_cannot_share_a_number(self, course):
        add_chapter(course, order_number=1)
        add_chapter(course, order_number=1)

        with pytest.raises(IntegrityError, match="courses_chapters_order_unique"):
            check_deferred_constraints()

    def test_two_lessons_of_one_chapter_cannot_share_a_number(self, course):
        chapter = add_chapter(course)
        ChapterLesson.objects.create(chapter=chapter, lesson=LessonFactory(), order_number=1)
        ChapterLesson.objects.create(chapter=chapter, lesson=LessonFactory(), order_number=1)

        with pytest.raises(IntegrityError, match="chapters_lessons_order_unique"):
            check_deferred_constraints()

    def test_the_same_number_in_another_course_is_fine(self, course):
        add_chapter(course, order_number=1)
        add_chapter(CourseFactory(), order_number=1)

        check_deferred_constraints()

    def test_reorder_swaps_two_chapters_in_one_transaction(self, course):
        first, second = add_chapter(course, title="Первая"), add_chapter(course, title="Вторая")
        links = list(course.course_chapters.all())

        reorder(links=links, order=[links[1].pk, links[0].pk])
        check_deferred_constraints()

        numbers = dict(course.course_chapters.values_list("chapter_id", "order_number"))
        assert numbers == {second.pk: 1, first.pk: 2}

    def test_reorder_of_lessons(self, course):
        chapter = add_chapter(course)
        lessons = [add_lesson(chapter) for _ in range(3)]
        links = list(chapter.chapter_lessons.all())

        reorder(links=links, order=[links[2].pk, links[0].pk, links[1].pk])
        check_deferred_constraints()

        ordered = list(chapter.chapter_lessons.order_by("order_number").values_list("lesson_id", flat=True))
        assert ordered == [lessons[2].pk, lessons[0].pk, lessons[1].pk]


class TestRanges:
    @pytest.mark.parametrize("limit", [0, 10])
    def test_attempts_limit_bounds_are_allowed(self, limit):
        CourseFactory(attempts_limit=limit).full_clean()

    @pytest.mark.parametrize("limit", [-1, 11])
    def test_attempts_limit_outside_0_to_10_is_refused(self, limit):
        course = CourseFactory.build(attempts_limit=limit)
        course.direction.save()
        course.direction_id = course.direction.pk

        with pytest.raises(ValidationError) as error:
            course.full_clean()
        assert "attempts_limit" in error.value.message_dict

        with pytest.raises(IntegrityError, match="courses_attempts_limit_range"), transaction.atomic():
            course.save()

    @pytest.mark.parametrize("assessment", [-0.1, 100.1])
    def test_assessment_outside_0_to_100_is_refused(self, course, assessment):
        enrolment = VolunteerCourse(volunteer=VolunteerFactory(), course=course, assessment=assessment)

        with pytest.raises(ValidationError) as error:
            enrolment.full_clean()
        assert "assessment" in error.value.message_dict

        with pytest.raises(IntegrityError, match="volunteers_courses_assessment_range"), transaction.atomic():
            enrolment.save()

    def test_assessment_of_100_is_allowed(self, course):
        VolunteerCourse.objects.create(volunteer=VolunteerFactory(), course=course, assessment=100)


class TestEnrolmentUniqueness:
    def test_one_enrolment_per_volunteer_and_course(self, course):
        volunteer = VolunteerFactory()
        VolunteerCourse.objects.create(volunteer=volunteer, course=course)

        with pytest.raises(IntegrityError, match="volunteers_courses_unique"), transaction.atomic():
            VolunteerCourse.objects.create(volunteer=volunteer, course=course, status=VolunteerCourse.Status.ACTIVE)

    def test_one_progress_row_per_volunteer_and_lesson(self, course):
        volunteer, lesson = VolunteerFactory(), LessonFactory()
        VolunteerLesson.objects.create(volunteer=volunteer, lesson=lesson)

        with pytest.raises(IntegrityError, match="volunteers_lessons_unique"), transaction.atomic():
            VolunteerLesson.objects.create(volunteer=volunteer, lesson=lesson, passed=True)


class TestVideoLesson:
    def test_needs_a_file_or_a_link(self):
        video = VideoLessonFactory.build(lesson=LessonFactory(type="Видеоурок"))

        with pytest.raises(ValidationError):
            video.full_clean()
        with pytest.raises(IntegrityError, match="video_lessons_file_or_url"), transaction.atomic():
            video.save()

    def test_a_link_is_enough(self):
        video = VideoLessonFactory.build(lesson=LessonFactory(type="Видеоурок"), url="https://video.example/lesson-1")
        video.full_clean()
        video.save()

        assert VideoLesson.objects.get().url == "https://video.example/lesson-1"


class TestRichTextIsSanitisedOnSave:
    DIRTY = '<p onclick="steal()">Привет, <strong>волонтёр</strong></p><script>alert("x")</script>'

    def test_course_full_description(self):
        course = CourseFactory(full_description=self.DIRTY)
        course.refresh_from_db()

        assert "<script" not in course.full_description
        assert "alert" not in course.full_description
        assert "onclick" not in course.full_description
        assert course.full_description == "<p>Привет, <strong>волонтёр</strong></p>"

    def test_lesson_description(self):
        lesson = LessonFactory(description=self.DIRTY + '<a href="javascript:steal()">ссылка</a>')
        lesson.refresh_from_db()

        assert "<script" not in lesson.description
        assert "onclick" not in lesson.description
        assert "javascript:" not in lesson.description
        assert lesson.description.startswith("<p>Привет, <strong>волонтёр</strong></p>")

    def test_on_update_as_well(self):
        lesson = LessonFactory()
        lesson.description = '<p>Новый текст</p><img src="x" onerror="steal()">'
        lesson.save()
        lesson.refresh_from_db()

        assert "onerror" not in lesson.description
        assert "<p>Новый текст</p>" in lesson.description


class TestProgressRowsOnEnrolment:
    """spec 001: a VolunteerCourse with «Вы записаны» creates VolunteerLesson rows for
    every lesson of the course, in one INSERT."""

    @pytest.fixture
    def lessons(self, course):
        first, second = add_chapter(course), add_chapter(course)
        return [add_lesson(first) for _ in range(3)] + [add_lesson(second) for _ in range(4)]

    def test_enrol_creates_a_row_per_lesson_in_one_insert(self, course, lessons):
        volunteer = VolunteerFactory()

        with CaptureQueriesContext(connection) as queries:
            enrol(volunteer=volunteer, course=course)

        assert progress_inserts(queries) == 1
        rows = VolunteerLesson.objects.filter(volunteer=volunteer)
        assert sorted(rows.values_list("lesson_id", flat=True)) == sorted(lesson.pk for lesson in lessons)
        assert not rows.filter(passed=True).exists()
        assert not rows.filter(start_date__isnull=False).exists()

    def test_a_plain_save_does_it_too(self, course, lessons):
        volunteer = VolunteerFactory()

        with CaptureQueriesContext(connection) as queries:
            VolunteerCourse(volunteer=volunteer, course=course, status=VolunteerCourse.Status.ENROLLED).save()

        assert progress_inserts(queries) == 1
        assert VolunteerLesson.objects.filter(volunteer=volunteer).count() == len(lessons)

    def test_changing_the_status_to_enrolled_later_does_it(self, course, lessons):
        volunteer = VolunteerFactory()
        enrolment = VolunteerCourse.objects.create(
            volunteer=volunteer, course=course, status=VolunteerCourse.Status.ACTIVE
        )
        assert not VolunteerLesson.objects.filter(volunteer=volunteer).exists()

        enrolment.status = VolunteerCourse.Status.ENROLLED
        enrolment.save()

        assert VolunteerLesson.objects.filter(volunteer=volunteer).count() == len(lessons)

    def test_doing_it_twice_creates_nothing_new(self, course, lessons):
        volunteer = VolunteerFactory()
        enrolment = enrol(volunteer=volunteer, course=course)
        VolunteerLesson.objects.filter(volunteer=volunteer, lesson=lessons[0]).update(passed=True)

        enrolment.save()
        enrolment.create_lesson_progress()
        again = enrol(volunteer=volunteer, course=course)

        assert again.pk == enrolment.pk
        assert VolunteerLesson.objects.filter(volunteer=volunteer).count() == len(lessons)
        assert VolunteerLesson.objects.get(volunteer=volunteer, lesson=lessons[0]).passed, "progress kept"

    def test_create_lesson_progress_counts_only_the_rows_it_inserts(self, course, lessons):
        enrolment = enrol(volunteer=VolunteerFactory(), course=course)
        add_lesson(add_chapter(course))

        assert enrolment.create_lesson_progress() == 1
        assert enrolment.create_lesson_progress() == 0

    def test_a_lesson_in_two_chapters_gets_one_row(self, course):
        shared = add_lesson(add_chapter(course))
        ChapterLesson.objects.create(chapter=add_chapter(course), lesson=shared, order_number=1)
        volunteer = VolunteerFactory()

        enrol(volunteer=volunteer, course=course)

        assert VolunteerLesson.objects.filter(volunteer=volunteer).count() == 1

    def test_other_courses_lessons_are_left_out(self, course, lessons):
        add_lesson(add_chapter(CourseFactory()))
        volunteer = VolunteerFactory()

        enrol(volunteer=volunteer, course=course)

        assert VolunteerLesson.objects.filter(volunteer=volunteer).count() == len(lessons)

    def test_a_course_without_lessons_inserts_nothing(self, course):
        with CaptureQueriesContext(connection) as queries:
            enrol(volunteer=VolunteerFactory(), course=course)

        assert progress_inserts(queries) == 0


@pytest.mark.django_db
def test_a_certificate_without_its_file_is_refused_by_the_database():
    """Spec 001's `sertificate_path` is required: the services always save the PDF with the
    row, and the database refuses a row that names none."""
    with pytest.raises(IntegrityError, match="certificates_file_present"), transaction.atomic():
        Certificate.objects.create(volunteer=VolunteerFactory(), course=CourseFactory(), final_assessment=80)


def test_the_many_to_many_fields_read_as_spec_001_names_them(course):
    """A volunteer's `level` and `courses`, a course's `location` and `contents`: each
    through the model spec 001 names."""
    chapter = add_chapter(course)
    volunteer = VolunteerFactory()
    enrol(volunteer=volunteer, course=course)
    course.location.add(volunteer.location)

    assert list(volunteer.courses.all()) == [course]
    assert list(course.contents.all()) == [chapter]
    assert list(course.location.all()) == [volunteer.location]
    assert [level.name for level in volunteer.level.all()] == ["Новичок"]  # the factory's
    assert {field.name: field.remote_field.through.__name__ for field in volunteer._meta.many_to_many} == {
        "directions": "Volunteer_directions",
        "level": "VolunteerLevel",
        "badges": "VolunteerBadge",
        "courses": "VolunteerCourse",
    }
