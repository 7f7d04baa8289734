"""Finding the words that name a speaker: noun phrases, reporting verbs, subjects.

Syntax only, over one article's context; deciding who a phrase means is discourse.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import pairwise

from app.extraction import lexicon
from app.extraction.context import ArticleContext, Word
from app.extraction.gazetteer import GazetteerMatch
from app.extraction.text import fold

INDEFINITE = frozenset("a an another one some several many two three four few".split())
SPOKES = lexicon.SPOKESPERSONS
PLURAL_PEOPLE = lexicon.PLURAL_PEOPLE

# Lower-case words that can sit inside a speaker's noun phrase.
NP_LOWER = (
    lexicon.NP_FUNCTION
    | lexicon.PERSON_ROLES
    | lexicon.ROLE_MODIFIERS
    | lexicon.ORG_HEADS
    | lexicon.DOCUMENT_NOUNS
    | frozenset(
        """country side regime leadership team camp account website telegram official
        spokesperson's ministry's office's government's one diplomatic""".split()
    )
) - {"and", "in"}
_NP_HEAD_LOWER = lexicon.PERSON_ROLES | lexicon.ORG_HEADS | lexicon.DOCUMENT_NOUNS
# spaces, or a hyphen joining two words; a dash between spaces ("AGENCY -- The …") ends
# a noun phrase
NP_GAP = re.compile(r"[ \t\u00a0]*|[\-‐‑]+")
_INITIAL_GAP = re.compile(r"\.[ \t\u00a0]*")
_ACRONYM_OPEN = re.compile(r"[ \t\u00a0]+\(")
_ACRONYM_CLOSE = re.compile(r"\)[ \t\u00a0]+")


def _acronym(word: Word) -> bool:
    return 2 <= len(word.text) <= 8 and word.text.isupper() and word.text.isalpha()


POST_LEAD = re.compile(r"[\s,.!?…—–\-]*")
QUOTED_AS = re.compile(
    r"\b(?:quot|cit)(?:ed|es|ing)\s+(?P<np>[^,.;:!?\"“”«»]{1,80}?)\s+as\s+(?:saying|stating|telling)",
    re.IGNORECASE,
)
ACCORDING = re.compile(r"\b(?:according\s+to|in\s+the\s+words\s+of)\s+", re.IGNORECASE)
# "In her words, …" / "In his opinion, …": the view of the person the pronoun stands for
IN_OWN_WORDS = re.compile(
    r"\b[Ii]n[ \t]+(?P<pron>his|her|their)[ \t]+(?:own[ \t]+)?(?:words|opinion|view)[ \t]*,"
)
SAYS_LATE = re.compile(r",\s+(?:says|said|warns|tells|told|insists|claims)\s+")
ISSUED = re.compile(
    r"\b(?:issued|released|published|put\s+out|circulated|distributed|adopted|made|"
    r"posted|sent)\b[^.!?]{0,40}?\b(?:statement|communiqu[eé]|declaration|release|note|letter)",
    re.IGNORECASE,
)
# "X said in a statement", "X, in a written statement, called on": X issued it
IN_A_STATEMENT = re.compile(
    r"\bin\s+an?\s+(?:[\w\-]+\s+){0,2}?(?:statement|communiqu[eé]|declaration|release)\b",
    re.IGNORECASE,
)
DOC_OF = re.compile(
    r"\b(?:statement|communiqu[eé]|declaration|note|letter)\s+(?:of|by|from)\s+(?:the\s+)?",
    re.IGNORECASE,
)
_NAME_GAP = re.compile(
    r"[ \t\u00a0\-‐‑]*(?:(?:von|van|der|den|de|del|della|bin|ibn|al|el|da|di|du|la|le|dos"
    r"|das)[ \t\u00a0]+)*"
)
# Upper-case letters a name can start with: "Özkan", "Ávila", "Łukasz", "Şahin".
UP = "[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"
# The same as rf"\b{UP}" (an upper-case letter is a word character, so the boundary means no
# word character before it), written to begin with the letter: a pattern that begins with a
# character set lets the regex engine skip in C to where it can match, one that begins with
# \b is tried at every position of the article (about twice as slow over a whole text).
UP_AT_WORD_START = rf"{UP}(?<!\w[\s\S])"
_NAME_WORD = re.compile(
    rf"(?:(?:al|el|ad|ash|as|at|an|abu|bin|ibn|ben)-)?{UP}[\w’'\-]*[^\W\d_]|{UP}\.?"
)
_HONORIFIC = re.compile(r"(?:(?:his|her)[ \t]+)?(?P<word>[^\W\d_][\w\-]*)\.?[ \t\u00a0]+", re.I)
STOP_NAME_WORDS = frozenset(
    """the a an this that these those he she it they we i you his her its their our my
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december today yesterday however but
    and or so then also if when while after before during according in on at for of as
    meanwhile earlier later question answer photo source by from with to""".split()
)
NOT_IN_NAME = STOP_NAME_WORDS | lexicon.PERSON_ROLES | lexicon.ORG_HEADS | lexicon.HONORIFICS


_TITLE_SUFFIXES = frozenset("elect designate large general".split())


def hyphenated_title(word: str) -> bool:
    """ "President-elect", "Ambassador-at-large", "Minister-designate": a title written as
    one hyphenated word, which is no more part of a name than "President" is."""
    parts = word.lower().rstrip(".").split("-")
    return len(parts) > 1 and (
        parts[0] in lexicon.HONORIFICS
        or parts[0] in lexicon.PERSON_ROLES
        or parts[-1] in _TITLE_SUFFIXES
    )


def skip_honorifics(text: str, start: int, end: int) -> int:
    """Where a name starts once its honorifics and ranks are skipped: "Commodore Ben
    Ochoa", "His Excellency Dr Samuel Okafor", "Lt. Gen. X" -> the name."""
    while True:
        m = _HONORIFIC.match(text, start, end)
        if m is None or not (
            m.group("word").lower() in lexicon.HONORIFICS or hyphenated_title(m.group("word"))
        ):
            return start
        if not _NAME_WORD.match(text, m.end(), end):
            return start  # nothing name-like is left: "General" alone stays
        start = m.end()


