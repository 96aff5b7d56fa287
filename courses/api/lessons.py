"""A course's lessons for the volunteers enrolled in it (courses.views.lessons) as JSON: the
same place of a lesson in its course (lesson_place), the same services (lesson_open on
reading, lesson_finish, quiz_submit), and the same quiz reading (quiz_context), which never
reads a choice's correctness nor a question's accepted answers — so no response can carry
them, before a submission or after."""

from django.db import IntegrityError
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DetailSerializer
from core.input_checks import BIGINT_MAX
from courses import services
from courses.api.learners import CourseRefSerializer, EnrolmentSerializer, IsVolunteer, api_learner
from courses.models import Lesson, VolunteerCourse
from courses.selectors import lesson_webinars
from courses.views.lessons import LessonPlace, QuestionResult, lesson_place, quiz_context, webinar_state

NOT_ENROLLED = "Уроки курса открываются после записи на него."

# --- Serializers --------------------------------------------------------------------------


class ChoiceSerializer(serializers.Serializer):
    """A choice as the quiz shows it: its id and text — never whether it is correct."""

    id = serializers.IntegerField(source="pk")
    text = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    """A question without what would give its answer away (no accepted answers)."""

    id = serializers.IntegerField(source="pk")
    order_number = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    points = serializers.IntegerField()
    choices = ChoiceSerializer(many=True)


class ResultSerializer(serializers.Serializer):
    """The volunteer's answer to one question and its verdict: right, partly, wrong, or
    review (an open answer waiting for a teacher)."""

    question = serializers.IntegerField(source="question.pk")
    verdict = serializers.CharField()
    earned = serializers.FloatField(allow_null=True, help_text="Баллы; null — ждёт проверки.")
    points = serializers.IntegerField(source="question.points")
    choices = serializers.SerializerMethodField(help_text="Выбранные варианты.")
    text = serializers.SerializerMethodField()
    understood_as = serializers.SerializerMethodField(help_text="Для числа и выражения: как проверка прочла ответ.")
    teacher_comment = serializers.SerializerMethodField()

    def get_choices(self, result: QuestionResult) -> list[int]:
        return [choice.pk for choice in result.answer.chosen] if result.answer else []

    def get_text(self, result: QuestionResult) -> str:
        return result.answer.text if result.answer else ""

    def get_understood_as(self, result: QuestionResult) -> str:
        return result.answer.understood_as if result.answer else ""

    def get_teacher_comment(self, result: QuestionResult) -> str:
        return result.answer.teacher_comment if result.answer else ""


class AttemptSerializer(serializers.Serializer):
    status = serializers.CharField()
    score = serializers.FloatField(allow_null=True, help_text="Из 100; null — ждёт проверки.")
    submitted_at = serializers.DateTimeField()


class QuizSerializer(serializers.Serializer):
    """The quiz: its questions until the current attempt is sent, then that attempt with
    the volunteer's answers and their verdicts."""

    questions = QuestionSerializer(many=True)
    attempt = AttemptSerializer(allow_null=True)
    results = ResultSerializer(many=True)


class VideoSerializer(serializers.Serializer):
    file = serializers.FileField(source="video", allow_null=True)
    url = serializers.URLField()


class WebinarSerializer(serializers.Serializer):
    url = serializers.URLField()
    start = serializers.DateTimeField()
    state = serializers.CharField(help_text="скоро, идёт или прошёл")


class ProgressSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    start_date = serializers.DateTimeField(allow_null=True, help_text="Когда урок открыт впервые.")


