"""The library's reading side: the list of methodics with filters and search, a
methodic's page with its timeline, media and comments, hiding comments and unpublishing
(moderators), and the public list of moderators.

Authoring (create, edit, steps, media, publish, «Мои методики») is methodics.views.authoring;
exports are methodics.exports. Their pages are linked here by literal paths, so this module
works whichever of them is in place."""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from core.cache import kept_for_visitors
from core.text import duration_text
from methodics import selectors, services
from methodics.filters import MethodicFilter
from methodics.models import Comment, Methodic, MethodicMedia, MethodicStep, Tag, UsefulMark

METHODICS_PER_PAGE = 20
UNPUBLISH_REASON_MAX_LENGTH = 500

# Video hosts whose players may be embedded, by the id taken from the link; any other link
# stays a link. The player URL is built from the validated id, never from the link itself.
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_RUTUBE_PATH = re.compile(r"^/(?:video|play/embed)/([0-9a-f]{32})/?$")
_VK_PATH = re.compile(r"^/video(-?\d+)_(\d+)/?$")


def video_embed_url(url: str) -> str | None:
    """The player URL of a YouTube, Rutube or VK video link; None for any other link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host in ("youtube.com", "youtu.be"):
        if host == "youtu.be":
            video_id = parts.path.strip("/")
        elif parts.path == "/watch":
            video_id = parse_qs(parts.query).get("v", [""])[0]
        else:
            match = re.match(r"^/(?:embed|shorts|live)/([^/]+)/?$", parts.path)
            video_id = match.group(1) if match else ""
        return f"https://www.youtube-nocookie.com/embed/{video_id}" if _YOUTUBE_ID.match(video_id) else None
    if host == "rutube.ru":
        match = _RUTUBE_PATH.match(parts.path)
        return f"https://rutube.ru/play/embed/{match.group(1)}" if match else None
    if host in ("vk.com", "vkvideo.ru", "vk.ru"):
        match = _VK_PATH.match(parts.path)
        return f"https://vk.com/video_ext.php?oid={match.group(1)}&id={match.group(2)}" if match else None
    return None


def person_name(user: User) -> str:
    """A person as the library shows them: the name only (a login may be an email's part)."""
    return user.get_full_name() or _("Участник без имени")


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Комментарий"),
        max_length=Comment._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Напишите текст комментария."),
            "max_length": gettext_lazy("Комментарий длиннее %(limit_value)d символов (сейчас %(show_value)d)."),
        },
    )


# --- The list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodicCard:
    methodic: Methodic
    duration: str
    author_name: str
    tags: list[Tag]

    @property
    def version(self) -> str:
        """All the card shows depends on: the template keeps a page of cards by theirs."""
        methodic = self.methodic
        tags = ",".join(f"{tag.pk}={tag.name}" for tag in self.tags)
        category = methodic.category.name if methodic.category else ""
        return (
            f"{methodic.pk}:{methodic.updated_at}:{self.duration}:{methodic.cover}:{category}:{self.author_name}:{tags}"
            f":{methodic.author.karma}:{methodic.useful_count}"
        )


def as_cards(methodics: QuerySet[Methodic]) -> QuerySet[Methodic]:
    """The methodics with what a card shows (category, author, tags) and not the long texts
    it does not, newest first (drafts, without a publication date, before them): the
    library's list and the API's."""
    return (
        methodics.select_related("category", "author")
        .prefetch_related("tags")
        .defer("description", "materials", "literature", "goal", "presentation")
        .order_by("-published_at", "-pk")
    )


