from django import template

from core import search

register = template.Library()


@register.filter
def found_count(count: int, query) -> str:
    """The number of rows a list shows; with a search (`query`: its text, or the request's
    GET with `q`), «500+» where the search stopped counting (core.search.MAX_RANKED)."""
    text = query.get("q") if hasattr(query, "get") else query
    return f"{search.MAX_RANKED}+" if search.is_capped(count) and search.clean_query(text) else str(count)
