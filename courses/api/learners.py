"""Who calls the courses API as a learner, and the small serializers its modules share.

The API has no «вид студента» (an administrator's session switch on the pages): the learner
is the signed-in user's volunteer profile (courses.selectors.learner_of_user), else nobody."""

from rest_framework import serializers
from rest_framework.permissions import BasePermission

from courses.models import Course, VolunteerCourse
from courses.selectors import ANONYMOUS, Learner, learner_of_user
from courses.views.catalogue import attempts_left


def api_learner(request) -> Learner:
    """The learner behind this API request, read once per request (one query)."""
    if not hasattr(request, "_courses_api_learner"):
        user = request.user
        request._courses_api_learner = learner_of_user(user) if user.is_authenticated else ANONYMOUS
    return request._courses_api_learner


class IsVolunteer(BasePermission):
    """A signed-in user with a volunteer profile: who enrols, reads lessons and takes quizzes."""

    message = "Курсы проходят волонтёры: заполните анкету волонтёра."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and api_learner(request).volunteer is not None)


class CourseRefSerializer(serializers.ModelSerializer):
    """A course named in another object: its id and title."""

    class Meta:
        model = Course
        fields = ["id", "title"]


class EnrolmentSerializer(serializers.ModelSerializer):
    """The learner's enrolment in a course: its status, assessment and attempt."""

    course = serializers.IntegerField(source="course_id", read_only=True)
    attempts_left = serializers.SerializerMethodField(help_text="Пересдач осталось; null — без ограничений.")

    class Meta:
        model = VolunteerCourse
        fields = ["course", "status", "assessment", "attempts", "attempts_left"]

    def get_attempts_left(self, enrolment: VolunteerCourse) -> int | None:
        return attempts_left(enrolment)
