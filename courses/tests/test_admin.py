import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from accounts.models import User
from accounts.roles import ADMIN, TEACHER, VOLUNTEER
from accounts.tests.factories import UserFactory
from core.testing import (
    action_data,
    action_names,
    assert_redirects_to_admin_login,
    change_form_data,
    message_texts,
)
from courses.models import (
    FAQ,
    Answer,
    ChapterLesson,
    Course,
    CourseChapter,
    CourseFAQ,
    CourseSkill,
    Lesson,
    Question,
    QuizAttempt,
    Skill,
    TeacherScope,
    VideoLesson,
    VolunteerCourse,
    VolunteerLesson,
    Webinar,
)
from courses.permissions import teacher_may_edit_course
from courses.services import course_refresh, enrol
from courses.tests.factories import (
    ChapterFactory,
    CourseFactory,
    FAQFactory,
    LessonFactory,
    SkillFactory,
    VideoLessonFactory,
    add_chapter,
    add_lesson,
    add_question,
)
from courses.tests.visitors import CATALOGUE, course_page, listed_titles, visitor_gets, visitor_sees
from volunteers.tests.factories import DirectionFactory, LocationFactory, VolunteerFactory, level_of_rank

pytestmark = pytest.mark.django_db

ADMIN_ROOT = "/admin/courses"
COURSES = f"{ADMIN_ROOT}/course/"
CHAPTERS = f"{ADMIN_ROOT}/chapter/"
LESSONS = f"{ADMIN_ROOT}/lesson/"
ENROLMENTS = f"{ADMIN_ROOT}/volunteercourse/"
SCOPES = f"{ADMIN_ROOT}/teacherscope/"
TEACHER_AUTOCOMPLETE = f"{SCOPES}teacher-autocomplete/"
OTHER_DIRECTIONS_ONLY = "Вы можете вести курсы только своих направлений."


def change_url(obj):
    return f"{ADMIN_ROOT}/{obj._meta.model_name}/{obj.pk}/change/"


def delete_url(obj):
    return f"{ADMIN_ROOT}/{obj._meta.model_name}/{obj.pk}/delete/"


def add_inline_rows(data: dict, prefix: str, *rows: dict) -> dict:
    """New rows after the rendered ones of the inline `prefix`, as the «Добавить ещё» link makes them."""
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for index, row in enumerate(rows, start=start):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))
    return data


def inline_of(response, model):
    return next(inline for inline in response.context["inline_admin_formsets"] if inline.formset.model is model)


def restrict(teacher, *directions) -> TeacherScope:
    """The teacher may edit courses of these directions only."""
    scope = TeacherScope.objects.create(teacher=teacher, all_directions=False)
    scope.directions.set(directions)
    return scope


def course_with_lessons(*durations, **course_fields) -> Course:
    course = CourseFactory(**course_fields)
    chapter = add_chapter(course)
    for minutes in durations:
        add_lesson(chapter, duration=minutes)
    course_refresh(course=course)
    return course


def enrolled_volunteer(course, **volunteer_fields):
    volunteer = VolunteerFactory(**volunteer_fields)
    return enrol(volunteer=volunteer, course=course)


def quiz_attempt(**volunteer_fields) -> QuizAttempt:
    course = CourseFactory()
    quiz = add_lesson(add_chapter(course), type=Lesson.Type.QUIZ, title="Итоговый тест")
    question = add_question(quiz, kind=Question.Kind.TEXT, accepted="112")
    enrolment = enrolled_volunteer(course, **volunteer_fields)
    attempt = QuizAttempt.objects.create(enrolment=enrolment, lesson=quiz, status=QuizAttempt.Status.CHECKED, score=100)
    Answer.objects.create(attempt=attempt, question=question, text="112", fraction=1)
    return attempt


def other_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Smoke: every page of every model ---------------------------------------------------


def quiz_lesson():
    lesson = LessonFactory(title="Проверка знаний", tags="СЛР, реанимация", type=Lesson.Type.QUIZ)
    add_question(lesson, text="Куда звонить?", choices=[("112", True), ("01", False)])
    return lesson


MODELS = [
    pytest.param("course", lambda: CourseFactory(title="Первая помощь"), "помощь", True, id="course"),
    pytest.param(
        "chapter",
        lambda: add_chapter(CourseFactory(title="Поиск людей"), title="Введение"),
        "поиск",
        True,
        id="chapter",
    ),
    pytest.param("lesson", quiz_lesson, "СЛР", True, id="lesson"),
    pytest.param("question", lambda: quiz_lesson().questions.get(), "звонить", True, id="question"),
    pytest.param("skill", lambda: SkillFactory(title="Работа в команде", description="—"), "команд", True, id="skill"),
    pytest.param("faq", lambda: FAQFactory(question="Нужен ли опыт?", answer="Нет."), "опыт", True, id="faq"),
    pytest.param(
        "volunteercourse",
        lambda: enrolled_volunteer(course_with_lessons(30), user__last_name="Орлова"),
        "Орлова",
        True,
        id="volunteercourse",
    ),
    pytest.param(
        "volunteerlesson",
        lambda: VolunteerLesson.objects.get(
            volunteer=enrolled_volunteer(course_with_lessons(30), user__last_name="Орлова").volunteer
        ),
        "Орлова",
        False,
        id="volunteerlesson",
    ),
    pytest.param("quizattempt", lambda: quiz_attempt(user__last_name="Орлова"), "Орлова", False, id="quizattempt"),
    pytest.param(
        "teacherscope",
        lambda: restrict(UserFactory(roles=[TEACHER], last_name="Петров"), DirectionFactory()),
        "Петров",
        True,
        id="teacherscope",
    ),
]


