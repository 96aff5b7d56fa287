"""The catalogue, a course, enrolment and retakes, and «Мои курсы» (courses.views.catalogue)
as JSON: the same selectors (catalogue_courses, learner_course, course_structure…,
enrolment_statuses, refusal_reason), the same FilterSet (CourseFilter) and services."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DetailSerializer
from courses import services
from courses.api.learners import CourseRefSerializer, EnrolmentSerializer, IsVolunteer, api_learner
from courses.filters import CourseFilter
from courses.models import Course, VolunteerCourse
from courses.selectors import (
    catalogue_courses,
    course_structure,
    course_structure_with_progress,
    courses_shown,
    enrolment_of,
    enrolment_statuses,
    learner_course,
    lessons_passed_count,
    refusal_reason,
)
from courses.views.catalogue import enrolments_of, my_course_rows
from volunteers.api import DirectionSerializer, LevelSerializer  # as the profile (me/) shows them

# --- The catalogue ----------------------------------------------------------------------


class CourseCardSerializer(serializers.ModelSerializer):
    """A catalogue card: the course, why the learner may not enrol (null: they may, or
    nobody asks), and their enrolment's status (null: not enrolled)."""

    direction = DirectionSerializer(read_only=True)
    level = LevelSerializer(read_only=True)
    region_ids = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="Регионы курса; пусто — открыт во всех."
    )
    refusal = serializers.SerializerMethodField(help_text="Почему волонтёру нельзя записаться; null — можно.")
    enrolment_status = serializers.SerializerMethodField()

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "short_description",
            "direction",
            "level",
            "format",
            "start_date",
            "duration",
            "number_of_classes",
            "cover",
            "region_ids",
            "refusal",
            "enrolment_status",
        ]

    def get_refusal(self, course: Course) -> str | None:
        learner = self.context["learner"]
        if learner.volunteer is None or course.pk in self.context["statuses"]:
            return None
        return refusal_reason(learner, course, region_ids=course.region_ids)

    def get_enrolment_status(self, course: Course) -> str | None:
        return self.context["statuses"].get(course.pk)


class CourseList(generics.ListAPIView):
    """Everyone, anonymous clients too: the shown courses in the catalogue's order, filtered
    as on the site (direction, level, region, format, `q`), paginated."""

    permission_classes = [AllowAny]
    serializer_class = CourseCardSerializer
    filterset_class = CourseFilter

    def get_queryset(self):
        return catalogue_courses()

    def list(self, request, *args, **kwargs):
        courses = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        learner = api_learner(request)
        context = {
            **self.get_serializer_context(),
            "learner": learner,
            "statuses": enrolment_statuses(learner.volunteer, [course.pk for course in courses]),
        }
        return self.get_paginated_response(CourseCardSerializer(courses, many=True, context=context).data)


# --- A course ---------------------------------------------------------------------------


class SkillSerializer(serializers.Serializer):
    title = serializers.CharField()
    description = serializers.CharField()


class QuestionAnswerSerializer(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField()


class CourseRegionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    region = serializers.CharField()


class ProgramLessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    type = serializers.CharField()
    duration = serializers.IntegerField(help_text="Минуты.")
    additional = serializers.BooleanField()
    diploma = serializers.BooleanField()
    passed = serializers.BooleanField()


class ProgramChapterSerializer(serializers.Serializer):
    order_number = serializers.IntegerField()
    title = serializers.CharField()
    lessons = ProgramLessonSerializer(many=True)


class CourseDetailSerializer(serializers.ModelSerializer):
    """A shown course's page: what it teaches, its program, and the learner's progress or
    why they may not enrol."""

    direction = DirectionSerializer(read_only=True)
    level = LevelSerializer(read_only=True)
    regions = CourseRegionSerializer(many=True, read_only=True, source="details.regions")
    skills = SkillSerializer(many=True, read_only=True, source="details.skills")
    faq = QuestionAnswerSerializer(many=True, read_only=True, source="details.questions")
    structure = ProgramChapterSerializer(many=True, read_only=True, source="details.structure")
    lesson_count = serializers.IntegerField(read_only=True, source="details.lesson_count")
    passed_count = serializers.IntegerField(read_only=True, source="details.passed_count")
    next_lesson_id = serializers.IntegerField(read_only=True, allow_null=True, source="details.next_lesson_id")
    enrolment = EnrolmentSerializer(read_only=True, allow_null=True, source="details.enrolment")
    refusal = serializers.CharField(read_only=True, allow_null=True, source="details.refusal")

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "short_description",
            "full_description",
            "direction",
            "level",
            "format",
            "start_date",
            "duration",
            "number_of_classes",
            "attempts_limit",
            "cover",
            "regions",
            "skills",
            "faq",
            "structure",
            "lesson_count",
            "passed_count",
            "next_lesson_id",
            "enrolment",
            "refusal",
        ]


def _program(structure, passed_ids: set[int]) -> list[dict]:
    return [
        {
            "order_number": entry.order_number,
            "title": entry.chapter.title,
            "lessons": [
                {
                    "id": lesson.pk,
                    "title": lesson.title,
                    "type": lesson.type,
                    "duration": lesson.duration,
                    "additional": lesson.additional,
                    "diploma": lesson.diploma,
                    "passed": lesson.pk in passed_ids,
                }
                for lesson in lessons
            ],
        }
        for entry, lessons in structure
    ]


