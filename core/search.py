"""Full-text search, one way for the whole site: the site search (/search/) and each app's
list pages (the course catalogue, a block's tasks, the handbook, the methodics library).

PostgreSQL's `russian` configuration stems words («задачи» finds «задача»); every searched
table keeps its document in a stored generated column, `search_vector`, with a GIN index,
built from its title (weight A) over its texts (B, C). A query is the words of what the
person typed, all of them required; the last one also matches as the beginning of a word
(«ориентир» finds «ориентироваться»), when it has at least PREFIX_MIN_LENGTH letters. Only
letters and digits reach `to_tsquery`, so stray `& | ! ( ) : * '` are no syntax error.
Results come by `ts_rank`, the title weighing ten times the texts (RANK_WEIGHTS); snippets
come from `ts_headline` over the text with its HTML tags removed, and are escaped here
before the matches are marked with <mark>.
"""

import operator
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from difflib import get_close_matches
from functools import lru_cache, reduce
from html import escape, unescape

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import (
    SearchConfig,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connection, connections, models, transaction
from django.db.models import F, Func, QuerySet, Value
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

CONFIG = "russian"
MAX_QUERY_LENGTH = 200  # characters; a longer query is cut, not refused
MAX_WORDS = 12
MAX_RANKED = 500  # matches ranked and counted, per kind
# ts_rank's weights of D, C, B, A. A word's score is about the weight of its best place,
# whatever else it adds (at most 1.64 × the best), so a title (A) match comes before any
# number of matches in the texts; for several words their closeness counts too.
RANK_WEIGHTS = [0.01, 0.02, 0.1, 1.0]
PREFIX_MIN_LENGTH = 3
SUGGEST_MIN_LENGTH = 4  # shorter words are not corrected, nor suggested
SUGGEST_MAX_WORDS = 3  # «short queries»: longer ones are not corrected
SUGGEST_CUTOFF = 0.75  # difflib's similarity, 0–1: one wrong letter in eight passes
WORD = re.compile(r"[^\W_]+")
SNIPPET_WORDS = 30
# ts_headline's marks around a match: characters no text of ours holds, so they survive the
# escaping of the snippet and are then replaced by tags.
START_MARK, STOP_MARK = "\x02", "\x03"
# ts_headline's options, as one text: Django's SearchHeadline quotes each option through a
# cursor of its own (mogrify), 24 cursors a site search — 0.45 of the 4.5 ms its query took
# to build and compile (7 December 2026).
HEADLINE_OPTIONS = (
    f"StartSel='{START_MARK}', StopSel='{STOP_MARK}', MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}, "
    "MaxFragments=2, FragmentDelimiter=' … '"
)


class SearchableManager(models.Manager):
    """The manager of a model with `search_vector_field`: rows come without the vector,
    which only the database reads."""

    def get_queryset(self):
        return super().get_queryset().defer("search_vector")


def search_vector_field(**weighted: tuple[str, ...]) -> models.GeneratedField:
    """A stored generated column with the document of a row, e.g.
    `search_vector_field(A=("title",), B=("statement",))`; A weighs most."""
    parts = (SearchVector(*fields, weight=weight, config=CONFIG) for weight, fields in weighted.items())
    return models.GeneratedField(
        verbose_name=_("поисковый индекс"),
        expression=reduce(operator.add, parts),
        output_field=SearchVectorField(),
        db_persist=True,
    )


def clean_query(text: str | None) -> str:
    """What to search for: the first MAX_WORDS words (letters and digits) of the first
    MAX_QUERY_LENGTH characters, or '' when there is none (empty, punctuation only)."""
    return " ".join(WORD.findall((text or "")[:MAX_QUERY_LENGTH])[:MAX_WORDS])


def title_words(titles: Iterable[str]) -> frozenset[str]:
    """The words of `titles`, in lower case: what `correction` may suggest."""
    return frozenset(
        word for title in titles for word in WORD.findall(title.lower()) if len(word) >= SUGGEST_MIN_LENGTH
    )


def correction(text: str, words: frozenset[str]) -> str | None:
    """For a short query that found nothing: the query with each word that is in no title
    replaced by the closest one that is («треугольнек» → «треугольник»), or None when
    nothing is close enough. Typo tolerance without pg_trgm, which the embedded PostgreSQL
    lacks: difflib over the titles' words (a few thousand), on this rare path only."""
    query_words = text.lower().split()
    if not query_words or len(query_words) > SUGGEST_MAX_WORDS:
        return None
    corrected = []
    for word in query_words:
        close = (
            [] if word in words or len(word) < SUGGEST_MIN_LENGTH else get_close_matches(word, words, n=1, cutoff=0.75)
        )
        corrected.append(close[0] if close else word)
    return " ".join(corrected) if corrected != query_words else None


def is_prefixed(text: str) -> bool:
    """Whether the last word of a cleaned text (not empty) is also taken as a prefix."""
    return len(text.split()[-1]) >= PREFIX_MIN_LENGTH


def query_terms(text: str, *, prefix: bool = True) -> str:
    """The raw tsquery of a cleaned text: every word, the last one also as a prefix (unless
    `prefix` is false, or it is too short to be one)."""
    *words, last = text.split()
    return " & ".join([*words, f"{last}:*" if prefix and is_prefixed(text) else last])


def search_query(text: str, *, prefix: bool = True) -> SearchQuery:
    """The tsquery of a cleaned text, as query_terms says."""
    return SearchQuery(query_terms(text, prefix=prefix), config=CONFIG, search_type="raw")


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The rows of `queryset` matching `text` (cleaned with clean_query), in no order."""
    return queryset.filter(search_vector=search_query(text)) if text else queryset.none()


def candidates(queryset: QuerySet, text: str) -> QuerySet:
    """The primary keys of the first MAX_RANKED rows of `queryset` matching `text` (not
    empty), as a subquery: first those with the words as typed, then those where the last
    word only begins a longer one («ориентир» in «ориентироваться»).

    PostgreSQL reads the second part only when the first has fewer than MAX_RANKED rows.
    A prefix costs the index far more than a word: for «уравнение», in 22,510 of 100,000
    tasks, 5.3 ms against 1.7 (7 December 2026, `timeit` line 4.3 ms). So a word that
    common is looked up as typed, and the rows where it only begins a longer word are
    left out of its first MAX_RANKED, which come in no meaningful order anyway."""
    typed = queryset.filter(search_vector=search_query(text, prefix=False)).order_by().values("pk")
    if not is_prefixed(text):
        return typed[:MAX_RANKED]
    begun = (
        queryset.filter(search_vector=search_query(text))
        .exclude(search_vector=search_query(text, prefix=False))
        .order_by()
        .values("pk")
    )
    return typed.union(begun, all=True)[:MAX_RANKED]


def is_capped(count: int) -> bool:
    """Whether a count of matches stopped at MAX_RANKED (shown as «500+»)."""
    return count >= MAX_RANKED


def match_count(queryset: QuerySet, text: str) -> Func:
    """How many rows of `queryset` match `text`, up to MAX_RANKED (shown by the template
    filter `found_count`), as an expression: PostgreSQL counts them once, before the query
    that selects it, and ranks nothing."""
    return Func(ArraySubquery(candidates(queryset, text)), function="cardinality", output_field=models.IntegerField())


def ranked(queryset: QuerySet, text: str) -> QuerySet:
    """The rows of `queryset` matching `text` (cleaned with clean_query), best first by
    `ts_rank` with RANK_WEIGHTS, then in the queryset's own order (or the newest first); at
    most MAX_RANKED of them. With nothing to search, none.

    Ranking reads the document of every candidate, so its cost grows with the number of
    matches (85 ms for 20,000 of 100,000 tasks): a word so common that more rows match is
    ranked among the first MAX_RANKED matches (`candidates`)."""
    if not text:
        return queryset.none()
    rank = SearchRank(F("search_vector"), search_query(text), weights=RANK_WEIGHTS)
    return (
        queryset.filter(pk__in=candidates(queryset, text))
        .annotate(rank=rank)
        .order_by("-rank", *(queryset.query.order_by or ["-pk"]))
    )


@contextmanager
def index_scans():
    """Inside: PostgreSQL finds candidates through the GIN index, not by reading the table
    until MAX_RANKED rows match. Its planner prices a match on a document as a cheap
    operator, so for a word in a few percent of 20,000 methodics it reads 6,000 rows —
    17 ms — where the index takes 2 ms; for a word in every fifth row the index costs a
    few milliseconds more than the scan. Bounded beats fast-on-average here. Three round
    trips (BEGIN, the settings, COMMIT), about 0.2 ms.

    Without JIT compilation, too: a plan that must read a table whole gets the cost of a
    disabled scan, 10^10, far past `jit_above_cost`, and PostgreSQL compiled a query of
    10 ms for 333 ms.

    The query shape tried instead, to spare the three round trips, does worse. Measured on
    the bench data (6 December 2026, `timeit` line 4.25 ms), one kind's ranked query:
    keeping the first MAX_RANKED matches by ROW_NUMBER() in an ARRAY(…) instead of a LIMIT,
    so that the planner plans to read every match, still scans the methodics for a word in
    15 % of them («эстафета»: 12–14 ms, here 4.4–4.9) and builds the index's bitmap of all
    51,649 tasks for «задача» (8.4 ms, here 2.3–3.2: the first 500 in the order of another
    index).

    One of the site's two statements not built by the ORM (the other: problems.selectors.
    random_task_ids; compiled_rows runs SQL the ORM built), and no read: the ORM cannot set
    a planner setting for one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
        yield


