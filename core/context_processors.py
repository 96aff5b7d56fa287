from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

# The pages every page's header links to, by the names base.html uses.
HEADER_LINKS = {
    "home": "home",
    "catalogue": "courses:catalogue",
    "blocks": "problems:blocks",
    "methodics": "methodics:list",
    "projects": "projects:list",
    "about": "about",
    "review_queue": "courses:review_queue",
    "admin": "admin:index",
    "search": "search",
    "profile": "accounts:profile",
    "my_courses": "courses:my_courses",
    "certificates": "certificates:my",
    "my_methodics": "methodics:mine",
    "my_assignments": "problems:my_assignments",
    "volunteer_profile": "volunteers:profile",
    "inbox": "accounts:inbox",
    "logout": "accounts:logout",
    "login": "accounts:login",
    "register": "accounts:register",
}


@cache
def _header_links(script_prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in HEADER_LINKS.items()}


def site(request):
    """The site's name, and for the header: `header_links`, the URLs of HEADER_LINKS — reversed
    once per process (eighteen `{% url %}` took a fifth of a signed-in page's rendering)
    — and `current_view`, the view name of this page, to mark its link."""
    match = getattr(request, "resolver_match", None)
    return {
        "site_name": settings.SITE_NAME,
        "yandex_login_enabled": bool(settings.SOCIAL_AUTH_YANDEX_OAUTH2_KEY),
        "header_links": _header_links(get_script_prefix()),
        "current_view": match.view_name if match else "",
    }