@pytest.mark.parametrize(("model_name", "make", "query", "can_add"), MODELS)
def test_main_admin_opens_every_page(as_main_admin, model_name, make, query, can_add):
    obj = make()
    changelist = f"{ADMIN_ROOT}/{model_name}/"

    assert as_main_admin.get(changelist).status_code == 200
    found = as_main_admin.get(changelist, {"q": query})
    assert found.status_code == 200
    assert obj in found.context["cl"].result_list
    assert not as_main_admin.get(changelist, {"q": "нет-такого"}).context["cl"].result_list
    assert as_main_admin.get(f"{changelist}add/").status_code == (200 if can_add else 403)
    assert as_main_admin.get(change_url(obj)).status_code == 200


@pytest.mark.parametrize("query", ["status__exact=%00", "status__exact=a%7F", "q=%00", "course__id__exact=%00"])
def test_a_control_character_in_a_list_filter_is_a_400(as_main_admin, query):
    response = as_main_admin.get(f"{ENROLMENTS}?{query}")

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 20, "abc"])
def test_a_field_filter_value_that_is_no_id_does_not_break_the_list(as_main_admin, value):
    response = as_main_admin.get(ENROLMENTS, {"course__id__exact": value})

    assert response.status_code in (200, 302)


@pytest.mark.parametrize("value", ["²", "9" * 5000, "abc"])
def test_a_ticked_row_that_is_no_id_is_a_400_and_nothing_is_deleted(as_main_admin, value):
    enrolment = enrolled_volunteer(course_with_lessons(1))

    response = as_main_admin.post(
        ENROLMENTS,
        {**action_data("delete_selected", enrolment), "post": "yes"} | {"_selected_action": [enrolment.pk, value]},
    )

    assert response.status_code == 400
    assert VolunteerCourse.objects.filter(pk=enrolment.pk).exists()


def test_a_lesson_shows_the_inlines_its_type_uses(as_main_admin):
    pages = {
        kind: as_main_admin.get(change_url(LessonFactory(type=kind))).context["inline_admin_formsets"]
        for kind in Lesson.Type
    }
    added = as_main_admin.get(f"{LESSONS}add/").context["inline_admin_formsets"]

    assert [inline.formset.model for inline in pages[Lesson.Type.VIDEO]] == [VideoLesson]
    assert [inline.formset.model for inline in pages[Lesson.Type.WEBINAR]] == [Webinar]
    assert [inline.formset.model for inline in pages[Lesson.Type.QUIZ]] == [Question]
    assert pages[Lesson.Type.TEXT] == []
    assert [inline.formset.model for inline in added] == [VideoLesson, Webinar, Question]


# --- Building a course ------------------------------------------------------------------


def test_administrator_adds_a_course_with_two_chapters(as_administrator, administrator):
    basics, practice = ChapterFactory(title="Основы"), ChapterFactory(title="Практика")
    for chapter, minutes in ((basics, 30), (basics, 45), (practice, 20)):
        add_lesson(chapter, duration=minutes)
    add_lesson(practice, duration=90, published=False)  # a draft counts for nothing
    region = LocationFactory()
    skill = SkillFactory(title="Первая помощь", description="Базовые приёмы.")
    faq = FAQFactory(question="Нужен ли опыт?", answer="Нет.")
    direction = DirectionFactory()
    data = change_form_data(
        as_administrator,
        f"{COURSES}add/",
        title="Медицинское волонтёрство",
        direction=direction.pk,
        level=level_of_rank(1).pk,
        start_date="2026-10-01",
        short_description="Помощь на массовых мероприятиях.",
        full_description="<p>Полное описание.</p><script>alert(1)</script>",
        ready="on",
        visible="on",
        published="on",
    )
    add_inline_rows(
        data,
        "course_chapters",
        {"order_number": "2", "chapter": practice.pk},
        {"order_number": "1", "chapter": basics.pk},
    )
    add_inline_rows(data, "courselocation_set", {"location": region.pk})
    add_inline_rows(data, "courseskill_set", {"skill": skill.pk})
    add_inline_rows(data, "coursefaq_set", {"faq": faq.pk})

    response = as_administrator.post(f"{COURSES}add/", data)

    assert response.status_code == 302, response.context["errors"]
    course = Course.objects.get(title="Медицинское волонтёрство")
    assert (course.user_created, course.user_modified) == (administrator, administrator)
    assert (course.duration, course.number_of_classes) == (95, 3)
    assert [link.chapter for link in course.course_chapters.order_by("order_number")] == [basics, practice]
    assert list(course.location.all()) == [region]
    assert list(course.skills.all()) == [skill]
    assert list(course.faq.all()) == [faq]
    assert "<script>" not in course.full_description


