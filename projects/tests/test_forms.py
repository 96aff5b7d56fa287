"""The forms of the project pages: what their choices offer."""

import pytest

from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from projects.forms import LessonForm
from projects.models import ProjectLesson
from projects.tests.factories import ProjectCourseFactory, ProjectLessonFactory

pytestmark = pytest.mark.django_db


def test_a_lesson_offers_the_published_methodics_by_title():
    course = ProjectCourseFactory()
    second = MethodicFactory(title="Б: опыты")
    first = MethodicFactory(title="А: игры <с мячом>")
    MethodicFactory(title="В: черновик", status=Methodic.Status.DRAFT)
    form = LessonForm(instance=ProjectLesson(course=course), project=course.term.project)

    assert list(form.fields["methodic"].choices) == [
        ("", "---------"),
        (first.pk, first.title),
        (second.pk, second.title),
    ]
    html = str(form["methodic"])
    assert '<option value="" selected>---------</option>' in html
    assert f'<option value="{first.pk}">А: игры &lt;с мячом&gt;</option>' in html


def test_a_lesson_keeps_its_draft_methodic_among_the_choices_and_selected():
    draft = MethodicFactory(title="Черновик", status=Methodic.Status.DRAFT)
    published = MethodicFactory(title="Опубликованная")
    lesson = ProjectLessonFactory(methodic=draft)
    form = LessonForm(instance=lesson, project=lesson.course.term.project)

    assert [pk for pk, _title in form.fields["methodic"].choices] == ["", published.pk, draft.pk]
    assert f'<option value="{draft.pk}" selected>Черновик</option>' in str(form["methodic"])


def test_a_lesson_saves_the_chosen_methodic():
    course = ProjectCourseFactory()
    methodic = MethodicFactory()
    data = {"date": "2026-09-14", "start_time": "10:00", "finish_time": "11:00", "methodic": methodic.pk}
    form = LessonForm(data, instance=ProjectLesson(course=course), project=course.term.project)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["methodic"] == methodic

    other_draft = MethodicFactory(status=Methodic.Status.DRAFT)
    data["methodic"] = other_draft.pk
    form = LessonForm(data, instance=ProjectLesson(course=course), project=course.term.project)
    assert not form.is_valid() and "methodic" in form.errors
