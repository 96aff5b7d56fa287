"""Thumbnails of uploaded pictures, made by a worker once the upload commits (core.tasks):
neither the upload nor the first reader waits for them.

easy-thumbnails' `saved_file` signal names each file field into which a save has just
stored a new file (not a save that keeps the file, nor one that clears it); for a field
with aliases (settings.THUMBNAIL_ALIASES) the task is sent when that save commits. Pages
only compute a thumbnail's URL (core's `alias_url`); until the thumbnail is made the
browser shows the picture itself (its `data-full`, static/js/pictures.js), and the view of
private pictures makes a missing one at once (core.views.private_picture)."""

from django.apps import apps
from easy_thumbnails.alias import aliases
from easy_thumbnails.fields import ThumbnailerImageField
from easy_thumbnails.files import generate_all_aliases
from easy_thumbnails.signals import saved_file


def thumbnails_make(*, model: str, pk, field: str, name: str) -> None:
    """Make every alias's thumbnail of the picture `name` of a row's `field`, if the row
    still has that picture: a row deleted since, or given another picture (whose save sent
    a task of its own), is left alone. A thumbnail made already is found and kept, so
    running this again changes nothing."""
    row = apps.get_model(model)._base_manager.only(field).filter(pk=pk).first()
    fieldfile = getattr(row, field) if row is not None else None
    if fieldfile and fieldfile.name == name:
        generate_all_aliases(fieldfile, include_global=True)


def _send_on_commit(sender, fieldfile, **kwargs) -> None:
    if not isinstance(fieldfile.field, ThumbnailerImageField) or not aliases.all(fieldfile, include_global=True):
        return
    from core.tasks import delay_on_commit, thumbnails_make

    row = fieldfile.instance
    delay_on_commit(thumbnails_make, [(row._meta.label, row.pk, fieldfile.field.name, fieldfile.name)])


def connect() -> None:
    """Called by core.apps: one receiver for every model (the signal is sent only for a
    save that stored a new file)."""
    saved_file.connect(_send_on_commit, dispatch_uid="core.thumbnails")