SPEAKER_LABEL = re.compile(rf"(?P<label>(?:{UP}+[’'\-.]?[ \t]+){{0,3}}{UP}[{UP[1:-1]}’'\-]+):[ \t]")
NOT_SPEAKER_LABELS = frozenset("q a question answer moderator interviewer host".split())


def bare_clause(text: str, pos: int, limit: int) -> bool:
    """Whether an attribution clause ends soon: `"…" He said.` but not `He said that …`
    nor `He told reporters: "…"` (which introduces the next quotation)."""
    rest = text[pos:limit]
    return (
        len(rest.split()) <= 6
        and "that" not in rest.split()
        and not any(c in rest for c in ':"“”«»')
    )


_VOCATIVE = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Madam|Madame)\.?[ \t]+)?(?:(?:Prime|Vice|Deputy|Foreign)[ \t]+)?"
    r"(?P<role>[A-Z][a-z\-]+),[ \t]+"
)


_QUESTION_LABEL = re.compile(r"[A-Z][A-Z ]*(?:\([^()\n]{0,60}\))?:[ \t]+")


def vocative_end(ctx: ArticleContext, words: Sequence[Word], start: int, limit: int) -> int | None:
    """Where an address opening the sentence or a question ends ("Mr President, ")."""
    text = ctx.text
    label = _QUESTION_LABEL.match(text, start)
    at = label.end() if label is not None else start
    m = _VOCATIVE.match(text, at, limit)
    if m is None or m.group("role").lower() not in lexicon.PERSON_ROLES:
        return None
    return m.end()


CONJUNCTIONS = frozenset("and but while whereas yet".split())
_RELATIVES = frozenset("who which whose whom".split())
SENTENCE_ADVERBS = frozenset(
    "meanwhile however separately earlier later also additionally instead still nevertheless "
    "furthermore moreover elsewhere today yesterday overnight".split()
)
_CHUNK_NP_EXTRA = frozenset("and its his her their our current then".split())
_PREPOSITIONS = frozenset(
    """in on at during after before while following speaking addressing asked when since
    despite with without amid among according as upon for from by through under over in
    earlier later last this via""".split()
)


def comma_between(text: str, left: Word, right: Word) -> bool:
    return "," in text[left.end : right.start]


