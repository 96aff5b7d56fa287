"""Plain text for people and for the files the apps export: numbers with the Russian
noun form that fits them, durations, a model's name in the cases the admin needs,
sanitised rich text (core.sanitize's tags) as paragraphs of plain text, and titles as
file names any file system accepts."""

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import phonenumbers
from django.conf import settings

from core.input_checks import CONTROL_CHARACTER, parse_int
from core.sanitize import NUMBER_ATTRIBUTES

# --- Numbers and durations ------------------------------------------------------------


def plural_form(number: int, one: str, few: str, many: str) -> str:
    """The noun form Russian puts after `number`: one — «1 шаг», «21 шаг»; few — «2 шага»,
    «34 шага»; many — «0 шагов», «5 шагов», «11–14 шагов», «111 шагов».

    Django's ngettext gives Russian its three forms only through a translation catalogue
    with ru's Plural-Forms; the site has none, and its texts are written in Russian."""
    number = abs(int(number))
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def plural(number: int, one: str, few: str, many: str) -> str:
    """The number and its noun: plural(3, "шаг", "шага", "шагов") == "3 шага"."""
    return f"{number} {plural_form(number, one, few, many)}"


def phone_text(number) -> str:
    """A phone as people here write it: in the national format («8 (916) 123-45-67») when it
    is a number of PHONENUMBER_DEFAULT_REGION, else the international one; "" for none."""
    if not number:
        return ""
    if phonenumbers.region_code_for_number(number) == settings.PHONENUMBER_DEFAULT_REGION:
        return number.as_national
    return number.as_international


def duration_text(minutes: int | None) -> str:
    """«2 ч 30 мин», «45 мин», «3 ч»: no «0 ч» before minutes and no «0 мин» after hours;
    short units, so no plural forms are needed. The one formatter of durations on pages,
    in certificates and in exports."""
    hours, rest = divmod(minutes or 0, 60)
    if hours and rest:
        return f"{hours} ч {rest} мин"
    return f"{hours} ч" if hours else f"{rest} мин"


# --- Names of models in cases ---------------------------------------------------------


@dataclass(frozen=True)
class NameCases:
    """A model's verbose_name in the cases Russian puts after a verb, where Django's admin
    puts the nominative: «Изменить задачу», «Удаление задачи», «Удалить выбранных
    волонтёров». A model declares it as its attribute `verbose_name_cases` (an inline or a
    model admin may declare its own); core.admin.AdminSite reads it."""

    accusative: str  # винительный: «задачу», «решение», «волонтёра»
    genitive: str  # родительный: «задачи», «решения», «волонтёра»
    # Винительный множественного, where it is not the model's verbose_name_plural: people
    # and animals («волонтёров», «учащихся»), and a verbose_name_plural that names the
    # list rather than its rows («справочник»: «справочные материалы»). Empty: verbose_name_plural.
    accusative_plural: str = ""
    # Родительный множественного: «5 задач», «Удаление выбранных волонтёров».
    genitive_plural: str = ""
    # The form after 2, 3, 4 where it is not the genitive: «2 избранные задачи», «2 учащихся».
    few: str = ""

    def counted(self, number: int, nominative: str) -> str:
        """«1 задача», «2 задачи», «5 задач», «21 задача» (`nominative`: the verbose_name)."""
        return plural(number, str(nominative), str(self.few or self.genitive), str(self.genitive_plural))

    @property
    def animate(self) -> bool:
        """People and animals: their accusative plural is the genitive («выбранных волонтёров»)."""
        return bool(self.genitive_plural) and str(self.accusative_plural) == str(self.genitive_plural)


# --- File names ---------------------------------------------------------------------------


def export_file_name(title: str, extension: str, fallback: str = "variant") -> str:
    """A file name any file system accepts, Cyrillic kept: no path separators, quotes,
    reserved or control characters, at most 80 characters before the extension. The
    response sends it per RFC 5987 (filename*=utf-8''…)."""
    stem = unicodedata.normalize("NFC", title)
    stem = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', " ", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" .")[:80].strip(" .")
    return f"{stem or fallback}.{extension}"