def test_teacher_builds_lessons_and_chapters_and_is_recorded_as_author(as_teacher, teacher):
    lesson_data = change_form_data(
        as_teacher, f"{LESSONS}add/", title="Вебинар о безопасности", type=Lesson.Type.WEBINAR, duration="60"
    )
    add_inline_rows(
        lesson_data,
        "webinars",
        {"url_webinar": "https://meet.example/room", "start_date_0": "01.10.2026", "start_date_1": "18:00"},
    )
    lesson_response = as_teacher.post(f"{LESSONS}add/", lesson_data)
    assert lesson_response.status_code == 302, lesson_response.context["errors"]
    lesson = Lesson.objects.get(title="Вебинар о безопасности")
    webinar = lesson.webinars.get()

    chapter_data = change_form_data(as_teacher, f"{CHAPTERS}add/", title="Безопасность")
    add_inline_rows(chapter_data, "chapter_lessons", {"order_number": "1", "lesson": lesson.pk})
    chapter_response = as_teacher.post(f"{CHAPTERS}add/", chapter_data)

    assert chapter_response.status_code == 302, chapter_response.context["errors"]
    chapter = lesson.chapters.get()
    for authored in (lesson, webinar, chapter):
        assert (authored.user_created, authored.user_modified) == (teacher, teacher), authored
    assert f"{timezone.localtime(webinar.start_date):%d.%m.%Y %H:%M}" == "01.10.2026 18:00"


def test_editing_keeps_the_creator_and_records_the_editor(as_administrator, administrator, main_admin):
    course = CourseFactory(user_created=main_admin, user_modified=main_admin)
    lesson = LessonFactory(type=Lesson.Type.VIDEO, user_created=main_admin, user_modified=main_admin)
    video = VideoLessonFactory(
        lesson=lesson, url="https://video.example/1", user_created=main_admin, user_modified=main_admin
    )

    course_response = as_administrator.post(change_url(course), change_form_data(as_administrator, change_url(course)))
    lesson_response = as_administrator.post(
        change_url(lesson),
        change_form_data(as_administrator, change_url(lesson), **{"videos-0-url": "https://video.example/2"}),
    )

    assert course_response.status_code == lesson_response.status_code == 302
    for authored in (course, lesson, video):
        authored.refresh_from_db()
        assert (authored.user_created, authored.user_modified) == (main_admin, administrator), authored
    assert video.url == "https://video.example/2"


def test_a_teacher_adding_content_in_the_admin_is_recorded_on_every_row(as_teacher, teacher):
    """Every authored row a teacher adds — directly or as an inline row — records the
    teacher as its creator and last editor (both are required, spec 001)."""
    for url, fields in ((f"{ADMIN_ROOT}/skill/add/", {"title": "Ориентирование", "description": "По карте."}),
                        (f"{ADMIN_ROOT}/faq/add/", {"question": "Нужна ли форма?", "answer": "Нет."})):  # fmt: skip
        response = as_teacher.post(url, change_form_data(as_teacher, url, **fields))
        assert response.status_code == 302, response.context["errors"]
    lesson_data = change_form_data(
        as_teacher, f"{LESSONS}add/", title="Видео о снаряжении", type=Lesson.Type.VIDEO, duration="15"
    )
    add_inline_rows(lesson_data, "videos", {"url": "https://video.example/kit"}, {"url": "https://video.example/map"})
    assert as_teacher.post(f"{LESSONS}add/", lesson_data).status_code == 302
    lesson = Lesson.objects.get(title="Видео о снаряжении")
    chapter_data = change_form_data(as_teacher, f"{CHAPTERS}add/", title="Снаряжение")
    add_inline_rows(chapter_data, "chapter_lessons", {"order_number": "1", "lesson": lesson.pk})
    assert as_teacher.post(f"{CHAPTERS}add/", chapter_data).status_code == 302
    course_data = change_form_data(
        as_teacher,
        f"{COURSES}add/",
        title="Поиск в лесу",
        direction=DirectionFactory().pk,
        level=level_of_rank(1).pk,
        start_date="2026-10-01",
        short_description="Основы.",
        full_description="<p>Основы поиска.</p>",
    )
    add_inline_rows(course_data, "course_chapters", {"order_number": "1", "chapter": lesson.chapters.get().pk})
    add_inline_rows(course_data, "courseskill_set", {"skill": Skill.objects.get().pk})
    add_inline_rows(course_data, "coursefaq_set", {"faq": FAQ.objects.get().pk})
    response = as_teacher.post(f"{COURSES}add/", course_data)

    assert response.status_code == 302, response.context["errors"]
    course = Course.objects.get(title="Поиск в лесу")
    rows = [course, *course.contents.all(), *course.skills.all(), *course.faq.all(), lesson, *lesson.videos.all()]
    assert len(rows) == 7
    for row in rows:
        assert (row.user_created, row.user_modified) == (teacher, teacher), row


