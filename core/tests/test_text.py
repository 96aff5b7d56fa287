import pytest
from django.template import Context, Template

from core.text import duration_text, plural, plural_form

STEP = ("шаг", "шага", "шагов")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0 шагов"),
        (1, "1 шаг"),
        (2, "2 шага"),
        (4, "4 шага"),
        (5, "5 шагов"),
        (11, "11 шагов"),
        (12, "12 шагов"),
        (14, "14 шагов"),
        (21, "21 шаг"),
        (22, "22 шага"),
        (25, "25 шагов"),
        (101, "101 шаг"),
        (111, "111 шагов"),
        (112, "112 шагов"),
        (1004, "1004 шага"),
    ],
)
def test_plural_puts_the_russian_form_that_fits_the_number(number, text):
    assert plural(number, *STEP) == text


def test_plural_form_is_only_the_noun_and_a_negative_number_reads_as_its_size():
    assert [plural_form(number, *STEP) for number in (1, 3, 7, -1, -3)] == ["шаг", "шага", "шагов", "шаг", "шага"]


@pytest.mark.parametrize(("number", "text"), [(0, "0 задач"), (1, "1 задача"), (3, "3 задачи"), (21, "21 задача")])
def test_the_template_filter_prints_the_number_and_the_noun(number, text):
    template = Template(
        '{% load russian %}{{ n|plural:"задача, задачи, задач" }}|{{ n|plural_form:"задача,задачи,задач" }}'
    )
    assert template.render(Context({"n": number})) == f"{text}|{text.split()[1]}"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(None, "0 мин"), (0, "0 мин"), (50, "50 мин"), (60, "1 ч"), (90, "1 ч 30 мин"), (120, "2 ч"), (150, "2 ч 30 мин")],
)
def test_duration_has_no_zero_hours_and_no_zero_minutes(minutes, text):
    assert duration_text(minutes) == text
    assert Template("{% load russian %}{{ m|duration }}").render(Context({"m": minutes})) == text