SPREADSHEET_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A CSV cell of text people typed (a name) that Excel will not run as a formula."""
    return f"'{text}" if text.startswith(SPREADSHEET_FORMULA_STARTS) else text


# --- Rich text to plain paragraphs -------------------------------------------------------

SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
PARAGRAPH_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "dl", "dt", "dd", "hr", "section", "article",
}  # fmt: skip
SKIPPED_TAGS = {"script", "style", "template"}
LIST_START_MAX = NUMBER_ATTRIBUTES["start"][1]


def _raise(text: str, table: dict[int, int], fallback: str) -> str:
    """x<sup>2</sup> prints as x², x<sub>1</sub> as x₁; what has no such character
    keeps a readable form: a^(m+k), a^k."""
    raised = text.translate(table)
    if all(ord(char) in table.values() or char.isspace() for char in raised):
        return raised
    stripped = text.strip()
    return f"{fallback}{stripped}" if len(stripped) == 1 else f"{fallback}({stripped})"


class _PlainText(HTMLParser):
    """Sanitised rich text (core.sanitize's tags) as paragraphs: <br> becomes a line
    break inside a paragraph, list items start with «•» or their number (nested lists
    indented), table cells are joined with « | », images leave their alt text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.pieces: list[str] = []
        self.lists: list[list] = []  # [tag, next number] per open list
        self.prefix = ""  # the marker of the list item whose first paragraph is pending
        self.indent = ""
        self.pre = 0
        self.skip = 0
        self.raised: list[tuple[str, list[str]]] = []  # open <sup>/<sub> and their text
        self.cells = 0

    def _write(self, text: str) -> None:
        if self.raised:
            self.raised[-1][1].append(text)
        else:
            self.pieces.append(text)

    def flush(self) -> None:
        text = "".join(self.pieces)
        self.pieces = []
        if self.pre:
            lines = text.strip("\n").split("\n")
        else:
            lines = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            return
        lead = self.indent + self.prefix if self.prefix else self.indent + " " * 2 * bool(self.lists)
        self.prefix = ""
        self.paragraphs.append(lead + "\n".join(lines))

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skip += 1
        elif tag == "br":
            self._write("\n")
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            self._write(f" [рисунок: {alt}] " if alt else " [рисунок] ")
        elif tag in ("sup", "sub"):
            self.raised.append((tag, []))
        elif tag in ("ul", "ol"):
            self.flush()
            # Clamped as the sanitiser does: a value stored before it did must not break an export.
            start = parse_int((dict(attrs).get("start") or "").strip(), low=1, high=LIST_START_MAX)
            self.lists.append([tag, start or 1])
            self.indent = "  " * (len(self.lists) - 1)
        elif tag == "li":
            self.flush()
            if self.lists and self.lists[-1][0] == "ol":
                self.prefix = f"{self.lists[-1][1]}. "
                self.lists[-1][1] += 1
            else:
                self.prefix = "• "
        elif tag == "tr":
            self.flush()
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self._write(" | ")
            self.cells += 1
        elif tag in PARAGRAPH_TAGS:
            self.flush()
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skip = max(self.skip - 1, 0)
        elif tag in ("sup", "sub") and self.raised and self.raised[-1][0] == tag:
            _, text = self.raised.pop()
            joined = "".join(text)
            self._write(_raise(joined, SUPERSCRIPTS, "^") if tag == "sup" else _raise(joined, SUBSCRIPTS, "_"))
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
            self.indent = "  " * max(len(self.lists) - 1, 0)
        elif tag in ("li", "tr") or tag in PARAGRAPH_TAGS:
            self.flush()
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)

    def handle_data(self, data):
        if not self.skip:
            # Neither text nor XML: a Word export would fail on one stored before the checks.
            self._write(CONTROL_CHARACTER.sub("", data))


def html_to_paragraphs(html: str) -> tuple[str, ...]:
    """The paragraphs of plain text a sanitised rich-text field reads as; a paragraph
    may hold line breaks ("\\n")."""
    parser = _PlainText()
    parser.feed(html or "")
    parser.close()
    parser.flush()
    return tuple(parser.paragraphs)
