from django.views.generic import TemplateView


class HomeView(TemplateView):
    """Public: what the platform offers, and the way in for a visitor."""

    template_name = "home.html"