def verb_subject(
    ctx: ArticleContext, words: Sequence[Word], k: int, *, floor: int
) -> tuple[int, int] | None:
    """The subject of the speech verb words[k]; no word before `floor` belongs to it.

    `X said`, `X, a …, said` / `role, Name, said` / `X, in a …, said` (the noun phrase
    before the parenthesis or the name in it), `X, who said` / `X, who …, said` (the
    antecedent), `X said … and urged` (the subject of the first verb)."""
    text = ctx.text
    lo = 0
    while lo < k and words[lo].start < floor:
        lo += 1
    j = k
    while j > lo and words[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
        j -= 1
    j = _skip_time(words, j, lo)
    if j <= lo:
        return None
    before = words[j - 1]
    if before.lower in _RELATIVES:
        return _antecedent(ctx, words, j - 1, lo)
    if before.lower in CONJUNCTIONS:
        for p in range(j - 2, lo - 1, -1):
            if speech_at(words, p) and not words[p].lower.endswith("ing"):
                if any(w.lower in ("what", "whatever") for w in words[max(lo, p - 4) : p]):
                    continue  # "would not discuss what an engineer called …, but said"
                return verb_subject(ctx, words, p, floor=floor)
        for p in range(j - 2, lo, -1):
            if words[p].lower in _RELATIVES and comma_between(text, words[p - 1], words[p]):
                return _antecedent(ctx, words, p, lo)
        coordinated = _first_verb_subject(ctx, words, lo, j - 1)
        if coordinated is not None:
            return coordinated
        return main_subject(ctx, words[lo:], j - 1 - lo)
    chunk = j
    while chunk > lo and not comma_between(text, words[chunk - 1], words[chunk]):
        chunk -= 1
    if chunk == j or _chunk_kind(words, chunk, j) == "par":
        found = chunk_subject(ctx, words, lo, j)
        if found is None and chunk == j:
            # the verb follows a parenthesis we could not read: the clause's subject
            found = main_subject(ctx, words[lo:], j - lo)
        if found is not None:
            return found
    for r in range(j - 1, lo, -1):
        if comma_between(text, words[r - 1], words[r]) or words[r].lower in CONJUNCTIONS:
            break
        if words[r].lower in ("who", "whose") and words[r].text.islower():
            # "A Nordic diplomat who once served in Vessby told me": the relative clause
            # is no part of the subject; its antecedent is
            return _antecedent(ctx, words, r, lo)
        if (
            r - 1 >= lo
            and words[r].lower.endswith("ed")
            and words[r].text.islower()
            and words[r + 1].lower in _AFTER_PARTICIPLE
            and words[r - 1].lower not in lexicon.BETWEEN_SPEAKER_AND_VERB
            and _np_word(words[r - 1])
        ):
            # "A pilot cited in the audit described it": a participle's phrase is no part
            # of the subject, the noun phrase before it is
            return np_backward(ctx, words, r, floor=floor)
    return np_backward(ctx, words, j, floor=floor)


def _first_verb_subject(
    ctx: ArticleContext, words: Sequence[Word], lo: int, conj: int
) -> tuple[int, int] | None:
    """`when X stood up and said`: the subject of the verb coordinated with the speech verb,
    the noun phrase right before the first verb of the clause words[lo:conj]."""
    text = ctx.text
    if words[lo].lower in lexicon.ADVERBIAL_OPENERS:
        # "In a letter to the council, the front said": the opening adverbial is no subject
        for k in range(lo + 1, conj):
            if comma_between(text, words[k - 1], words[k]):
                lo = k
                break
        else:
            return None
    for q in range(lo, conj - 1):
        w, nxt = words[q], words[q + 1]
        ends_np = w.capitalised or w.lower in lexicon.PRONOUNS or w.base in lexicon.PERSON_ROLES
        if (
            ends_np
            and nxt.text.islower()
            and nxt.lower not in lexicon.NP_FUNCTION
            and nxt.lower not in _PREPOSITIONS
            and nxt.lower not in _CONJUNCTIONS_AND_SUBORDINATORS
            and nxt.base not in NP_LOWER
            and not comma_between(text, w, nxt)
        ):
            np = np_backward(ctx, words, q + 1, floor=words[lo].start)
            if np is None:
                return None
            start = index_at(words, np[0])
            # the subject opens the clause, or follows "when", "as", "so" …
            if start == lo or words[start - 1].lower in _CONJUNCTIONS_AND_SUBORDINATORS:
                return np
            return None
    return None


_CONJUNCTIONS_AND_SUBORDINATORS = frozenset(
    "and but or so when while as after before once because if then who which that".split()
)


def _antecedent(
    ctx: ArticleContext, words: Sequence[Word], r: int, lo: int
) -> tuple[int, int] | None:
    """What the relative pronoun words[r] stands for: the noun phrase before its comma,
    else the last actor named in that stretch ("the Ruling of the Tribunal of 2024, which")."""
    if r <= lo:
        return None
    np = np_backward(ctx, words, r, floor=words[lo].start)
    if np is not None:
        return np
    start = lo
    for i in range(r - 1, lo, -1):
        if comma_between(ctx.text, words[i - 1], words[i]) and i < r - 1:
            start = i
            break
    inside = [
        m
        for m in ctx.matches_between(words[start].start, words[r - 1].end)
        if m.actor.kind != "state"
    ]
    return (inside[-1].start, inside[-1].end) if inside else None


_RELATIVE_OR_THAT = _RELATIVES | {"that"}
_AFTER_PARTICIPLE = frozenset({"in", "by", "at", "from", "on"})


def _chunk_kind(words: Sequence[Word], i: int, j: int) -> str:
    """What the comma-delimited words[i:j] are: "rel" (who …), "par" (in a …, speaking …),
    "name" (capitalised words), "np" (a noun phrase) or "other" (a clause)."""
    first = words[i]
    if first.lower in _RELATIVES:
        return "rel"
    if (
        first.text.islower()
        and first.lower in lexicon.ROLE_MODIFIERS
        and j - i >= 3
        and words[i + 1].lower in lexicon.HONORIFICS
        and all(w.capitalised or w.lower in lexicon.NP_FUNCTION for w in words[i + 1 : j])
    ):
        # ", retired Brigadier Ana Lima,": a modifier before a rank and a name is no participle
        return _chunk_kind(words, i + 1, j)
    if first.lower in _PREPOSITIONS or (
        first.text.islower() and first.lower.endswith(("ing", "ed")) and first.base not in NP_LOWER
    ):
        return "par"
    if j - i == 1 and (first.lower in SENTENCE_ADVERBS or first.lower.endswith("ly")):
        # "Separately, the spokesman … told": an adverb opening the sentence is no subject
        return "par"
    if first.lower in _DETERMINERS or first.capitalised or first.base in NP_LOWER:
        # an apposition describing someone: "the commander of U.S. forces in the region",
        # "a senior fellow at the Caspian Institute"
        if any(w.base in lexicon.PERSON_ROLES for w in words[i : min(j, i + 6)]) and not any(
            w.lower in lexicon.SPEECH_VERBS and w.text.islower() for w in words[i:j]
        ):
            if all(w.capitalised or w.lower in lexicon.NP_FUNCTION for w in words[i:j]):
                # "General Idris Kano": ranks before a name leave a name
                k = i
                while k + 1 < j and words[k].lower in lexicon.HONORIFICS:
                    k += 1
                return "np" if any(w.base in NOT_IN_NAME for w in words[k:j]) else "name"
            return "np"
    if first.lower in ("a", "an", "the") and any(w.lower in _RELATIVE_OR_THAT for w in words[i:j]):
        # ", the agency that runs the ferries,": an apposition with its own clause
        return "par"
    if all(_np_word(w) or w.lower in _CHUNK_NP_EXTRA for w in words[i:j]):
        # "Senior Col. Wu Gang": a rank before a name leaves a name
        k = i
        while k + 2 < j and (
            words[k].lower in lexicon.HONORIFICS or words[k].lower in lexicon.ROLE_MODIFIERS
        ):
            k += 1
        if all(w.capitalised or w.lower in lexicon.NP_FUNCTION for w in words[i:j]) and not any(
            w.base in NOT_IN_NAME or w.base in lexicon.ROLE_MODIFIERS for w in words[k:j]
        ):
            return "name"
        return "np"
    return "other"


def chunk_subject(
    ctx: ArticleContext, words: Sequence[Word], lo: int, j: int, *, whole: bool = False
) -> tuple[int, int] | None:
    """The subject before a verb that a parenthesis or appositive separates from it;
    with `whole`, every word from words[lo] on must belong to the subject's clause."""
    text = ctx.text
    bounds = [lo]
    for i in range(lo + 1, j):
        if comma_between(text, words[i - 1], words[i]):
            bounds.append(i)
    bounds.append(j)
    chunks = list(zip(bounds, bounds[1:], strict=False))
    kept: list[tuple[str, int, int]] = []
    for c0, c1 in reversed(chunks):
        if c0 == c1:
            continue
        if words[c0].lower in CONJUNCTIONS or words[c0].lower == "that":
            c0 += 1
            if c0 < c1 and _chunk_kind(words, c0, c1) in ("np", "name"):
                kept.append((_chunk_kind(words, c0, c1), c0, c1))
            break
        kind = _chunk_kind(words, c0, c1)
        if kind == "other":
            if whole:
                return None
            break
        kept.append((kind, c0, c1))
    kept.reverse()
    for n, (kind, c0, c1) in enumerate(kept):
        if kind == "rel":
            return _antecedent(ctx, words, c0, lo) if n == 0 else None
        if kind not in ("np", "name"):
            continue
        if kind == "np" and n + 1 < len(kept) and kept[n + 1][0] == "name":
            # "Its spokesperson, Vikram Rao, said": the name, not the role
            c0, c1 = kept[n + 1][1], kept[n + 1][2]
        elif kind == "np" and n + 1 < len(kept) and kept[n + 1][0] == "np":
            # "Another analyst, Sara Holm of the Vessby Institute, said": the person the
            # apposition names, before what she belongs to
            name_end = _leading_name(words, kept[n + 1][1], kept[n + 1][2])
            if name_end is not None:
                c0, c1 = kept[n + 1][1], name_end
        return _trim(words, c0, c1)
    return None


_AFFILIATION = frozenset({"of", "from", "at", "with"})


def _leading_name(words: Sequence[Word], i: int, j: int) -> int | None:
    """The end of a person's name opening words[i:j] and followed by the body they belong
    to ("Sara Holm of the Vessby Institute"), or None."""
    k = i
    while k < j and words[k].capitalised and words[k].base not in NOT_IN_NAME:
        k += 1
    if k - i >= 2 and k < j and words[k].lower in _AFFILIATION:
        return k
    return None


def that_clause_subject(
    ctx: ArticleContext, words: Sequence[Word], before: int
) -> tuple[int, int] | None:
    """The subject of the last `that` clause before words[before]."""
    for i in range(before - 1, -1, -1):
        if words[i].lower == "that":
            return np_forward(ctx, words[:before], i + 1)
    return None


IN_WHICH = re.compile(r"\b(?:in|under|through|with)[ \t]+which\b|\bwhere(?:by|in)?\b")


def last_match(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    found = None
    for found in matches:  # noqa: B007 - keeping the last one is the point
        pass
    return found


_AMBIGUOUS_BARE = frozenset(
    """state post report note comment answer reply call charge claim demand hope fear point
    voice remark tweet quote welcome praise counter term brand label cite read
    order rule direct signal thank""".split()
)
_VERB_CUES = frozenset(
    "i we you they to will would can could should may might must shall not also did do does "
    "often then".split()
)
_DETERMINERS = frozenset("the a an its his her their our this that these those any".split())
# words before "states" that make it the noun: "member states", "other states"
_STATE_NOUN_CUES = frozenset(
    "member other all some many several both neighbouring neighboring coastal small island "
    "sovereign third frontline nation riparian".split()
)
_NOT_PLURAL = frozenset("its his has was this does as us is yes ours yours theirs".split())


def speech_at(words: Sequence[Word], k: int) -> bool:
    """Whether words[k] is a speech verb here ("made clear" and "put it" included)."""
    word = words[k]
    if not word.text.islower():
        return False
    low = word.lower
    nxt = words[k + 1].lower if k + 1 < len(words) else ""
    if low in ("made", "make", "makes", "making"):
        return nxt == "clear"
    if low in ("put", "puts", "putting"):
        return nxt == "it"
    if low in ("paid", "pay", "pays", "paying"):
        return nxt == "tribute"  # "X paid tribute to "…""
    if low not in lexicon.SPEECH_VERBS:
        return False
    if low in ("quoted", "cited") and nxt in ("in", "by"):
        return False  # "a pilot cited in the audit": a participle, not the verb
    if low.startswith("continu") and nxt == "to":
        return False  # "Norland would continue to host talks": not "he continued"
    prev = words[k - 1].lower if k else ""
    if prev in _DETERMINERS or prev.endswith(("'s", "’s")):
        return False  # "the UK's continued administration", "the stated aim"
    if (
        prev in lexicon.DOCUMENT_NOUNS
        and low.endswith("ed")
        and nxt in _PREPOSITIONS
        and word.start - words[k - 1].end == 1  # "X, in a statement, called on": the verb
    ):
        return False  # "a statement posted on Telegram": a participle, not the verb
    if low in ("state", "states") and (
        (k > 0 and words[k - 1].capitalised) or prev in _STATE_NOUN_CUES
    ):
        return False  # "EU member states", "other European states": the noun
    if low == "posted" and nxt in ("in", "to", "at", "abroad") and prev in lexicon.PERSON_ROLES:
        return False  # "the envoy posted in Vessby": stationed, not a post on the internet
    if low == "read" and nxt == "out" and prev not in lexicon.DOCUMENT_NOUNS:
        # "X read out the ministry's position:" (but "a statement read out on radio" is
        # a participle)
        return True
    if low in _AMBIGUOUS_BARE:
        return prev in _VERB_CUES or (
            len(prev) > 3
            and prev.endswith("s")
            and not prev.endswith(("ss", "us", "ous", "'s", "’s"))
            and prev not in _NOT_PLURAL
        )
    return True


def punct_between(text: str, start: int, end: int) -> bool:
    """Whether punctuation separates text[start:end] (the period of a rank or an initial
    before a name, "Maj. Gen. Ivo Brandt", "K. Lind", does not)."""
    segment = text[start:end]
    if "." in segment:
        segment = _TITLE_PERIOD.sub(_without_title_period, segment)
    return any(c in '.;:!?()"“”«»\n' for c in segment)


_TITLE_PERIOD = re.compile(r"\b([A-Z][a-z]{0,4})\.(?=[ \t]+[A-Z])")


def _without_title_period(m: re.Match[str]) -> str:
    word = m.group(1)
    return word if len(word) == 1 or word.lower() in lexicon.HONORIFICS else m.group(0)


def index_at(words: Sequence[Word], pos: int) -> int:
    for i, w in enumerate(words):
        if w.start >= pos:
            return i
    return len(words)


def gap_ok(text: str, left: Word, right: Word) -> bool:
    if NP_GAP.fullmatch(text, left.end, right.start):
        return True
    if _ACRONYM_OPEN.fullmatch(text, left.end, right.start):
        # "A Foreign Ministry (MFA) spokesperson": a body's acronym inside the phrase
        return _acronym(right) and text.startswith(")", right.end)
    if _ACRONYM_CLOSE.fullmatch(text, left.end, right.start):
        return _acronym(left) and text[left.start - 1 : left.start] == "("
    # "K. Rostami": an initial's period; "Lt. Gen. John Smith", "Dr. Sarah Connor"
    return (
        (len(left.text) == 1 and left.text.isupper())
        or (left.capitalised and left.lower in lexicon.HONORIFICS)
    ) and bool(_INITIAL_GAP.fullmatch(text, left.end, right.start))


def _np_word(word: Word) -> bool:
    return word.capitalised or word.base in NP_LOWER or word.lower in lexicon.PRONOUNS


def np_backward(
    ctx: ArticleContext, words: Sequence[Word], k: int, *, floor: int
) -> tuple[int, int] | None:
    """The noun phrase ending just before words[k] (skipping "also", "has" ...)."""
    text = ctx.text
    j = k
    while j > 0 and words[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
        if j < len(words) and not gap_ok(text, words[j - 1], words[j]):
            break
        j -= 1
    end_index = j
    if end_index == 0:
        return None
    if words[end_index - 1].lower in lexicon.PRONOUNS or words[end_index - 1].text == "I":
        # "when we met in Vessby I told them": the first person alone is the subject
        w = words[end_index - 1]
        return w.start, w.end
    i = end_index
    while i > 0:
        w = words[i - 1]
        if w.start < floor or not _np_word(w):
            break
        if i < end_index and not gap_ok(text, w, words[i]):
            break
        if w.lower in lexicon.PRONOUNS:
            break
        i -= 1
    # An appositive: "Rauf Karimli, a political analyst, said" (closed by a comma: in
    # "In Lima, the ministry said" the phrase after the comma is the subject itself)
    if (
        i < end_index
        and words[i].lower in ("a", "an", "the")
        and i > 0
        and text.startswith(",", words[end_index - 1].end)
    ):
        between = text[words[i - 1].end : words[i].start]
        if between.strip() == ",":
            name_end = i
            n = name_end
            while (
                n > 0
                and words[n - 1].capitalised
                and (n == name_end or gap_ok(text, words[n - 1], words[n]))
            ):
                n -= 1
            if n < name_end:
                return _trim(words, n, name_end)
    if (
        i >= 2
        and i < end_index
        and words[i - 1].lower in ("in", "at")
        and words[i - 1].text.islower()
        and all(w.capitalised for w in words[i:end_index])
        # "the Chinese embassy in Wellington" may be one curated name
        and not any(
            m.start < words[i - 1].start < m.end for m in ctx.matches_between(0, words[i].end)
        )
    ):
        # "A UN spokeswoman in Geneva added": the place is where the subject spoke
        named = np_backward(ctx, words, i - 1, floor=floor)
        if named is not None and (
            any(m.actor.kind != "state" for m in ctx.matches_between(*named))
            or any(w.base in lexicon.PERSON_ROLES for w in words[index_at(words, named[0]) : i])
        ):
            return named
    anonymous = _anonymous_in_body(words, i, floor)
    if anonymous is not None and i < end_index:
        # "A source in the Trade Ministry told": someone unnamed, not the ministry
        return words[anonymous].start, words[end_index - 1].end
    while i < end_index and words[i].lower in ("of", "for", "to", "and"):
        i += 1
    if i >= end_index:
        return None
    span = _trim(words, i, end_index)
    if span is None:
        return None
    return span


_INSIDE = frozenset({"in", "at", "within", "inside", "from"})


def _anonymous_in_body(words: Sequence[Word], i: int, floor: int) -> int | None:
    """Where "a source in", "an official at", "two diplomats from" starts, when words[i]
    (a body's name) follows it: the index of the determiner."""
    if i < 2 or words[i - 1].lower not in _INSIDE:
        return None
    role = words[i - 2]
    if role.base not in lexicon.ANONYMOUS_ROLES and role.lower not in PLURAL_PEOPLE:
        return None
    plural = role.lower in PLURAL_PEOPLE
    for b in range(i - 3, max(-1, i - 7), -1):
        if words[b].start < floor:
            break
        if words[b].lower in INDEFINITE:
            return b
        if not (words[b].base in lexicon.ROLE_MODIFIERS or words[b].capitalised):
            break
    # "sources from the ministry said", "senior officials at the ministry": plural
    # people need no determiner
    definite = i >= 3 and words[i - 3].lower in ("the", "its", "their")
    return i - 2 if plural and not definite else None


def _trim(words: Sequence[Word], i: int, j: int) -> tuple[int, int] | None:
    """Drop function words at the end; require a head worth resolving."""
    while j > i and words[j - 1].lower in lexicon.NP_FUNCTION:
        j -= 1
    if j <= i:
        return None
    head = words[j - 1]
    if not (head.capitalised or head.base in _NP_HEAD_LOWER or head.lower in lexicon.PRONOUNS):
        return None
    if all(w.lower in lexicon.NP_FUNCTION or w.lower in STOP_NAME_WORDS for w in words[i:j]):
        return None
    return words[i].start, words[j - 1].end


def _role_after_possessive(text: str, words: Sequence[Word], j: int) -> int:
    """Past "border talks envoy" after "Norland's": one or two lower-case words the lexicon
    does not know, then the role they qualify, are the possessor's role; else `j`."""
    if not words[j - 1].text.endswith(("'s", "’s")):
        return j
    for n in (1, 2):
        k = j + n
        if k >= len(words) or words[k].base not in lexicon.PERSON_ROLES:
            continue
        run = words[j - 1 : k + 1]
        if all(w.text.isalpha() and w.text.islower() for w in run[1:]) and all(
            gap_ok(text, a, b) for a, b in pairwise(run)
        ):
            return k + 1
    return j


def np_forward(
    ctx: ArticleContext, words: Sequence[Word], i: int, *, clause_end: bool = True
) -> tuple[int, int] | None:
    """The noun phrase starting at words[i]; `said the spokesman, X Y.` gives X Y.
    Without `clause_end`, `words` stop at a quotation rather than at the end of a clause,
    so a name running up to it is the quotation's subject, not an apposition."""
    text = ctx.text
    if i >= len(words):
        return None
    if words[i].lower in lexicon.PRONOUNS:
        return words[i].start, words[i].end
    j = i
    while j < len(words) and _np_word(words[j]) and words[j].lower not in lexicon.PRONOUNS:
        if j > i and not gap_ok(text, words[j - 1], words[j]):
            break
        if j > i and words[j].lower in ("on", "at", "in") and not words[j].capitalised:
            break
        j += 1
        if j < len(words) and not _np_word(words[j]):
            j = _role_after_possessive(text, words, j)
    span = _trim(words, i, j)
    shorter = j
    while span is None and shorter - 1 > i and words[shorter - 1].lower in NP_LOWER:
        # "Professor X of Y University's department of international relations": the
        # phrase up to its last head ("department"), not nothing
        shorter -= 1
        span = _trim(words, i, shorter)
    if span is None:
        return None
    # appositive name after a role: "said the ministry's spokesman, Dariush Kamali."
    if (
        j < len(words)
        and (
            not words[j - 1].capitalised
            # "the Vice Minister for Regional Affairs, Luis Ortega Blanco,"
            or any(w.lower in lexicon.PERSON_ROLES for w in words[i:j])
        )
        and text[words[j - 1].end : words[j].start].strip() == ","
    ):
        k = j
        while (
            k < len(words)
            and words[k].capitalised
            and (k == j or gap_ok(text, words[k - 1], words[k]))
        ):
            k += 1
        if k < len(words):
            after = text[words[k - 1].end : words[k].start].strip()[:1]
        elif text[words[k - 1].end : words[k - 1].end + 1] == ",":
            after = ","  # "As the deputy minister, X Y, put it: "…""
        else:
            after = "." if clause_end else ""
        if k > j and after != "" and after in ",.":
            if all(w.lower not in STOP_NAME_WORDS for w in words[j:k]):
                return words[j].start, words[k - 1].end
    return span


def main_subject(ctx: ArticleContext, words: Sequence[Word], before: int) -> tuple[int, int] | None:
    """The subject of the clause holding words[before]: its first noun phrase."""
    text = ctx.text
    i = 0
    dateline = _DATELINE.match(text, words[0].start) if words else None
    if dateline is not None:
        # "ISLAMABAD (Reuters) - Pakistan is …": the place and agency are no subject
        i = index_at(words, dateline.end())
    if i < before and words[i].lower in lexicon.ADVERBIAL_OPENERS:
        # skip the opening adverbial up to its comma
        for k in range(i + 1, before):
            if "," in text[words[k - 1].end : words[k].start]:
                i = k
                break
        else:
            return None
    if i >= before:
        return None
    return np_forward(ctx, words[:before], i)


_DATELINE = re.compile(
    r"[A-Z][A-Z .'’\-]+(?:,[ \t]*[A-Z][\w .,]{0,30}?)?[ \t]*(?:\([^()\n]{1,40}\))?"
    r"[ \t]*(?:--|[-–—]|(?<=[A-Z]):)[ \t]+"
)
_TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
    week month year weekend morning evening night afternoon""".split()
)
_TIME_LEAD = frozenset("on last this late early earlier later next".split())


def _skip_time(words: Sequence[Word], j: int, lo: int) -> int:
    """Step back over a time adverbial before a verb: "X on Monday said", "X last week
    told …", "X earlier this month said"."""
    while j - 2 >= lo and words[j - 1].lower in _TIME_WORDS and words[j - 2].lower in _TIME_LEAD:
        j -= 2
        while j > lo and words[j - 1].lower in _TIME_LEAD:
            j -= 1
    while j > lo and words[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
        j -= 1
    return j


WORD_RE = re.compile(r"[^\W\d_][\w’'\-]*")


def head_word(words: Sequence[str]) -> str:
    last = words[-1].lower() if words else ""
    for suffix in ("'s", "’s"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
    return last


# endings of English common nouns that no given name has: "Relations", "Studies", "Security"
_COMMON_NOUN_ENDINGS = ("ions", "ies", "ity", "ics", "ship", "ence", "ance")


def trailing_name(
    ctx: ArticleContext, start: int, end: int, inside: Sequence[GazetteerMatch]
) -> tuple[int, int] | None:
    """An unknown person's name closing a phrase: "political analyst Rauf Karimli"."""
    text = ctx.text
    names = list(_NAME_WORD.finditer(text, start, end))
    tail: list[re.Match[str]] = []

    def adjacent(left: re.Match[str], right: re.Match[str]) -> bool:
        return bool(
            _NAME_GAP.fullmatch(text, left.end(), right.start())
            or (len(left.group()) <= 2 and _INITIAL_GAP.fullmatch(text, left.end(), right.start()))
        )

    def plain_name_word(m: re.Match[str]) -> bool:
        low = m.group().lower().rstrip(".")
        return not (
            low in NOT_IN_NAME
            or hyphenated_title(low)
            or low in lexicon.ROLE_MODIFIERS
            or low.endswith(("'s", "’s"))
            or any(mm.start <= m.start() < mm.end for mm in inside)
        )

    for n in range(len(names) - 1, -1, -1):
        m = names[n]
        if tail and not adjacent(m, tail[-1]):
            break
        if not plain_name_word(m):
            # a title word inside a name ("Omar Sheikh Abdi") is part of it; one at
            # its start ("Sheikh Hamad", "President Omar …") is not
            low = m.group().lower().rstrip(".")
            inner = (
                tail
                and low in NOT_IN_NAME
                # "Vessby University Dr. Ana Lima": an honorific opens the name
                and low not in lexicon.HONORIFICS
                # an office is never part of a name: "Green MP Lena Brückner"
                and low not in lexicon.OFFICIAL_ROLES
                and n > 0
                and adjacent(names[n - 1], m)
                and plain_name_word(names[n - 1])
                and names[n - 1].group()[:1].isupper()
                and names[n - 1].start() >= start
            )
            if not inner:
                break
        tail.append(m)
    if not tail or tail[0].end() != strip_possessive(text, end):
        return None
    # "… International Relations Ana Lind": the end of a body's or title's name, whose words
    # read as common nouns ("Relations", "Studies", "Security"), is no part of the person's
    while len(tail) > 2 and any(w.group().lower().endswith(_COMMON_NOUN_ENDINGS) for w in tail[2:]):
        tail.pop()
    first, last = tail[-1], tail[0]
    before = text[max(start, first.start() - 6) : first.start()].lower().split()
    if before and before[-1] == "and" and len(tail) >= 3:
        # "Minister of Trade and Integration Ana Lind": the word after "and" ends the title
        tail.pop()
        first = tail[-1]
        before = []
    if before and before[-1] in ("the", "of", "to", "for", "at", "from", "in"):
        return None  # "the United Nations" names a thing, not a person
    # A lone capitalised word is a name only if the phrase says it is someone:
    # "Karimli said" is, "Tehran said" was caught by the Gazetteer already.
    return first.start(), last.end()


def strip_possessive(text: str, end: int) -> int:
    if text[end - 2 : end].lower() in ("'s", "’s"):
        return end - 2
    return end


def loose_words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))
