"""The problems app's REST endpoints under /api/v1/ (DRF; thin over selectors and services):
the problem bank as its pages show it (problems.views.browsing, .variants). The same
selectors — published_tasks, blocks_with_counts, and solutions_visible_to, so a private
solution reaches only its author and administrators here as on the pages —, the same rule
of who sees a task before it is published (task_for), the same FilterSet's search, the
same random draw (draw_versions) and favourites services, the same answer check
(problems.services.task_answer_check, through problems.views.solving)."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DetailSerializer, PageNumberPagination
from core.input_checks import BIGINT_MAX
from problems import services
from problems.filters import BankTaskFilter
from problems.forms import VariantRandomForm
from problems.models import Block, Solution, Task
from problems.selectors import blocks_with_counts, published_tasks, solutions_visible_to
from problems.views.browsing import (
    favorite_task_ids,
    favorites_of,
    plain_excerpt,
    task_for,
    tasks_for_page,
    with_statement_head,
)
from problems.views.solving import TOO_MANY_CHECKS, answer_checks_exceeded, checkable_task, checked_answer
from problems.views.variants import blocks_in_order, draw_versions, shown_versions

# --- Blocks and tasks ---------------------------------------------------------------------


class BlockSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True, help_text="Опубликованных задач в блоке.")

    class Meta:
        model = Block
        fields = ["id", "title", "description", "order_number", "task_count"]


class BlockList(generics.ListAPIView):
    """Everyone, anonymous clients too: the blocks in the bank's order with their published
    tasks' counts."""

    permission_classes = [AllowAny]
    serializer_class = BlockSerializer
    filter_backends = []

    def get_queryset(self):
        # Meta.ordering is not applied to a query with GROUP BY, so the order is said here.
        return blocks_with_counts().order_by("order_number", "title", "pk")


class BlockRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Block
        fields = ["id", "title"]


class TaskCardSerializer(serializers.ModelSerializer):
    """A task in a list: the head of its statement as one line of text, and whether the
    reader starred it."""

    block = serializers.IntegerField(source="block_id", read_only=True)
    excerpt = serializers.SerializerMethodField()
    is_favorite = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "title", "block", "excerpt", "is_favorite"]

    def get_excerpt(self, task: Task) -> str:
        return plain_excerpt(task.statement_head)

    def get_is_favorite(self, task: Task) -> bool:
        return task.pk in self.context["starred"]


class TaskList(generics.ListAPIView):
    """Everyone: the published tasks of a block (`?block=`) or of the whole bank, searched
    as a block page searches them (`?q=`, best matches first), else by number."""

    permission_classes = [AllowAny]
    serializer_class = TaskCardSerializer
    filterset_class = BankTaskFilter

    def get_queryset(self):
        return with_statement_head(published_tasks()).order_by("pk")

    def list(self, request, *args, **kwargs):
        tasks = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(), "starred": favorite_task_ids(request.user, tasks)}
        return self.get_paginated_response(TaskCardSerializer(tasks, many=True, context=context).data)


class TaskSerializer(serializers.ModelSerializer):
    """A task as its page shows it: not its answer nor its solutions (…/solutions/), but
    the kind of its answer, and whether there is one to check an answer against
    (…/check/)."""

    block = BlockRefSerializer(read_only=True)
    reference_count = serializers.IntegerField(read_only=True)
    is_favorite = serializers.SerializerMethodField()
    has_answer = serializers.SerializerMethodField(help_text="Есть ли краткий ответ, с которым можно сверить свой.")

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "statement",
            "image",
            "block",
            "status",
            "reference_count",
            "is_favorite",
            "answer_kind",
            "has_answer",
        ]

    def get_is_favorite(self, task: Task) -> bool:
        return task.pk in self.context["starred"]

    def get_has_answer(self, task: Task) -> bool:
        return bool(task.answer)