class LessonSerializer(serializers.Serializer):
    """A lesson as its page shows it, with its place in the course."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    type = serializers.CharField()
    description = serializers.CharField(help_text="HTML.")
    duration = serializers.IntegerField(help_text="Минуты.")
    additional = serializers.BooleanField()
    diploma = serializers.BooleanField()
    course = CourseRefSerializer()
    position = serializers.IntegerField()
    lesson_count = serializers.IntegerField()
    previous_id = serializers.IntegerField(allow_null=True)
    next_id = serializers.IntegerField(allow_null=True)
    progress = ProgressSerializer()
    enrolment = EnrolmentSerializer()
    videos = VideoSerializer(many=True)
    webinars = WebinarSerializer(many=True)
    quiz = QuizSerializer(allow_null=True)


class QuizAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    choices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX), required=False, default=list
    )
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)


class QuizSubmitSerializer(serializers.Serializer):
    """The answers, one per question: the chosen choices' ids, or the text of a short or
    open answer. A question left out is answered with nothing."""

    answers = QuizAnswerSerializer(many=True)


class NotUnderstoodSerializer(serializers.Serializer):
    question = serializers.IntegerField()
    hint = serializers.CharField(help_text="Что в ответе не удалось понять.")


class QuizNotUnderstoodSerializer(serializers.Serializer):
    """Number or expression answers that could not be read: nothing is recorded, the
    attempt is not used up — the answers are sent again, corrected."""

    detail = serializers.CharField()
    not_understood = NotUnderstoodSerializer(many=True)


class QuizOutcomeSerializer(serializers.Serializer):
    quiz = QuizSerializer()
    enrolment = EnrolmentSerializer()


class FinishSerializer(serializers.Serializer):
    enrolment = EnrolmentSerializer()
    next_id = serializers.IntegerField(allow_null=True)


# --- Views --------------------------------------------------------------------------------


def _enrolled_place(
    request, course_id: int, lesson_id: int, *, with_progress: bool = True
) -> tuple[LessonPlace, VolunteerCourse | None]:
    """The lesson's place (404 as on the site; `with_progress` as lesson_place's) and the
    volunteer's enrolment (None: not enrolled), which carries its course and volunteer for
    the services."""
    volunteer = api_learner(request).volunteer
    place = lesson_place(course_id, lesson_id, volunteer, with_progress=with_progress)
    enrolment = place.enrolment
    if enrolment is not None:
        enrolment.volunteer = volunteer
    return place, enrolment


def _quiz(enrolment: VolunteerCourse, lesson: Lesson) -> dict:
    found = quiz_context(enrolment, lesson)
    return {"questions": found["questions"], "attempt": found["attempt"], "results": found["results"]}


def _not_enrolled() -> Response:
    return Response({"detail": NOT_ENROLLED}, status=status.HTTP_403_FORBIDDEN)


FORBIDDEN = OpenApiResponse(DetailSerializer, description="Нет анкеты волонтёра, или нет записи на курс.")


class LessonDetail(APIView):
    """An enrolled volunteer reads a shown lesson of a shown course; reading it opens it
    (services.lesson_open: the first opening is recorded and makes the enrolment active),
    as the lesson page does. A quiz comes without its answers."""

    permission_classes = [IsVolunteer]

    @extend_schema(responses={200: LessonSerializer, 403: FORBIDDEN})
    def get(self, request, course_id: int, lesson_id: int):
        place, enrolment = _enrolled_place(request, course_id, lesson_id)
        if enrolment is None:
            return _not_enrolled()
        current = place.lesson
        progress = services.lesson_open(enrolment=enrolment, lesson=current, progress=place.progress)
        data = {
            "id": current.pk,
            "title": current.title,
            "type": current.type,
            "description": current.description,
            "duration": current.duration,
            "additional": current.additional,
            "diploma": current.diploma,
            "course": place.course,
            "position": place.position + 1,
            "lesson_count": len(place.lessons),
            "previous_id": place.previous.pk if place.previous else None,
            "next_id": place.next.pk if place.next else None,
            "progress": progress,
            "enrolment": enrolment,
            "videos": [],
            "webinars": [],
            "quiz": None,
        }
        if current.type == Lesson.Type.VIDEO:
            data["videos"] = list(current.videos.all())
        elif current.type == Lesson.Type.WEBINAR:
            now = timezone.now()
            data["webinars"] = [
                {
                    "url": webinar.url_webinar,
                    "start": webinar.start_date,
                    "state": webinar_state(webinar.start_date, current.duration, now),
                }
                for webinar in lesson_webinars(current)
            ]
        elif current.type == Lesson.Type.QUIZ:
            data["quiz"] = _quiz(enrolment, current)
        return Response(LessonSerializer(data, context={"request": request}).data)


class LessonFinish(APIView):
    """«Далее»: an enrolled volunteer passes a text, video or webinar lesson
    (services.lesson_finish, which evaluates the course when it was the last one)."""

    permission_classes = [IsVolunteer]

    @extend_schema(
        request=None,
        responses={
            200: FinishSerializer,
            400: OpenApiResponse(DetailSerializer, description="Тест засчитывается после проверки ответов."),
            403: FORBIDDEN,
        },
    )
    def post(self, request, course_id: int, lesson_id: int):
        place, enrolment = _enrolled_place(request, course_id, lesson_id, with_progress=False)
        if enrolment is None:
            return _not_enrolled()
        try:
            services.lesson_finish(enrolment=enrolment, lesson=place.lesson)
        except services.CourseError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        next_id = place.next.pk if place.next else None
        return Response(FinishSerializer({"enrolment": enrolment, "next_id": next_id}).data)


class QuizSubmit(APIView):
    """An enrolled volunteer sends the answers of a quiz, once per course attempt
    (services.quiz_submit): auto-checked at once, or waiting for a teacher when it has open
    questions. The response shows their answers and verdicts, never the correct ones."""

    permission_classes = [IsVolunteer]

    @extend_schema(
        request=QuizSubmitSerializer,
        responses={
            201: QuizOutcomeSerializer,
            400: OpenApiResponse(
                QuizNotUnderstoodSerializer,
                description="Ответы плохо составлены (ошибки по полям), или ответ-число либо ответ-выражение "
                "не понят (подсказка по каждому такому вопросу; ничего не записано).",
            ),
            403: FORBIDDEN,
            409: OpenApiResponse(
                DetailSerializer, description="Ответы на этот тест уже отправлены, или урок — не тест."
            ),
        },
        examples=[
            OpenApiExample(
                "Ответы",
                value={"answers": [{"question": 12, "choices": [40]}, {"question": 13, "text": "азимут"}]},
                request_only=True,
            )
        ],
    )
    def post(self, request, course_id: int, lesson_id: int):
        submitted = QuizSubmitSerializer(data=request.data)
        submitted.is_valid(raise_exception=True)
        place, enrolment = _enrolled_place(request, course_id, lesson_id, with_progress=False)
        if enrolment is None:
            return _not_enrolled()
        responses = {
            answer["question"]: {"choices": answer["choices"], "text": answer["text"]}
            for answer in submitted.validated_data["answers"]
        }
        try:
            services.quiz_submit(enrolment=enrolment, lesson=place.lesson, responses=responses)
        except services.AnswersNotUnderstood as error:  # nothing recorded: sent again, corrected
            hints = [{"question": question_id, "hint": hint} for question_id, hint in error.hints.items()]
            data = {"detail": str(error), "not_understood": hints}
            return Response(QuizNotUnderstoodSerializer(data).data, status=status.HTTP_400_BAD_REQUEST)
        except services.CourseError as error:  # sent already in this attempt, or not a quiz
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except IntegrityError:  # the same answers sent twice at once: the other request recorded them
            return Response({"detail": "Ответы на этот тест уже отправлены."}, status=status.HTTP_409_CONFLICT)
        outcome = {"quiz": _quiz(enrolment, place.lesson), "enrolment": enrolment}
        return Response(QuizOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("courses/<int:course_id>/lessons/<int:lesson_id>/", LessonDetail.as_view(), name="lesson-detail"),
    path("courses/<int:course_id>/lessons/<int:lesson_id>/finish/", LessonFinish.as_view(), name="lesson-finish"),
    path("courses/<int:course_id>/lessons/<int:lesson_id>/quiz/", QuizSubmit.as_view(), name="lesson-quiz"),
]
