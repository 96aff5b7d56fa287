"""The export of one methodic as PDF or Word: /methodics/<id>/export/?format=pdf|docx.

Whoever may see the methodic (`methodics_visible_to`: everyone for a published one; for a
draft, whoever holds a role on it — its viewers too — and site moderators) downloads it;
anyone else gets 404, as on its page.
"""

import io

from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from core.text import export_file_name
from methodics.exports import build_document, render_methodic_docx, render_methodic_pdf
from methodics.selectors import methodics_visible_to

EXPORTERS = {
    "pdf": ("application/pdf", render_methodic_pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_methodic_docx),
}


@require_GET
def export(request, pk: int):
    file_format = request.GET.get("format", "pdf")
    if file_format not in EXPORTERS:
        return HttpResponseBadRequest("Формат файла: pdf или docx.", content_type="text/plain; charset=utf-8")
    methodics = methodics_visible_to(request.user).select_related("author", "category")
    methodic = get_object_or_404(methodics, pk=pk)
    content_type, render_file = EXPORTERS[file_format]
    response = FileResponse(
        io.BytesIO(render_file(build_document(methodic))),
        as_attachment=True,
        filename=export_file_name(methodic.title, file_format, fallback="methodic"),
        content_type=content_type,
    )
    # A draft is seen by the people with a role on it only: no shared cache keeps it.
    patch_cache_control(response, private=True)
    return response


urlpatterns = [path("<int:pk>/export/", export, name="export")]
