"""Files of rows: a file leaves storage, thumbnails included, when its row is deleted or
saved with another file (or none) in its place — by a page, the admin, a service or a
cascade (a project with its students and their documents) — once that commits; a rollback
keeps it. A field whose files rows share (the problem bank's imported pictures, stored
once by their content) says so with `shares_files = True` and keeps them.

Each row remembers the names it was read with (post_init: a dictionary read, no query);
a file replaced through QuerySet.update(), or on a row whose field was deferred, is not
seen. For what was left before, or by such a path: `manage.py sweep_files` (orphans)."""

import os
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone

_STORED = "_stored_file_names"


class _Removed:
    """Stands for the row of a file being removed: FieldFile.delete() clears the file's
    name on its row, which must not be a live one (it may hold the new file)."""


def _delete_on_commit(files: Iterable[tuple[models.FileField, str]], *, using: str | None = None) -> None:
    """Remove these files — (field, stored name) pairs; empty names are skipped — with their
    thumbnails (easy-thumbnails' fields), once the current transaction commits."""
    files = [(field, name) for field, name in files if name]
    if files:
        transaction.on_commit(lambda: [_remove(field, name) for field, name in files], using=using)


def _remove(field: models.FileField, name: str) -> None:
    field.attr_class(_Removed(), field, name).delete(save=False)
    _prune(field.storage, name)


def _prune(storage, name: str) -> None:
    """Remove the folders a removed file leaves empty (core.storage.OwnFolder gives each
    file one), up to the storage's own. Object storage has no folders to leave."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        return
    root = os.path.realpath(storage.location)
    folder = os.path.dirname(os.path.realpath(path))
    while folder.startswith(root + os.sep):
        try:
            os.rmdir(folder)  # only an empty one
        except OSError:
            return
        folder = os.path.dirname(folder)


def _name(value) -> str:
    """The stored name of a file field's value: a name, a FieldFile or a file being uploaded."""
    return getattr(value, "name", value) or ""


def _remember(sender, instance, **kwargs) -> None:
    # Read straight from __dict__: a field deferred when the row was read is not there.
    loaded = instance.__dict__
    instance.__dict__[_STORED] = {
        field.attname: _name(loaded[field.attname]) for field in _file_fields(sender) if field.attname in loaded
    }


def _delete_replaced(sender, instance, created, update_fields, using, **kwargs) -> None:
    stored = instance.__dict__.setdefault(_STORED, {})
    written = [
        field
        for field in _file_fields(sender)
        if field.attname in instance.__dict__ and (update_fields is None or field.name in update_fields)
    ]
    replaced = []
    for field in written:
        name = _name(getattr(instance, field.attname))
        if not created and stored.get(field.attname, name) != name:
            replaced.append((field, stored[field.attname]))
        stored[field.attname] = name
    _delete_on_commit(replaced, using=using)


def _delete_files_of_row(sender, instance, using, **kwargs) -> None:
    loaded = [field for field in _file_fields(sender) if field.attname in instance.__dict__]
    _delete_on_commit(((field, getattr(instance, field.attname).name) for field in loaded), using=using)


