from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from core.input_checks import BIGINT_MAX
from courses.models import VolunteerCourse


class AnswerReviewForm(forms.Form):
    """A teacher's score for one open answer, in the question's points (halves and other
    fractions allowed, «1,5» or «1.5»), and a comment the volunteer will read."""

    points = forms.DecimalField(
        label=_("Баллы"),
        min_value=0,
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    comment = forms.CharField(
        label=_("Комментарий для волонтёра"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Что получилось и что стоит доработать. Волонтёр увидит комментарий вместе с оценкой."),
    )

    def __init__(self, *args, max_points: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_points = max_points
        field = self.fields["points"]
        field.help_text = _("От 0 до %(max)s: столько баллов стоит вопрос.") % {"max": max_points}
        out_of_range = _("Укажите число от 0 до %(max)s.") % {"max": max_points}
        field.error_messages |= {"min_value": out_of_range, "max_value": out_of_range}
        field.validators.append(MaxValueValidator(max_points))

    @property
    def fraction(self) -> float:
        """The share of the question's points, as `answer_review` takes it (0–1)."""
        return float(self.cleaned_data["points"] / Decimal(self.max_points))


class ReviewQueueFilterForm(forms.Form):
    """`?course=<id>`: the queue of one course. Anything else shows every course."""

    course = forms.IntegerField(required=False, min_value=1, max_value=BIGINT_MAX)

    def course_id(self) -> int | None:
        return self.cleaned_data["course"] if self.is_valid() else None


class CourseStudentsFilterForm(forms.Form):
    """`?status=…`: the enrolments of one status; empty (or unknown) shows all of them."""

    status = forms.ChoiceField(choices=VolunteerCourse.Status.choices, required=False)

    def status_chosen(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""
