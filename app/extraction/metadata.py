"""Source metadata that the text itself carries: headline and publisher. None when absent."""

from __future__ import annotations

import re

from app.extraction import dates
from app.extraction.context import ArticleContext

_NAME = r"[A-Z][\w.&'’\-]*(?:\s+[A-Z][\w.&'’\-]*){0,3}"
# In order of trust: an explicit source line beats a wire dateline, which beats a credit.
_PUBLISHER_CUES = (
    re.compile(
        r"^\s*(?:Source|Sources|Via)\s*[»:>|\-–—]+\s*(?P<pub>\S[^\r\n]{0,60}?)\s*$", re.MULTILINE
    ),
    # (`Based(?<!\wBased)` is `\bBased` starting with its letters, so that the regex engine
    # searches for them in C rather than trying the pattern at every position of the article)
    re.compile(
        rf"Based(?<!\wBased)\s+on\s+(?:the\s+)?materials\s+(?:from|of|by)\s+(?P<pub>{_NAME})"
    ),
    re.compile(rf",\s+(?P<pub>{_NAME})\s+reports?\.", re.MULTILINE),
    re.compile(rf",\s+reports?\s+(?P<pub>{_NAME})\.", re.MULTILINE),
    re.compile(r"\A[^\r\n]{0,80}?\((?P<pub>[A-Z][\w.&\- ]{1,25})\)\s*[-–—]"),
    re.compile(r"\A[^\r\n]{0,80}?/(?P<pub>[A-Z][A-Za-z\-]{1,15})/"),
    re.compile(r"\b(?:told|said\s+to|in\s+an\s+interview\s+with)\s+(?P<pub>[A-Z]{2,}[\w.]*)\b"),
)
_CREDIT = re.compile(r"\.\s*(?P<pub>[A-Z][\w.&\-]*(?:\s+[A-Z][\w.&\-]*){0,2})\s*$")
_PHOTO = re.compile(r"^\s*(?:photo|image|picture|credit|video)\b", re.IGNORECASE)
_HEADER = re.compile(r"\A\s*date\s+\d{4}-\d{2}-\d{2}[ \t]*")
_DATELINE = re.compile(r"\A[A-Z][A-Z .'\-]{2,},")


def publisher(ctx: ArticleContext) -> str | None:
    """The outlet named by a cue: "…, Trend reports", "Based on materials from TASS",
    "Source » jpost", "(Reuters) -", "told ASTNA", or a caption credit."""
    text = ctx.text
    for pattern in _PUBLISHER_CUES:
        m = pattern.search(text)
        if m is not None:
            return m.group("pub").strip().rstrip(".")
    for p_start, p_end in ctx.paragraphs[:3]:
        found = dates.find_dates(text, p_start, p_end)
        if not found:
            continue
        m = _CREDIT.search(text, found[-1].end, p_end)
        if m is not None:
            return m.group("pub")
    return None


def title(ctx: ArticleContext) -> str | None:
    """The headline: a short first line that is not a date, a dateline, a caption or body."""
    text = ctx.text
    header = _HEADER.match(text)
    for p_start, p_end in ctx.paragraphs[:4]:
        if header is not None and p_start < header.end():
            p_start = header.end()
            if p_start >= p_end:
                continue
        line = text[p_start:p_end].strip()
        if not line:
            continue
        words = line.split()
        found = dates.find_dates(text, p_start, p_end)
        if found and len(words) <= 8:
            continue  # a date line
        if _PHOTO.match(line):
            continue
        if found and found[-1].year_known and _CREDIT.search(text, found[-1].end, p_end):
            continue  # a photo caption: "… October 14, 2024. IRNA"
        if _DATELINE.match(line) or len(words) > 30:
            return None  # the body starts: no headline
        quoted_line = line[:1] in "\"“«‘'" and line[-1:] in "\"”»’'"
        if quoted_line and len(words) <= 30:
            return line  # a quoted headline: "“… is ineffective”"
        colon = re.search(r":\s*[\"“«‘']", line)
        if len(words) > 20 or (colon and len(line[: colon.start()].split()) > 4):
            return None  # `X said: "…"` is body text; `Kanaani: "…"` is a headline
        if len(words) >= 2 and not line.endswith((".", ",", ":", ";")):
            return line
        return None
    return None