@cache
def _file_fields(model) -> list[models.FileField]:
    """The model's file fields whose files belong to one row each."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField) and not getattr(field, "shares_files", False)
    ]


def connect() -> None:
    """Called by core.apps: receivers for each model with files only (receivers for every
    model would cost the others a call on every row read, and Django's fast deletes)."""
    for model in apps.get_models():
        if _file_fields(model):
            uid = f"core.files.{model._meta.label}"
            post_init.connect(_remember, sender=model, dispatch_uid=uid)
            post_save.connect(_delete_replaced, sender=model, dispatch_uid=uid)
            post_delete.connect(_delete_files_of_row, sender=model, dispatch_uid=uid)


# --- Orphans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orphan:
    """A file in a storage of the site's file fields that no row names."""

    storage: object
    name: str
    size: int

    @property
    def address(self) -> str:
        """Where it is, for a person: its path on this server, or `s3://<bucket>/<key>`."""
        try:
            return self.storage.path(self.name)
        except NotImplementedError:
            return f"{_place(self.storage)}/{self.name}"


def _named_files() -> dict[str, set[str]]:
    """Every file a row names, shared pictures included, and every thumbnail of one
    (easy-thumbnails' table, in the field's thumbnail storage), by the place of its storage."""
    from easy_thumbnails.models import Thumbnail
    from easy_thumbnails.storage import thumbnail_default_storage

    named: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}  # the files whose thumbnails a place keeps
    for model, field in _every_file_field():
        rows = model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)
        names = set(rows.iterator(chunk_size=5000))
        named.setdefault(_place(field.storage), set()).update(names)
        thumbnail_storage = getattr(field, "thumbnail_storage", None) or thumbnail_default_storage
        sources.setdefault(_place(thumbnail_storage), set()).update(names)
    for name, source in Thumbnail.objects.values_list("name", "source__name").iterator(chunk_size=5000):
        for place, files in sources.items():
            if source in files:
                named.setdefault(place, set()).add(name)
    return named


def _place(storage) -> str:
    """Where a storage keeps its files, telling storages apart: the real path of its folder
    on this server, or `s3://<bucket>/<prefix>` in object storage (core.s3)."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        return f"s3://{bucket}/{storage.location}".rstrip("/")
    return os.path.realpath(storage.location)


def _stored_files(storage) -> Iterator[tuple[str, int, float]]:
    """Every file of the storage: its name, size in bytes and when it last changed (a
    timestamp). A bucket is listed a thousand objects a request, sizes and times included;
    any other storage folder by folder (Storage.listdir), as Django's API allows."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        prefix = f"{storage.location}/" if storage.location else ""
        for item in storage.bucket.objects.filter(Prefix=prefix):
            yield item.key.removeprefix(prefix), item.size, item.last_modified.timestamp()
        return
    folders = [""]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:  # a storage that has stored nothing yet has no folder
            continue
        folders += sorted((posixpath.join(folder, name) for name in subfolders), reverse=True)
        for file in sorted(files):
            name = posixpath.join(folder, file)
            yield name, storage.size(name), storage.get_modified_time(name).timestamp()


def _every_file_field() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every file field of the site, shared ones included, with its model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def orphaned_files(*, older_than: timedelta) -> Iterator[Orphan]:
    """The files in the storages of the site's file fields that no row names, nor are a
    thumbnail of one, last changed more than `older_than` ago (a file stored for a row
    that is still being saved is younger)."""
    named = _named_files()
    before = (timezone.now() - older_than).timestamp()
    storages = {_place(field.storage): field.storage for _model, field in _every_file_field()}
    for place, storage in sorted(storages.items()):
        kept = named.get(place, set())
        for name, size, modified in _stored_files(storage):
            if name not in kept and modified < before:
                yield Orphan(storage, name, size)


def orphan_delete(orphan: Orphan) -> None:
    """Remove an orphaned file, and easy-thumbnails' record of it if it has one."""
    from easy_thumbnails.models import Source

    orphan.storage.delete(orphan.name)
    _prune(orphan.storage, orphan.name)
    Source.objects.filter(name=orphan.name).delete()


# --- Making a field private ---------------------------------------------------------------


def move_to_private_storage(rows, field_name: str) -> None:
    """For the migration that makes a file field private: each named file moves from the
    public media folder to the private one under the same name, and its public thumbnails
    go with easy-thumbnails' records of them."""
    from easy_thumbnails.models import Source, Thumbnail

    from core.storage import PrivateStorage

    public, private = default_storage, PrivateStorage()
    for name in rows.exclude(**{field_name: ""}).values_list(field_name, flat=True).iterator():
        if public.exists(name) and not private.exists(name):
            with public.open(name) as file:
                private.save(name, file)
        for thumbnail in Thumbnail.objects.filter(source__name=name).values_list("name", flat=True):
            public.delete(thumbnail)
        Source.objects.filter(name=name).delete()
        public.delete(name)
