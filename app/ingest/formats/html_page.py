"""HTML pages: the main text and the page's own metadata, extracted with trafilatura."""

import re
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from app.errors import Problem
from app.ingest.formats.encoding import bom_encoding, decode, is_known_encoding

_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_WORD = re.compile(r"\w")
_HTML_LANG = re.compile(
    r"""<html\b[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)""", re.I
)


@dataclass(frozen=True)
class Page:
    text: str
    # What the page says about itself; None where it says nothing.
    title: str | None
    published_on: str | None
    url: str | None
    site_name: str | None
    language: str | None


def read(path: Path, raw: bytes, encoding: str | None) -> tuple[Page | None, list[Problem]]:
    """The page's main text (navigation, scripts, styles and comments dropped) and metadata."""
    if encoding is None and bom_encoding(raw) is None:
        # A page in a legacy encoding usually says which; honour that before refusing it.
        declared = _DECLARED_CHARSET.search(raw[:4096])
        if declared is not None:
            name = declared.group(1).decode("ascii")
            if is_known_encoding(name):
                encoding = name
    html, problems = decode(path, raw, encoding)
    if html is None:
        return None, problems
    if not html.strip():
        return None, [Problem(path, 1, "article is empty")]
    document = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Only dates the page states (meta tags, time elements), never a guess from its text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = getattr(document, "text", None) or ""
    # Markup too broken to parse comes back as its own debris ("<<<>>><"): no word, no article.
    if not _WORD.search(text):
        reason = "no article text found in the page (only markup, scripts or navigation?)"
        return None, [Problem(path, 1, reason)]
    language = _HTML_LANG.search(html[:4096])
    return (
        Page(
            text=text,
            title=_clean(getattr(document, "title", None)),
            published_on=_clean(getattr(document, "date", None)),
            url=_clean(getattr(document, "url", None)),
            site_name=_clean(getattr(document, "sitename", None)),
            language=language.group(1) if language else None,
        ),
        [],
    )


def _clean(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()
