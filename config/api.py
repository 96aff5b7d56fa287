"""The API's root under /api/v1/: every app's routes (each app's `api.py`), the endpoints
that compose several apps (site search), and the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from config.views import KINDS, is_capped, search_groups, search_suggestion
from core.search import MAX_QUERY_LENGTH, clean_query

# --- Site search --------------------------------------------------------------------------


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=", ".join(kind.slug for kind in KINDS))
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="Страница сайта.")
    snippet = serializers.CharField(help_text="HTML: текст экранирован, совпадения — в <mark>.")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=", ".join(kind.slug for kind in KINDS))
    title = serializers.CharField()
    count = serializers.IntegerField()
    capped = serializers.BooleanField(help_text="Совпадений больше, чем считается (count — предел).")


class SearchSerializer(serializers.Serializer):
    """Without `kind`: the first few results of each kind and every kind's count; with it,
    a page of that kind's results (`next`, `previous`)."""

    query = serializers.CharField()
    count = serializers.IntegerField(help_text="Совпадений выбранного вида, или всех видов без kind.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchResultSerializer(many=True)
    groups = SearchGroupSerializer(many=True)
    suggestion = serializers.CharField(allow_null=True, help_text="«Возможно, вы искали…», когда ничего не нашлось.")


class Search(APIView):
    """Everyone, anonymous clients too: the site search (config.views) — shown courses,
    published methodics and tasks (never their solutions), the handbook — as JSON."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Что искать."),
            OpenApiParameter("kind", str, enum=[kind.slug for kind in KINDS], description="Только этот вид."),
            OpenApiParameter("page", int, description="Страница результатов вида kind."),
        ],
        responses=SearchSerializer,
        examples=[
            OpenApiExample(
                "Задачи",
                value={
                    "query": "треугольник",
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [
                        {
                            "kind": "tasks",
                            "id": 20,
                            "title": "Площадь треугольника",
                            "url": "https://volna.example/problems/tasks/20/",
                            "snippet": "Найдите площадь <mark>треугольника</mark>…",
                        }
                    ],
                    "groups": [{"kind": "tasks", "title": "Задачи", "count": 1, "capped": False}],
                    "suggestion": None,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        text = clean_query(request.query_params.get("q"))
        chosen = next((kind for kind in KINDS if kind.slug == request.query_params.get("kind")), None)
        groups = search_groups(text, chosen, request.query_params.get("page")) if text else []
        results = [
            {
                "kind": group.kind.slug,
                "id": found.pk,
                "title": found.title,
                "url": request.build_absolute_uri(found.url),
                "snippet": str(found.snippet),
            }
            for group in groups
            for found in group.results
        ]
        page = next((group.page_obj for group in groups if group.kind is chosen and chosen is not None), None)
        here = request.build_absolute_uri()
        data = {
            "query": request.query_params.get("q", "")[:MAX_QUERY_LENGTH],
            "count": page.paginator.count if page else sum(group.count for group in groups),
            "next": replace_query_param(here, "page", page.next_page_number()) if page and page.has_next() else None,
            "previous": replace_query_param(here, "page", page.previous_page_number())
            if page and page.has_previous()
            else None,
            "results": results,
            "groups": [
                {
                    "kind": group.kind.slug,
                    "title": group.kind.title,
                    "count": group.count,
                    "capped": is_capped(group.count),
                }
                for group in groups
            ],
            "suggestion": search_suggestion(text, groups),
        }
        return Response(SearchSerializer(data).data)


urlpatterns = [
    path("search/", Search.as_view(), name="search"),
    path("", include("accounts.api")),
    path("", include("volunteers.api")),
    path("", include("courses.api")),
    path("", include("problems.api")),
    path("", include("methodics.api")),
]

# /api/schema/ and /api/docs/, beside /api/v1/.
schema_urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar's static files, its start-up script served by
    # the view itself (?script): no inline script or style, within the site's policy.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
]
