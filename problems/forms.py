"""Forms of the variants pages (problems.views.variants): input checks only; the views
call the selectors and services."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.answerkind import AnswerKind
from core.input_checks import parse_id
from problems.models import Block, Variant

# A class set: a version for each of up to 30 learners (made in the background, delivered
# to the teacher's messages: problems.tasks).
MAX_VERSIONS = 30
# 30 versions from up to 16 blocks, 10 from up to 50; a longer list is not a variant (and
# its address would outgrow what web servers take in a request line).
MAX_TASK_IDS = 500
EXPORT_FORMATS = (("pdf", "PDF"), ("docx", "Word (DOCX)"))


def parse_task_ids(value: str) -> list[int]:
    """ "3,17,42" → [3, 17, 42]; raises ValidationError on anything else."""
    parts = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not parts:
        raise ValidationError(_("Не выбрано ни одной задачи."), code="empty")
    if len(parts) > MAX_TASK_IDS:
        raise ValidationError(_("Слишком много задач: не больше %(max)s."), params={"max": MAX_TASK_IDS}, code="many")
    ids = [parse_id(part) for part in parts]
    if None in ids:
        raise ValidationError(_("Список задач — номера через запятую, например 3,17,42."), code="invalid")
    return ids


class VariantTaskIdsField(forms.CharField):
    """Task ids in order, comma-separated, as the variants' URLs carry them (?tasks=3,17,42)."""

    def to_python(self, value):
        return parse_task_ids(super().to_python(value))


class VariantRandomForm(forms.Form):
    """Which blocks a random variant draws from, and how many versions to draw. Answers
    are chosen once, by the download form under the variant (_export_form.html)."""

    blocks = forms.TypedMultipleChoiceField(
        label=_("Блоки"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Из каждого выбранного блока — одна случайная задача."),
    )
    versions = forms.IntegerField(
        label=_("Количество вариантов"),
        min_value=1,
        max_value=MAX_VERSIONS,
        initial=1,
        help_text=_("Для класса: в каждом варианте свои задачи, если их хватает."),
    )

    unsolved = forms.BooleanField(
        label=_("Только нерешённые задачи"),
        required=False,
        help_text=_("Задачи, на которые у вас ещё нет верного ответа."),
    )

    def __init__(self, *args, blocks: list[Block], offer_unsolved: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blocks"].choices = [(block.pk, block.title) for block in blocks]
        self.fields["blocks"].initial = [block.pk for block in blocks]
        if not offer_unsolved:  # a signed-in user's choice: an anonymous visitor has solved nothing
            del self.fields["unsolved"]

    def clean_blocks(self):
        chosen = self.cleaned_data["blocks"]
        if not chosen:
            raise ValidationError(_("Выберите хотя бы один блок."), code="required")
        return chosen


def split_versions(task_ids: list[int], versions: int) -> list[list[int]]:
    """[3, 17, 42, 5, 8, 9] in 2 versions → [[3, 17, 42], [5, 8, 9]]."""
    size = len(task_ids) // versions
    return [task_ids[number * size : (number + 1) * size] for number in range(versions)]


class VariantTasksForm(forms.Form):
    """A variant carried in a URL or a form: the task ids of all its versions, one
    version after another (tasks=3,17,42,5,8,9&versions=2 — two versions of three)."""

    tasks = VariantTaskIdsField(label=_("Задачи"), widget=forms.HiddenInput)
    versions = forms.IntegerField(
        label=_("Количество вариантов"), min_value=1, max_value=MAX_VERSIONS, required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("tasks") and len(cleaned["tasks"]) % (cleaned.get("versions") or 1):
            raise ValidationError(_("Задачи не делятся поровну между вариантами."), code="uneven")
        return cleaned

    def version_ids(self) -> list[list[int]]:
        """The task ids of each version."""
        return split_versions(self.cleaned_data["tasks"], self.cleaned_data.get("versions") or 1)


class VariantShownForm(VariantTasksForm):
    answers = forms.BooleanField(label=_("С ответами"), required=False)


class VariantExportForm(VariantShownForm):
    format = forms.ChoiceField(label=_("Формат"), choices=EXPORT_FORMATS)


class VariantFileForm(forms.Form):
    """The export of one saved variant or one task: only the format and the answers."""

    format = forms.ChoiceField(label=_("Формат"), choices=EXPORT_FORMATS)
    answers = forms.BooleanField(label=_("С ответами"), required=False)


class VariantSaveForm(VariantTasksForm):
    """Save a shown variant; with several versions, each becomes a variant of its own."""

    title = forms.CharField(label=_("Название"), max_length=Variant._meta.get_field("title").max_length)
    kind = forms.ChoiceField(choices=Variant.Kind.choices, widget=forms.HiddenInput)


class VariantRenameForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=Variant._meta.get_field("title").max_length)


class VariantManualForm(forms.Form):
    """«Свой вариант»: which of the candidate tasks (favourites, and the tasks already in
    the variant) are in it, and where. A position number per task decides the order
    (ties and blanks keep the previous order); the ↑/↓ buttons (`move` = "<id>:up" or
    "<id>:down") then move one task by one place — all without JavaScript."""

    task = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    move = forms.RegexField(regex=r"^\d{1,18}:(up|down)$", required=False)

    def __init__(self, *args, candidate_ids: list[int], current_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate_ids = candidate_ids
        self.current_ids = current_ids
        self.fields["task"].choices = [(task_id, str(task_id)) for task_id in candidate_ids]
        for task_id in candidate_ids:
            self.fields[f"position_{task_id}"] = forms.IntegerField(
                label=_("Номер"), min_value=1, max_value=999, required=False
            )

    def ordered_ids(self) -> list[int]:
        """The new order of the variant's tasks."""
        chosen = set(self.cleaned_data["task"])
        before = {task_id: index for index, task_id in enumerate([*self.current_ids, *self.candidate_ids])}
        last = len(before) + 1_000

        def place(task_id: int) -> tuple[int, int]:
            position = self.cleaned_data.get(f"position_{task_id}")
            return (position if position is not None else last, before.get(task_id, last))

        ordered = sorted(chosen, key=place)
        if self.cleaned_data.get("move"):
            moved, direction = self.cleaned_data["move"].split(":")
            if int(moved) in ordered:
                index = ordered.index(int(moved))
                other = index - 1 if direction == "up" else index + 1
                if 0 <= other < len(ordered):
                    ordered[index], ordered[other] = ordered[other], ordered[index]
        return ordered


# How to write an answer of each kind, under «Ваш ответ».
ANSWER_EXAMPLES = {
    AnswerKind.NUMBER: _("Ответ — число, например: 12; 0,5; 1/3; √2; 25%."),
    AnswerKind.EXPRESSION: _("Ответ — выражение, например: 2x + 1; (a + b)²; √x / 2."),
    AnswerKind.EQUATION: _("Ответ — уравнение или корни, например: x = 2 или x = −3; нет корней."),
    AnswerKind.SET: _("Ответ — множество или промежуток, например: {1; 2}; [1; 3); x ≥ 2; ∅."),
    AnswerKind.TEXT: _("Ответ — слово или короткая фраза."),
}


class AnswerCheckForm(forms.Form):
    """«Ваш ответ» on a task's page: the answer as typed (the checker reads it, and says in
    its hint what it did not understand, a too long one too)."""

    answer = forms.CharField(
        label=_("Ваш ответ"),
        strip=False,
        error_messages={"required": _("Введите ответ.")},
        widget=forms.TextInput(
            attrs={
                "data-math-keyboard": "",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
                "aria-describedby": "answer-example",
            }
        ),
    )
