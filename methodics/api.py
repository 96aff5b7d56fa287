"""The methodics app's REST endpoints under /api/v1/ (DRF; thin over selectors and services):
the library (methodics.views.library) as JSON. Who sees which methodic is the library's rule
(selectors.methodics_visible_to: published ones, the drafts the reader holds a role on,
every draft for site moderators); its filters and search are the library's FilterSet (MethodicFilter); hidden
comments reach only the methodic's administrators and moderators (can_hide_comments)."""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from methodics import selectors
from methodics.filters import MethodicFilter
from methodics.models import Category, Comment, Methodic, MethodicMedia, Tag
from methodics.views.library import (
    TimelineStep,
    as_cards,
    person_name,
    timeline,
    video_embed_url,
    visible_methodic,
)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]


class MethodicCardSerializer(serializers.ModelSerializer):
    """A methodic in the library's list. The author by name only (never a login or email)."""

    category = CategorySerializer(read_only=True, allow_null=True)
    author_name = serializers.SerializerMethodField()
    tags = TagSerializer(many=True, read_only=True, source="tags.all")
    duration = serializers.IntegerField(source="total_duration", read_only=True, help_text="Минуты.")

    class Meta:
        model = Methodic
        fields = [
            "id",
            "title",
            "short_description",
            "category",
            "author_name",
            "tags",
            "duration",
            "status",
            "published_at",
            "cover",
        ]

    def get_author_name(self, methodic: Methodic) -> str:
        return person_name(methodic.author)


class MethodicList(generics.ListAPIView):
    """Everyone, anonymous clients too: the methodics the reader may see — the published
    ones, and their own drafts first (every draft for moderators) —, filtered and searched
    as in the library (category with its subcategories, tags, author, duration, `q`)."""

    permission_classes = [AllowAny]
    serializer_class = MethodicCardSerializer
    filterset_class = MethodicFilter

    def get_queryset(self):
        return as_cards(selectors.methodics_visible_to(self.request.user))


class StepSerializer(serializers.Serializer):
    order_number = serializers.IntegerField(source="step.order_number")
    starts_at = serializers.IntegerField(help_text="Минута начала.")
    ends_at = serializers.IntegerField(help_text="Минута конца.")
    description = serializers.CharField(source="step.description")
    expected_result = serializers.CharField(source="step.expected_result")
    image = serializers.ImageField(source="step.image", allow_null=True)


class MediaSerializer(serializers.ModelSerializer):
    embed_url = serializers.SerializerMethodField(help_text="Плеер ссылки на YouTube, Rutube или VK; иначе null.")

    class Meta:
        model = MethodicMedia
        fields = ["id", "kind", "file", "url", "caption", "embed_url"]

    def get_embed_url(self, item: MethodicMedia) -> str | None:
        return video_embed_url(item.url) if item.kind == MethodicMedia.Kind.LINK else None


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author_name", "text", "created_at", "is_hidden"]

    def get_author_name(self, comment: Comment) -> str:
        return person_name(comment.author)


class MethodicSerializer(MethodicCardSerializer):
    """A methodic's page: its texts, the course of the lesson minute by minute, its media,
    the way to it through the categories, and the comments the reader may see."""

    breadcrumbs = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    media = MediaSerializer(many=True, read_only=True, source="media.all")
    comments = serializers.SerializerMethodField()

    class Meta(MethodicCardSerializer.Meta):
        fields = [
            *MethodicCardSerializer.Meta.fields,
            "goal",
            "description",
            "materials",
            "literature",
            "presentation",
            "breadcrumbs",
            "steps",
            "media",
            "comments",
        ]

    @extend_schema_field(CategorySerializer(many=True))
    def get_breadcrumbs(self, methodic: Methodic):
        return CategorySerializer(selectors.category_path(methodic.category), many=True).data

    @extend_schema_field(StepSerializer(many=True))
    def get_steps(self, methodic: Methodic):
        rows: list[TimelineStep] = timeline(list(methodic.steps.all()))
        return StepSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, methodic: Methodic):
        comments = methodic.comments.select_related("author")
        if not selectors.can_hide_comments(self.context["request"].user, methodic):
            comments = comments.filter(is_hidden=False)
        return CommentSerializer(comments, many=True).data


class MethodicDetail(APIView):
    """Everyone sees a published methodic; whoever holds a role on it and site moderators
    also see it as a draft (404 for anyone else)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=MethodicSerializer)
    def get(self, request, methodic_id: int):
        methodic = visible_methodic(request.user, methodic_id)
        return Response(MethodicSerializer(methodic, context={"request": request}).data)


urlpatterns = [
    path("methodics/", MethodicList.as_view(), name="methodic-list"),
    path("methodics/<int:methodic_id>/", MethodicDetail.as_view(), name="methodic-detail"),
]