@kept_for_visitors("methodics")
def methodic_list(request):
    """Everyone, anonymous visitors too: the published methodics, filtered, searched and
    paginated (20 a page), newest first or, with a search, the best matches first, or by
    the authors' karma or by «Пригодилось» (filters.SORTS). Drafts are never listed here,
    not even their authors' (they are in «Мои методики»)."""
    shown = as_cards(selectors.published_methodics())
    methodic_filter = MethodicFilter(request.GET, queryset=shown)
    page = Paginator(methodic_filter.qs, METHODICS_PER_PAGE).get_page(request.GET.get("page"))
    cards = [
        MethodicCard(
            methodic, duration_text(methodic.total_duration), person_name(methodic.author), list(methodic.tags.all())
        )
        for methodic in page.object_list
    ]
    context = {
        "filter": methodic_filter,
        "page_obj": page,
        "cards": cards,
        "cards_version": "|".join(card.version for card in cards),
        "is_search": bool(request.GET.get("q")) and not methodic_filter.form.cleaned_data.get("sort"),
    }
    return render(request, "methodics/library/list.html", context)


# --- A methodic's page --------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineStep:
    step: MethodicStep
    starts_at: int
    ends_at: int


@dataclass(frozen=True)
class VideoLink:
    item: MethodicMedia
    embed_url: str | None


def timeline(steps: list[MethodicStep]) -> list[TimelineStep]:
    """The steps in order, each with the minute it starts and ends at («0–10 мин»)."""
    rows, elapsed = [], 0
    for step in sorted(steps, key=lambda step: step.order_number):
        rows.append(TimelineStep(step, elapsed, elapsed + step.duration))
        elapsed += step.duration
    return rows


def visible_methodic(user: User, methodic_id: int) -> Methodic:
    """The methodic if the user may see it (selectors.methodics_visible_to), else 404 —
    with the user's role on it read in the same query (selectors.with_member_role)."""
    methodics = selectors.with_member_role(selectors.methodics_visible_to(user), user)
    return get_object_or_404(methodics.select_related("author", "category"), pk=methodic_id)


def render_detail(request, methodic: Methodic, *, comment_form: CommentForm | None = None, status: int = 200):
    user = request.user
    is_published = methodic.status == Methodic.Status.PUBLISHED
    sees_hidden = selectors.can_hide_comments(user, methodic)
    comments = methodic.comments.select_related("author")
    if not sees_hidden:
        comments = comments.filter(is_hidden=False)
    media = list(methodic.media.all())
    can_comment = user.is_authenticated and is_published
    can_mark_useful = selectors.can_mark_useful(user, methodic)
    context = {
        "methodic": methodic,
        "is_published": is_published,
        "breadcrumbs": selectors.category_path(methodic.category),
        "duration": duration_text(methodic.total_duration),
        "timeline": timeline(list(methodic.steps.all())),
        "tags": list(methodic.tags.all()),
        "images": [item for item in media if item.kind == MethodicMedia.Kind.IMAGE],
        "audio": [item for item in media if item.kind == MethodicMedia.Kind.AUDIO],
        "videos": [item for item in media if item.kind == MethodicMedia.Kind.VIDEO],
        "video_links": [
            VideoLink(item, video_embed_url(item.url)) for item in media if item.kind == MethodicMedia.Kind.LINK
        ],
        "author_name": person_name(methodic.author),
        "comments": [(comment, person_name(comment.author)) for comment in comments],
        "can_edit": selectors.can_edit(user, methodic),
        "can_manage_roles": selectors.can_manage_roles(user, methodic),
        "can_hide_comments": sees_hidden,
        "can_unpublish": is_published and selectors.can_moderate(user),
        "can_comment": can_comment,
        "comment_form": comment_form if comment_form is not None else (CommentForm() if can_comment else None),
        "can_mark_useful": can_mark_useful,
        "marked_useful": can_mark_useful and UsefulMark.objects.filter(methodic=methodic, user=user).exists(),
    }
    return render(request, "methodics/library/detail.html", context, status=status)


@kept_for_visitors("methodics")
def methodic_detail(request, methodic_id: int):
    """Everyone sees a published methodic; whoever holds a role on it (its author, the
    people it is shared with) and site moderators also see it as a draft (404 for anyone
    else). Hidden comments are shown to its administrators and moderators only."""
    return render_detail(request, visible_methodic(request.user, methodic_id))


# --- Comments and moderation --------------------------------------------------------------


