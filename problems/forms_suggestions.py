"""Forms of teachers' suggestions: a task and the author's solutions to it. Field
validation only (the image's type and size are the model's validators); the view saves
them and sends the task to moderation."""

from django import forms
from django.conf import settings
from django.forms import BaseFormSet, BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from problems.models import Solution, Task

# Plain fields the virtual keyboard of math symbols writes into (static/js/math-keyboard.js);
# rich-text editors are found by the script itself.
MATH_KEYBOARD = {"data-math-keyboard": ""}


class TaskSuggestForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ("block", "title", "statement", "image", "answer", "answer_kind", "answer_tolerance", "references")
        # «0,01» as people here write it (a number input would take only what the browser's
        # locale says).
        localized_fields = ("answer_tolerance",)
        widgets = {
            "title": forms.TextInput(attrs=MATH_KEYBOARD),
            "answer": forms.TextInput(attrs=MATH_KEYBOARD),
            "references": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "answer": _("Например: 4, x = −2, 30°. Полное решение — ниже."),
            "answer_kind": _(
                "Как сравнивать ответ ученика с этим: число — по значению (0,5 = 1/2); выражение — "
                "по значению при любых переменных; уравнение — по корням; множество — по элементам "
                "и концам промежутков; текст — без учёта регистра и знаков препинания, варианты через «|»."
            ),
            "references": _(
                "Формулы и теоремы из справочника, которые помогут решить задачу. "
                "Несколько — с нажатой клавишей Ctrl (⌘ на Mac)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit is a setting operators may change; read it when the form is shown.
        self.fields["image"].help_text = _(
            "Рисунок к условию, если он нужен: JPG, PNG, WebP или GIF, не больше %(limit)s МБ."
        ) % {"limit": settings.PHOTO_MAX_MB}


class SolutionForm(forms.ModelForm):
    class Meta:
        model = Solution
        fields = ("title", "text", "is_private")
        widgets = {"title": forms.TextInput(attrs=MATH_KEYBOARD)}
        labels = {"is_private": _("Скрытое решение")}
        help_texts = {
            "title": _("Например: «Решение» или «Способ 2: через теорему Пифагора»."),
            "is_private": _("Увидите только вы и администраторы; остальным оно не показывается."),
        }


class BaseSolutionFormSet(BaseInlineFormSet):
    default_error_messages = {
        **BaseFormSet.default_error_messages,
        "too_few_forms": _("Добавьте хотя бы одно решение."),
    }


# A task comes with at least one solution. Only the author's own solutions are edited
# here (the view passes them as the queryset); others stay as they are.
SolutionFormSet = inlineformset_factory(
    Task,
    Solution,
    form=SolutionForm,
    formset=BaseSolutionFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    can_delete_extra=False,
)
