"""Files in S3-compatible object storage (django-storages' S3Storage), when S3_BUCKET is
set (config.settings.file_storages): public media under `media/` of S3_BUCKET with plain
URLs, private files under `private/` of S3_PRIVATE_BUCKET (S3_BUCKET unless set), reached
only through URLs that core.views signs for a reader it has checked.

A bucket cannot send the headers deploy/nginx.conf adds to uploads (nosniff, the sandbox),
but each object keeps the type and disposition it was stored with: the type comes from
the extension alone, never from what the browser said it uploaded, and anything but a
picture is a download."""

import json

from django.conf import settings
from storages.backends.s3 import S3Storage

from core.storage import PrivateFiles
from core.uploads import extension

# The types deploy/nginx.conf names; any other file is bytes to download.
SERVED_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "m4a": "audio/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
}
PICTURES = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
PUBLIC_CACHE = "public, max-age=604800"  # a week, as nginx's `expires 7d`


class StoredAsServed:
    """Each object's Content-Type by its extension, and all but pictures as attachments."""

    def get_object_parameters(self, name):
        ext = extension(name)
        parameters = {
            **super().get_object_parameters(name),
            "ContentType": SERVED_TYPES.get(ext, "application/octet-stream"),
        }
        if ext not in PICTURES:
            parameters["ContentDisposition"] = "attachment"
        return parameters


class PublicS3Storage(StoredAsServed, S3Storage):
    """Public media (settings.STORAGES["default"] with S3_BUCKET): plain URLs, kept a week
    by browsers and a CDN."""

    def get_object_parameters(self, name):
        return {"CacheControl": PUBLIC_CACHE, **super().get_object_parameters(name)}


class PrivateS3Storage(PrivateFiles, StoredAsServed, S3Storage):
    """Private files (settings.STORAGES["private"] with S3_BUCKET, behind
    core.storage.PrivateStorage): no URL of their own, only `signed_url`."""

    def signed_url(self, name: str, *, disposition: str, cache_control: str = "") -> str:
        """A URL that fetches the file for `querystring_expire` seconds (S3_PRESIGNED_SECONDS)
        with this Content-Disposition (and Cache-Control, if given)."""
        parameters = {"ResponseContentDisposition": disposition}
        if cache_control:
            parameters["ResponseCacheControl"] = cache_control
        return S3Storage.url(self, name, parameters=parameters, expire=self.querystring_expire)


def public_read_policy(bucket: str) -> str:
    """The bucket policy that lets anyone read public media (`media/*` of S3_BUCKET) and
    nothing else: private files, even in the same bucket, are read only by signed URLs."""
    statement = {
        "Sid": "PublicMedia",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/{settings.S3_PUBLIC_PREFIX}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