def test_another_administrator_changing_a_lesson_is_recorded_as_its_last_editor(
    as_administrator, administrator, teacher
):
    lesson = LessonFactory(type=Lesson.Type.VIDEO, user_created=teacher)
    moved, untouched = (
        VideoLessonFactory(lesson=lesson, url=f"https://video.example/{name}", user_created=teacher)
        for name in ("moved", "untouched")
    )
    data = change_form_data(as_administrator, change_url(lesson), title="Новое название")
    row = next(key for key, value in data.items() if key.endswith("-id") and str(value) == str(moved.pk))
    data[row.removesuffix("-id") + "-url"] = "https://video.example/new"

    response = as_administrator.post(change_url(lesson), data)

    assert response.status_code == 302, response.context["errors"]
    for authored in (lesson, moved, untouched):
        authored.refresh_from_db()
    assert (lesson.title, lesson.user_created, lesson.user_modified) == ("Новое название", teacher, administrator)
    assert (moved.url, moved.user_created, moved.user_modified) == ("https://video.example/new", teacher, administrator)
    assert (untouched.user_created, untouched.user_modified) == (teacher, teacher)  # its row was not changed


def test_an_account_that_made_content_is_not_deleted_and_the_admin_says_why(as_main_admin, teacher, administrator):
    """user_created / user_modified are required and protected: the main administrator
    is refused, shown the content, and told to deactivate the account instead."""
    CourseFactory(title="Поиск в лесу", user_created=teacher)
    LessonFactory(title="Карта и компас", user_created=teacher, user_modified=administrator)
    users = "/admin/accounts/user/"
    idle = UserFactory(roles=[TEACHER])

    page = as_main_admin.get(f"{users}{teacher.pk}/delete/")
    refused = as_main_admin.post(f"{users}{teacher.pk}/delete/", {"post": "yes"})
    refused_in_bulk = as_main_admin.post(
        users, {"action": "delete_selected", "_selected_action": [administrator.pk], "post": "yes"}
    )
    deleted = as_main_admin.post(f"{users}{idle.pk}/delete/", {"post": "yes"})

    text, bulk_text = (strip_tags(response.content.decode()) for response in (page, refused_in_bulk))
    assert "Не удается удалить пользователя" in text
    assert "Курс: Поиск в лесу" in text and "Урок: Карта и компас" in text
    assert "снимите отметку «Активный»" in text
    assert refused.status_code == refused_in_bulk.status_code == 200
    assert "Урок: Карта и компас" in bulk_text
    assert "снимите у пользователей отметку «Активный»" in bulk_text
    assert set(User.objects.filter(pk__in=[teacher.pk, administrator.pk])) == {teacher, administrator}
    assert deleted.status_code == 302
    assert not User.objects.filter(pk=idle.pk).exists()


def test_course_totals_are_shown_read_only(as_main_admin):
    course = course_with_lessons(30, 15)

    response = as_main_admin.get(change_url(course))

    form = response.context["adminform"].form
    assert not {"duration", "number_of_classes", "user_created", "user_modified"} & set(form.fields)
    assert {"duration", "number_of_classes", "user_created", "user_modified"} <= set(
        response.context["adminform"].readonly_fields
    )


def test_a_lesson_added_to_a_chapter_reaches_enrolled_volunteers(as_teacher):
    course = course_with_lessons(30)
    chapter = course.contents.get()
    first = ChapterLesson.objects.get(chapter=chapter).lesson
    enrolment = enrolled_volunteer(course)
    assert list(VolunteerLesson.objects.values_list("lesson", flat=True)) == [first.pk]
    new = LessonFactory(duration=45)
    data = change_form_data(as_teacher, change_url(chapter))
    add_inline_rows(data, "chapter_lessons", {"order_number": "2", "lesson": new.pk})

    response = as_teacher.post(change_url(chapter), data)

    assert response.status_code == 302, response.context["errors"]
    assert set(VolunteerLesson.objects.filter(volunteer=enrolment.volunteer).values_list("lesson", flat=True)) == {
        first.pk,
        new.pk,
    }
    course.refresh_from_db()
    assert (course.duration, course.number_of_classes) == (75, 2)


def test_changing_or_deleting_a_lesson_updates_every_course_containing_it(as_administrator):
    shared = LessonFactory(duration=30)
    first, second = course_with_lessons(10), course_with_lessons(20)
    for course in (first, second):
        ChapterLesson.objects.create(chapter=course.contents.get(), lesson=shared, order_number=2)
        course_refresh(course=course)

    edited = as_administrator.post(
        change_url(shared), change_form_data(as_administrator, change_url(shared), duration="50")
    )
    assert edited.status_code == 302
    totals = {course.pk: (course.duration, course.number_of_classes) for course in Course.objects.all()}
    assert totals == {first.pk: (60, 2), second.pk: (70, 2)}

    hidden = change_form_data(as_administrator, change_url(shared))
    del hidden["published"]
    as_administrator.post(change_url(shared), hidden)
    totals = {course.pk: (course.duration, course.number_of_classes) for course in Course.objects.all()}
    assert totals == {first.pk: (10, 1), second.pk: (20, 1)}

    another = add_lesson(first.contents.get(), duration=5)
    course_refresh(course=first)
    deleted = as_administrator.post(delete_url(another), {"post": "yes"})
    assert deleted.status_code == 302
    first.refresh_from_db()
    assert (first.duration, first.number_of_classes) == (10, 1)


