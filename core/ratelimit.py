"""How often a client may do what costs us or others something — send a password-reset
mail, create an account — and who the client is.

Thirty lines of our own rather than a library (django-ratelimit): the counters are the
default cache's `add` + `incr`, atomic on Redis and on the local-memory cache alike, so
processes that share the cache share the counts. A window is fixed: it opens with the
first action counted and lasts the limit's seconds. The limits are settings
(`RATE_LIMITS`): {"action": {"ip": (count, seconds), "email": (count, seconds)}}.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

TOO_MANY_REQUESTS = 429
TOO_MANY_MESSAGE = _("Слишком много попыток за короткое время. Попробуйте ещё раз через час.")


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies of ours the
    address the outermost one saw — X-Forwarded-For read from the right, since whatever
    stands further left the client wrote itself. django-axes counts by it too."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies:
        try:
            return str(ipaddress.ip_address(forwarded[-proxies]))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR")


def counted(action: str, who: str, limit: int, seconds: int) -> bool:
    """Counts one more `action` by `who`; True once the window's count passes `limit`."""
    key = f"ratelimit:{action}:" + hashlib.sha256(who.strip().lower().encode()).hexdigest()
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) > limit
    except ValueError:  # the window closed between add and incr: this action opens the next
        cache.add(key, 1, seconds)
        return limit < 1


def rate_limit_reached(request, action: str, **who: str) -> bool:
    """Counts the action against the client's address and against each of `who` (say
    email=address) under RATE_LIMITS[action]; True when any of them is over its limit —
    then do nothing and answer TOO_MANY_REQUESTS with TOO_MANY_MESSAGE."""
    limits = settings.RATE_LIMITS[action]
    counts = {"ip": client_ip(request) or "unknown", **who}
    # In this order, stopping at the first over its limit: a client refused for its address
    # does not use up the allowance of the email address it aims at.
    return any(counted(f"{action}:{name}", value, *limits[name]) for name, value in counts.items())
