"""Helpers for the apps' tests: of the Django admin (building POST data from what a page
rendered, running actions, reading messages), and pictures made in memory (real images,
as Pillow and the upload checks want) with the thumbnails made of stored ones."""

import io

from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from easy_thumbnails.files import get_thumbnailer
from PIL import Image


def seen(visitor: Client, url: str, **params) -> str:
    """The page as `visitor` gets it (200 asserted): for an anonymous client without
    cookies, a page kept for visitors (core.cache) once it has been read."""
    response = visitor.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def signed_in(user) -> Client:
    """A new test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def admin_change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def form_values(form) -> dict:
    """A rendered form's POST data, under the form's prefix (files left out)."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled or isinstance(field, forms.FileField):
            continue
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
        elif value is not None:
            data[form.add_prefix(name)] = [str(item) for item in value] if isinstance(value, list | tuple) else value
    return data


def change_form_data(client, url, **overrides) -> dict:
    """The POST data of an admin add/change page as rendered, inlines included, with `overrides` applied."""
    context = client.get(url).context
    data = form_values(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data.update(form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_values(form))
    return {**data, **overrides}


def action_data(action, *objects, **extra) -> dict:
    return {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra}


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def action_names(response) -> set[str]:
    action_form = response.context["action_form"]
    return {name for name, _label in action_form.fields["action"].choices} if action_form else set()


def assert_redirects_to_admin_login(response):
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# --- Pictures -------------------------------------------------------------------------


def image_bytes(size=(8, 8), colour="teal", image_format="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format)
    return buffer.getvalue()


def jpeg_with_gps_bytes(size=(16, 8)) -> bytes:
    """A phone's photo: a JPEG whose EXIF names the camera and where it was taken."""
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPSInfo: a latitude in Moscow
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_upload(name="рисунок.png", size=(8, 8), colour="teal") -> SimpleUploadedFile:
    """A PNG as a browser uploads it."""
    return SimpleUploadedFile(name, image_bytes(size, colour), content_type="image/png")


def thumbnail_names(fieldfile) -> list[str]:
    """The names of the thumbnails easy-thumbnails made of an image field's file."""
    source = get_thumbnailer(fieldfile).get_source_cache()
    return [thumbnail.name for thumbnail in source.thumbnails.all()] if source else []
