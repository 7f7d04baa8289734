"""Finding quotations: every span between an opening and a closing quote mark.

Rules (general typography, no article-specific cases):
- Curly marks (“ ” ‘ ’), low-9 marks („ “ ‚ ‘), guillemets (« » ‹ ›) and straight marks
  (" ') are recognised, and a curly double mark and a straight one close each other
  (`“We will respond," she said`), as content systems often mix them. Straight marks and
  ’ get their direction from context: an opening mark follows a space or an opening
  bracket, a closing mark precedes a space or punctuation.
  ’ or ' between two letters is an apostrophe.
- Quotes nest; only the outermost quotation becomes a `Quote`, the inner spans are kept in
  `Quote.inner` (the inner words belong to the outer statement).
- A single-quote that is not closed in its paragraph was an apostrophe and is dropped, unless
  the next paragraphs each open with a single mark and one of them closes (British style
  for a quotation over several paragraphs).
- A double quote still open at the end of a paragraph continues into the next paragraph
  when that paragraph starts with an opening mark (the news convention for quotes running
  over several paragraphs) or when the next double mark after it can only be a closing mark;
  otherwise it ends at its paragraph's end (an unterminated quotation).
- `text` is exactly what lies between the marks: article[start:end] == text, always.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.extraction import lexicon
from app.extraction.text import is_heading, paragraph_spans


@dataclass(frozen=True)
class Quote:
    """A quotation; invariant: article[start:end] == text (marks excluded)."""

    text: str
    start: int
    end: int
    open_mark: int  # index of the opening mark
    close_mark: int | None  # index of the closing mark; None when it ran to its paragraph end
    inner: tuple[tuple[int, int], ...] = ()  # content spans of quotations nested inside


_MARKS = re.compile("[\"'“”„‟«»‘’‚‹›]")
_DOUBLE = frozenset('"“”„‟«»')
# Which characters may close a quote opened by each character.
_CLOSERS = {
    # Content systems often mix curly and straight marks: “…" and "…” close each other.
    "“": '”“"',  # “…“ is a common typo for “…”
    "„": "“”",
    "‟": "”",
    "«": "»",
    "»": "«»",  # reversed guillemets (German, Danish) and Swedish »…»
    "”": "”",  # Swedish and Finnish ”…”
    '"': '"”',
    "‘": "’‘'",  # ‘…' as well: single marks are mixed like double ones
    "‚": "‘’",
    "‹": "›",
    "›": "‹›",  # reversed single guillemets
    "'": "'’",
}
_OPEN_PUNCT = frozenset("([{<—–-/‐‑\u00a0")
_CLOSE_PUNCT = frozenset(".,;:!?)]}>—–-…/‐‑")
_MAX_PARAGRAPHS = 12


@dataclass
class _Open:
    mark: str
    pos: int
    paragraph: int
    inner: list[tuple[int, int]]


def _before_is_boundary(prev: str | None) -> bool:
    return prev is None or prev.isspace() or prev in _OPEN_PUNCT or prev in _CLOSERS


def _after_is_boundary(nxt: str | None) -> bool:
    return nxt is None or nxt.isspace() or nxt in _CLOSE_PUNCT or nxt in _CLOSERS


def _roles(text: str, pos: int) -> tuple[bool, bool]:
    """(can_open, can_close) for the mark at `pos`, from its typography and neighbours."""
    char = text[pos]
    prev = text[pos - 1] if pos > 0 else None
    nxt = text[pos + 1] if pos + 1 < len(text) else None
    prev_space = prev is None or prev.isspace()
    next_space = nxt is None or nxt.isspace()
    if char in "'’":
        if prev is not None and nxt is not None and prev.isalnum() and nxt.isalnum():
            return False, False  # apostrophe: Russia’s, don't
        can_open = char == "'" and _before_is_boundary(prev) and not next_space
        can_close = not prev_space and _after_is_boundary(nxt)
        return can_open, can_close
    if char == '"':
        can_open = _before_is_boundary(prev) and not next_space
        can_close = _after_is_boundary(nxt) and not prev_space
        if not can_open and not can_close and prev_space and next_space:
            return True, True
        return can_open, can_close
    if char in "“‘„‚«‹‟":
        # Also a closer in „…“ and ‚…‘, and in the frequent typo “…“.
        return not next_space, not prev_space
    # ” » ›: closers that a few typographies also use to open.
    return _before_is_boundary(prev) and not next_space, not prev_space


def find_quotes(text: str) -> tuple[Quote, ...]:
    """Every outermost quotation in `text`, in order."""
    paragraphs = paragraph_spans(text)
    if not paragraphs:
        return ()
    para_starts = [s for s, _ in paragraphs]
    events = [m.start() for m in _MARKS.finditer(text)]
    quotes: list[Quote] = []
    stack: list[_Open] = []
    skip: set[int] = set()
    current_para = 0

    def para_of(pos: int) -> int:
        return max(0, bisect.bisect_right(para_starts, pos) - 1)

    def emit(entry: _Open, close: int | None, end: int) -> None:
        start = entry.pos + 1
        if end > start:
            quotes.append(Quote(text[start:end], start, end, entry.pos, close, tuple(entry.inner)))

    def end_paragraph(index: int, next_event: int) -> None:
        """Decide what happens to quotes still open when paragraph `index` ends."""
        # British style: a single-quoted quotation running over paragraphs repeats its
        # opening mark at the start of each (`'We will stay.` / `'We have waited.'`).
        if (
            len(stack) == 1
            and stack[0].mark in _SINGLE_OPENERS
            and index + 1 < len(paragraphs)
            and _opens_single(text, paragraphs[index + 1][0])
        ):
            skip.add(paragraphs[index + 1][0])
            return
        # Otherwise single marks do not run over paragraphs: one left open was an apostrophe.
        while stack and stack[-1].mark not in _DOUBLE:
            stack.pop()
        if not stack:
            return
        del stack[1:]  # an inner double quote left open is a typo; keep the outer one
        outer = stack[0]
        para_end = paragraphs[index][1]
        if index + 1 >= len(paragraphs) or index + 1 - outer.paragraph > _MAX_PARAGRAPHS:
            stack.clear()
            emit(outer, None, para_end)
            return
        next_start = paragraphs[index + 1][0]
        first = text[next_start]
        if first in _DOUBLE and _roles(text, next_start)[0] and first in _continuation(outer):
            skip.add(next_start)  # the mark that repeats at each paragraph of one quotation
            return
        if next_event < len(events):
            pos = events[next_event]
            char = text[pos]
            can_open, can_close = _roles(text, pos)
            if char in _CLOSERS[outer.mark] and can_close and not (can_open and char == '"'):
                return  # the quotation simply runs on (no mark at the paragraph start)
        stack.clear()
        emit(outer, None, para_end)

    for i, pos in enumerate(events):
        para = para_of(pos)
        while current_para < para:
            end_paragraph(current_para, i)
            current_para += 1
        if pos in skip:
            continue
        char = text[pos]
        can_open, can_close = _roles(text, pos)
        closed = False
        if can_close:
            for depth in range(len(stack) - 1, -1, -1):
                entry = stack[depth]
                if char not in _CLOSERS[entry.mark]:
                    continue
                if char == entry.mark and char in "“‘" and can_open:
                    break  # “ after “ opens a nested quote; it closes only as a typo
                del stack[depth + 1 :]
                stack.pop()
                if depth == 0:
                    emit(entry, pos, pos)
                else:
                    stack[depth - 1].inner.append((entry.pos + 1, pos))
                closed = True
                break
        if not closed and can_open:
            if char in "'’" and not (
                stack
                or _single_closes(text, pos, paragraphs[para][1])
                or _single_runs_on(text, pos, paragraphs, para)
            ):
                continue
            stack.append(_Open(char, pos, para, []))
    while current_para < len(paragraphs):
        end_paragraph(current_para, len(events))
        current_para += 1
    quotes.sort(key=lambda q: q.start)
    return tuple(quotes)


def _continuation(outer: _Open) -> str:
    if outer.mark in "“”„‟":
        return '“”„‟"'
    if outer.mark in "«»":
        return "«»"
    return '"“'


_SINGLE_OPENERS = frozenset("'‘")


def _opens_single(text: str, pos: int) -> bool:
    """Whether a paragraph starting at `pos` opens with a single quotation mark."""
    return text[pos : pos + 1] in _SINGLE_OPENERS and _roles(text, pos)[0]


def _single_runs_on(text: str, pos: int, paragraphs: Sequence[tuple[int, int]], para: int) -> bool:
    """Whether a single mark opening its paragraph starts a quotation that runs over the
    next paragraphs: each of them opens with a single mark, and one of them closes."""
    if (
        pos != paragraphs[para][0]
        and text[paragraphs[para][0] : pos].strip(" \t")
        and not (text[:pos].rstrip(" \t").endswith((":", ",")))
    ):
        return False
    for k in range(para + 1, min(len(paragraphs), para + _MAX_PARAGRAPHS)):
        start, end = paragraphs[k]
        if not _opens_single(text, start):
            return False
        if _single_closes(text, start, end):
            return True
    return False


def _single_closes(text: str, pos: int, para_end: int) -> bool:
    """Whether a top-level single mark at `pos` has a closing partner in its paragraph."""
    for m in _MARKS.finditer(text, pos + 1, para_end):
        if m.group() in "'’" and _roles(text, m.start())[1]:
            return True
    return False


# ------------------------------------------------------------------ statement or term

_WORDS = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_SENTENCE_FINAL = re.compile(r"[.!?…][\"'”’»)\]]*\s*$")
_NAMING_CUE = re.compile(
    r"(?:\bso-called|\bdubbed|\bentitled|\btitled|\bnamed|\bnicknamed|\bknown\s+as|\btermed"
    r"|\blabell?ed|\bbranded|\b(?:the|a|an|its|their)\s+(?:term|word|words|phrase|slogan|motto"
    r"|label|hashtag|headline|banner|title|name|nickname|expression)"
    r"|\brefer(?:s|red|ring)?\s+to\s+(?:[\w’']+\s+){0,3}as"
    # labels: "what it called «…»", "called the move a "…"", "described X as "…""
    r"|\bcall(?:s|ed|ing)?(?:\s+(?:it|them|him|her|this|that|the\s+\w+|(?-i:[A-Z][\w’'-]*)))?"
    r"|\b(?:describ|characteri[sz]|portray|depict|dismiss|reject|denounc|condemn|brand|label"
    r"|paint)(?:e|es|ed|ing|s)?\s+(?:[\w’'-]+\s+){0,4}?as"
    # slogans: "crowds chanted "…"", "banners reading "…""
    r"|\bchant(?:s|ed|ing)?|\b(?:banners?|placards?|signs?|posters?|graffiti)\s+"
    r"(?:that\s+)?(?:read|reading|reads|saying|said))"
    r"\s*(?:(?:the|a|an)\s+)?[\W_]*$",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?:the|a|an|this|that|these|those|its|his|her|their|our|as)|\w['’]s)\s*$",
    re.IGNORECASE,
)
_MINOR_WORDS = frozenset(
    "a an the of and or for to in on at by with from - – vs de la le al el".split()
)


def select_statements(
    text: str,
    quotes: Sequence[Quote],
    sentence_of: Callable[[int], tuple[int, int]],
    paragraph_of: Callable[[int], tuple[int, int]],
) -> list[Quote]:
    """The quotations that report someone's words (`is_statement`), plus two rules that
    look at the other quotations:
    - a quotation coordinated with a term just before it (`a so-called "governor" and
      "legislative council"`) is a term too;
    - a short quotation in a headline, crosshead or live-blog entry title (a paragraph
      that does not end like a sentence, or the first line) whose words a statement of
      the article contains (`EU's envoy: 'A historic step'` over `"A historic step
      towards lasting peace …"`) is a statement: an excerpt of those words.
    """
    kept = [is_statement(text, q, sentence_of(q.open_mark)) for q in quotes]
    for i in range(1, len(quotes)):
        prev, quote = quotes[i - 1], quotes[i]
        if kept[i] and not kept[i - 1] and prev.close_mark is not None:
            between = text[prev.close_mark + 1 : quote.open_mark]
            if _COORDINATED.fullmatch(between) and len(_WORDS.findall(quote.text)) <= 4:
                kept[i] = False
    long_keys = [_loose(q.text) for q, k in zip(quotes, kept, strict=True) if k]
    for i, quote in enumerate(quotes):
        if kept[i] or len(_WORDS.findall(quote.text)) < 2:
            continue
        p_start, p_end = paragraph_of(quote.open_mark)
        if not is_heading(text[p_start:p_end], first=(p_start, p_end) == paragraph_of(0)):
            continue
        key = _loose(quote.text)
        if any(key in other and key != other for other in long_keys):
            kept[i] = True
    return [q for q, k in zip(quotes, kept, strict=True) if k]


_COORDINATED = re.compile(r"\s*(?:,|,?\s+(?:and|or|as\s+well\s+as))\s+")


def _loose(text: str) -> str:
    return " " + " ".join(w.lower() for w in _WORDS.findall(text)) + " "


def is_statement(text: str, quote: Quote, sentence: tuple[int, int]) -> bool:
    """Whether a quotation reports someone's words rather than a term, title or slogan.

    The rule, in order:
    1. a quotation introduced by a naming cue ("so-called", "entitled", "refers to it as",
       "the slogan") is a term;
    2. a Title Case phrase without final punctuation inside the marks ("Russia - Islamic
       World") is a title;
    3. a single word is a scare quote or term;
    4. two or three words are a statement only when no determiner precedes them ("the
       'little Satan'"), no noun follows them as if they were its modifier ("a ship on 'routine
       patrol' duties"), and they end like a sentence ("were
       positive.") or a speech cue stands in the same sentence: a lower-case speech verb
       ("said Tehran would "not tolerate it""), "according to", a speech noun ("X's
       position is that …");
    5. four or five words that start in lower case and do not end a clause are a term
       unless the sentence has such a speech cue ("the place where "international peace
       and security" is decided");
    6. longer quotations are statements.
    """
    words = _WORDS.findall(quote.text)
    if not words:
        return False
    before = text[max(sentence[0], quote.open_mark - 60) : quote.open_mark]
    if len(words) <= 12 and _NAMING_CUE.search(before):
        return False
    ends_sentence = bool(_SENTENCE_FINAL.search(quote.text))
    ends_clause = ends_sentence or quote.text.rstrip()[-1:] in ",;:"
    if not ends_clause and len(words) <= 10 and _title_case(words):
        return False
    if len(words) == 1:
        return False
    close = quote.close_mark if quote.close_mark is not None else quote.end
    if len(words) <= 3:
        if _DETERMINER_BEFORE.search(before):
            return False
        if ends_sentence:
            return True
        if not ends_clause and _nominal(words) and _modifies_a_noun(text, close + 1):
            return False
        around = text[sentence[0] : quote.open_mark] + " " + text[close + 1 : sentence[1]]
        return _speech_cue_in(around)
    if len(words) <= 5 and not ends_clause and quote.text[:1].islower():
        around = text[sentence[0] : quote.open_mark] + " " + text[close + 1 : sentence[1]]
        return _speech_cue_in(around)
    return True


_NEXT_WORD = re.compile(r"[ \t\u00a0]+([^\W\d_][\w’'-]*)")
# Words that may follow a quoted predicate ("remains open" to, "will not allow" any, …).
_FUNCTION_WORDS = frozenset(
    """a an the this that these those its his her their our my your to of in on at for from
    with by into onto over under about against between among through during after before
    since until upon within without across along around toward towards as than and or but
    nor so yet if when while because although though where which who whom whose what
    whether is are was were be been being has have had do does did will would shall should
    can could may might must not no it he she they we i you him them us me also again too
    now then today tonight yesterday tomorrow there here only just even still already soon
    later earlier instead any some all both each every either neither more most less least
    such very near beyond behind below above inside outside amid despite per via like
    unlike off out up down following including regarding concerning versus""".split()
)


def _nominal(words: Sequence[str]) -> bool:
    """Whether a few quoted words can be a noun phrase ("law enforcement"), not a
    predicate ("firmly opposes", "will not allow")."""
    last = words[-1].lower()
    return not (
        last.endswith(("s", "ed"))
        or any(w.lower().endswith("ly") or w.lower() in _AUXILIARIES for w in words)
    )


_AUXILIARIES = frozenset(
    """will would shall should can could may might must not no is are was were be been
    being has have had do does did to""".split()
)


def _modifies_a_noun(text: str, pos: int) -> bool:
    """Whether the word right after a closing mark is a lower-case content word, as in
    "a ship on "routine patrol" duties" (the quotation modifies it)."""
    m = _NEXT_WORD.match(text, pos)
    if m is None:
        return False
    word = m.group(1)
    low = word.lower()
    return (
        word.islower()
        and low not in _FUNCTION_WORDS
        and low not in lexicon.SPEECH_VERBS
        and not low.endswith("ly")
    )


def _title_case(words: list[str]) -> bool:
    significant = [w for w in words if w.lower() not in _MINOR_WORDS]
    return bool(significant) and all(w[0].isupper() or w[0].isdigit() for w in significant)


# Verbs that also introduce names and slogans ("banners reading", "what it called") do not
# make a two- or three-word quotation someone's words.
_NAMING_VERBS = frozenset(
    "read reads reading call calls called calling term terms termed label labels labelled "
    "labeled brand brands branded describe describes described describing".split()
)
# Bare forms that are as often nouns ("state media", "a post on X") are no cue either.
_NOUN_LIKE = frozenset(
    """state post report note comment answer reply charge claim demand hope fear point voice
    remark tweet quote welcome praise counter cite order rule direct signal thank
    read states reports notes comments posts remarks tweets quotes orders rules points
    voices charges demands""".split()
)
_SHORT_QUOTE_CUES = (lexicon.SPEECH_VERBS - _NAMING_VERBS - _NOUN_LIKE) | frozenset({"according"})


def _speech_cue_in(words_text: str) -> bool:
    words = _WORDS.findall(words_text)
    return any(w in _SHORT_QUOTE_CUES or w == "According" for w in words) or any(
        w.lower() in lexicon.SPEECH_NOUNS
        and i > 0
        # "X's statement", and "In her words," as "according to her"
        and (words[i - 1].lower().endswith(("'s", "’s")) or words[i - 1] in _POSSESSIVES)
        for i, w in enumerate(words)
    )


_POSSESSIVES = frozenset({"his", "her", "their", "His", "Her", "Their"})
