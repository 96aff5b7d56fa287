"""A new picture's thumbnails, made by core.tasks.thumbnails_make once its save commits
(core.thumbnails): sent only for a field with aliases that got a new file, idempotent,
and nothing to do for a row deleted or given another picture before it ran."""

from pathlib import Path

import pytest
from easy_thumbnails.models import Source

from core.tasks import thumbnails_make
from core.testing import png_upload, thumbnail_names
from methodics.models import Methodic
from methodics.tests.factories import MethodicFactory
from problems.tests.factories import TaskFactory
from volunteers.models import Volunteer
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def files_of(storage) -> dict:
    """Every stored file with the time it was last written."""
    return {path: path.stat().st_mtime_ns for path in Path(storage.path("")).rglob("*") if path.is_file()}


def arguments(row, field: str) -> dict:
    return {"model": row._meta.label, "pk": row.pk, "field": field, "name": getattr(row, field).name}


def test_a_new_cover_sends_one_task_whose_second_run_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        methodic = MethodicFactory(cover=png_upload("обложка.png", size=(960, 540)))
    assert len(callbacks) == 1
    (card,) = thumbnail_names(methodic.cover)
    stored = files_of(methodic.cover.storage)
    assert methodic.cover.storage.path(card) in {str(path) for path in stored}

    thumbnails_make.delay(**arguments(methodic, "cover"))  # a second delivery

    assert thumbnail_names(methodic.cover) == [card]
    assert files_of(methodic.cover.storage) == stored


def test_saves_that_store_no_new_picture_send_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        volunteer = VolunteerFactory(photo=png_upload("я.png", size=(300, 200)))
    with django_capture_on_commit_callbacks() as callbacks:
        volunteer.call_sign = "Новый позывной"
        volunteer.save()  # the same photo
        MethodicFactory()  # no cover
        TaskFactory(image=png_upload("чертёж.png"))  # a picture without aliases
    assert callbacks == []


def test_a_row_deleted_before_the_task_ran_is_no_error(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        methodic = MethodicFactory(cover=png_upload("обложка.png"))
    sent = arguments(methodic, "cover")
    Methodic.objects.filter(pk=methodic.pk).delete()

    result = thumbnails_make.apply(kwargs=sent)

    assert result.successful()
    assert len(callbacks) == 1 and thumbnail_names(methodic.cover) == []


def test_a_picture_replaced_before_the_task_ran_is_left_to_the_new_ones_task(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        volunteer = VolunteerFactory(photo=png_upload("старое.png", size=(300, 200)))
    old = arguments(volunteer, "photo")
    with django_capture_on_commit_callbacks(execute=True):
        volunteer.photo = png_upload("новое.png", size=(300, 200))
        volunteer.save()

    assert thumbnails_make.apply(kwargs=old).successful()

    assert not Source.objects.filter(name=old["name"]).exists()  # nothing made of the old picture
    assert len(thumbnail_names(Volunteer.objects.get(pk=volunteer.pk).photo)) == 2
