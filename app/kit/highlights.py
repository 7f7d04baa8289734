"""What a search adds to a list item: a snippet, a score and the spans of the matched words."""

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

from app.kit.names import match_key
from app.kit.schemas import Highlight

_OPERATORS = {"and", "or", "not", "near"}
_SUFFIXES = ("ing", "ed", "es", "s")
_WORD = re.compile(r"\w+", re.UNICODE)


def _stem(word: str) -> str:
    # A rough English stem, enough to light up "accused" for q=accuses as the index matched.
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def query_terms(q: str) -> list[str]:
    """The words of `q` as folded stems (operators and punctuation dropped)."""
    terms = []
    for word in _WORD.findall(q):
        key = match_key(word)
        if key and key not in _OPERATORS:
            terms.append(_stem(key))
    return terms


def highlight_spans(text: str, terms: Sequence[str], limit: int = 50) -> list[tuple[int, int]]:
    """[start, end) of each word of `text` that the search terms match, at most `limit`."""
    if not terms:
        return []
    if text.isascii() and "_" not in text:
        # Each word's match key is then its lower-case self: the words that start with a
        # term are found by str.find, in C (a page's highlights took a tenth of a search's
        # CPU, word by word through match_key; profiled at 1M). A term of two words (a query
        # word with "_" in it) starts no word.
        lowered = text.lower()
        starts: dict[int, int] = {}
        for term in terms:
            if " " in term:
                continue
            at = lowered.find(term)
            while at != -1:
                if at == 0 or not lowered[at - 1].isalnum():
                    word = _WORD.match(lowered, at)
                    starts[at] = word.end() if word else at + len(term)
                at = lowered.find(term, at + 1)
        return sorted(starts.items())[:limit]
    return spans_word_by_word(text, terms, limit)


def spans_word_by_word(text: str, terms: Sequence[str], limit: int = 50) -> list[tuple[int, int]]:
    """`highlight_spans` for any text: each word folded (Pezeşkian -> pezeshkian) and tested."""
    spans = []
    for match in _WORD.finditer(text):
        word = match_key(match.group())
        if any(word.startswith(term) for term in terms):
            spans.append((match.start(), match.end()))
            if len(spans) >= limit:
                break
    return spans


# How many texts' spans under one search's terms are kept (a few hundred bytes each): a
# search's page asked again (the next client, the same first page) found the same spans in
# the same texts, ~2.5 us a field, 0.2-0.25 ms of a page of 50 (profiled at 1M). A pure
# function of its arguments: nothing to forget when the data changes.
_KEPT_SPANS = 16_384


