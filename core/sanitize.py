"""Server-side HTML sanitising of every rich-text field (allow-list, nh3/Ammonia).

CKEditor 4 is out of support, and the browser is never trusted anyway: whatever reaches
the database has passed `sanitize_html`, so no script, event handler or javascript: URL
ever reaches a page."""

import nh3

from core.input_checks import CONTROL_CHARACTER, parse_int

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "blockquote", "pre", "code",
    "h2", "h3", "h4", "h5", "h6",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "target"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "type"},
    "*": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Numeric attributes are kept only as small whole numbers: <ol start="99…9"> of 5,000 digits
# broke the PDF and Word exports, which number the items. Spans within what HTML allows.
NUMBER_ATTRIBUTES = {"start": (1, 10_000), "colspan": (1, 1_000), "rowspan": (0, 65_534)}


def _keep_number_attributes(tag: str, attribute: str, value: str) -> str | None:
    if attribute not in NUMBER_ATTRIBUTES:
        return value
    low, high = NUMBER_ATTRIBUTES[attribute]
    number = parse_int(value.strip(), low=low, high=high)
    return None if number is None else str(number)


def sanitize_html(html: str) -> str:
    if not html:
        return ""
    return nh3.clean(
        # Control characters are no text (and no XML, so no Word export); NUL nh3 drops itself.
        CONTROL_CHARACTER.sub("", html),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_number_attributes,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
