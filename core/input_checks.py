"""Checks of what comes from outside — a request, an imported file — that a parser or the
database would refuse with an exception: control characters (PostgreSQL refuses NUL in
text, XML and so the Word exports refuse the other C0 characters) and numbers too long
for `int()` (4,300 digits) or too big for the column they reach. One place, used by the
request middleware (core.middleware), the forms and filters, the admin's list filters,
the rich-text sanitiser and the imports, so that such input is a 400 or an error message,
never a 500 or a traceback."""

import re

# C0 controls but tab, line feed and carriage return, which are text; and DEL.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# PostgreSQL's integer columns (smallint, integer, bigint; ids are bigint).
SMALLINT_MAX = 2**15 - 1
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# ASCII digits only: str.isdigit() and isdecimal() accept «²» or «٣», which int() refuses
# or reads; and at most 19 of them, so that no long string is ever converted.
_DIGITS = re.compile(r"[0-9]{1,19}")


def control_character(text: str) -> str | None:
    """The first control character of `text` as a person can read it («U+0000»), or None."""
    found = CONTROL_CHARACTER.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def parse_int(value, *, low: int = 0, high: int = BIGINT_MAX) -> int | None:
    """The whole number `value` writes in ASCII digits (no sign, no spaces) when it lies in
    low…high; None for anything else. Never raises."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_id(value) -> int | None:
    """A row's id from a request (a bigint key): 1…BIGINT_MAX, else None."""
    return parse_int(value, low=1)
