from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.karma import karma_award, karma_withdraw
from accounts.models import KarmaEntry, User
from accounts.services import notify
from core.cache import content_changed
from methodics.models import Comment, Methodic, MethodicMedia, MethodicMember, MethodicStep, UsefulMark
from methodics.selectors import can_mark_useful, can_moderate

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
def methodic_publish(*, methodic: Methodic, by: User | None = None) -> Methodic:
    """Publish a methodic (it needs at least one step). Its author earns the karma of a
    published methodic the first time only (unpublishing and publishing again add
    nothing: the ledger's key), whoever publishes it — an author publishes their own
    methodic directly, and the points are for the library accepting it, not for a
    reviewer's act; so this is the one rule where acting on one's own content counts."""
    if not methodic.steps.exists():
        raise MethodicsError("Перед публикацией добавьте хотя бы один шаг занятия.")
    was_draft = methodic.status != Methodic.Status.PUBLISHED
    methodic.status = Methodic.Status.PUBLISHED
    methodic.published_at = methodic.published_at or timezone.now()
    methodic.save(update_fields=["status", "published_at", "updated_at"])
    content_changed(AREA)
    if was_draft:
        _tell_members_published(methodic, by=by)
    karma_award(user=methodic.author, reason=KarmaEntry.Reason.METHODIC_PUBLISHED, obj=methodic, by=None)
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


def _tell_members_published(methodic: Methodic, *, by: User | None) -> None:
    """Everyone with a role on the methodic — its author too — except whoever published it."""
    people = [methodic.author, *User.objects.filter(methodic_roles__methodic=methodic)]
    recipients = [person for person in people if by is None or person.pk != by.pk]
    if recipients:
        notify(
            recipients=recipients,
            title=f"Методика опубликована: {methodic.title}",
            text=f"Методика «{methodic.title}», в которой у вас есть роль, опубликована: теперь её видят все.",
            link=reverse("methodics:detail", args=[methodic.pk]),
        )


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
    """Hide a comment (the methodic's author or a moderator); its writer is told. Hidden
    by a moderator, it costs its writer karma (unless the moderator wrote it); hidden by
    the methodic's author alone, it costs nothing — an author tidying the comments under
    their own methodic is not the community turning a comment down."""
    if comment.is_hidden:
        return comment
    comment.is_hidden, comment.hidden_by, comment.hidden_at = True, by, timezone.now()
    comment.save(update_fields=["is_hidden", "hidden_by", "hidden_at"])
    content_changed(AREA)
    if can_moderate(by):
        karma_award(user=comment.author, reason=KarmaEntry.Reason.COMMENT_HIDDEN, obj=comment, by=by)
    if by.pk != comment.author_id:
        notify(
            recipients=[comment.author],
            title=f"Комментарий скрыт: {comment.methodic.title}",
            text=f"Ваш комментарий к методике «{comment.methodic.title}» скрыт.",
            link=reverse("methodics:detail", args=[comment.methodic_id]) + f"#comment-{comment.pk}",
        )
    return comment


# --- «Пригодилось» -------------------------------------------------------------------------


def _refresh_useful_count(methodic: Methodic) -> None:
    """The stored count is the number of marks, counted in the UPDATE itself (so it heals
    after marks that went with a deleted account); no change of `updated_at`."""
    marks = UsefulMark.objects.filter(methodic=OuterRef("pk")).order_by().values("methodic")
    Methodic.objects.filter(pk=methodic.pk).update(
        useful_count=Coalesce(Subquery(marks.annotate(count=Count("pk")).values("count")), 0)
    )
    methodic.refresh_from_db(fields=["useful_count"])
    content_changed(AREA)


