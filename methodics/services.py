from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import notify
from core.cache import content_changed
from methodics.models import Comment, Methodic, MethodicMedia, MethodicStep

# Every service below that changes a methodic, its steps, media, tags or comments retires
# the methodics' cached pages and lists (core.cache): drafts too, as the library's tag
# choices list every tag.
AREA = "methodics"


class MethodicsError(Exception):
    """An action the rules refuse; the message is shown to the user as it is."""


def methodic_refresh_duration(*, methodic: Methodic) -> None:
    """The methodic's total duration is the sum of its steps (the caller retires the pages)."""
    methodic.total_duration = methodic.steps.aggregate(total=Sum("duration"))["total"] or 0
    methodic.save(update_fields=["total_duration", "updated_at"])


@transaction.atomic
def methodic_save(*, methodic: Methodic, tags=None) -> Methodic:
    """Create or update a methodic (its author is set by the caller); a replaced or cleared
    cover or presentation leaves storage once committed (core.files)."""
    methodic.full_clean()
    methodic.save()
    if tags is not None:
        methodic.tags.set(tags)
    content_changed(AREA)
    return methodic


@transaction.atomic
def methodic_publish(*, methodic: Methodic) -> Methodic:
    if not methodic.steps.exists():
        raise MethodicsError("Перед публикацией добавьте хотя бы один шаг занятия.")
    methodic.status = Methodic.Status.PUBLISHED
    methodic.published_at = methodic.published_at or timezone.now()
    methodic.save(update_fields=["status", "published_at", "updated_at"])
    content_changed(AREA)
    return methodic


@transaction.atomic
def methodic_unpublish(*, methodic: Methodic, by: User, reason: str = "") -> Methodic:
    """Back to draft; a moderator who unpublishes another's methodic tells its author."""
    methodic.status = Methodic.Status.DRAFT
    methodic.save(update_fields=["status", "updated_at"])
    content_changed(AREA)
    if by.pk != methodic.author_id:
        notify(
            recipients=[methodic.author],
            title=f"Методика снята с публикации: {methodic.title}",
            text=f"Модератор снял методику «{methodic.title}» с публикации. {reason}".strip(),
            link=reverse("methodics:detail", args=[methodic.pk]),
        )
    return methodic


@transaction.atomic
def methodic_delete(*, methodic: Methodic) -> None:
    """Delete a methodic with its steps and media (their files go at the commit: core.files)."""
    methodic.delete()
    content_changed(AREA)


@transaction.atomic
def step_add(
    *, methodic: Methodic, duration: int, description: str, expected_result: str = "", image=None
) -> MethodicStep:
    """A new step at the end of the course of the lesson."""
    step = MethodicStep(
        methodic=methodic,
        order_number=methodic.steps.count() + 1,
        duration=duration,
        description=description,
        expected_result=expected_result,
        image=image or "",
    )
    step.full_clean()
    step.save()
    methodic_refresh_duration(methodic=methodic)
    content_changed(AREA)
    return step


@transaction.atomic
def step_update(*, step: MethodicStep, **fields) -> MethodicStep:
    """A replaced image leaves storage once committed (core.files)."""
    for name, value in fields.items():
        setattr(step, name, value)
    step.full_clean()
    step.save()
    methodic_refresh_duration(methodic=step.methodic)
    content_changed(AREA)
    return step


@transaction.atomic
def step_remove(*, step: MethodicStep) -> None:
    """Remove a step; the following steps move up."""
    methodic = step.methodic
    step.delete()
    steps_reorder(methodic=methodic, order=list(methodic.steps.order_by("order_number").values_list("pk", flat=True)))


@transaction.atomic
def steps_reorder(*, methodic: Methodic, order: list[int]) -> None:
    """Number the methodic's steps 1, 2, 3… in the order of `order` (step ids); the unique
    order constraint is deferred to the commit, so numbers may be swapped freely."""
    steps = {step.pk: step for step in methodic.steps.all()}
    if set(order) != set(steps):
        raise MethodicsError("Порядок шагов должен перечислять все шаги методики.")
    for number, step_id in enumerate(order, start=1):
        steps[step_id].order_number = number
    MethodicStep.objects.bulk_update(steps.values(), ["order_number"])
    methodic_refresh_duration(methodic=methodic)
    content_changed(AREA)


@transaction.atomic
def media_add(*, methodic: Methodic, kind: str, file=None, url: str = "", caption: str = "") -> MethodicMedia:
    item = MethodicMedia(methodic=methodic, kind=kind, file=file or "", url=url, caption=caption)
    item.full_clean()
    item.save()
    content_changed(AREA)
    return item


@transaction.atomic
def media_delete(*, item: MethodicMedia) -> None:
    """Delete a media item (its file goes at the commit: core.files)."""
    item.delete()
    content_changed(AREA)


def comment_add(*, methodic: Methodic, author: User, text: str) -> Comment:
    if methodic.status != Methodic.Status.PUBLISHED:
        raise MethodicsError("Комментировать можно только опубликованную методику.")
    comment = Comment(methodic=methodic, author=author, text=text.strip())
    comment.full_clean()
    comment.save()
    content_changed(AREA)
    return comment


@transaction.atomic
def comment_hide(*, comment: Comment, by: User) -> Comment:
    """Hide a comment (the methodic's author or a moderator); its writer is told."""
    if comment.is_hidden:
        return comment
    comment.is_hidden, comment.hidden_by, comment.hidden_at = True, by, timezone.now()
    comment.save(update_fields=["is_hidden", "hidden_by", "hidden_at"])
    content_changed(AREA)
    if by.pk != comment.author_id:
        notify(
            recipients=[comment.author],
            title=f"Комментарий скрыт: {comment.methodic.title}",
            text=f"Ваш комментарий к методике «{comment.methodic.title}» скрыт.",
            link=reverse("methodics:detail", args=[comment.methodic_id]) + f"#comment-{comment.pk}",
        )
    return comment
