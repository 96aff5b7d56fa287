"""A deleted row's files leave storage when the deletion commits (core.files)."""

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction

from accounts.roles import ADMIN
from accounts.services import message_send
from accounts.tests.factories import UserFactory
from core.testing import image_bytes, png_upload, thumbnail_names
from methodics.services import step_add, step_update
from methodics.tests.factories import MethodicFactory
from problems.tests.factories import TaskFactory
from projects.models import Attachment
from projects.tests.factories import StudentFactory
from volunteers.models import Volunteer
from volunteers.tests.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def stored(fieldfile) -> bool:
    return fieldfile.storage.exists(fieldfile.name)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 private", content_type="application/pdf")


@pytest.fixture
def message(volunteer):
    administrator = UserFactory(roles=[ADMIN])
    return message_send(
        sender=administrator, recipient=volunteer, title="Справка", text="Во вложении.", attachment=pdf("справка.pdf")
    )


def test_a_deleted_messages_attachment_leaves_storage_at_the_commit(message, django_capture_on_commit_callbacks):
    attachment = message.attachment
    other = message_send(
        sender=message.sender, recipient=message.recipient, title="Ещё", text="И это.", attachment=pdf("план.pdf")
    )

    with django_capture_on_commit_callbacks(execute=True):
        message.delete()
        assert stored(attachment)  # not before the deletion is committed

    assert not stored(attachment)
    assert not Path(attachment.storage.path(attachment.name)).parent.exists()  # its own folder, empty now
    assert stored(other.attachment)  # and the folders above it, which hold another file, stay


