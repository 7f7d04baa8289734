"""Offset-preserving views of an article: folded copy, tokens, paragraphs and sentences.

Nothing here changes the article. Every function returns spans into the original string,
because a statement's offsets must index the article exactly as it was published.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from app.kit.names import fold as fold  # re-exported: the passes fold through text
from app.kit.names import fold_char

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

# Folding is the kit's (app/kit/names.py): extraction and actor matching must agree on when
# two spellings are the same name.


@dataclass(frozen=True)
class Folded:
    """A folded copy of a text plus, for each folded character, its index in the original."""

    text: str
    origin: tuple[int, ...] | None  # None when folding kept every index

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the folded [start, end)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def fold_with_offsets(text: str) -> Folded:
    """Fold `text` and remember where every folded character came from."""
    if text.isascii():
        return Folded(text.lower(), None)
    # As fold(): only the non-ASCII runs are folded in Python, the rest is lowered in C; and
    # the origin map is built from the few characters that fold to more than one.
    pieces: list[str] = []
    wide: list[tuple[int, int]] = []  # (index, folded length) of each character that widens
    pos = 0
    for run in _NON_ASCII.finditer(text):
        start = run.start()
        pieces.append(text[pos:start])
        for i, char in enumerate(run.group(), start):
            folded_char = fold_char(char)
            pieces.append(folded_char)
            if len(folded_char) != 1:
                wide.append((i, len(folded_char)))
        pos = run.end()
    pieces.append(text[pos:])
    folded = "".join(pieces).lower()
    if len(folded) == len(text):
        return Folded(folded, None)
    origin: list[int] = []
    pos = 0
    for i, width in wide:
        origin.extend(range(pos, i))
        origin.extend([i] * width)
        pos = i + 1
    origin.extend(range(pos, len(text)))
    return Folded(folded, tuple(origin))


class Token(NamedTuple):
    """A word of the article: `key` is its folded form, start/end index the original."""

    key: str
    start: int
    end: int


_WORD = re.compile(r"[a-z0-9]+")


# Token's own __new__ is Python code; tuple.__new__ bound to the class builds the same tuple in C
# (an article has hundreds of tokens, tokenized once per article).
_new_token = partial(tuple.__new__, Token)


def tokenize(text: str) -> tuple[Token, ...]:
    """Alphanumeric words of `text`, folded, with original offsets."""
    folded = fold_with_offsets(text)
    origin = folded.origin
    if origin is None:
        return tuple(
            [_new_token((m.group(), m.start(), m.end())) for m in _WORD.finditer(folded.text)]
        )
    return tuple(
        [
            _new_token((m.group(), origin[m.start()], origin[m.end() - 1] + 1))
            for m in _WORD.finditer(folded.text)
        ]
    )


def word_keys(text: str) -> tuple[str, ...]:
    """The folded words of a short string, for dictionary keys."""
    return tuple(_WORD.findall(fold(text)))


_LINE = re.compile(r"[^\r\n]+")


def paragraph_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Non-blank lines, without surrounding whitespace; any of \\n, \\r\\n, \\r ends a line."""
    spans = []
    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return tuple(spans)


# Words whose trailing period does not end a sentence. General English news usage.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj brig capt cmdr adm sgt rep sen gov pres st jr sr rev
    no nos vs etc inc co corp ltd dept est fig approx jan feb mar apr jun jul aug sep sept
    oct nov dec mt ft u.s u.k u.n e.g i.e a.m p.m""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s)|\r\n|\n|\r")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def sentence_spans(
    text: str, protected: Sequence[tuple[int, int]] = ()
) -> tuple[tuple[int, int], ...]:
    """Sentences of `text`; no sentence boundary is placed inside a `protected` span."""
    boundaries: list[int] = []
    spans_sorted = sorted(protected)
    for m in _SENTENCE_END.finditer(text):
        pos = m.start()
        # A quotation's own sentence ends do not end the sentence around it, unless its
        # closing mark is part of this end (`... "We will win." The minister ...`).
        if _inside(spans_sorted, pos) and not _inside(spans_sorted, m.end() - 1):
            pass
        elif _inside(spans_sorted, pos):
            continue
        if text[pos] == ".":
            before = _WORD_BEFORE.search(text, max(0, pos - 24), pos)
            word = before.group(1).lower() if before else ""
            if (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS:
                nxt = m.end()
                # "K. Heydari", "U.S. officials": an initial or abbreviation, unless a new
                # paragraph starts right after it.
                if nxt < len(text) and text[nxt] in " \t":
                    continue
            # A period followed by a lower-case word ("the 3.5 p.m. talks") is not an end.
            nxt = m.end()
            while nxt < len(text) and text[nxt] in " \t":
                nxt += 1
            if nxt < len(text) and text[nxt].islower():
                continue
        boundaries.append(m.end())
    spans = []
    start = 0
    for b in [*boundaries, len(text)]:
        s, e = start, b
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
        start = b
    return tuple(spans)


def _inside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """Whether `pos` lies in one of the sorted, non-overlapping `spans`."""
    i = bisect.bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


# A slug drops accents (tests/extraction/heldout/README.md: "lowercase ASCII, accents
# dropped"): ş and ç lose their cedilla as é loses its accent ("Ayşe" -> "ayse"), unlike the
# matching key, which spells them "sh" and "ch" as English-language sources do (app/kit/names.py).
_SLUG_LETTERS = str.maketrans({"ş": "s", "Ş": "S", "ç": "c", "Ç": "C"})


def slugify(name: str) -> str:
    """Deterministic slug of a name: "Nəsimi Məmmədli" -> "nasimi-mammadli",
    "Ayşe Koç" -> "ayse-koc"."""
    # A possessive is not a word of the name: "Azerbaijan's Army" -> "azerbaijan-army".
    name = re.sub(r"['’]s\b", "", name).translate(_SLUG_LETTERS)
    return "-".join(word_keys(name)) or "actor"


_CLOSING = "\"'”’»›)] "


def is_heading(paragraph: str, *, first: bool = False) -> bool:
    """Whether a paragraph is a headline, crosshead or live-blog entry title: the article's
    first line, or a line that does not end like a sentence ("Armenian opposition:
    'This is capitulation'")."""
    end = paragraph.rstrip(_CLOSING)[-1:]
    return first or (end != "" and end not in ".!?…:;,")