@login_required
@require_POST
def comment_add(request, methodic_id: int):
    """A signed-in user who sees the methodic comments on it while it is published; a bad
    text shows the page again with the error under the field."""
    methodic = visible_methodic(request.user, methodic_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(methodic=methodic, author=request.user, text=form.cleaned_data["text"])
        except services.MethodicsError as error:
            form.add_error(None, str(error))
        except forms.ValidationError as error:
            for message in error.messages:
                form.add_error("text", message)
        else:
            messages.success(request, _("Комментарий добавлен."))
            return redirect(f"{methodic.get_absolute_url()}#comments")
    return render_detail(request, methodic, comment_form=form)


@login_required
@require_POST
def comment_hide(request, methodic_id: int, comment_id: int):
    """The methodic's administrators and moderators (its author, those given the role, site
    moderators) hide a comment (403 for others); the service tells the comment's writer."""
    methodic = visible_methodic(request.user, methodic_id)
    comment = get_object_or_404(Comment.objects.select_related("author"), pk=comment_id, methodic=methodic)
    if not selectors.can_hide_comments(request.user, methodic):
        raise PermissionDenied
    comment.methodic = methodic
    services.comment_hide(comment=comment, by=request.user)
    messages.success(request, _("Комментарий скрыт."))
    return redirect(f"{methodic.get_absolute_url()}#comments")


@login_required
@require_POST
def unpublish(request, methodic_id: int):
    """Moderators (methodics.moderate_methodic) only, 403 for others: the methodic goes back
    to draft, with an optional reason sent to its author by the service."""
    methodic = visible_methodic(request.user, methodic_id)
    if not selectors.can_moderate(request.user):
        raise PermissionDenied
    if methodic.status != Methodic.Status.PUBLISHED:
        messages.info(request, _("Методика уже снята с публикации."))
        return redirect(methodic)
    reason = request.POST.get("reason", "").strip()[:UNPUBLISH_REASON_MAX_LENGTH]
    services.methodic_unpublish(methodic=methodic, by=request.user, reason=reason)
    messages.success(request, _("Методика «%(title)s» снята с публикации.") % {"title": methodic.title})
    return redirect(methodic)


# --- «Пригодилось» ------------------------------------------------------------------------


@login_required
@require_POST
def useful_toggle(request, methodic_id: int):
    """Signed-in readers of a published methodic (anonymous visitors go to the login page;
    its author and anyone on a draft get 403, a methodic the user may not see is 404): sets
    the reader's «Пригодилось» (`useful=1`) or takes it back (`useful=0`); without that
    field, the opposite of what it is. The service gives or takes the author's point."""
    methodic = visible_methodic(request.user, methodic_id)
    if not selectors.can_mark_useful(request.user, methodic):
        raise PermissionDenied
    wanted = request.POST.get("useful")
    if wanted not in ("0", "1"):
        wanted = "0" if UsefulMark.objects.filter(methodic=methodic, user=request.user).exists() else "1"
    if wanted == "1":
        services.useful_mark(methodic=methodic, user=request.user)
        messages.success(request, _("Отмечено: методика пригодилась."))
    else:
        services.useful_unmark(methodic=methodic, user=request.user)
        messages.success(request, _("Отметка «Пригодилось» снята."))
    return redirect(f"{methodic.get_absolute_url()}#useful")


# --- Moderators ---------------------------------------------------------------------------


def moderator_list(request):
    """Everyone: who moderates methodics (spec 000), by name only — no emails, no logins."""
    names = [person_name(user) for user in selectors.moderators().only("first_name", "last_name")]
    return render(request, "methodics/library/moderators.html", {"names": names})


urlpatterns = [
    path("", methodic_list, name="list"),
    path("moderators/", moderator_list, name="moderators"),
    path("<int:methodic_id>/", methodic_detail, name="detail"),
    path("<int:methodic_id>/comments/", comment_add, name="comment_add"),
    path("<int:methodic_id>/comments/<int:comment_id>/hide/", comment_hide, name="comment_hide"),
    path("<int:methodic_id>/unpublish/", unpublish, name="unpublish"),
    path("<int:methodic_id>/useful/", useful_toggle, name="useful"),
]
