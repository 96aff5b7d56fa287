"""The shared cache (settings CACHES: Redis when REDIS_URL is set) and what keeps it correct.

Content is cached by *area* — "courses", "problems", "methodics", "site" (the reference
lists of the whole site: directions, levels, regions), "projects" (a term's courses and
schedule, the same for every member of its project) — under the area's version, pretix's
way: every key names the versions of the areas its value was read from, so one increment
retires all of them on every app server at once, with no deletes and no scans (old keys
expire). The services that change an area's content say so with `content_changed(area)`,
which bumps the version now and again when their transaction commits; nothing else does —
no signal on every model, and core names no app's model.

A request reads each area's version once (`request_started` opens a memo of them for the
thread, `request_finished` closes it; a bump by the request itself updates it): a learner's
page reads the course, its structure and its quiz under one read of «courses», and sees
one state of the site from its start to its end. Outside requests (Celery tasks,
commands) every read goes to the cache.

`cached()` builds a value once for everybody: on a miss one caller builds it while the
others wait for the result instead of stampeding the database. `kept_for_visitors` keeps
whole public pages for anonymous visitors the same way.
"""

import hashlib
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.http import HttpResponse

# The areas of what people write for the public pages (a person's name shows on them all).
CONTENT_AREAS = ("courses", "methodics", "problems")
# A builder holds its lock at most this long; the others wait for its value as long, then
# build it themselves (the builder died, or is slower than reading the database anyway).
LOCK_SECONDS = 5
POLL_SECONDS = 0.01
_MISSING = object()
KEY_TEXT_MAX = 150  # of a key's own text; the versions of its areas follow
# What a builder leaves for those who wait when its page may not be kept (a 404, a page
# that sets a cookie): they go to the view themselves.
_NOT_KEPT = "not-kept"


def _short(key: str) -> str:
    """A key memcached-style backends accept (≤ 250 characters, no spaces): a long one — a
    page's address with a long query — ends in its digest instead."""
    if len(key) <= KEY_TEXT_MAX and key.isprintable() and " " not in key:
        return key
    return f"{key[:40].replace(' ', '_')}~{hashlib.sha256(key.encode()).hexdigest()}"


def _version_key(area: str) -> str:
    return f"area:{area}"


# The versions this request has read, by area; None outside a request.
_request_versions: ContextVar[dict[str, int] | None] = ContextVar("area_versions", default=None)


def _open_request_memo(**kwargs) -> None:
    _request_versions.set({})


def _close_request_memo(**kwargs) -> None:
    _request_versions.set(None)


request_started.connect(_open_request_memo, dispatch_uid="core.cache.open_request_memo")
request_finished.connect(_close_request_memo, dispatch_uid="core.cache.close_request_memo")


def versions(areas: Iterable[str]) -> str:
    """The current versions of `areas` as a part of a key («courses.17-site.3»): those this
    request has not read yet in one round trip. A version the cache lost starts anew from
    the clock, never from a number an old key may still carry."""
    areas = sorted(areas)
    memo = _request_versions.get()
    known = {} if memo is None else memo
    unread = [area for area in areas if area not in known]
    found = cache.get_many([_version_key(area) for area in unread]) if unread else {}
    for area in unread:
        version = found.get(_version_key(area))
        if version is None:
            version = time.time_ns()
            cache.add(_version_key(area), version, None)
            version = cache.get(_version_key(area), version)
        known[area] = version
    return "-".join(f"{area}.{known[area]}" for area in areas)


def _bump(area: str) -> None:
    try:
        version = cache.incr(_version_key(area))
    except ValueError:  # never read, or evicted
        version = time.time_ns()
        cache.set(_version_key(area), version, None)
    memo = _request_versions.get()
    if memo is not None:
        memo[area] = version


def content_changed(*areas: str, using: str | None = None) -> None:
    """The content of `areas` changed: what was cached of them is retired now (for the rest
    of this request) and again when the transaction commits (another request may have
    cached the old rows in between). Called by the services that change content."""
    for area in areas:
        _bump(area)
    transaction.on_commit(lambda: [_bump(area) for area in areas], using=using)


def cached(key: str, build: Callable[[], object], *, areas: Iterable[str], seconds: int = 3600):
    """`build()`, kept `seconds` under `key` and the versions of `areas` it is read from,
    for every process; built by one caller at a time (see `_built`). `build` must not
    return None."""
    full_key = f"{_short(key)}:{versions(areas)}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:
        value = _built(full_key, lambda: (build(), True), seconds)
    return value


def _built(full_key: str, build: Callable[[], tuple[object, bool]], seconds: int):
    """The value under `full_key`, built by whoever takes the key's lock (`build()` gives
    the value and whether it may be kept); the others wait for it, up to LOCK_SECONDS,
    then build it themselves. Whoever takes the lock reads the value once more first: the
    builder before may have stored it and let go since the miss (without that second read,
    16 threads a worker rebuilt a retired page 5–10 times in 3 of 35 rounds,
    bench/stampede.py)."""
    lock = f"lock:{full_key}"
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        if cache.add(lock, 1, LOCK_SECONDS):
            try:
                value = cache.get(full_key, _MISSING)
                if value is _MISSING:
                    value, keep = build()
                    cache.set(full_key, value if keep else _NOT_KEPT, seconds if keep else LOCK_SECONDS)
                    return value
            finally:
                cache.delete(lock)
        else:
            time.sleep(POLL_SECONDS)
            value = cache.get(full_key, _MISSING)
            if value is _MISSING:
                if time.monotonic() >= deadline:
                    return build()[0]  # the builder is slower than the database: don't wait longer
                continue  # still being built, or its builder failed and the lock is free to take
        return build()[0] if value == _NOT_KEPT else value


class CachedValue:
    """A value that is the same for every reader — a filter's choices, the category
    tree — read from the areas it names and cached under their versions (`cached`)."""

    def __init__(self, key: str, build: Callable[[], object], *, areas: tuple[str, ...], seconds: int = 3600):
        self.key, self.build, self.areas, self.seconds = key, build, areas, seconds

    def get(self):
        return cached(self.key, self.build, areas=self.areas, seconds=self.seconds)


def kept_for_visitors(*areas: str):
    """A public page as an anonymous visitor without cookies gets it: the same for all of
    them, so it is kept PAGE_CACHE_SECONDS per URL under the versions of the `areas` it
    shows, in the shared cache, and built once on a miss. Signed-in users, other methods,
    a visitor with a session or messages, and responses that are not 200 or that need a
    cookie (a CSRF token in a form, a message) always go to the view."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            seconds = settings.PAGE_CACHE_SECONDS
            if (
                not seconds
                or request.method != "GET"
                or set(request.COOKIES) - {settings.CSRF_COOKIE_NAME}
                or request.user.is_authenticated
            ):
                return view(request, *args, **kwargs)
            full_key = f"{_short('page:' + request.get_full_path())}:{versions(areas)}"
            kept = cache.get(full_key)
            if kept == _NOT_KEPT:
                return view(request, *args, **kwargs)
            if kept is None:
                response = None

                def build():
                    nonlocal response
                    response = view(request, *args, **kwargs)
                    keep = (
                        response.status_code == 200
                        and not response.streaming
                        and not response.cookies
                        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                        and not len(get_messages(request))
                    )
                    return ((response.content, response["Content-Type"]) if keep else None), keep

                kept = _built(full_key, build, seconds)
                if response is not None:  # this request made the page
                    return response
            content, content_type = kept
            return HttpResponse(content, content_type=content_type)

        return wrapper

    return decorator