class TaskDetail(APIView):
    """Everyone sees a published task; its author and moderators also see it before it is
    published (404 for anyone else, as on the site)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=TaskSerializer)
    def get(self, request, task_id: int):
        task = task_for(request.user, task_id, tasks_for_page())
        starred = favorite_task_ids(request.user, [task]) if task.status == Task.Status.PUBLISHED else set()
        return Response(TaskSerializer(task, context={"request": request, "starred": starred}).data)


# --- Solutions ----------------------------------------------------------------------------


class SolutionSerializer(serializers.ModelSerializer):
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = Solution
        fields = ["id", "title", "text", "image", "is_private", "is_mine"]

    def get_is_mine(self, solution: Solution) -> bool:
        user = self.context["request"].user
        return user.is_authenticated and solution.author_id == user.pk


class SolutionsPagination(PageNumberPagination):
    """A page of a task's solutions, with the task's short answer beside them."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["answer"] = self.answer
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["answer"] = {"type": "string", "description": "Краткий ответ задачи."}
        schema["required"].append("answer")
        return schema


class TaskSolutions(generics.ListAPIView):
    """Whoever may see the task (…/tasks/{id}/): its short answer and the solutions they
    may see — public ones, plus a private one to its author and administrators."""

    permission_classes = [AllowAny]
    serializer_class = SolutionSerializer
    pagination_class = SolutionsPagination
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return Solution.objects.none()
        task = task_for(self.request.user, self.kwargs["task_id"])
        self.paginator.answer = task.answer
        return solutions_visible_to(self.request.user, tasks=[task]).order_by("pk")


# --- Checking an answer -------------------------------------------------------------------


class AnswerCheckRequestSerializer(serializers.Serializer):
    answer = serializers.CharField(
        trim_whitespace=False, allow_blank=True, help_text="Ответ, как его набрал ученик: «0,5», «x = 2 или x = −3»."
    )


class AnswerCheckSerializer(serializers.Serializer):
    correct = serializers.BooleanField(
        allow_null=True, help_text="Верно (true), неверно (false); null — ответ не понят, попытка не засчитана."
    )
    hint = serializers.CharField(help_text="Что в ответе не понято (когда correct — null), иначе пусто.")
    understood_as = serializers.CharField(help_text="Как понят ответ: «1/2», «x = 2 или x = −3»; для текста пусто.")


class TaskCheck(APIView):
    """Whoever may see the task (…/tasks/{id}/), anonymous clients too, if it has a short
    answer: the verdict on `answer`, as the task's page gives it. A signed-in user's right or
    wrong answer is kept (their progress); nothing of an anonymous client's. Limited as on
    the site: RATE_LIMITS["answer_check"] a minute, 429 beyond."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=AnswerCheckRequestSerializer,
        responses={
            200: AnswerCheckSerializer,
            400: OpenApiResponse(description="Нет поля answer: ошибки по полям."),
            404: OpenApiResponse(DetailSerializer, description="Нет такой задачи, или у неё нет краткого ответа."),
            429: OpenApiResponse(DetailSerializer, description="Слишком много проверок подряд."),
        },
        examples=[OpenApiExample("Ответ", value={"answer": "0,5"}, request_only=True)],
    )
    def post(self, request, task_id: int):
        task = checkable_task(request, task_id)
        asked = AnswerCheckRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        if answer_checks_exceeded(request):
            return Response({"detail": str(TOO_MANY_CHECKS)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        result = checked_answer(data=asked.validated_data, task=task, user=request.user)
        return Response(AnswerCheckSerializer(result).data)


# --- Random variant -----------------------------------------------------------------------


class RandomVariantRequestSerializer(serializers.Serializer):
    blocks = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT_MAX),
        allow_empty=False,
        help_text="Блоки, из каждого — одна случайная опубликованная задача.",
    )


class VariantTaskSerializer(serializers.ModelSerializer):
    block = BlockRefSerializer(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "statement", "image", "block"]


class RandomVariantSerializer(serializers.Serializer):
    tasks = VariantTaskSerializer(many=True, help_text="По одной задаче из блока, в порядке блоков.")
    skipped_blocks = serializers.ListField(
        child=serializers.IntegerField(), help_text="Выбранные блоки без опубликованных задач."
    )


class RandomVariant(APIView):
    """Everyone, anonymous clients too: one random published task from each chosen block,
    drawn as the site's «Случайный вариант» draws them; blocks without one are skipped."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=RandomVariantRequestSerializer,
        responses={
            200: RandomVariantSerializer,
            400: OpenApiResponse(description="Неизвестные блоки, или в выбранных блоках нет задач: ошибки по полям."),
        },
        examples=[OpenApiExample("Три блока", value={"blocks": [1, 2, 5]}, request_only=True)],
    )
    def post(self, request):
        asked = RandomVariantRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        blocks = blocks_in_order()
        form = VariantRandomForm({"blocks": asked.validated_data["blocks"], "versions": 1}, blocks=blocks)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        chosen = set(form.cleaned_data["blocks"])
        (task_ids,) = draw_versions([block.pk for block in blocks if block.pk in chosen], 1)
        if not task_ids:
            return Response(
                {"blocks": ["В выбранных блоках нет опубликованных задач."]}, status=status.HTTP_400_BAD_REQUEST
            )
        (tasks,), _missing = shown_versions([task_ids])
        skipped = [block.pk for block in blocks if block.pk in chosen and not block.has_tasks]
        variant = {"tasks": tasks, "skipped_blocks": skipped}
        return Response(RandomVariantSerializer(variant, context={"request": request}).data)


