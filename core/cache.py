from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse


class SeldomChanging:
    """A value read from tables that seldom change — a filter's choices, say — kept in the
    cache for `seconds` and forgotten as soon as a row of one of `models` is saved or
    deleted in this process (again when that commits, in case a request read the old rows
    in between), or the tables are flushed. The default cache is per process: another
    process learns of a change when its copy expires, so keep `seconds` short.
    Call `connect()` from the app's ready()."""

    def __init__(self, key: str, build: Callable[[], object], *, models: tuple, seconds: int = 60):
        self.key, self.build, self.models, self.seconds = key, build, models, seconds

    def get(self):
        value = cache.get(self.key)
        if value is None:
            value = self.build()
            cache.set(self.key, value, self.seconds)
        return value

    def forget(self, *, using: str | None = None, **kwargs) -> None:
        cache.delete(self.key)
        transaction.on_commit(lambda: cache.delete(self.key), using=using)

    def connect(self) -> None:
        for model in self.models:
            for signal in (post_save, post_delete):
                signal.connect(self.forget, sender=model, weak=False, dispatch_uid=f"{self.key}.{model._meta.label}")
        # A flush (tests that commit) empties the tables without post_delete; post_migrate follows.
        post_migrate.connect(self.forget, weak=False, dispatch_uid=f"{self.key}.migrate")


# --- Pages kept for visitors ------------------------------------------------------------

GENERATION_KEY = "pages:generation"
# Apps whose rows make the public pages: a change to any of them retires every kept page...
CONTENT_APPS = {"accounts", "volunteers", "courses", "problems", "methodics"}
# ...but for the rows of what people do, which no kept page shows (only their owners and
# staff see them, on pages never kept): written all day by learners, they keep the pages.
NOT_ON_KEPT_PAGES = {
    "accounts.message",
    "volunteers.volunteerlevel",
    "volunteers.volunteerbadge",
    "volunteers.locationchange",
    "courses.volunteercourse",
    "courses.volunteerlesson",
    "courses.quizattempt",
    "courses.answer",
    "courses.certificate",
    "problems.favorite",
    "problems.variant",
    "problems.varianttask",
}


def shown_on_kept_pages(sender, update_fields=None, **kwargs) -> bool:
    """Whether this row's change may show on a kept page. A sign-in saves the user's
    last_login only, which no page shows."""
    meta = sender._meta
    if meta.app_label not in CONTENT_APPS or meta.label_lower in NOT_ON_KEPT_PAGES:
        return False
    return update_fields is None or set(update_fields) != {"last_login"}


def _generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 0, None)


def content_changed(sender, **kwargs) -> None:
    """A row of the site's content was saved or deleted (or its links changed): the pages
    kept in this process are retired now, and again at commit (a visitor may have been
    shown the old rows in between). Connected by core.apps."""
    if not settings.PAGE_CACHE_SECONDS or not shown_on_kept_pages(sender, **kwargs):
        return

    def retire() -> None:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # not set yet, or evicted
            cache.set(GENERATION_KEY, 1, None)

    retire()
    transaction.on_commit(retire, using=kwargs.get("using"))


def kept_until_content_changes(key: str, build: Callable[[], object]):
    """`build()`, kept under `key` as pages are kept for visitors: PAGE_CACHE_SECONDS in this
    process's cache, until any content changes in this process (content_changed) — other
    processes keep theirs until it expires. For what is the same for every reader of a
    page that is not, such as the catalogue's list of courses; `build` must not return
    None. With PAGE_CACHE_SECONDS at 0, built every time."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return build()
    full_key = f"kept:{_generation()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, seconds)
    return value


def kept_for_visitors(view):
    """A public page as an anonymous visitor without cookies gets it: the same for all of
    them, so it is kept PAGE_CACHE_SECONDS per URL in this process's cache and served from
    there, until any content changes in this process (content_changed) — other processes
    serve theirs until it expires. Signed-in users, other methods, a visitor with a
    session or messages, and responses that are not 200 or that need a cookie (a CSRF
    token in a form, a message) always go to the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET" or set(request.COOKIES) - {settings.CSRF_COOKIE_NAME}:
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = f"page:{_generation()}:{request.get_full_path()}"
        kept = cache.get(key)
        if kept is not None:
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not len(get_messages(request))
        ):
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper
