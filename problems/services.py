from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.karma import karma_award
from accounts.models import KarmaEntry, User
from accounts.services import notify
from core.cache import content_changed
from core.once import once
from problems.exports import EXPORTERS, export_file_name, variant_document
from problems.models import Favorite, Task, TaskAttempt, Variant, VariantTask

if TYPE_CHECKING:
    from core.mathanswers import Verdict


class ProblemsError(Exception):
    """An action the rules refuse; the message is shown to the user as it is."""


# --- Suggestion and moderation ----------------------------------------------------------


def moderators():
    """Who hears about suggested tasks: active users holding problems.moderate_task, through
    a role (administrators) or given it by hand (chosen teachers)."""
    permission = Permission.objects.get(content_type__app_label="problems", codename="moderate_task")
    holders = Q(groups__permissions=permission) | Q(user_permissions=permission) | Q(is_superuser=True)
    return User.objects.filter(holders, is_active=True).distinct()


@transaction.atomic
def task_submit(*, task: Task, author: User) -> Task:
    """An author sends their task to moderation (a new suggestion, or an edit of one:
    any edit by the author goes back to the moderators). Moderators are notified. An
    edited published task leaves the bank until it is approved again: the bank's pages are
    retired on every submission, as callers save the edit before it and a new task cannot
    be told from an edited one here."""
    if task.author_id not in (None, author.pk):
        raise ProblemsError("Отправить на модерацию можно только свою задачу.")
    content_changed("problems")
    task.author = author
    task.status = Task.Status.MODERATION
    task.reviewer, task.reviewed_at, task.rejection_reason = None, None, ""
    task.full_clean()
    task.save()
    notify(
        recipients=moderators(),
        title=f"Задача на модерации: {task.title}",
        text=f"{author.get_full_name() or author.username} предлагает задачу «{task.title}» "
        f"в блок «{task.block}». Очередь модерации — в разделе администрирования «Задачи».",
        link=reverse("admin:problems_task_change", args=[task.pk]),
    )
    return task


@transaction.atomic
def task_approve(*, task: Task, moderator: User) -> Task:
    """Publish a task waiting for moderation and tell its author, who earns the karma of
    an approved suggestion the first time (nothing when the moderator is its author)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.MODERATION:
        raise ProblemsError("Задача не ждёт модерации.")
    task.status, task.reviewer, task.reviewed_at = Task.Status.PUBLISHED, moderator, timezone.now()
    task.rejection_reason = ""
    task.save(update_fields=["status", "reviewer", "reviewed_at", "rejection_reason", "updated_at"])
    content_changed("problems")
    if task.author:
        karma_award(user=task.author, reason=KarmaEntry.Reason.SUGGESTION_APPROVED, obj=task, by=moderator)
        notify(
            recipients=[task.author],
            title=f"Задача опубликована: {task.title}",
            text="Задача прошла модерацию и опубликована в банке задач.",
            link=reverse("problems:task", args=[task.pk]),
        )
    return task


@transaction.atomic
def task_reject(*, task: Task, moderator: User, reason: str) -> Task:
    """Turn down a task waiting for moderation, with a reason the author is told. Nothing
    public changes: a task waiting for moderation is not in the bank (task_submit took
    an edited published one out)."""
    if not reason.strip():
        raise ProblemsError("Укажите причину отклонения.")
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.MODERATION:
        raise ProblemsError("Задача не ждёт модерации.")
    task.status, task.reviewer, task.reviewed_at = Task.Status.REJECTED, moderator, timezone.now()
    task.rejection_reason = reason.strip()
    task.save(update_fields=["status", "reviewer", "reviewed_at", "rejection_reason", "updated_at"])
    if task.author:
        notify(
            recipients=[task.author],
            title=f"Задача отклонена: {task.title}",
            text=f"Задача не прошла модерацию. Причина: {task.rejection_reason}",
            link=reverse("problems:edit_suggestion", args=[task.pk]),
        )
    return task


# --- Answers and progress -----------------------------------------------------------------


def task_answer_check(*, task: Task, user: User | AnonymousUser | None, given: str) -> "Verdict":
    """The verdict on an answer typed to the task: core.mathanswers.check by the task's
    answer kind and tolerance. A signed-in user's answer to a published task that is right
    or wrong is kept (TaskAttempt); one not understood counts as no attempt, and nothing of
    an anonymous visitor's or of a preview is kept."""
    from core.mathanswers import check  # not at import time: SymPy is slow to load

    if not task.answer:
        raise ProblemsError("У задачи нет краткого ответа: проверить ответ нельзя.")
    verdict = check(task.answer_kind, task.answer, given, tolerance=task.answer_tolerance)
    keep = user is not None and user.is_authenticated and task.status == Task.Status.PUBLISHED
    if verdict.counts_as_attempt and keep:
        attempt = TaskAttempt(user=user, task=task, answer=given.strip(), verdict=verdict.correct)
        attempt.full_clean(exclude=["user", "task"])  # both are rows at hand: no query to find them
        attempt.save()
    return verdict