def test_chapters_are_reordered_by_their_numbers(as_administrator):
    course = CourseFactory()
    first, second = add_chapter(course, title="Первая"), add_chapter(course, title="Вторая")
    swapped_numbers = change_form_data(
        as_administrator,
        change_url(course),
        **{"course_chapters-0-order_number": "2", "course_chapters-1-order_number": "1"},
    )
    swapped_chapters = change_form_data(
        as_administrator,
        change_url(course),
        **{"course_chapters-0-chapter": second.pk, "course_chapters-1-chapter": first.pk},
    )

    refused = as_administrator.post(change_url(course), swapped_chapters)
    reordered = as_administrator.post(change_url(course), swapped_numbers)

    assert refused.status_code == 200
    assert "«Вторая» уже стоит в другой строке" in str(inline_of(refused, CourseChapter).formset.non_form_errors())
    assert reordered.status_code == 302
    assert [link.chapter for link in course.course_chapters.order_by("order_number")] == [second, first]


def test_a_video_needs_a_file_or_a_link(as_teacher):
    lesson = LessonFactory(type=Lesson.Type.VIDEO)
    video = VideoLessonFactory(lesson=lesson, url="https://video.example/1")

    response = as_teacher.post(
        change_url(lesson), change_form_data(as_teacher, change_url(lesson), **{"videos-0-url": ""})
    )

    assert response.status_code == 200
    assert "Загрузите файл видео или укажите ссылку на него." in str(inline_of(response, VideoLesson).formset.errors)
    video.refresh_from_db()
    assert video.url == "https://video.example/1"


def test_a_short_answer_question_needs_its_accepted_answers(as_teacher):
    quiz = LessonFactory(type=Lesson.Type.QUIZ)
    data = add_inline_rows(
        change_form_data(as_teacher, change_url(quiz)),
        "questions",
        {"order_number": "1", "kind": Question.Kind.TEXT, "text": "Номер службы спасения?", "points": "1"},
    )

    refused = as_teacher.post(change_url(quiz), data)
    accepted = as_teacher.post(change_url(quiz), {**data, "questions-0-accepted_answers": "112"})

    assert refused.status_code == 200
    assert "Для короткого ответа укажите" in str(inline_of(refused, Question).formset.errors)
    assert accepted.status_code == 302
    assert quiz.questions.get().accepted_answers == "112"


@pytest.mark.parametrize(
    ("kind", "correct", "error"),
    [
        (Question.Kind.SINGLE, (True, True), "Отметьте ровно один верный вариант."),
        (Question.Kind.SINGLE, (False, False), "Отметьте ровно один верный вариант."),
        (Question.Kind.MULTIPLE, (False, False), "Отметьте хотя бы один верный вариант."),
        (Question.Kind.SINGLE, (True,), "Добавьте хотя бы два варианта ответа."),
        (Question.Kind.SINGLE, (True, False), None),
        (Question.Kind.MULTIPLE, (True, True), None),
    ],
)
def test_choice_questions_need_sensible_options(as_teacher, kind, correct, error):
    question = add_question(LessonFactory(type=Lesson.Type.QUIZ), kind=kind)
    rows = [{"text": f"Вариант {index}", **({"is_correct": "on"} if ok else {})} for index, ok in enumerate(correct)]
    data = add_inline_rows(change_form_data(as_teacher, change_url(question)), "choices", *rows)

    response = as_teacher.post(change_url(question), data)

    if error:
        assert response.status_code == 200
        assert error in inline_of(response, question.choices.model).formset.non_form_errors()
        assert not question.choices.exists()
    else:
        assert response.status_code == 302
        assert list(question.choices.values_list("is_correct", flat=True)) == list(correct)


# --- Publishing ---------------------------------------------------------------------------


def test_publish_and_unpublish_actions(as_administrator, administrator):
    draft, live = CourseFactory(published=False), CourseFactory(published=True)
    assert {"publish", "unpublish"} <= action_names(as_administrator.get(COURSES))

    published = as_administrator.post(COURSES, action_data("publish", draft, live), follow=True)

    assert message_texts(published) == ["Опубликовано курсов: 1."]
    draft.refresh_from_db()
    assert draft.published
    assert draft.user_modified == administrator

    unpublished = as_administrator.post(COURSES, action_data("unpublish", draft, live), follow=True)

    assert message_texts(unpublished) == ["Снято с публикации курсов: 2."]
    assert not Course.objects.filter(published=True).exists()


# --- What visitors see follows the admin ----------------------------------------------------
#
# The catalogue and a course's page are kept for anonymous visitors (core.cache): each
# test reads them before the change, so that they are kept, and shows them changed at once.


def test_publishing_and_unpublishing_in_the_admin_shows_to_visitors_at_once(as_administrator):
    draft, live = CourseFactory(title="Азбука Морзе", published=False), CourseFactory(title="Навигация")
    assert listed_titles(visitor_sees(CATALOGUE)) == ["Навигация"]
    assert "Навигация" in visitor_sees(course_page(live))

    as_administrator.post(COURSES, action_data("publish", draft))

    assert sorted(listed_titles(visitor_sees(CATALOGUE))) == ["Азбука Морзе", "Навигация"]
    assert "Азбука Морзе" in visitor_sees(course_page(draft))

    as_administrator.post(COURSES, action_data("unpublish", live))

    assert listed_titles(visitor_sees(CATALOGUE)) == ["Азбука Морзе"]
    assert visitor_gets(course_page(live)).status_code == 404


