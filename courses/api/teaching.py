"""The teachers' review of open answers (courses.views.teaching) as JSON: who may review is
the page's permission (REVIEW_PERMISSION: teachers, administrators, main administrators);
which answers, the same selectors (answers_awaiting_review, open_answers: within the
reviewer's direction scope); the score, the page's form (AnswerReviewForm: points within
the question's) and the service (answer_review)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_permissions import holds
from core.api import DetailSerializer
from courses.api.learners import CourseRefSerializer
from courses.forms import AnswerReviewForm, ReviewQueueFilterForm
from courses.models import Answer, Course, Lesson, Question, QuizAttempt
from courses.selectors import answers_awaiting_review, open_answers
from courses.services import CourseError, answer_review
from courses.views.teaching import REVIEW_PERMISSION

MayReview = holds(REVIEW_PERMISSION)


class ReviewQuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "text", "points"]


class ReviewLessonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "title"]


class ReviewAnswerSerializer(serializers.ModelSerializer):
    """An open answer with its question, quiz, course and volunteer (by name only)."""

    question = ReviewQuestionSerializer(read_only=True)
    lesson = ReviewLessonSerializer(source="attempt.lesson", read_only=True)
    course = CourseRefSerializer(source="attempt.enrolment.course", read_only=True)
    volunteer_name = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(source="attempt.submitted_at", read_only=True)
    points = serializers.SerializerMethodField(help_text="Баллы за ответ; null — ещё не оценён.")

    class Meta:
        model = Answer
        fields = [
            "id",
            "question",
            "lesson",
            "course",
            "volunteer_name",
            "text",
            "submitted_at",
            "points",
            "teacher_comment",
        ]

    def get_volunteer_name(self, answer: Answer) -> str:
        user = answer.attempt.enrolment.volunteer.user
        return user.get_full_name() or user.username

    def get_points(self, answer: Answer) -> float | None:
        return None if answer.fraction is None else answer.fraction * answer.question.points


class ReviewList(generics.ListAPIView):
    """The open answers still without a score, the longest waiting first, of every course
    of the reviewer's direction scope, or of one (`?course=`; 404 if there is none)."""

    permission_classes = [MayReview]
    serializer_class = ReviewAnswerSerializer
    filter_backends = []

    @extend_schema(parameters=[OpenApiParameter("course", int, description="Только ответы этого курса.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        waiting = answers_awaiting_review(self.request.user)
        course_id = ReviewQueueFilterForm(self.request.query_params).course_id()
        if course_id:
            waiting = waiting.filter(attempt__enrolment__course=get_object_or_404(Course, pk=course_id))
        return waiting


class ReviewSerializer(serializers.Serializer):
    """The score of an open answer, in the question's points (halves allowed), and a comment
    the volunteer will read."""

    points = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ReviewOutcomeSerializer(serializers.Serializer):
    answer = ReviewAnswerSerializer()
    attempt_status = serializers.ChoiceField(choices=QuizAttempt.Status.choices)
    attempt_score = serializers.FloatField(allow_null=True, help_text="Итог теста, когда проверен весь.")


class ReviewDetail(APIView):
    """One open answer of the reviewer's direction scope (404 otherwise); POST scores it,
    once: the attempt is checked, and the volunteer told, when its last open answer is."""

    permission_classes = [MayReview]

    def _answer(self, answer_id: int) -> Answer:
        return get_object_or_404(open_answers(self.request.user), pk=answer_id)

    @extend_schema(responses=ReviewAnswerSerializer)
    def get(self, request, answer_id: int):
        return Response(ReviewAnswerSerializer(self._answer(answer_id)).data)

    @extend_schema(
        request=ReviewSerializer,
        responses={
            200: ReviewOutcomeSerializer,
            400: OpenApiResponse(description="Баллы вне 0…баллов вопроса: ошибки по полям."),
            409: OpenApiResponse(DetailSerializer, description="Ответ уже оценён."),
        },
        examples=[
            OpenApiExample(
                "Оценка", value={"points": "1.5", "comment": "Хорошо, но без схемы маршрута."}, request_only=True
            )
        ],
    )
    def post(self, request, answer_id: int):
        answer = self._answer(answer_id)
        if answer.fraction is not None:
            return Response({"detail": "Этот ответ уже проверен."}, status=status.HTTP_409_CONFLICT)
        review = ReviewSerializer(data=request.data)
        review.is_valid(raise_exception=True)
        data = {"points": str(review.validated_data["points"]), "comment": review.validated_data.get("comment", "")}
        form = AnswerReviewForm(data, max_points=answer.question.points)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            attempt = answer_review(
                answer=answer, fraction=form.fraction, comment=form.cleaned_data["comment"], teacher=request.user
            )
        except CourseError as error:  # scored by another teacher meanwhile
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        answer = self._answer(answer_id)
        outcome = {"answer": answer, "attempt_status": attempt.status, "attempt_score": attempt.score}
        return Response(ReviewOutcomeSerializer(outcome).data)


urlpatterns = [
    path("teaching/reviews/", ReviewList.as_view(), name="review-list"),
    path("teaching/reviews/<int:answer_id>/", ReviewDetail.as_view(), name="review-detail"),
]
