from django.shortcuts import render
from django.views.generic import TemplateView


def posted_data(request):
    """The form data of a POST, even an empty one (`request.POST or None` would leave an
    empty submission unbound and show no errors); None for any other method."""
    return request.POST if request.method == "POST" else None


class AboutView(TemplateView):
    """Public: anyone may read about the organisation and the platform."""

    template_name = "core/about.html"


def server_error(request):
    """The 500 page renders without a context processor that could fail again."""
    return render(request, "500.html", status=500)