def shown_course() -> Course:
    """A course whose page shows a chapter, a lesson, a skill and a question with its answer."""
    course = CourseFactory(title="Навигация")
    add_lesson(add_chapter(course, title="Основы"), title="Карта")
    course_refresh(course=course)
    CourseSkill.objects.create(course=course, skill=SkillFactory(title="Ориентирование", description="—"))
    CourseFAQ.objects.create(course=course, faq=FAQFactory(question="Нужен ли компас?", answer="Да."))
    return course


EDITS = [
    pytest.param(lambda course: course, {"title": "Навигация зимой"}, "Навигация зимой", id="course"),
    pytest.param(lambda course: course.contents.get(), {"title": "Азимут"}, "1. Азимут", id="chapter"),
    pytest.param(lambda course: Lesson.objects.get(), {"title": "Карта и компас"}, "Карта и компас", id="lesson"),
    pytest.param(lambda course: Skill.objects.get(), {"title": "Чтение карты"}, "Чтение карты", id="skill"),
    pytest.param(lambda course: FAQ.objects.get(), {"answer": "Обязательно."}, "Обязательно.", id="faq"),
]


@pytest.mark.parametrize(("edited", "changes", "shown"), EDITS)
def test_what_the_admin_edits_shows_on_the_course_page_at_once(as_administrator, edited, changes, shown):
    course = shown_course()
    assert shown not in visitor_sees(course_page(course))
    obj = edited(course)

    response = as_administrator.post(change_url(obj), change_form_data(as_administrator, change_url(obj), **changes))

    assert response.status_code == 302
    assert shown in visitor_sees(course_page(course))


def test_a_renamed_course_shows_in_the_catalogue_at_once(as_administrator):
    course = CourseFactory(title="Навигация")
    assert listed_titles(visitor_sees(CATALOGUE)) == ["Навигация"]

    as_administrator.post(
        change_url(course), change_form_data(as_administrator, change_url(course), title="Навигация зимой")
    )

    assert listed_titles(visitor_sees(CATALOGUE)) == ["Навигация зимой"]


def test_a_course_deleted_in_the_admin_is_gone_for_visitors_at_once(as_main_admin):
    course = CourseFactory(title="Навигация")
    CourseFactory(title="Азбука Морзе")
    assert sorted(listed_titles(visitor_sees(CATALOGUE))) == ["Азбука Морзе", "Навигация"]
    assert "Навигация" in visitor_sees(course_page(course))

    assert as_main_admin.post(delete_url(course), {"post": "yes"}).status_code == 302

    assert listed_titles(visitor_sees(CATALOGUE)) == ["Азбука Морзе"]
    assert visitor_gets(course_page(course)).status_code == 404


def test_lessons_deleted_in_the_admin_leave_the_course_page_at_once(as_administrator):
    course = course_with_lessons(30, 20, 10)
    first, second, third = (link.lesson for link in ChapterLesson.objects.order_by("order_number"))
    page = visitor_sees(course_page(course))
    assert first.title in page and second.title in page and third.title in page

    assert as_administrator.post(delete_url(first), {"post": "yes"}).status_code == 302
    page = visitor_sees(course_page(course))
    assert first.title not in page and second.title in page

    selected = action_data("delete_selected", second, third, post="yes")
    assert as_administrator.post(LESSONS, selected).status_code == 302
    page = visitor_sees(course_page(course))
    assert second.title not in page and third.title not in page


# --- Teachers restricted to their directions ---------------------------------------------


@pytest.fixture
def directions():
    return DirectionFactory(title="Медицина"), DirectionFactory(title="Экология")


def test_restricted_teacher_sees_another_directions_course_read_only(as_teacher, teacher, administrator, directions):
    own, other = directions
    restrict(teacher, own)
    foreign = course_with_lessons(30, direction=other, title="Чужой курс")
    valid_form = change_form_data(other_client(administrator), change_url(foreign), title="Взлом")

    page = as_teacher.get(change_url(foreign))
    forged = as_teacher.post(change_url(foreign), valid_form)
    deleted = as_teacher.post(delete_url(foreign), {"post": "yes"})

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["adminform"].form.fields
    for inline in page.context["inline_admin_formsets"]:
        assert not (inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission)
    assert forged.status_code == 403
    assert deleted.status_code == 403
    foreign.refresh_from_db()
    assert foreign.title == "Чужой курс"
    assert foreign.course_chapters.count() == 1


def test_restricted_teacher_edits_a_course_of_own_direction(as_teacher, teacher, directions):
    own, _other = directions
    restrict(teacher, own)
    course = course_with_lessons(30, direction=own)

    page = as_teacher.get(change_url(course))
    response = as_teacher.post(change_url(course), change_form_data(as_teacher, change_url(course), title="Новое имя"))

    assert page.context["has_change_permission"]
    assert list(page.context["adminform"].form.fields["direction"].queryset) == [own]
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.title, course.user_modified) == ("Новое имя", teacher)