def test_a_rolled_back_deletion_keeps_the_file(message, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        message.delete()
        raise RuntimeError("the deletion fails later on")

    assert callbacks == []
    assert stored(message.attachment)


def test_deleting_a_student_removes_the_files_attached_to_them(django_capture_on_commit_callbacks):
    student = StudentFactory()
    document = Attachment.objects.create(
        owner=student, file=ContentFile(b"%PDF-1.4 scan", name="паспорт.pdf"), title="Паспорт"
    )
    kept = Attachment.objects.create(
        owner=StudentFactory(project=student.project), file=ContentFile(b"%PDF-1.4 x", name="a.pdf")
    )

    with django_capture_on_commit_callbacks(execute=True):
        student.delete()  # the attachments go by their generic relation

    assert not Attachment.objects.filter(pk=document.pk).exists()
    assert not stored(document.file)
    assert stored(kept.file)


@pytest.fixture
def with_photo(django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory()
    volunteer.photo = png_upload("я.png", size=(300, 200))
    with django_capture_on_commit_callbacks(execute=True):
        volunteer.save()  # the avatars are made once the upload commits (core.thumbnails)
    return Volunteer.objects.get(pk=volunteer.pk)  # as a page reads it


def test_a_deleted_photo_takes_its_thumbnails_along(with_photo, django_capture_on_commit_callbacks):
    photo, thumbnails = with_photo.photo, thumbnail_names(with_photo.photo)
    assert len(thumbnails) == 2
    assert all(photo.storage.exists(name) for name in thumbnails)

    with django_capture_on_commit_callbacks(execute=True):
        with_photo.delete()

    assert not stored(photo)
    assert not any(photo.storage.exists(name) for name in thumbnails)


def test_a_new_photo_replaces_the_old_one_and_its_thumbnails(with_photo, django_capture_on_commit_callbacks):
    old, old_thumbnails = with_photo.photo.name, thumbnail_names(with_photo.photo)

    with django_capture_on_commit_callbacks(execute=True):
        with_photo.photo = png_upload("новое.png", size=(300, 200))
        with_photo.save()

    photos = with_photo.photo.storage
    assert not photos.exists(old)
    assert not any(photos.exists(name) for name in old_thumbnails)
    assert stored(with_photo.photo) and len(thumbnail_names(with_photo.photo)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        with_photo.call_sign = "Новый позывной"
        with_photo.save()  # the same photo: it stays
    assert stored(with_photo.photo)


def test_a_cleared_photo_leaves_storage_but_not_while_other_fields_are_saved(
    with_photo, django_capture_on_commit_callbacks
):
    photo = with_photo.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        with_photo.photo = ""
        with_photo.save(update_fields=["call_sign"])  # the photo is not written
    assert with_photo.photo.storage.exists(photo)

    with django_capture_on_commit_callbacks(execute=True):
        with_photo.save()
    assert not with_photo.photo.storage.exists(photo)


def test_a_replaced_step_image_leaves_storage_and_the_methodic_keeps_the_new_one(django_capture_on_commit_callbacks):
    methodic = MethodicFactory()
    step = step_add(methodic=methodic, duration=10, description="Разминка", image=png_upload("старый.png"))
    old = step.image.name

    with django_capture_on_commit_callbacks(execute=True):
        step_update(step=step, image=png_upload("новый.png"))

    assert not default_storage.exists(old)
    step.refresh_from_db()
    assert stored(step.image) and step.image.name != old


def test_a_picture_shared_by_imported_tasks_stays_when_one_task_goes(django_capture_on_commit_callbacks):
    name = default_storage.save("problems/tasks/chart-0123456789abcdef.png", ContentFile(image_bytes()))
    first, second = TaskFactory(image=name), TaskFactory(image=name)

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()

    assert default_storage.exists(name)
    second.refresh_from_db()
    assert second.image.name == name


# --- manage.py sweep_files ---------------------------------------------------------------


def sweep(*args) -> str:
    out = StringIO()
    call_command("sweep_files", *args, stdout=out)
    return out.getvalue()


def orphan(storage, name: str, *, hours_old: float) -> str:
    name = storage.save(name, ContentFile(b"left behind"))
    moment = time.time() - hours_old * 3600
    os.utime(storage.path(name), (moment, moment))
    return name


@pytest.fixture
def storages_with_orphans(message, with_photo):
    shared = default_storage.save("problems/tasks/chart-0123456789abcdef.png", ContentFile(image_bytes()))
    TaskFactory(image=shared)
    private = message.attachment.storage
    named = [(private, message.attachment.name), (private, with_photo.photo.name), (default_storage, shared)]
    named += [(private, name) for name in thumbnail_names(with_photo.photo)]  # a private photo's are private
    for storage, name in named:  # all old enough to be swept, were they orphans
        os.utime(storage.path(name), (time.time() - 48 * 3600,) * 2)
    return {
        "named": named,
        "orphans": [
            (default_storage, orphan(default_storage, "methodics/covers/старая.png", hours_old=48)),
            (private, orphan(private, "volunteers/photos/2025/старое.png", hours_old=48)),
            (private, orphan(private, "messages/2025/письмо.pdf", hours_old=30)),
        ],
        "young": [(default_storage, orphan(default_storage, "courses/covers/только-что.png", hours_old=1))],
    }


def test_sweep_files_dry_run_lists_the_orphans_and_deletes_nothing(storages_with_orphans):
    output = sweep("--dry-run")

    assert "Пробный запуск, ничего не удалено. Файлов без записей: 3" in output
    for storage, name in storages_with_orphans["orphans"]:
        assert storage.path(name) in output
        assert storage.exists(name)
    assert "только-что" not in output


def test_sweep_files_deletes_only_old_files_no_row_names(storages_with_orphans):
    output = sweep("--verbosity", "0")

    assert "Удалено файлов без записей: 3" in output
    assert not any(storage.exists(name) for storage, name in storages_with_orphans["orphans"])
    kept = storages_with_orphans["named"] + storages_with_orphans["young"]
    assert all(storage.exists(name) for storage, name in kept)
    assert "Файлов без записей: 0" in sweep("--dry-run")


def test_sweep_files_refuses_to_touch_files_being_saved(db):
    with pytest.raises(CommandError, match="не меньше 1 часа"):
        sweep("--older-than", "0")