# --- Favourites and variants ------------------------------------------------------------


def favorite_toggle(*, user: User, task: Task) -> bool:
    """Star or unstar a task; returns whether it is now a favourite."""
    if favorite_remove(user=user, task=task):
        return False
    favorite_add(user=user, task=task)
    return True


def favorite_add(*, user: User, task: Task) -> bool:
    """Star a task (the API's «add»: starring it twice keeps one star); whether it was
    starred now."""
    _, created = Favorite.objects.get_or_create(user=user, task=task)
    return created


def favorite_remove(*, user: User, task: Task) -> bool:
    """Unstar a task; whether it was starred."""
    deleted, _ = Favorite.objects.filter(user=user, task=task).delete()
    return bool(deleted)


@transaction.atomic
def variant_save(*, owner: User, title: str, kind: str, task_ids: list[int]) -> Variant:
    """Save a variant with its tasks in the given order (published tasks only)."""
    published = set(Task.objects.filter(pk__in=task_ids, status=Task.Status.PUBLISHED).values_list("pk", flat=True))
    ordered = [task_id for task_id in dict.fromkeys(task_ids) if task_id in published]
    if not ordered:
        raise ProblemsError("В варианте нет ни одной опубликованной задачи.")
    variant = Variant(owner=owner, title=title.strip() or "Вариант", kind=kind)
    variant.full_clean()
    variant.save()
    VariantTask.objects.bulk_create(
        [VariantTask(variant=variant, task_id=task_id, position=number) for number, task_id in enumerate(ordered, 1)]
    )
    return variant


def variant_delete(*, variant: Variant) -> None:
    """Delete a saved variant; its share link stops working."""
    variant.delete()


@transaction.atomic
def variant_rename(*, variant: Variant, title: str) -> Variant:
    variant.title = title.strip() or variant.title
    variant.full_clean()
    variant.save(update_fields=["title", "updated_at"])
    return variant


def variant_export_deliver(
    *,
    key: str,
    user_id: int,
    title: str,
    file_title: str,
    version_ids: list[list[int]],
    with_answers: bool,
    file_format: str,
) -> bool:
    """A variant's export rendered for the user who asked, as their download would be, and
    sent once per `key` (core.once) to their messages as an attachment, the message's link
    («Открыть», and in its email) being the file's download; nothing for an account closed
    since. Whether this delivery did the work (False: an earlier one had)."""

    def deliver():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return
        document = variant_document(user, title=title, version_ids=version_ids, with_answers=with_answers)
        file_name = export_file_name(file_title, file_format)
        details = f"вариантов — {len(version_ids)}" + (", с ответами и решениями" if with_answers else "")
        delivered = notify(
            recipients=[user],
            title=f"Файл готов: {file_name}",
            text=f"«{title}» ({details}) — во вложении к этому сообщению на сайте.",
            attachment=ContentFile(EXPORTERS[file_format][1](document), name=file_name),
        )
        # The file is the message's own: its address is known once the message is. Set in
        # once()'s transaction, so the email, sent when it commits, has it too.
        for message in delivered:
            message.link = reverse("accounts:message_attachment", args=[message.pk])
            message.save(update_fields=["link"])

    return once(key, deliver)
