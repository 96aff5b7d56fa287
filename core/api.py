"""The JSON API's pieces that name no app: its pagination, and the negotiation of endpoints
that answer with a file. Each app's `api.py` holds its own endpoints; role-based permission
classes are in accounts.api_permissions."""

from rest_framework import pagination, serializers
from rest_framework.negotiation import BaseContentNegotiation


class PageNumberPagination(pagination.PageNumberPagination):
    """`{"count", "next", "previous", "results"}`, 20 a page (settings PAGE_SIZE); a client
    may ask for up to MAX_PAGE_SIZE with `?page_size=`, e.g. a mobile app filling a screen."""

    page_size_query_param = "page_size"
    max_page_size = 100


class DownloadNegotiation(BaseContentNegotiation):
    """For an endpoint that answers with a file, not JSON: whatever the client accepts
    (`Accept: application/pdf`, say), the view's first renderer is chosen — it renders only
    the errors — instead of a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DetailSerializer(serializers.Serializer):
    """The body of a refusal or an error: `{"detail": "…"}`, in Russian, for the person."""

    detail = serializers.CharField()
