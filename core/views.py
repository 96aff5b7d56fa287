import mimetypes
from pathlib import PurePosixPath

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static as static_url
from django.utils.http import content_disposition_header
from django.views import static
from django.views.generic import TemplateView
from easy_thumbnails.alias import aliases
from easy_thumbnails.files import get_thumbnailer

from core.uploads import FORMATS, extension

PRIVATE_PICTURE_CACHE = "private, max-age=3600"
# Uploads a browser may show as pictures; any other uploaded file is only downloaded.
INLINE_EXTENSIONS = frozenset(ext for fmt in FORMATS.values() if fmt.is_image for ext in fmt.extensions)


def posted_data(request):
    """The form data of a POST, even an empty one (`request.POST or None` would leave an
    empty submission unbound and show no errors); None for any other method."""
    return request.POST if request.method == "POST" else None


class AboutView(TemplateView):
    """Public: anyone may read about the organisation and the platform."""

    template_name = "core/about.html"


def favicon(request):
    """Anyone: browsers ask for /favicon.ico by themselves; the icon is the header's SVG
    (its address read at the request: with DEBUG off it names the collected file)."""
    return redirect(static_url("favicon.svg"), permanent=True)


def bad_request(request, exception):
    """The 400 page, without context processors: core.middleware refuses a request
    before the session and the user are read."""
    return HttpResponseBadRequest(render_to_string("400.html"))


def server_error(request):
    """The 500 page renders without a context processor that could fail again."""
    return render(request, "500.html", status=500)


def _protected(response):
    """What users uploaded never runs as a page of ours: no type sniffing, and a sandbox
    without scripts or our origin should a browser render it anyway."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def serve_media(request, path):
    """Public uploads when Django serves them (settings.SERVE_MEDIA; nginx in production,
    deploy/nginx.conf, with the same headers): pictures inline, anything else as a download."""
    response = static.serve(request, path, document_root=settings.MEDIA_ROOT)
    if extension(path) not in INLINE_EXTENSIONS:
        response["Content-Disposition"] = "attachment"
    return _protected(response)


def _signed_redirect(storage, name: str, *, disposition: str, cache_control: str) -> HttpResponseRedirect | None:
    """In object storage (core.s3.PrivateS3Storage): a redirect to a URL of the file signed
    for a few minutes (S3_PRESIGNED_SECONDS), which the bucket answers with `disposition`
    (404 when the file is missing). None for a storage that has no such URLs (a folder of
    this server: the caller streams the file)."""
    signed_url = getattr(storage, "signed_url", None)
    if signed_url is None:
        return None
    if not storage.exists(name):
        raise Http404
    response = HttpResponseRedirect(signed_url(name, disposition=disposition, cache_control=cache_control))
    # Whoever follows the redirect later than its URL lasts would get the bucket's refusal.
    response["Cache-Control"] = f"private, max-age={storage.querystring_expire // 2}"
    return response


def private_download(fieldfile, *, filename: str = "") -> FileResponse | HttpResponseRedirect:
    """A private file to a reader the caller has checked, as a download under its own name
    (RFC 5987 for Cyrillic; 404 when it is missing): streamed from a folder of this server,
    or a redirect to a short-lived signed URL in object storage."""
    if not fieldfile:
        raise Http404
    filename = filename or PurePosixPath(fieldfile.name).name
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    redirect = _signed_redirect(fieldfile.storage, fieldfile.name, disposition=disposition, cache_control="private")
    if redirect is not None:
        return redirect
    try:
        file = fieldfile.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return _protected(FileResponse(file, as_attachment=True, filename=filename))


def private_picture(fieldfile, alias: str) -> FileResponse | HttpResponseRedirect:
    """A private picture's thumbnail `alias` (settings.THUMBNAIL_ALIASES) to a reader the
    caller has checked; made now if it was not yet. Kept by the reader's browser only:
    streamed from a folder of this server, or a redirect to a short-lived signed URL in
    object storage, shown inline."""
    if not fieldfile:
        raise Http404
    thumbnailer = get_thumbnailer(fieldfile)
    options = aliases.get(alias, target=thumbnailer.alias_target)
    if options is None:
        raise Http404
    try:
        thumbnail = thumbnailer.get_thumbnail(options)
        redirect = _signed_redirect(
            thumbnail.storage, thumbnail.name, disposition="inline", cache_control=PRIVATE_PICTURE_CACHE
        )
        if redirect is not None:
            return redirect
        file = thumbnail.storage.open(thumbnail.name, "rb")
    except OSError as missing:  # the photo's file is gone, or is no picture
        raise Http404 from missing
    content_type = mimetypes.guess_type(thumbnail.name)[0] or "application/octet-stream"
    response = _protected(FileResponse(file, content_type=content_type))
    response["Cache-Control"] = PRIVATE_PICTURE_CACHE
    return response