class CourseDetail(APIView):
    """Everyone: a shown course (404 otherwise, for staff too, as on the site)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CourseDetailSerializer)
    def get(self, request, course_id: int):
        learner = api_learner(request)
        found = learner_course(course_id, learner.volunteer)
        if found is None:
            raise Http404
        course, enrolment = found.course, found.enrolment
        if enrolment is None:
            structure, passed_ids = course_structure(course), set()
        else:
            structure, passed_ids, _ = course_structure_with_progress(course, learner.volunteer)
        lessons = [lesson for _, chapter_lessons in structure for lesson in chapter_lessons]
        next_lesson = next((lesson for lesson in lessons if lesson.pk not in passed_ids), None)
        passed_count, lesson_count = lessons_passed_count(lessons, passed_ids)
        refusal = None
        if learner.volunteer is not None:
            refusal = refusal_reason(learner, course, region_ids={pk for pk, _ in found.regions})
        # Read by the serializer as `details.…`: a course is shared by every reader (cached).
        course_with_details = _WithDetails(
            course,
            {
                "regions": [{"id": pk, "region": region} for pk, region in found.regions],
                "skills": [{"title": title, "description": text} for title, text in found.skills],
                "questions": [{"question": question, "answer": answer} for question, answer in found.questions],
                "structure": _program(structure, passed_ids),
                "lesson_count": lesson_count,
                "passed_count": passed_count,
                "next_lesson_id": next_lesson.pk if enrolment is not None and next_lesson else None,
                "enrolment": enrolment,
                "refusal": refusal,
            },
        )
        return Response(CourseDetailSerializer(course_with_details, context={"request": request}).data)


class _WithDetails:
    """The course's fields, and this reader's `details` beside them, without writing on the
    course object (it comes from the shared cache)."""

    def __init__(self, course: Course, details: dict):
        self._course, self.details = course, details

    def __getattr__(self, name):
        return getattr(self._course, name)


# --- Enrolment ----------------------------------------------------------------------------


REFUSED = OpenApiResponse(
    DetailSerializer,
    description="Нет анкеты волонтёра, или правила курса не пускают (уровень, регион).",
    examples=[OpenApiExample("Уровень", value={"detail": "Записаться нельзя: нужен уровень Бывалый."})],
)


class CourseEnrol(APIView):
    """A volunteer enrols in a shown course their level and region admit (services.enrol).
    201 with the new enrolment; 200 with the existing one if they already are enrolled."""

    permission_classes = [IsVolunteer]

    @extend_schema(
        request=None,
        responses={201: EnrolmentSerializer, 200: EnrolmentSerializer, 403: REFUSED},
        examples=[
            OpenApiExample(
                "Записан",
                value={"course": 7, "status": "Вы записаны", "assessment": 0, "attempts": 1, "attempts_left": None},
                response_only=True,
                status_codes=["201"],
            )
        ],
    )
    def post(self, request, course_id: int):
        course = get_object_or_404(courses_shown().select_related("level").prefetch_related("location"), pk=course_id)
        volunteer = api_learner(request).volunteer
        enrolment = enrolment_of(volunteer, course)
        if enrolment is not None:
            enrolment.course = course
            return Response(EnrolmentSerializer(enrolment).data)
        try:
            enrolment = services.enrol(volunteer=volunteer, course=course)
        except services.CourseError as error:
            return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class CourseRetake(APIView):
    """A volunteer starts a new attempt of a course they failed, while its attempts limit
    allows (services.course_retake)."""

    permission_classes = [IsVolunteer]

    @extend_schema(
        request=None,
        responses={
            200: EnrolmentSerializer,
            400: OpenApiResponse(
                DetailSerializer,
                description="Курс не провален, или попытки закончились.",
                examples=[
                    OpenApiExample("Не провален", value={"detail": "Пересдать можно только не пройденный курс."})
                ],
            ),
            403: REFUSED,
        },
    )
    def post(self, request, course_id: int):
        course = get_object_or_404(courses_shown(), pk=course_id)
        enrolment = enrolment_of(api_learner(request).volunteer, course)
        if enrolment is None:
            return Response({"detail": "Вы не записаны на этот курс."}, status=status.HTTP_403_FORBIDDEN)
        try:
            enrolment = services.course_retake(enrolment=enrolment)
        except services.CourseError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(EnrolmentSerializer(enrolment).data)


# --- «Мои курсы» --------------------------------------------------------------------------


class MyCourseSerializer(serializers.Serializer):
    """An enrolment with the volunteer's progress and the lesson to go on with."""

    course = CourseRefSerializer(source="enrolment.course")
    direction = DirectionSerializer(source="enrolment.course.direction")
    level = LevelSerializer(source="enrolment.course.level")
    enrolment = EnrolmentSerializer()
    lesson_count = serializers.IntegerField()
    passed_count = serializers.IntegerField()
    next_lesson_id = serializers.IntegerField(allow_null=True)
    finished = serializers.BooleanField()


class MyCourseList(generics.ListAPIView):
    """A signed-in user: their volunteer profile's enrolments, newest first, with progress
    (none for a user without a profile, as on the site)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyCourseSerializer
    filter_backends = []

    def get_queryset(self):
        volunteer = api_learner(self.request).volunteer
        return VolunteerCourse.objects.none() if volunteer is None else enrolments_of(volunteer)

    def list(self, request, *args, **kwargs):
        enrolments = self.paginate_queryset(self.get_queryset())
        rows = my_course_rows(api_learner(request).volunteer, enrolments) if enrolments else []
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


urlpatterns = [
    path("courses/", CourseList.as_view(), name="course-list"),
    path("courses/<int:course_id>/", CourseDetail.as_view(), name="course-detail"),
    path("courses/<int:course_id>/enrol/", CourseEnrol.as_view(), name="course-enrol"),
    path("courses/<int:course_id>/retake/", CourseRetake.as_view(), name="course-retake"),
    path("my/courses/", MyCourseList.as_view(), name="my-courses"),
]
