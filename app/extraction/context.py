"""What every extractor needs to know about one article, computed once."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from app.extraction.gazetteer import Gazetteer, GazetteerMatch
from app.extraction.quotes import Quote, find_quotes
from app.extraction.text import Token, paragraph_spans, sentence_spans, tokenize


class Word(NamedTuple):
    """A word of running text (outside quotation marks) with its offsets."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def base(self) -> str:
        """Lower-cased word without a possessive ending: "Iran’s" -> "iran"."""
        low = self.text.lower()
        if low.endswith(("'s", "’s")):
            return low[:-2]
        return low

    @property
    def capitalised(self) -> bool:
        """ "Tamimi", and also "al-Tamimi": a lower-case Arabic article belongs to a name."""
        return self.text[:1].isupper() or bool(_NAME_PREFIX.match(self.text))


_NAME_PREFIX = re.compile(r"(?:al|el|ad|ash|as|at|an|abu|bin|ibn|ben)-[A-Z]")


_WORD = re.compile(r"[^\W_](?:[\w’'\-]*[^\W_])?(?:[’']s\b)?")
_QA_LINE = re.compile(r"(?P<label>Question|Answer|Q|A)\s*(?:[:.\-–—]|\)\s)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class QABlock:
    """An interview answer: paragraphs after an "Answer:" label, up to the next question."""

    start: int
    end: int


@dataclass(frozen=True, eq=False)
class ArticleContext:
    """Paragraphs, sentences, quotations and curated names of one article."""

    text: str
    gazetteer: Gazetteer
    paragraphs: tuple[tuple[int, int], ...]
    quotes: tuple[Quote, ...]
    sentences: tuple[tuple[int, int], ...]
    tokens: tuple[Token, ...]
    matches: tuple[GazetteerMatch, ...]

    @classmethod
    def build(cls, text: str, gazetteer: Gazetteer) -> ArticleContext:
        quotes = find_quotes(text)
        tokens = tokenize(text)
        return cls(
            text=text,
            gazetteer=gazetteer,
            paragraphs=paragraph_spans(text),
            quotes=quotes,
            sentences=sentence_spans(text, [(q.start, q.end) for q in quotes]),
            tokens=tokens,
            matches=gazetteer.scan(text, tokens),
        )

    @cached_property
    def match_starts(self) -> list[int]:
        """Start offset of every Gazetteer match, for bisecting."""
        return [m.start for m in self.matches]

    @cached_property
    def token_starts(self) -> list[int]:
        """Start offset of every token, for bisecting."""
        return [t.start for t in self.tokens]

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    @cached_property
    def _paragraph_starts(self) -> list[int]:
        return [s for s, _ in self.paragraphs]

    @cached_property
    def quoted_spans(self) -> tuple[tuple[int, int], ...]:
        """Each quotation from its opening mark to its closing mark, inclusive."""
        spans = []
        for q in self.quotes:
            end = q.close_mark + 1 if q.close_mark is not None else q.end
            spans.append((q.open_mark, end))
        return tuple(spans)

    def sentence_index(self, pos: int) -> int:
        """Index of the sentence containing (or nearest before) `pos`."""
        return max(0, bisect.bisect_right(self._sentence_starts, pos) - 1)

    def paragraph_index(self, pos: int) -> int:
        """Index of the paragraph containing (or nearest before) `pos`."""
        return max(0, bisect.bisect_right(self._paragraph_starts, pos) - 1)

    def in_quote(self, pos: int) -> bool:
        """Whether `pos` lies inside a quotation (marks included)."""
        spans = self.quoted_spans
        i = bisect.bisect_right(self._quoted_starts, pos) - 1
        return i >= 0 and spans[i][0] <= pos < spans[i][1]

    @cached_property
    def _quoted_starts(self) -> list[int]:
        return [s for s, _ in self.quoted_spans]

    def quoted_between(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        """The quotation spans that overlap text[start:end]."""
        spans = self.quoted_spans
        i = max(0, bisect.bisect_right(self._quoted_starts, start) - 1)
        out = []
        while i < len(spans) and spans[i][0] < end:
            if spans[i][1] > start:
                out.append(spans[i])
            i += 1
        return tuple(out)

    def matches_between(self, start: int, end: int) -> tuple[GazetteerMatch, ...]:
        """Gazetteer matches lying wholly inside text[start:end]."""
        i = bisect.bisect_left(self.match_starts, start)
        j = bisect.bisect_left(self.match_starts, end)
        return tuple(m for m in self.matches[i:j] if m.end <= end)

    def words(self, start: int, end: int) -> list[Word | None]:
        """Words of text[start:end] outside quotations; None marks where a quotation was."""
        out: list[Word | None] = []
        pos = start
        for q_start, q_end in self.quoted_between(start, end):
            if q_end <= pos:
                continue
            if q_start > pos:
                out.extend(self._plain_words(pos, q_start))
            out.append(None)
            pos = max(pos, q_end)
        if pos < end:
            out.extend(self._plain_words(pos, end))
        return out

    def _plain_words(self, start: int, end: int) -> list[Word | None]:
        return [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(self.text, start, end)]

    @cached_property
    def qa_blocks(self) -> tuple[QABlock, ...]:
        """Interview answers introduced by "Answer:" / "A:" labels."""
        blocks: list[QABlock] = []
        labels: list[tuple[str, int, int]] = []
        for p_start, p_end in self.paragraphs:
            m = _QA_LINE.match(self.text, p_start, p_end)
            if m is None:
                continue
            label = m.group("label").lower()
            # "A" alone is too common a word; it counts only as the partner of a "Q".
            if label == "a" and not any(lab == "q" for lab, _, _ in labels):
                continue
            labels.append(("q" if label in ("q", "question") else "a", m.end(), p_start))
        if not any(lab == "q" for lab, _, _ in labels):
            return ()
        for k, (label, body_start, _) in enumerate(labels):
            if label != "a":
                continue
            limit = labels[k + 1][2] if k + 1 < len(labels) else len(self.text)
            end = body_start
            for p_start, p_end in self.paragraphs:
                if p_end <= body_start or p_start >= limit:
                    continue
                if p_start > body_start and not _prose(self.text[p_start:p_end]):
                    break  # a separator or a site's boilerplate line ends the answer
                end = p_end
            blocks.append(QABlock(body_start, max(end, body_start)))
        return tuple(blocks)

    @cached_property
    def first_question(self) -> int | None:
        """Offset of the first interview question label, if the article is an interview."""
        for p_start, p_end in self.paragraphs:
            m = _QA_LINE.match(self.text, p_start, p_end)
            if m is not None and m.group("label").lower() in ("q", "question"):
                return p_start
        return None


def _prose(paragraph: str) -> bool:
    """Whether a paragraph reads as running text (ends like a sentence, several words)."""
    return len(paragraph.split()) >= 4 and paragraph.rstrip()[-1:] in '.!?"”»’)…'
