"""Forms of class assignments (problems.views.assignments): input checks only; the views
call problems.assignments."""

import secrets

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from problems.assignments import GUEST_NAME_MAX_LENGTH, normalise_code
from problems.forms_suggestions import MATH_KEYBOARD
from problems.models import Assignment

GUEST_TOKEN_SALT = "problems.assignment.guest-token"


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ("title", "deadline", "check_mode")
        widgets = {
            "deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "check_mode": forms.RadioSelect,
        }
        help_texts = {
            "title": _("Его увидят ученики."),
            "deadline": _("Необязательно. После этого времени ответы не принимаются."),
            "check_mode": _(
                "«Проверять сразу» — ученик видит ✓ или ✗ после каждого ответа и может его исправить до отправки; "
                "«Проверить в конце» — результат виден после отправки всей работы."
            ),
        }


class CodeForm(forms.Form):
    """«Ввести код»: six characters, in any case."""

    code = forms.CharField(label=_("Код задания"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("Код — шесть латинских букв и цифр, например K7M2QX."), code="invalid")
        return code


def new_guest_token() -> str:
    """A signed random key for the name form: the key of the guest's work, so that the form
    sent twice starts one work, and no key comes from anywhere but this site."""
    return signing.dumps(secrets.token_hex(16), salt=GUEST_TOKEN_SALT)


class GuestNameForm(forms.Form):
    name = forms.CharField(
        label=_("Имя и фамилия"),
        max_length=GUEST_NAME_MAX_LENGTH,
        help_text=_("Так вас увидит в результатах только преподаватель."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Укажите имя и фамилию."), code="required")
        return name

    def clean_token(self):
        try:
            return signing.loads(self.cleaned_data["token"], salt=GUEST_TOKEN_SALT)
        except signing.BadSignature:
            raise forms.ValidationError(_("Форма устарела: откройте задание заново."), code="invalid") from None


class AnswersForm(forms.Form):
    """An answer field for each task (answer_<task id>), with the virtual keyboard."""

    def __init__(self, *args, tasks, initial_answers: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = tasks
        for number, task in enumerate(tasks, 1):
            self.fields[f"answer_{task.pk}"] = forms.CharField(
                label=_("Ответ к задаче %(number)s") % {"number": number},
                required=False,
                max_length=200,
                initial=(initial_answers or {}).get(task.pk, ""),
                widget=forms.TextInput(attrs={**MATH_KEYBOARD, "autocomplete": "off", "spellcheck": "false"}),
            )

    def answers(self) -> dict[int, str]:
        """The typed answers by task id, from the raw data: an answer too long is cut by
        the service, not refused."""
        return {task.pk: self.data.get(f"answer_{task.pk}", "") for task in self.tasks}
