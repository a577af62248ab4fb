# ruff: noqa: S608 — the SQL built here interpolates only fixed table and column names and
# integer boosts; every value that comes from a query is a parameter.
"""The public site search: pages found for a query, best first, Chinese included.

Wagtail's own search cannot split Chinese, so the query and the pages are split the same
way as the needs search splits them (``matching.text``: overlapping bigrams for Chinese,
words for the rest) and matched with SQLite FTS5 or PostgreSQL full-text search over the
index ``SiteSearchEntry`` (``cms.search_index``). A page's score:

=========================================  ======
the page …                                 points
=========================================  ======
holds a part of the query in its title     20 a part (a whitespace-separated word)
holds every part in its title (2+ parts)    8
holds a part as typed anywhere              6 a part
holds a token of the query anywhere         1 a token
=========================================  ======

A page must hold most of the query's tokens (two of two, two of three, three of four, …)
to be found at all, so that bigrams meeting by accident do not bring in everything.
A title match outranks any body match; ties go to the newest.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from cms.models import SiteSearchEntry
from cms.models.bilingual import english
from matching.text import CJK, normalise, tokens
from organisations.selectors import organisations_may_act

MAX_QUERY_LENGTH = 200
MAX_PARTS = 8
MAX_TOKENS = 32
PER_PAGE = 10
MAX_PAGE = 100  # nobody reads page 101 of a site search; a bound on the OFFSET
SNIPPET_LENGTH = 160
ORGANISATIONS_SHOWN = 5

TITLE_PART, ALL_PARTS_IN_TITLE, PART, TOKEN = 20, 8, 6, 1
_CJK_RUN = re.compile(f"[{CJK}]{{2,}}")


@dataclass(frozen=True)
class SiteQuery:
    text: str  # what was searched: the query as typed, cut to MAX_QUERY_LENGTH
    parts: tuple[tuple[str, ...], ...]  # each whitespace-separated part's tokens
    truncated: bool = False
    runs: tuple[str, ...] = ()  # the query's runs of Chinese characters, normalised (to mark)

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for part in self.parts for t in part))[:MAX_TOKENS]

    @property
    def required(self) -> int:
        """How many distinct tokens a page must hold: most of them."""
        n = len(self.tokens)
        return max(min(n, 2), math.floor(n * 0.75))

    @property
    def words(self) -> list[str]:
        """The parts as typed (for the directory's substring match)."""
        return [w for w in self.text.split() if tokens(w)][:MAX_PARTS]


def parse_query(raw: str) -> SiteQuery | None:
    """The query, or None when it holds nothing to search for (empty, or only
    punctuation): the page then asks for a word rather than finding everything."""
    raw = (raw or "").replace("\x00", "").strip()
    truncated = len(raw) > MAX_QUERY_LENGTH
    text = raw[:MAX_QUERY_LENGTH]
    parts = tuple(p for p in (tuple(tokens(chunk)) for chunk in text.split()) if p)[:MAX_PARTS]
    if not parts:
        return None
    runs = tuple(dict.fromkeys(_CJK_RUN.findall(normalise(text))))
    return SiteQuery(text=text, parts=parts, truncated=truncated, runs=runs)


# --- Matching -------------------------------------------------------------------------


def _tsquery(toks, operator: str) -> str:
    # Tokens are letters and digits only (matching.text), quoted all the same.
    return f" {operator} ".join("'" + t.replace("'", "''") + "'" for t in toks)


def _match(toks: tuple[str, ...], *, column: str, phrase: bool) -> tuple[str, list]:
    """A SELECT of the ids (``id``) of entries whose column holds the tokens: as a phrase
    (consecutive, in order) or all of them anywhere."""
    # A lone Chinese character is indexed as itself only where it stands alone; inside a
    # run it is the start of a bigram (审 of 审核), so it is looked for as a prefix.
    prefix = len(toks) == 1 and len(toks[0]) == 1 and _is_cjk(toks[0])
    if connection.vendor == "postgresql":
        vector = {"title_tokens": "title_vector", "tokens": "tokens_vector"}[column]
        query = _tsquery(toks, "<->" if phrase else "&") + (":*" if prefix else "")
        return (
            f"SELECT page_id AS id FROM cms_sitesearchentry WHERE {vector} @@ to_tsquery('simple'::regconfig, %s)",
            [query],
        )
    # FTS5: a column filter, then a phrase or an AND of one-token phrases.
    inner = f'"{" ".join(toks)}"' if phrase else " AND ".join(f'"{t}"' for t in toks)
    inner += "*" if prefix else ""
    return (
        "SELECT rowid AS id FROM cms_sitesearch_fts WHERE cms_sitesearch_fts MATCH %s",
        [f"{column} : ({inner})"],
    )


def _scored(query: SiteQuery) -> tuple[str, list]:
    """One SELECT of (id, score) for the entries holding enough of the query's tokens."""
    parts: list[str] = []
    params: list = []

    def add(sql_params: tuple[str, list], token: int, points: int) -> None:
        sql, ps = sql_params
        parts.append(f"SELECT id, {int(token)} AS tok, {int(points)} AS pts FROM ({sql}) m{len(parts)}")
        params.extend(ps)

    for token in query.tokens:
        add(_match((token,), column="tokens", phrase=True), 1, TOKEN)
    for part in query.parts:
        add(_match(part, column="title_tokens", phrase=True), 0, TITLE_PART)
        add(_match(part, column="tokens", phrase=True), 0, PART)
    if len(query.parts) > 1:
        add(_match(query.tokens, column="title_tokens", phrase=False), 0, ALL_PARTS_IN_TITLE)
    sql = (
        "SELECT id, SUM(pts) AS score FROM (" + " UNION ALL ".join(parts) + ") h "
        f"GROUP BY id HAVING SUM(tok) >= {int(query.required)}"
    )
    return sql, params


@dataclass
class Result:
    page: Page
    url: str
    title: SafeString
    title_lang: str
    snippet: SafeString
    snippet_lang: str
    kind: str
    date: date | None
    score: int


@dataclass
class SiteSearchResults:
    query: SiteQuery | None
    results: list[Result] = field(default_factory=list)
    total: int = 0
    page: int = 1
    organisations: list = field(default_factory=list)
    organisations_total: int = 0

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / PER_PAGE)))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.results else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * PER_PAGE + len(self.results)