def test_restricted_teacher_cannot_add_or_move_a_course_to_another_direction(as_teacher, teacher, directions):
    own, other = directions
    restrict(teacher, own)
    course = CourseFactory(direction=own, title="Свой курс")
    new = change_form_data(
        as_teacher,
        f"{COURSES}add/",
        title="Курс чужого направления",
        direction=other.pk,
        level=level_of_rank(1).pk,
        start_date="2026-10-01",
        short_description="Кратко.",
        full_description="<p>Полно.</p>",
    )

    add_page = as_teacher.get(f"{COURSES}add/")
    added = as_teacher.post(f"{COURSES}add/", new)
    moved = as_teacher.post(change_url(course), change_form_data(as_teacher, change_url(course), direction=other.pk))

    assert list(add_page.context["adminform"].form.fields["direction"].queryset) == [own]
    assert added.status_code == moved.status_code == 200
    assert added.context["adminform"].form.errors["direction"] == [OTHER_DIRECTIONS_ONLY]
    assert moved.context["adminform"].form.errors["direction"] == [OTHER_DIRECTIONS_ONLY]
    assert not Course.objects.filter(title="Курс чужого направления").exists()
    course.refresh_from_db()
    assert course.direction == own


def test_teacher_restricted_to_no_direction_has_no_direction_to_choose(as_teacher, teacher):
    restrict(teacher)

    assert not as_teacher.get(f"{COURSES}add/").context["adminform"].form.fields["direction"].queryset.exists()


def test_restricted_teacher_publishes_only_own_directions_courses(as_teacher, teacher, directions):
    own, other = directions
    restrict(teacher, own)
    mine, foreign = CourseFactory(direction=own, published=False), CourseFactory(direction=other, published=False)

    response = as_teacher.post(COURSES, action_data("publish", mine, foreign), follow=True)

    assert message_texts(response) == ["Опубликовано курсов: 1.", "Курсы чужих направлений не изменены: 1."]
    assert list(Course.objects.filter(published=True)) == [mine]


def test_restricted_teacher_edits_only_chapters_and_lessons_within_own_directions(as_teacher, teacher, directions):
    own, other = directions
    restrict(teacher, own)
    mine, foreign = course_with_lessons(30, direction=own), course_with_lessons(30, direction=other)
    own_chapter, foreign_chapter = mine.contents.get(), foreign.contents.get()
    own_lesson = own_chapter.chapter_lessons.get().lesson
    foreign_lesson = foreign_chapter.chapter_lessons.get().lesson
    shared = LessonFactory()
    for chapter in (own_chapter, foreign_chapter):
        ChapterLesson.objects.create(chapter=chapter, lesson=shared, order_number=2)
    loose = LessonFactory()
    foreign_question = add_question(
        add_lesson(foreign_chapter, type=Lesson.Type.QUIZ), choices=[("Да", True), ("Нет", False)]
    )

    def editable(obj):
        return as_teacher.get(change_url(obj)).context["has_change_permission"]

    assert editable(own_chapter)
    assert editable(own_lesson)
    assert editable(loose)
    assert not editable(foreign_chapter)
    assert not editable(foreign_lesson)
    assert not editable(shared), "a lesson shared with another direction's course"
    assert not editable(foreign_question)
    forged = as_teacher.post(change_url(foreign_lesson), {"title": "Взлом", "type": "Урок", "duration": "1"})
    assert forged.status_code == 403
    assert Lesson.objects.get(pk=foreign_lesson.pk).title != "Взлом"


@pytest.mark.parametrize("scope", ["none", "all_directions"])
def test_unrestricted_teacher_edits_every_direction(as_teacher, teacher, directions, scope):
    if scope == "all_directions":
        TeacherScope.objects.create(teacher=teacher, all_directions=True).directions.set([directions[0]])
    foreign = CourseFactory(direction=directions[1])

    response = as_teacher.post(change_url(foreign), change_form_data(as_teacher, change_url(foreign), title="Правка"))

    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.title == "Правка"


@pytest.mark.parametrize("role", ["administrator", "main_admin"])
def test_administrators_are_never_restricted(client, request, directions, role):
    user = request.getfixturevalue(role)
    restrict(user, directions[0])  # a row that would bind a teacher
    client.force_login(user)
    foreign = CourseFactory(direction=directions[1])

    response = client.post(change_url(foreign), change_form_data(client, change_url(foreign), title="Правка"))

    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.title == "Правка"
    assert teacher_may_edit_course(user, foreign)


