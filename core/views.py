from django.shortcuts import render
from django.views.generic import TemplateView


class AboutView(TemplateView):
    """Public: anyone may read about the organisation and the platform."""

    template_name = "core/about.html"


def server_error(request):
    """The 500 page renders without a context processor that could fail again."""
    return render(request, "500.html", status=500)
