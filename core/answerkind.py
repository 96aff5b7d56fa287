"""The kinds of a short answer (a task's, a quiz question's): apart from the checker in
core.mathanswers, so that models name them without loading SymPy."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerKind(models.TextChoices):
    NUMBER = "number", _("число")
    EXPRESSION = "expression", _("выражение")
    EQUATION = "equation", _("уравнение")
    SET = "set", _("множество или промежуток")
    TEXT = "text", _("текст")