# --- Deleting courses ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["administrator", "teacher"])
def test_only_the_main_administrator_may_delete_courses(client, request, role):
    course = CourseFactory()
    client.force_login(request.getfixturevalue(role))

    assert client.get(delete_url(course)).status_code == 403
    assert client.post(delete_url(course), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in action_names(client.get(COURSES))
    client.post(COURSES, action_data("delete_selected", course, post="yes"))
    assert Course.objects.filter(pk=course.pk).exists()


def test_main_administrator_deletes_a_course(as_main_admin):
    course = course_with_lessons(30)
    enrolled_volunteer(course)

    assert as_main_admin.get(delete_url(course)).status_code == 200
    response = as_main_admin.post(delete_url(course), {"post": "yes"})

    assert response.status_code == 302
    assert not Course.objects.filter(pk=course.pk).exists()
    assert not VolunteerCourse.objects.exists()


# --- Who enters ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [COURSES, LESSONS, ENROLMENTS, SCOPES])
def test_anonymous_is_sent_to_admin_login(client, url):
    assert_redirects_to_admin_login(client.get(url))


@pytest.mark.parametrize("url", [COURSES, LESSONS, ENROLMENTS, SCOPES])
def test_volunteer_is_sent_to_admin_login(client, volunteer, url):
    client.force_login(volunteer)

    assert_redirects_to_admin_login(client.get(url))


def test_teacher_has_no_access_to_teacher_limits(as_teacher, teacher):
    own_row = restrict(teacher, DirectionFactory())

    assert as_teacher.get(SCOPES).status_code == 403
    assert as_teacher.get(f"{SCOPES}add/").status_code == 403
    assert as_teacher.get(change_url(own_row)).status_code == 403
    assert as_teacher.post(change_url(own_row), {"all_directions": "on"}).status_code == 403
    assert (
        as_teacher.get(
            TEACHER_AUTOCOMPLETE, {"app_label": "courses", "model_name": "teacherscope", "field_name": "teacher"}
        ).status_code
        == 403
    )
    assert SCOPES not in as_teacher.get("/admin/").content.decode()
    own_row.refresh_from_db()
    assert not own_row.all_directions


def test_teacher_views_enrolments_without_changing_them(as_teacher):
    enrolment = enrolled_volunteer(course_with_lessons(30))

    listed = as_teacher.get(ENROLMENTS)
    page = as_teacher.get(change_url(enrolment))

    assert enrolment in listed.context["cl"].result_list
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert as_teacher.get(f"{ENROLMENTS}add/").status_code == 403
    assert as_teacher.post(change_url(enrolment), {"status": VolunteerCourse.Status.PASSED}).status_code == 403


# --- Teacher limits, enrolments by hand ----------------------------------------------------


def test_administrator_restricts_a_teacher(as_administrator, teacher, directions):
    own, other = directions
    not_a_teacher = UserFactory(roles=[ADMIN])
    course = CourseFactory(direction=other)
    data = {"teacher": teacher.pk, "directions": [own.pk]}

    refused = as_administrator.post(f"{SCOPES}add/", {**data, "teacher": not_a_teacher.pk})
    response = as_administrator.post(f"{SCOPES}add/", data)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["teacher"]
    assert response.status_code == 302
    scope = TeacherScope.objects.get()
    assert (scope.teacher, scope.all_directions, list(scope.directions.all())) == (teacher, False, [own])
    assert not teacher_may_edit_course(User.objects.get(pk=teacher.pk), course)


def test_the_teacher_autocomplete_lists_teachers_only(as_administrator, teacher, administrator):
    UserFactory(roles=[VOLUNTEER], last_name=teacher.last_name)

    response = as_administrator.get(
        TEACHER_AUTOCOMPLETE,
        {"app_label": "courses", "model_name": "teacherscope", "field_name": "teacher", "term": teacher.last_name},
    )

    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(teacher.pk)]
    page = as_administrator.get(f"{SCOPES}add/").content.decode()
    assert f'data-ajax--url="{TEACHER_AUTOCOMPLETE}"' in page


def test_administrator_enrols_a_volunteer_by_hand(as_administrator):
    course = course_with_lessons(30, 20)
    volunteer = VolunteerFactory()

    response = as_administrator.post(
        f"{ENROLMENTS}add/",
        {"volunteer": volunteer.pk, "course": course.pk, "status": VolunteerCourse.Status.ENROLLED},
    )
    again = as_administrator.post(
        f"{ENROLMENTS}add/",
        {"volunteer": volunteer.pk, "course": course.pk, "status": VolunteerCourse.Status.ENROLLED},
    )

    assert response.status_code == 302
    assert VolunteerCourse.objects.get().course == course
    assert VolunteerLesson.objects.filter(volunteer=volunteer).count() == 2
    assert again.status_code == 200
    assert VolunteerCourse.objects.count() == 1


def test_quiz_attempt_shows_its_answers_read_only(as_main_admin):
    attempt = quiz_attempt()

    response = as_main_admin.get(change_url(attempt))

    answers = inline_of(response, Answer)
    assert not (answers.has_add_permission or answers.has_change_permission or answers.has_delete_permission)
    assert "112" in response.content.decode()
    assert not response.context["has_change_permission"]


# --- Query counts -----------------------------------------------------------------------


def test_course_list_runs_the_same_number_of_queries_for_5_and_60_courses(as_main_admin):
    def list_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = as_main_admin.get(COURSES)
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    for course in CourseFactory.create_batch(5):
        CourseChapter.objects.create(course=course, chapter=ChapterFactory(), order_number=1)
    few = list_queries()
    CourseFactory.create_batch(55)
    many = list_queries()

    assert few[1] == 5
    assert many[1] == 60
    assert few[0] == many[0] <= 11  # session, user, permissions ×2, filters ×2, counts ×2, page, dates ×2