# --- Favourites ---------------------------------------------------------------------------


class FavoriteSerializer(serializers.Serializer):
    task = TaskCardSerializer()
    starred_at = serializers.DateTimeField(source="created_at")


class FavoriteAddSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)


class FavoriteList(generics.ListAPIView):
    """A signed-in user: the published tasks they starred, newest star first; POST stars one
    more (201; 200 if it was starred already)."""

    permission_classes = [IsAuthenticated]
    serializer_class = FavoriteSerializer
    filter_backends = []

    def get_queryset(self):
        return favorites_of(self.request.user)

    def list(self, request, *args, **kwargs):
        favorites = self.paginate_queryset(self.get_queryset())
        for favorite in favorites:
            favorite.task.statement_head = favorite.statement_head
        context = {**self.get_serializer_context(), "starred": {favorite.task_id for favorite in favorites}}
        return self.get_paginated_response(FavoriteSerializer(favorites, many=True, context=context).data)

    @extend_schema(
        request=FavoriteAddSerializer,
        responses={
            201: OpenApiResponse(description="Задача добавлена в избранное."),
            200: OpenApiResponse(description="Задача уже была в избранном."),
            404: OpenApiResponse(DetailSerializer, description="Нет такой опубликованной задачи."),
        },
        examples=[OpenApiExample("Задача", value={"task": 20}, request_only=True)],
    )
    def post(self, request):
        asked = FavoriteAddSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        task = get_object_or_404(published_tasks(), pk=asked.validated_data["task"])
        added = services.favorite_add(user=request.user, task=task)
        return Response({"task": task.pk}, status=status.HTTP_201_CREATED if added else status.HTTP_200_OK)


class FavoriteDetail(APIView):
    """A signed-in user unstars a task (204; 404 if it was not starred)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            204: OpenApiResponse(description="Задача убрана из избранного."),
            404: OpenApiResponse(DetailSerializer, description="Задачи нет в избранном."),
        }
    )
    def delete(self, request, task_id: int):
        task = get_object_or_404(Task, pk=task_id)
        if not services.favorite_remove(user=request.user, task=task):
            return Response({"detail": "Задачи нет в избранном."}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("problems/blocks/", BlockList.as_view(), name="problems-block-list"),
    path("problems/tasks/", TaskList.as_view(), name="problems-task-list"),
    path("problems/tasks/<int:task_id>/", TaskDetail.as_view(), name="problems-task-detail"),
    path("problems/tasks/<int:task_id>/solutions/", TaskSolutions.as_view(), name="problems-task-solutions"),
    path("problems/tasks/<int:task_id>/check/", TaskCheck.as_view(), name="problems-task-check"),
    path("problems/variants/random/", RandomVariant.as_view(), name="problems-variant-random"),
    path("problems/favorites/", FavoriteList.as_view(), name="problems-favorite-list"),
    path("problems/favorites/<int:task_id>/", FavoriteDetail.as_view(), name="problems-favorite-detail"),
]
