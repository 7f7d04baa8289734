"""Dates: when an article was published and when its statements were made.

Date expressions are found with a pattern built from python-dateutil's own month and
weekday names and parsed with dateutil. Nothing is invented: a date without a year takes
its year only from the article's other dates, otherwise it stays unknown.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateutil import parser as dateutil_parser

from app.extraction.context import ArticleContext
from app.extraction.quotes import Quote

_INFO = dateutil_parser.parserinfo()
_MONTH = "|".join(
    sorted({n for names in dateutil_parser.parserinfo.MONTHS for n in names}, key=len, reverse=True)
)
_WEEKDAY_NAMES = {
    name.lower(): index
    for index, names in enumerate(dateutil_parser.parserinfo.WEEKDAYS)
    for name in names
}
# Full names only: "Sat", "Sun" and "Wed" are also ordinary words.
_WEEKDAY = "|".join(names[-1] for names in dateutil_parser.parserinfo.WEEKDAYS)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<dmy>\d{{1,2}}{_ORD}\s+(?:of\s+)?(?:{_MONTH})\.?(?:,?\s+(?P<y1>\d{{4}}))?)"
    rf"|(?P<mdy>(?:{_MONTH})\.?\s+\d{{1,2}}{_ORD}(?!\d)(?:,?\s+(?P<y2>\d{{4}}))?))\b",
)
_HEADER = re.compile(r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\b")
_DATELINE = re.compile(
    rf"\A[A-Z][A-Z .'\-]+,(?:\s+[A-Z][\w .'\-]*,)?\s+(?P<date>(?:{_MONTH})\.?\s+\d{{1,2}}"
    rf"(?:,?\s+\d{{4}})?|\d{{1,2}}\s+(?:{_MONTH})(?:\s+\d{{4}})?)",
)
_DATE_LABEL = re.compile(
    r"\A\s*(?:first\s+)?(?:published|updated|posted|last\s+updated|date)\s*(?:on\b|:)?\s*",
    re.IGNORECASE,
)
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)\s*(?P<year>(?:19|20)\d{2})", re.IGNORECASE)
_RELATIVE = re.compile(
    rf"\b(?:(?P<yesterday>[Yy]esterday)|(?P<today>[Tt]oday|[Tt]onight|this\s+morning"
    rf"|this\s+afternoon|this\s+evening|earlier\s+today)|(?P<last>[Ll]ast\s+)?(?:[Oo]n\s+)?(?P<weekday>{_WEEKDAY})\b"
    rf"(?!\s*,?\s*(?:{_MONTH})\b))",
)
_VAGUE = re.compile(
    r"\b(?:last\s+(?:week|month|year)|earlier\s+this\s+(?:week|month|year)|this\s+(?:week|month"
    r"|year)|recently|(?:days|weeks|months|years)\s+(?:ago|earlier)|in\s+(?:19|20)\d{2}"
    r"|previously|in\s+the\s+past|at\s+the\s+time)\b",
    re.IGNORECASE,
)
# Words showing that a sentence reports the words (so its date is when they were said).
_SPEECH_CUE = re.compile(
    r"\b(?:said|says|told|stated|statement|remarks?|speech|interview|declared|added|noted"
    r"|stressed|made|quoted|wrote|posted|announced|press\s+conference|briefing|meeting)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundDate:
    """A date expression in the text; `year_known` is False for "November 21"."""

    value: date
    year_known: bool
    start: int
    end: int


# A pure function of the expression, and dateutil's parse is slow (two per expression): an
# article meets the same few dates again and again (the dateline, the headline, the sentences),
# and so does a corpus.
@lru_cache(maxsize=4096)
def _parse(expression: str) -> tuple[date, bool] | None:
    """Parse with dateutil; report whether the year was written."""
    try:
        # Only the calendar day is used: a time zone name dateutil doesn't know ("BST")
        # is irrelevant here and must not print a warning into the ingest's output.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            a = dateutil_parser.parse(expression, default=datetime(2000, 1, 1), parserinfo=_INFO)
            b = dateutil_parser.parse(expression, default=datetime(2001, 2, 2), parserinfo=_INFO)
    except (ValueError, OverflowError):
        return None
    if a.month != b.month or a.day != b.day:
        return None  # month or day missing: not a day-precise date
    return a.date(), a.year == b.year


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[FoundDate]:
    """Day-precise date expressions in text[start:end]."""
    out = []
    for m in _DATE.finditer(text, start, len(text) if end is None else end):
        parsed = _parse(m.group().replace("of ", ""))
        if parsed is not None:
            out.append(FoundDate(parsed[0], parsed[1], m.start(), m.end()))
    return out


def published_on(ctx: ArticleContext) -> date | None:
    """Publication date from a ` date YYYY-MM-DD ` header, a date line, a dateline or a
    caption date; None when the text does not say."""
    text = ctx.text
    m = _HEADER.match(text)
    if m is not None:
        parsed = _parse(m.group("date"))
        if parsed is not None:
            return parsed[0]
    head = ctx.paragraphs[:6]
    # A paragraph that is only a date: "17 April 2023".
    for p_start, p_end in head:
        line = _DATE_LABEL.sub("", text[p_start:p_end])
        if len(line.split()) <= 7 and any(c.isdigit() for c in line):
            in_line = find_dates(text, p_start, p_end)
            if in_line and in_line[0].year_known and _only_date(line):
                return in_line[0].value
    # A dateline: "BAKU, Azerbaijan, November 21." (a year only if the text gives one)
    if head:
        first_start = m.end() if m is not None else head[0][0]
        dl = _DATELINE.match(text[first_start:].lstrip())
        if dl is not None:
            parsed = _parse(dl.group("date"))
            if parsed is not None:
                if parsed[1]:
                    return parsed[0]
                year = _context_year(text)
                if year is not None:
                    return parsed[0].replace(year=year)
                return None
    # A caption or by-line date with its year: "… Karimli.October 14, 2024. NORPRESS"
    for p_start, p_end in head[:3]:
        for found in find_dates(text, p_start, p_end):
            rest = text[found.end : p_end]
            if found.year_known and len(rest.split()) <= 4:
                return found.value
    return None


def _only_date(line: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            dateutil_parser.parse(line, fuzzy=False)
    except (ValueError, OverflowError):
        return False
    return True


def _context_year(text: str) -> int | None:
    m = _COPYRIGHT_YEAR.search(text)
    return int(m.group("year")) if m else None


def said_on(
    ctx: ArticleContext,
    quote: Quote,
    attribution_start: int | None,
    published: date | None,
) -> date | None:
    """When the quoted words were said: a date or relative day near the attribution,
    else the publication date for news reported as current; None when it is unclear."""
    text = ctx.text
    sentences = ctx.sentences
    here = ctx.sentence_index(quote.open_mark)
    spans = [sentences[here]]
    if attribution_start is not None:
        other = ctx.sentence_index(attribution_start)
        if other != here:
            spans.append(sentences[other])
    # The sentence that introduced the speaker often carries the day: "This statement was
    # made on Monday by ...". Only a sentence about speaking counts, not about other events.
    p_start = ctx.paragraphs[ctx.paragraph_index(quote.open_mark)][0]
    if here > 0 and not text[p_start : quote.open_mark].strip(" \t-–—"):
        prev = sentences[here - 1]
        if _SPEECH_CUE.search(_outside_quotes(ctx, *prev)):
            spans.append(prev)
    for s_start, s_end in spans:
        plain = _outside_quotes(ctx, s_start, s_end)
        resolved = _resolve_in(plain, published)
        if resolved is not None:
            return resolved.value
        if _VAGUE.search(plain):
            return None
    return published


@dataclass(frozen=True)
class _Resolved:
    value: date | None


def _outside_quotes(ctx: ArticleContext, start: int, end: int) -> str:
    """text[start:end] with quoted words blanked out (same length)."""
    text = ctx.text
    pieces = []
    pos = start  # text[start:pos] is done
    for q_start, q_end in ctx.quoted_between(start, end):
        blank_start, blank_end = max(q_start, pos), min(q_end, end)
        if blank_end <= blank_start:
            continue
        pieces.append(text[pos:blank_start])
        pieces.append(" " * (blank_end - blank_start))
        pos = blank_end
    pieces.append(text[pos:end])
    return "".join(pieces)


def _resolve_in(plain: str, published: date | None) -> _Resolved | None:
    """The first day-precise date in `plain`, relative days resolved against `published`."""
    candidates: list[tuple[int, date | None]] = []
    for found in find_dates(plain):
        if found.year_known:
            candidates.append((found.start, found.value))
        elif published is not None:
            value = found.value.replace(year=published.year)
            if value > published:
                value = value.replace(year=published.year - 1)
            candidates.append((found.start, value))
        else:
            candidates.append((found.start, None))
    for m in _RELATIVE.finditer(plain):
        if published is None:
            candidates.append((m.start(), None))
        elif m.group("yesterday"):
            candidates.append((m.start(), published - timedelta(days=1)))
        elif m.group("today"):
            candidates.append((m.start(), published))
        else:
            weekday = _WEEKDAY_NAMES[m.group("weekday").lower()]
            back = (published.weekday() - weekday) % 7
            if m.group("last") and back == 0:
                back = 7
            candidates.append((m.start(), published - timedelta(days=back)))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    return _Resolved(candidates[0][1])