# The texts a statement is compiled for: any words would do (a search for these very words
# swaps each parameter for itself), one whose last word is taken as a prefix and one too
# short to be. A query is compiled for a placeholder of the same kind as the searched text.
PLACEHOLDERS = {True: "заготовка", False: "з"}


@lru_cache(maxsize=256)
def statement(build: Callable[..., QuerySet], prefixed: bool, shape: tuple) -> tuple[str, str, tuple]:
    """The database, SQL and parameters of `build(placeholder, *shape)`, compiled by the
    ORM once per process for each shape (see compiled_rows)."""
    queryset = build(PLACEHOLDERS[prefixed], *shape)
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return queryset.db, sql, tuple(params)


def compiled_rows(build: Callable[..., QuerySet], text: str, *shape) -> list[dict]:
    """The rows of `build(text, *shape)` — a values() QuerySet of what a cleaned, non-empty
    `text` finds — as dicts, in order, without building and compiling the query each time:
    the ORM builds it once per process for each `shape` (hashable) and for whether the
    last word is taken as a prefix (the SQL differs), with a placeholder for the text; a
    search runs that SQL with the placeholder's tsqueries among the parameters swapped for
    its own. The values come as PostgreSQL gives them (a field's conversion from the
    database does not run): numbers and text.

    For the site search (config.views), the ORM took 6.3 ms to build and compile its query
    of four kinds' ranked matches with snippets and counts, a quarter of a search that
    finds nothing in the cache (7 December 2026, `timeit` line 4.3 ms; bench/search.py,
    cold, this change alone: median 24.3 → 18.0 ms, p95 28.5 → 23.7 for «уравнение»),
    where issue 16's target is p95 25 ms on a day when `timeit` reads 5.8."""
    prefixed = is_prefixed(text)
    database, sql, params = statement(build, prefixed, shape)
    placeholder = PLACEHOLDERS[prefixed]
    swap = {query_terms(placeholder, prefix=prefix): query_terms(text, prefix=prefix) for prefix in (True, False)}
    with connections[database].cursor() as cursor:
        cursor.execute(sql, [swap.get(param, param) if isinstance(param, str) else param for param in params])
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def with_snippet(queryset: QuerySet, text: str, *fields: str) -> QuerySet:
    """Adds `snippet_source`, the passage of the fields (HTML or plain text, read as one
    text) around the matches of `text`; turn it into HTML with `snippet()`."""
    source = F(fields[0]) if len(fields) == 1 else Func(Value(" "), *map(F, fields), function="concat_ws")
    plain = Func(source, Value("<[^>]+>"), Value(" "), Value("g"), function="regexp_replace")
    return queryset.annotate(
        snippet_source=Func(
            SearchConfig(CONFIG),
            plain,
            search_query(text),
            Value(HEADLINE_OPTIONS),
            function="ts_headline",
            output_field=models.TextField(),
        )
    )


def snippet(source: str) -> SafeString:
    """ts_headline's passage as safe HTML: entities decoded, everything escaped, the
    matches in <mark>."""
    text = escape(" ".join(unescape(source).split()))
    return mark_safe(text.replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>"))
