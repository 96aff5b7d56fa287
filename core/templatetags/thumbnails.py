from django import template
from easy_thumbnails.alias import aliases
from easy_thumbnails.files import get_thumbnailer

register = template.Library()


@register.filter
def alias_url(fieldfile, alias_name: str) -> str:
    """The URL of a thumbnail alias, made by a worker once the image's upload committed
    (core.thumbnails). Computing the name needs no query and no image work,
    so list pages stay at a fixed number of queries; easy-thumbnails' own
    `thumbnail_url` filter queries its tables once per image."""
    if not fieldfile:
        return ""
    thumbnailer = get_thumbnailer(fieldfile)
    options = aliases.get(alias_name, target=thumbnailer.alias_target)
    if options is None:
        raise template.TemplateSyntaxError(f"No thumbnail alias {alias_name!r} for {thumbnailer.alias_target}")
    return thumbnailer.thumbnail_storage.url(thumbnailer.get_thumbnail_name(options))