@transaction.atomic
def useful_mark(*, methodic: Methodic, user: User) -> bool:
    """A reader marks a methodic «Пригодилось»: its author earns a point. Once per reader
    (marking again changes nothing); refused for its author and for a draft. Whether the
    mark is new."""
    if not can_mark_useful(user, methodic):
        raise MethodicsError("Отметить «Пригодилось» можно только чужую опубликованную методику.")
    try:
        with transaction.atomic():
            mark = UsefulMark.objects.create(methodic=methodic, user=user)
    except IntegrityError:  # marked already (maybe a second click racing the first)
        return False
    karma_award(user=methodic.author, reason=KarmaEntry.Reason.METHODIC_USEFUL, obj=mark, by=user)
    _refresh_useful_count(methodic)
    return True


@transaction.atomic
def useful_unmark(*, methodic: Methodic, user: User) -> bool:
    """A reader takes the mark back, and its author's point goes with it. Whether there
    was a mark."""
    mark = UsefulMark.objects.select_for_update().filter(methodic=methodic, user=user).first()
    if mark is None:
        return False
    karma_withdraw(user=methodic.author, reason=KarmaEntry.Reason.METHODIC_USEFUL, obj=mark)
    mark.delete()
    _refresh_useful_count(methodic)
    return True


# --- Roles on a methodic («Доступ») --------------------------------------------------------
#
# Its administrators give roles (core.roles.ItemRole); the person is told by the one
# notification service, their role named. The author holds no row: they are the
# administrator by being the author (MethodicMember).


def _methodic_link(methodic: Methodic) -> str:
    return reverse("methodics:detail", args=[methodic.pk])


@transaction.atomic
def member_add(*, methodic: Methodic, user: User, role: str, by: User) -> MethodicMember:
    """Give a person a role on the methodic; refused for its author and for someone who
    holds one already (their role is changed instead, member_change)."""
    if user.pk == methodic.author_id:
        raise MethodicsError("Это автор методики: у автора и так все права администратора.")
    if MethodicMember.objects.filter(methodic=methodic, user=user).exists():
        raise MethodicsError("У этого человека уже есть роль в методике: её можно изменить в списке.")
    member = MethodicMember(methodic=methodic, user=user, role=role)
    member.full_clean()
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:  # given at the same moment by another administrator
        raise MethodicsError("У этого человека уже есть роль в методике: её можно изменить в списке.") from None
    label = member.get_role_display()
    notify(
        recipients=[user],
        title=f"Доступ к методике: {methodic.title}",
        text=f"Вам дана роль «{label}» в методике «{methodic.title}». {ROLE_RIGHTS[role]}",
        link=_methodic_link(methodic),
    )
    return member


@transaction.atomic
def member_change(*, member: MethodicMember, role: str, by: User) -> MethodicMember:
    """Change a person's role on the methodic; they are told, unless nothing changed."""
    if member.role == role:
        return member
    member.role = role
    member.full_clean()
    member.save(update_fields=["role", "updated_at"])
    methodic, label = member.methodic, member.get_role_display()
    notify(
        recipients=[member.user],
        title=f"Роль в методике изменена: {methodic.title}",
        text=f"Ваша роль в методике «{methodic.title}» теперь «{label}». {ROLE_RIGHTS[role]}",
        link=_methodic_link(methodic),
    )
    return member


@transaction.atomic
def member_remove(*, member: MethodicMember, by: User) -> None:
    """Take a person's role on the methodic back; they are told (with a link only to a
    published methodic: a draft is no longer theirs to open)."""
    methodic, user = member.methodic, member.user
    member.delete()
    published = methodic.status == Methodic.Status.PUBLISHED
    notify(
        recipients=[user],
        title=f"Доступ к методике закрыт: {methodic.title}",
        text=f"Ваша роль «{member.get_role_display()}» в методике «{methodic.title}» снята."
        + ("" if published else " Черновик методики вам больше не виден."),
        link=_methodic_link(methodic) if published else "",
    )


ROLE_RIGHTS = {
    MethodicMember.Role.ADMIN: "Можно читать и править черновик, публиковать методику, давать роли и удалять её.",
    MethodicMember.Role.MODERATOR: "Можно читать и править черновик и скрывать комментарии к методике.",
    MethodicMember.Role.VIEWER: "Можно читать черновик методики и скачивать его.",
}