def page_number(raw) -> int:
    try:
        number = int(str(raw or "1").strip()[:6])
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def site_search(*, text: str, page: int = 1, request=None) -> SiteSearchResults:
    """The live, public pages (and vetted organisations) found for ``text``, one page of
    them, best first. Never raises for what a person may type."""
    query = parse_query(text)
    page = min(max(page, 1), MAX_PAGE)
    if query is None:
        return SiteSearchResults(query=None, page=page)
    scored_sql, params = _scored(query)
    order = "s.score DESC, e.date DESC NULLS LAST, e.page_id DESC"
    statement = (
        f"SELECT s.id, s.score, COUNT(*) OVER () FROM ({scored_sql}) s "
        f"JOIN cms_sitesearchentry e ON e.page_id = s.id ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, PER_PAGE, (page - 1) * PER_PAGE])
        rows = cursor.fetchall()
    total = rows[0][2] if rows else 0
    if not rows and page > 1:  # past the last page (an old link): the last page there is
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({scored_sql}) s", params)
            total = cursor.fetchone()[0]
        if total:
            return site_search(text=text, page=math.ceil(total / PER_PAGE), request=request)
    results = _results(query, rows, request)
    organisations, organisations_total = _organisations(query) if page == 1 else ([], 0)
    return SiteSearchResults(
        query=query,
        results=results,
        total=total,
        page=page,
        organisations=organisations,
        organisations_total=organisations_total,
    )


def _results(query: SiteQuery, rows, request) -> list[Result]:
    ids = [r[0] for r in rows]
    entries = SiteSearchEntry.objects.in_bulk(ids)
    # The index follows publishing, but what is shown is checked again: only live,
    # public pages, whatever the index says.
    pages = {p.pk: p for p in Page.objects.live().public().filter(pk__in=ids).specific()}
    needles = _needles(query)
    out = []
    for page_id, score, _total in rows:
        entry, page = entries.get(page_id), pages.get(page_id)
        if entry is None or page is None:
            continue
        url = page.get_url(request)
        if not url:  # not routable in any site
            continue
        title, title_lang = _in_language(entry.title, entry.title_en)
        texts = (
            [(entry.text_en, ""), (entry.text, "zh-Hans")] if english() else [(entry.text, ""), (entry.text_en, "en")]
        )
        snippet, snippet_lang = _snippet(texts, needles)
        out.append(
            Result(
                page=page,
                url=url,
                title=highlight(title, needles, length=None),
                title_lang=title_lang,
                snippet=snippet,
                snippet_lang=snippet_lang,
                kind=str(page.specific_class._meta.verbose_name),
                date=entry.date,
                score=int(score),
            )
        )
    return out


def _in_language(chinese: str, english_text: str) -> tuple[str, str]:
    """The text in the reader's language and its ``lang`` when it differs from the page's."""
    if english():
        return (english_text, "") if english_text else (chinese, "zh-Hans")
    return chinese, ""


def _snippet(texts: list[tuple[str, str]], needles: re.Pattern | None) -> tuple[SafeString, str]:
    """A snippet of the first text (in the reader's language first) where the query is
    found, else the start of the reader's text."""
    for text, lang in texts:
        if text and needles is not None and needles.search(_normalised(text)[0]):
            return highlight(text, needles), lang
    for text, lang in texts:
        if text:
            return highlight(text, None), lang
    return mark_safe(""), ""


# --- Snippets -------------------------------------------------------------------------


def _needles(query: SiteQuery) -> re.Pattern | None:
    """What to mark in a text: each run of Chinese as typed (normalised), and each token;
    Latin words whole (the index has no stemming, so neither has the marking)."""
    pieces = set(query.runs) | set(query.tokens)
    if not pieces:
        return None
    alternatives = []
    for piece in sorted(pieces, key=len, reverse=True):
        escaped = re.escape(piece)
        alternatives.append(escaped if _is_cjk(piece) else rf"(?<![0-9a-z]){escaped}(?![0-9a-z])")
    return re.compile("|".join(alternatives))


def _is_cjk(token: str) -> bool:
    return bool(token) and not token[0].isascii()


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as matching.text normalises it, and for each of its characters the
    position of the character it came from (NFKC may change the length)."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for c in normalise(ch):
            chars.append(c)
            origin.append(i)
    return "".join(chars), origin


def highlight(text: str, needles: re.Pattern | None, *, length: int | None = SNIPPET_LENGTH) -> SafeString:
    """``text`` escaped, the matches wrapped in ``<mark>``; cut to about ``length``
    characters around the first match (with … where cut)."""
    text = " ".join((text or "").split())
    spans: list[tuple[int, int]] = []
    if needles is not None:
        norm, origin = _normalised(text)
        # A bigram of a part joined (审核) and a single token overlap: merge the spans.
        for m in needles.finditer(norm):
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
    begin, finish = 0, len(text)
    if length is not None and len(text) > length:
        begin = max(0, spans[0][0] - length // 4) if spans else 0
        finish = min(len(text), begin + length)
        begin = max(0, finish - length)
    out: list[str] = ["…"] if begin > 0 else []
    cursor = begin
    for start, end in spans:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        out.append(escape(text[cursor:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    out.append(escape(text[cursor:finish]))
    if finish < len(text):
        out.append("…")
    return mark_safe("".join(out))  # noqa: S308 — every piece of text is escaped above


# --- The directory ----------------------------------------------------------------------


def _organisations(query: SiteQuery) -> tuple[list, int]:
    """Organisations in the public directory (exactly those that may act today) whose
    name or description holds every word of the query, names first. Read at query time:
    an approval lapses with the clock, which no index would follow."""

    words = query.words
    if not words:
        return [], 0
    condition = Q()
    for word in words:
        condition &= Q(legal_name__icontains=word) | Q(description__icontains=word)
    found = organisations_may_act().filter(condition)
    in_name = Q()
    for word in words:
        in_name &= Q(legal_name__icontains=word)
    ranked = found.annotate(
        in_name=Case(When(in_name, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-in_name", "legal_name", "pk")
    return list(ranked.only("pk", "legal_name", "kind", "description")[:ORGANISATIONS_SHOWN]), found.count()