@functools.lru_cache(maxsize=_KEPT_SPANS)
def _kept_spans(text: str, terms: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    return tuple(highlight_spans(text, terms))


class Hit(NamedTuple):
    """What a search adds to a list item: snippet, score and the terms to highlight.

    A named tuple: a page makes one per item, and a frozen dataclass's construction (each
    field set through object.__setattr__) was ~0.5 us of each (profiled)."""

    snippet: str | None = None
    score: float | None = None
    terms: tuple[str, ...] = ()

    def spans(self, **fields: str | None) -> list[Highlight] | None:
        if not self.terms:
            return None
        return [
            Highlight(field=name, start=start, end=end)
            for name, value in fields.items()
            if value
            for start, end in _kept_spans(value, self.terms)
        ]


NO_HIT = Hit()


def hit_fields(hit: Hit, *, offset: int | None = None, **fields: str | None) -> dict[str, Any]:
    """What a search adds to a plain list item, as its model would serialise it (snippet,
    score, highlights over `fields`; `offset`: where the text sits in its source, as
    `highlight_items_at`). The highlights' dicts may be shared: never change them."""
    # A float field serialises an int score as 1.0: the same here.
    score = None if hit.score is None else float(hit.score)
    if offset is None:
        highlights = highlight_items(hit, **fields)
    else:
        highlights = highlight_items_at(hit, offset, **fields)
    return {"snippet": hit.snippet, "score": score, "highlights": highlights}


def highlight_items(hit: Hit, **fields: str | None) -> list[dict[str, Any]] | None:
    """`hit.spans(...)` as plain dicts in Highlight's JSON shape (PlainPage's items), kept
    per field, text and terms and shared between pages: read, never changed."""
    if not hit.terms:
        return None
    items: list[dict[str, Any]] = []
    for name, value in fields.items():
        if value:
            items += _kept_items(name, value, hit.terms)
    return items


def highlight_items_at(hit: Hit, offset: int, **fields: str | None) -> list[dict[str, Any]] | None:
    """`highlight_items` of a text that sits at `offset` in its source: each span also as
    `source_start`/`source_end` there (a statement's quote), in dicts of its own."""
    if not hit.terms:
        return None
    return [
        {
            "field": name,
            "start": start,
            "end": end,
            "source_start": offset + start,
            "source_end": offset + end,
        }
        for name, value in fields.items()
        if value
        for start, end in _kept_spans(value, hit.terms)
    ]


@functools.lru_cache(maxsize=_KEPT_SPANS)
def _kept_items(name: str, text: str, terms: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    # A page of 50 items made ~100 of these dicts on every request (profiled at 1M).
    return tuple(
        {"field": name, "start": start, "end": end, "source_start": None, "source_end": None}
        for start, end in _kept_spans(text, terms)
    )


@functools.lru_cache(maxsize=_KEPT_SPANS)
def _kept_fields_items(
    fields: tuple[tuple[str, str | None], ...], terms: tuple[str, ...]
) -> tuple[dict[str, Any], ...]:
    # An item's fields kept together: joining each field's kept items into a list of the
    # item's own cost a page of 50 ~24 us, against ~7 us (measured, texts read anew).
    return tuple(
        item for name, value in fields if value for item in _kept_items(name, value, terms)
    )


SEARCH_FIELDS = {"snippet", "score", "highlights"}


class Found(NamedTuple):
    """What a search found in a page's rows, by row id, for items built in one pass
    (`hits` builds a Hit per item instead): a row in neither `snippets` nor `scores` is
    one the search did not find, as NO_HIT says."""

    snippets: dict[int, str]
    scores: dict[int, float]
    terms: tuple[str, ...]

    def highlights(self, *fields: tuple[str, str | None]) -> tuple[dict[str, Any], ...] | None:
        """`highlight_items` over (name, text) pairs, for a row the search found (written as
        the same JSON array; shared between pages, as its dicts are)."""
        if not self.terms:
            return None
        return _kept_fields_items(fields, self.terms)


def found(listing: "Searched", q: str | None) -> Found:
    """What the search `q` found in the listing's page (nothing without q)."""
    if not q:
        return Found({}, {}, ())
    return Found(listing.snippets, listing.scores, _kept_terms(q))


@functools.lru_cache(maxsize=1024)
def _kept_terms(q: str) -> tuple[str, ...]:
    return tuple(query_terms(q))


def hits(q: str | None, snippets: dict[int, str], scores: dict[int, float]) -> dict[int, Hit]:
    """One Hit per item id of a searched page (empty without q)."""
    if not q:
        return {}
    terms = tuple(query_terms(q))
    ids = set(snippets) | set(scores)
    return {i: Hit(snippets.get(i), scores.get(i), terms) for i in ids}


T = TypeVar("T")


class Searched(Protocol):
    """A service's listing: one window of rows and, with q, their snippets and scores."""

    @property
    def window(self) -> Any: ...
    @property
    def snippets(self) -> dict[int, str]: ...
    @property
    def scores(self) -> dict[int, float]: ...


def searched(listing: Searched, q: str | None, read: Callable[[Any, Hit], T]) -> list[T]:
    """The listing's rows as items, each with what the search found in it."""
    found = hits(q, listing.snippets, listing.scores)
    return [read(row, found.get(row.id, NO_HIT)) for row in listing.window.items]
