"""Attribution: who said each quotation.

For each statement, in order of preference:
1. an attribution right after the closing mark: `," X said`, `," said X`, `," the channel
   quoted him as saying`, `, according to X`, `," a ministry spokesman, X Y, told …` (the
   name in apposition); `," and she reiterated` starts a new clause and is none;
2. an attribution earlier in the quotation's sentence: `X said that "…"`, `X: "…"`,
   `X assessed it as "…"`, `X made clear that`, `X put it simply: "…"`, `He stressed …,
   emphasizing that "…"` (a participle takes the subject of its clause, or of the reported
   clause when the main subject only relays: `state media reported that X …, calling for`),
   `according to X`, `X's statements such as "…"` / `X's position is that "…"`, `the
   statement …, in which the Council "reaffirmed …"` (the subject of the quoted predicate).
   The verb's subject is found across appositions and parentheses (`X, a researcher at Y,
   said`, `Its spokesperson, X, said`, `X, in a communiqué signed by …, expressed`), relative
   clauses (`X, who said`, `X, who attended …, thanked`), coordination (`X said … and
   urged`), datelines and time adverbials (`ISLAMABAD (Reuters) -`, `X on Monday said`);
3. a sentence or paragraph ending with a colon just before the quotation (`According to X,
   …:` followed by the quotation);
4. the previous statement of the same paragraph (`"A," he said. "B."`), or of the previous
   paragraph when the quotation opens its paragraph without an attribution (never for a
   crosshead);
5. the subject of the sentence just before, in the same paragraph (`Bayramov was blunt.
   "…"`);
6. the same words attributed elsewhere in the article (a quoted headline), including an
   interview answer, which belongs to the interviewee (the last person quoted before the
   first "Question:", else the one the introduction says it "spoke to").
Finally a quotation in a headline, crosshead or live-blog entry title takes the speaker the
body gives the same words.

The noun phrase found is then resolved: "he"/"she" to the subject-most person of the
nearest earlier sentence, skipping people known to be of the other gender (titles and
honorifics, kin nouns in an apposition, common given names, earlier pronouns); "she"
prefers a woman named in the last sentences to a nearer person of unknown gender. "The
minister"/"the spokesman"/"the top diplomat" go to the latest person with that role and
country (else the one curated person with that title), "the ministry"/"the defense ministry"
/"the statement" to the latest body with those words or the issuer of the latest statement,
"the Kremlin"/"Official Baku" to the state, names through the Gazetteer, a lone word of an
earlier full name to that person ("Mao" after "Mao Ning", "Lee" after "Lee Jae-myung"). An
indefinite or plural phrase ("a senior Iranian official", "diplomats") is anonymous and
speaks for no one, and "the official" after it is the same anonymous person; only a
spokesperson speaks for the body the phrase names ("a USFK spokesperson", "a spokesman for
the X"). Unknown people named with a role or a full name, and unknown bodies named with a
proper name, become NewActors, named without ranks and honorifics ("Commodore Jay Tarriela"
is jay-tarriela); a lone unknown word ("Hamas said") does not, unless it is an acronym (an
organisation).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.extraction import lexicon
from app.extraction.context import ArticleContext, Word
from app.extraction.gazetteer import GazetteerMatch, org_keywords
from app.extraction.model import KnownActor, NewActor
from app.extraction.quotes import Quote
from app.extraction.text import fold, is_heading, slugify, word_keys


@dataclass(frozen=True)
class Attribution:
    """The speaker of one statement and where the article names them."""

    speaker_text: str | None
    speaker: str | None
    start: int | None = None  # offsets of speaker_text, when it was found in the text
    end: int | None = None
    rule: str = "none"


_NONE = Attribution(None, None)
_INDEFINITE = frozenset("a an one some several many two three four few".split())
_SPOKES = frozenset("spokesman spokeswoman spokesperson spokespeople spokespersons".split())
_PLURAL_PEOPLE = frozenset(
    """officials sources diplomats analysts experts observers residents witnesses lawmakers
    people critics officers commanders leaders authorities""".split()
)

# Lower-case words that can sit inside a speaker's noun phrase.
_NP_LOWER = (
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
_NP_GAP = re.compile(r"[ \t\u00a0\-‐‑]*")
_INITIAL_GAP = re.compile(r"\.[ \t\u00a0]*")
_POST_LEAD = re.compile(r"[\s,.!?…—–\-]*")
_QUOTED_AS = re.compile(
    r"\b(?:quot|cit)(?:ed|es|ing)\s+(?P<np>[^,.;:!?\"“”«»]{1,80}?)\s+as\s+(?:saying|stating|telling)",
    re.IGNORECASE,
)
_ACCORDING = re.compile(r"\b(?:according\s+to|in\s+the\s+words\s+of)\s+", re.IGNORECASE)
_SAYS_LATE = re.compile(r",\s+(?:says|said|warns|tells|told|insists|claims)\s+")
_ISSUED = re.compile(
    r"\b(?:issued|released|published|put\s+out|circulated|distributed|adopted|made|"
    r"posted|sent)\b[^.!?]{0,40}?\b(?:statement|communiqu[eé]|declaration|release|note|letter)",
    re.IGNORECASE,
)
_DOC_OF = re.compile(
    r"\b(?:statement|communiqu[eé]|declaration|note|letter)\s+(?:of|by|from)\s+(?:the\s+)?",
    re.IGNORECASE,
)
_NAME_GAP = re.compile(
    r"[ \t\u00a0\-‐‑]*(?:(?:von|van|der|den|de|del|della|bin|ibn|al|el|da|di|du|la|le|dos"
    r"|das)[ \t\u00a0]+)*"
)
# Upper-case letters a name can start with: "Özkan", "Ávila", "Łukasz", "Şahin".
_UP = "[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ]"
_NAME_WORD = re.compile(
    rf"(?:(?:al|el|ad|ash|as|at|an|abu|bin|ibn|ben)-)?{_UP}[\w’'\-]*[^\W\d_]|{_UP}\.?"
)
_HONORIFIC = re.compile(r"(?:(?:his|her)[ \t]+)?(?P<word>[^\W\d_][\w\-]*)\.?[ \t\u00a0]+", re.I)
_STOP_NAME_WORDS = frozenset(
    """the a an this that these those he she it they we i you his her its their our my
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december today yesterday however but
    and or so then also if when while after before during according in on at for of as
    meanwhile earlier later question answer photo source by from with to""".split()
)
_NOT_IN_NAME = _STOP_NAME_WORDS | lexicon.PERSON_ROLES | lexicon.ORG_HEADS | lexicon.HONORIFICS


def _skip_honorifics(text: str, start: int, end: int) -> int:
    """Where a name starts once its honorifics and ranks are skipped: "Commodore Jay
    Tarriela", "His Excellency Dr Mohamed Irfaan Ali", "Lt. Gen. X" -> the name."""
    while True:
        m = _HONORIFIC.match(text, start, end)
        if m is None or m.group("word").lower() not in lexicon.HONORIFICS:
            return start
        if not _NAME_WORD.match(text, m.end(), end):
            return start  # nothing name-like is left: "General" alone stays
        start = m.end()


@dataclass
class _Referent:
    start: int
    end: int
    key: str  # actor slug, or "?name" for a person the curated data does not know
    kind: str
    name: str
    roles: frozenset[str]
    sentence: int
    origin: tuple[int, int] = (0, 0)  # where an unknown person is introduced by full name


@dataclass
class _State:
    ctx: ArticleContext
    referents: list[_Referent] = field(default_factory=list)
    new_actors: dict[str, NewActor] = field(default_factory=dict)  # slug -> actor
    new_by_word: dict[str, str] = field(default_factory=dict)  # folded surname -> slug
    results: list[Attribution] = field(default_factory=list)
    done: list[Quote] = field(default_factory=list)  # the statements of `results`
    loose_text: str = ""  # the article as _loose() words, computed when first needed
    pronoun_at: list[int] | None = None  # personal pronouns outside quotations


def attribute(
    ctx: ArticleContext, statements: Sequence[Quote]
) -> tuple[tuple[Attribution, ...], tuple[NewActor, ...]]:
    """The speaker of each statement (same order) and the speakers the curated data lacks."""
    state = _State(ctx)
    state.referents = _referents(ctx)
    pending: list[int] = []
    for quote in statements:
        found = _attribute_one(state, quote)
        if found.speaker is None and found.speaker_text is None:
            pending.append(len(state.results))
        state.results.append(found)
        state.done.append(quote)
        if found.speaker is not None and found.start is not None and found.end is not None:
            _remember(state, found)
    for index in pending:
        state.results[index] = _from_repetition(state, statements, index)
    _headings_follow_the_body(state, statements)
    return tuple(state.results), tuple(state.new_actors.values())


def _headings_follow_the_body(state: _State, statements: Sequence[Quote]) -> None:
    """A quotation in a headline or crosshead takes the speaker the article body gives the
    same words ("Egypt says … a 'flagrant violation'" is the ministry's, whose statement
    the body quotes), which is more precise than the headline's own shorthand."""
    ctx = state.ctx
    first = ctx.paragraphs[0] if ctx.paragraphs else (0, 0)
    heading = []
    for quote in statements:
        span = ctx.paragraphs[ctx.paragraph_index(quote.open_mark)]
        heading.append(is_heading(ctx.text[span[0] : span[1]], first=span == first))
    keys = [_loose(q.text) for q in statements]
    for i, key in enumerate(keys):
        if not heading[i] or len(key) < 6:
            continue
        for j, other in enumerate(keys):
            found = state.results[j]
            if not heading[j] and found.speaker is not None and f" {key} " in f" {other} ":
                state.results[i] = Attribution(
                    found.speaker_text, found.speaker, found.start, found.end, "heading"
                )
                break


# ------------------------------------------------------------------ finding the phrase


def _attribute_one(state: _State, quote: Quote) -> Attribution:
    ctx = state.ctx
    text = ctx.text
    sentence = ctx.sentences[ctx.sentence_index(quote.open_mark)]
    close = quote.close_mark if quote.close_mark is not None else quote.end
    post = _after(state, quote, close)
    if post is not None and not (post.speaker is None and _documentary(post)):
        return post
    pre = _before(state, quote, sentence)
    if post is not None and (pre is None or pre.speaker is None):
        return post
    if pre is not None:
        return pre
    colon = _colon_intro(state, quote, sentence)
    if colon is not None:
        return colon
    labelled = _labelled_first_person(state, quote, sentence)
    if labelled is not None:
        return labelled
    # Interrupted or continued quotation: the speaker of the statement just before.
    para = ctx.paragraph_index(quote.open_mark)
    p_start = ctx.paragraphs[para][0]
    opens_paragraph = not text[p_start : quote.open_mark].strip(" \t-–—")
    p_span = ctx.paragraphs[para]
    heading = is_heading(text[p_span[0] : p_span[1]], first=para == 0)
    if state.results and not heading:  # a crosshead does not continue a quotation
        previous = state.results[-1]
        prev_para = ctx.paragraph_index(state.done[-1].open_mark)
        if prev_para == para or (
            opens_paragraph and prev_para == para - 1 and previous.speaker is not None
        ):
            return Attribution(
                previous.speaker_text, previous.speaker, previous.start, previous.end, "previous"
            )
    # `Bayramov was blunt. "We will not tolerate it."`: the subject of the sentence before.
    here = ctx.sentence_index(quote.open_mark)
    if here > 0 and ctx.sentences[here - 1][0] >= p_start:
        s_start, s_end = ctx.sentences[here - 1]
        words = [w for w in ctx.words(s_start, s_end) if w is not None]
        np = _main_subject(ctx, words, len(words))
        if np is not None:
            found = _resolve(state, np[0], np[1], "subject")
            if found.speaker is not None:
                return found
    return _NONE


# "PRESIDENT RAMAPHOSA: …" / "SOLHEIM: …": a transcript's or interview's speaker label
_SPEAKER_LABEL = re.compile(
    rf"(?P<label>(?:{_UP}+[’'\-.]?[ \t]+){{0,3}}{_UP}[{_UP[1:-1]}’'\-]+):[ \t]"
)
_NOT_SPEAKER_LABELS = frozenset("q a question answer moderator interviewer host".split())


def _labelled_first_person(
    state: _State, quote: Quote, sentence: tuple[int, int]
) -> Attribution | None:
    """ "As I said on Saturday, '…'" in an answer labelled "PRESIDENT RAMAPHOSA:": the
    person the label names, found among the people the article names."""
    ctx = state.ctx
    text = ctx.text
    p_start = ctx.paragraphs[ctx.paragraph_index(quote.open_mark)][0]
    m = _SPEAKER_LABEL.match(text, p_start)
    if m is None or fold(m.group("label")) in _NOT_SPEAKER_LABELS:
        return None
    words = [w for w in ctx.words(max(sentence[0], m.end()), quote.open_mark) if w is not None]
    if not any(
        w.text == "I" and any(v.lower in lexicon.SPEECH_VERBS for v in words[k + 1 : k + 3])
        for k, w in enumerate(words)
    ):
        return None
    return _label_speaker(state, m)


def _label_speaker(state: _State, m: re.Match[str]) -> Attribution | None:
    """The person a speaker label names, by the last word of the label ("RAMAPHOSA")."""
    surname = fold(m.group("label").split()[-1])
    for ref in state.referents:
        if ref.kind == "person" and ref.start < m.start():
            if surname in (fold(w) for w in ref.name.split()):
                speaker = _realise(state, ref)
                if speaker is not None:
                    return Attribution(
                        m.group("label"), speaker, m.start(), m.end("label"), "label"
                    )
    return None


def _labelled_answer_with(state: _State, quote: Quote, key: str) -> Attribution | None:
    """A headline quoting words that a labelled answer says without quotation marks
    ("'The Arctic can't be frozen in time'" … "SOLHEIM: … The Arctic can't be frozen in
    time while we wait"): the person the label names."""
    ctx = state.ctx
    for p_start, p_end in ctx.paragraphs:
        if p_start <= quote.start < p_end:
            continue
        m = _SPEAKER_LABEL.match(ctx.text, p_start)
        if m is None or fold(m.group("label")) in _NOT_SPEAKER_LABELS:
            continue
        if f" {key} " in f" {_loose(ctx.text[m.end() : p_end])} ":
            return _label_speaker(state, m)
    return None


def _documentary(found: Attribution) -> bool:
    """Whether the phrase found names a document ("according to a readout published by
    …"): the speaker the sentence names before the quotation is the better answer."""
    words = (found.speaker_text or "").split()
    return (
        bool(words) and words[0].lower() in ("a", "an") and _head(words) in lexicon.DOCUMENT_NOUNS
    )


def _after(state: _State, quote: Quote, close: int) -> Attribution | None:
    """`," he said` / `," said X` / `," X quoted him as saying` / `, according to X`."""
    ctx = state.ctx
    text = ctx.text
    lead = _POST_LEAD.match(text, close + 1)
    start = lead.end() if lead else close + 1
    if start >= len(text) or "\n" in text[close + 1 : start]:
        return None
    limit = ctx.sentences[ctx.sentence_index(start)][1]
    if limit <= start:
        limit = min(len(text), start + 200)
    new_sentence = ctx.sentence_index(start) != ctx.sentence_index(quote.open_mark)
    segment_end = min(limit, start + 250)
    words = ctx.words(start, segment_end)
    # stop at the next quotation: what follows it belongs to that one
    if None in words:
        words = words[: words.index(None)]
    plain = [w for w in words if w is not None]
    if not plain:
        return None
    m = _ACCORDING.match(text, start)
    if m is not None:
        np = _np_forward(ctx, plain, _index_at(plain, m.end()))
        if np is not None:
            return _resolve(state, np[0], np[1], "post")
    if plain[0].lower in _CONJUNCTIONS or plain[0].lower in ("which", "that"):
        # `," and she reiterated that …` / `," which it said were …`: a new clause
        return None
    for k, word in enumerate(plain[:30]):
        if not _speech_at(plain, k) or (k and _punct_between(text, plain[0].start, word.start)):
            continue
        if word.lower in ("quoted", "quotes", "cited", "cites"):
            qm = _QUOTED_AS.match(text, word.start)
            if qm is not None:
                np_start, np_end = qm.start("np"), qm.end("np")
                return _resolve(state, np_start, np_end, "post")
        if k == 0:
            if word.lower.endswith("ing"):
                return None
            np = _np_forward(ctx, plain, 1)
            if np is None:
                return None
            if new_sentence and not _bare_clause(text, np[1], limit):
                return None
            return _resolve(state, np[0], np[1], "post")
        j = k
        while j > 0 and plain[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
            j -= 1
        if j > 0 and _comma_between(text, plain[j - 1], plain[j]):
            # `," a ministry spokesman, Christophe Lemoine, told reporters`
            np = _chunk_subject(ctx, plain, 0, j, whole=True)
            if np is None:
                break
            if new_sentence and not _bare_clause(text, word.end, limit):
                return None
            return _resolve(state, np[0], np[1], "post")
        if k > 12:
            break
        np = _np_backward(ctx, plain, k, floor=plain[0].start)
        if np is not None and np[0] != plain[0].start:
            if k > 8 or any(c in ",;:" for c in text[plain[0].start : np[0]]):
                break
            # `," a source in the Azerbaijani government told Reuters`: the whole clause
            # subject names the speaker, even where it is more than a noun phrase.
            np = (plain[0].start, np[1])
        if np is None:
            break
        if new_sentence and not _bare_clause(text, word.end, limit):
            return None
        return _resolve(state, np[0], np[1], "post")
    if new_sentence:
        return None
    # later in the clause: `, according to X.` / `… to any attack, says X` (headlines)
    m = _ACCORDING.search(text, start, segment_end) or _SAYS_LATE.search(text, start, plain[-1].end)
    if m is not None:
        np = _np_forward(ctx, plain, _index_at(plain, m.end()))
        if np is not None and np[1] >= plain[-1].end - 1:
            return _resolve(state, np[0], np[1], "post")
    return None


def _bare_clause(text: str, pos: int, limit: int) -> bool:
    """Whether an attribution clause ends soon: `"…" He said.` but not `He said that …`
    nor `He told reporters: "…"` (which introduces the next quotation)."""
    rest = text[pos:limit]
    return (
        len(rest.split()) <= 6
        and "that" not in rest.split()
        and not any(c in rest for c in ':"“”«»')
    )


def _before(state: _State, quote: Quote, sentence: tuple[int, int]) -> Attribution | None:
    """An attribution in the quotation's sentence, before its opening mark."""
    ctx = state.ctx
    text = ctx.text
    start = sentence[0]
    words_all = ctx.words(start, quote.open_mark)
    plain = [w for w in words_all if w is not None]
    if not plain:
        return None
    segment = text[start : quote.open_mark]
    qm = _last(_QUOTED_AS.finditer(segment))
    if qm is not None:
        return _resolve(state, start + qm.start("np"), start + qm.end("np"), "pre")
    acc = _last(_ACCORDING.finditer(text, start, quote.open_mark))
    if acc is not None and not ctx.in_quote(acc.start()):
        np = _np_forward(ctx, plain, _index_at(plain, acc.end()), clause_end=False)
        if np is not None:
            return _resolve(state, np[0], np[1], "pre")
    verb_index = None
    for k in range(len(plain) - 1, -1, -1):
        if _speech_at(plain, k):
            verb_index = k
            break
    if verb_index is not None:
        verb = plain[verb_index]
        rel = _last(_IN_WHICH.finditer(text, verb.end, quote.open_mark))
        if rel is not None and quote.text[:1].islower():
            # "the statement issued by X, in which the Community "reaffirmed …"": the
            # document's author is the subject of the quoted words, not the verb's
            np = _np_backward(ctx, plain, len(plain), floor=rel.end())
            if np is not None and not text[np[1] : quote.open_mark].strip():
                return _resolve(state, np[0], np[1], "pre")
        if not verb.lower.endswith("ing"):
            np = _subject(ctx, plain, verb_index, floor=start)
            vocative = _vocative_end(ctx, plain, start, verb.start)
            if vocative is not None and (np is None or np[0] < vocative):
                # "Mr President, the White House says …": the address is no subject
                skip = _index_at(plain, vocative)
                np = _subject(ctx, plain[skip:], verb_index - skip, floor=vocative)
            if np is not None:
                return _resolve(state, np[0], np[1], "pre")
        np = _main_subject(ctx, plain, verb_index)
        if np is not None:
            found = _resolve(state, np[0], np[1], "pre")
            if found.speaker is not None or not verb.lower.endswith("ing"):
                return found
            # "State media reported that Kim inspected a unit, calling for …": a participle
            # whose main subject only relays the words belongs to the reported clause.
            inner = _that_clause_subject(ctx, plain, verb_index)
            if inner is not None:
                return _resolve(state, inner[0], inner[1], "pre")
            return found
    # X: "…"
    stripped = segment.rstrip()
    if stripped.endswith(":") and len(plain) <= 8:
        np = _np_backward(ctx, plain, len(plain), floor=start)
        if np is not None and np[0] == plain[0].start:
            found = _resolve(state, np[0], np[1], "pre")
            if found.speaker is not None:
                return found  # "Interview: '…'" names no one
    # X's statements such as "…"
    for k in range(len(plain) - 1, 0, -1):
        word = plain[k]
        if word.lower in lexicon.SPEECH_NOUNS and plain[k - 1].lower.endswith(("'s", "’s")):
            np = _np_backward(ctx, plain, k, floor=start)
            if np is not None:
                end = np[1] - 2 if text[np[1] - 2 : np[1]].lower() in ("'s", "’s") else np[1]
                return _resolve(state, np[0], end, "pre")
    return None


# "Mr President, …" / "Minister, …" opening a question: whom the speaker addresses
_VOCATIVE = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Madam|Madame)\.?[ \t]+)?(?:(?:Prime|Vice|Deputy|Foreign)[ \t]+)?"
    r"(?P<role>[A-Z][a-z\-]+),[ \t]+"
)


_QUESTION_LABEL = re.compile(r"[A-Z][A-Z ]*(?:\([^()\n]{0,60}\))?:[ \t]+")


def _vocative_end(ctx: ArticleContext, words: Sequence[Word], start: int, limit: int) -> int | None:
    """Where an address opening the sentence or a question ends ("Mr President, ")."""
    text = ctx.text
    label = _QUESTION_LABEL.match(text, start)
    at = label.end() if label is not None else start
    m = _VOCATIVE.match(text, at, limit)
    if m is None or m.group("role").lower() not in lexicon.PERSON_ROLES:
        return None
    return m.end()


_CONJUNCTIONS = frozenset("and but while whereas yet".split())
_RELATIVES = frozenset("who which whose whom".split())
_CHUNK_NP_EXTRA = frozenset("and its his her their our current then".split())
_PREPOSITIONS = frozenset(
    """in on at during after before while following speaking addressing asked when since
    despite with without amid among according as upon for from by through under over in
    earlier later last this via""".split()
)


def _comma_between(text: str, left: Word, right: Word) -> bool:
    return "," in text[left.end : right.start]


def _subject(
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
    if before.lower in _CONJUNCTIONS:
        for p in range(j - 2, lo - 1, -1):
            if _speech_at(words, p) and not words[p].lower.endswith("ing"):
                return _subject(ctx, words, p, floor=floor)
        for p in range(j - 2, lo, -1):
            if words[p].lower in _RELATIVES and _comma_between(text, words[p - 1], words[p]):
                return _antecedent(ctx, words, p, lo)
        return _main_subject(ctx, words[lo:], j - 1 - lo)
    chunk = j
    while chunk > lo and not _comma_between(text, words[chunk - 1], words[chunk]):
        chunk -= 1
    if chunk == j or _chunk_kind(words, chunk, j) == "par":
        found = _chunk_subject(ctx, words, lo, j)
        if found is None and chunk == j:
            # the verb follows a parenthesis we could not read: the clause's subject
            found = _main_subject(ctx, words[lo:], j - lo)
        if found is not None:
            return found
    for r in range(j - 1, lo, -1):
        if _comma_between(text, words[r - 1], words[r]) or words[r].lower in _CONJUNCTIONS:
            break
        if words[r].lower in ("who", "whose") and words[r].text.islower():
            # "A European diplomat who served in Bamako told me": the relative clause
            # is no part of the subject; its antecedent is
            return _antecedent(ctx, words, r, lo)
    return _np_backward(ctx, words, j, floor=floor)


def _antecedent(
    ctx: ArticleContext, words: Sequence[Word], r: int, lo: int
) -> tuple[int, int] | None:
    """What the relative pronoun words[r] stands for: the noun phrase before its comma,
    else the last actor named in that stretch ("the Order of the Court of 2023, which")."""
    if r <= lo:
        return None
    np = _np_backward(ctx, words, r, floor=words[lo].start)
    if np is not None:
        return np
    start = lo
    for i in range(r - 1, lo, -1):
        if _comma_between(ctx.text, words[i - 1], words[i]) and i < r - 1:
            start = i
            break
    inside = [
        m
        for m in ctx.matches_between(words[start].start, words[r - 1].end)
        if m.actor.kind != "state"
    ]
    return (inside[-1].start, inside[-1].end) if inside else None


def _chunk_kind(words: Sequence[Word], i: int, j: int) -> str:
    """What the comma-delimited words[i:j] are: "rel" (who …), "par" (in a …, speaking …),
    "name" (capitalised words), "np" (a noun phrase) or "other" (a clause)."""
    first = words[i]
    if first.lower in _RELATIVES:
        return "rel"
    if first.lower in _PREPOSITIONS or (
        first.text.islower() and first.lower.endswith(("ing", "ed")) and first.base not in _NP_LOWER
    ):
        return "par"
    if first.lower in _DETERMINERS or first.capitalised or first.base in _NP_LOWER:
        # an apposition describing someone: "the commander of U.S. forces in the region",
        # "a senior fellow at the Caspian Institute"
        if any(w.base in lexicon.PERSON_ROLES for w in words[i : min(j, i + 6)]) and not any(
            w.lower in lexicon.SPEECH_VERBS and w.text.islower() for w in words[i:j]
        ):
            if all(w.capitalised or w.lower in lexicon.NP_FUNCTION for w in words[i:j]):
                # "General Abdourahamane Tiani": ranks before a name leave a name
                k = i
                while k + 1 < j and words[k].lower in lexicon.HONORIFICS:
                    k += 1
                return "np" if any(w.base in _NOT_IN_NAME for w in words[k:j]) else "name"
            return "np"
    if all(_np_word(w) or w.lower in _CHUNK_NP_EXTRA for w in words[i:j]):
        # "Senior Col. Shi Yi": a rank before a name leaves a name
        k = i
        while k + 2 < j and (
            words[k].lower in lexicon.HONORIFICS or words[k].lower in lexicon.ROLE_MODIFIERS
        ):
            k += 1
        if all(w.capitalised or w.lower in lexicon.NP_FUNCTION for w in words[i:j]) and not any(
            w.base in _NOT_IN_NAME or w.base in lexicon.ROLE_MODIFIERS for w in words[k:j]
        ):
            return "name"
        return "np"
    return "other"


def _chunk_subject(
    ctx: ArticleContext, words: Sequence[Word], lo: int, j: int, *, whole: bool = False
) -> tuple[int, int] | None:
    """The subject before a verb that a parenthesis or appositive separates from it;
    with `whole`, every word from words[lo] on must belong to the subject's clause."""
    text = ctx.text
    bounds = [lo]
    for i in range(lo + 1, j):
        if _comma_between(text, words[i - 1], words[i]):
            bounds.append(i)
    bounds.append(j)
    chunks = list(zip(bounds, bounds[1:], strict=False))
    kept: list[tuple[str, int, int]] = []
    for c0, c1 in reversed(chunks):
        if c0 == c1:
            continue
        if words[c0].lower in _CONJUNCTIONS or words[c0].lower == "that":
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
            # "Its spokesperson, Randhir Jaiswal, said": the name, not the role
            c0, c1 = kept[n + 1][1], kept[n + 1][2]
        return _trim(words, c0, c1)
    return None


def _that_clause_subject(
    ctx: ArticleContext, words: Sequence[Word], before: int
) -> tuple[int, int] | None:
    """The subject of the last `that` clause before words[before]."""
    for i in range(before - 1, -1, -1):
        if words[i].lower == "that":
            return _np_forward(ctx, words[:before], i + 1)
    return None


_IN_WHICH = re.compile(r"\b(?:in|under|through|with)[ \t]+which\b|\bwhere(?:by|in)?\b")


def _last(matches: Iterator[re.Match[str]]) -> re.Match[str] | None:
    found = None
    for found in matches:  # noqa: B007 - keeping the last one is the point
        pass
    return found


def _colon_intro(state: _State, quote: Quote, sentence: tuple[int, int]) -> Attribution | None:
    """A quotation right after a sentence ending in a colon takes that sentence's speaker."""
    ctx = state.ctx
    text = ctx.text
    if text[sentence[0] : quote.open_mark].strip():
        return None
    index = ctx.sentence_index(quote.open_mark)
    if index == 0:
        return None
    prev = ctx.sentences[index - 1]
    if not text[prev[0] : prev[1]].rstrip().endswith(":"):
        return None
    fake = Quote("", prev[1], prev[1], prev[1], prev[1])
    return _before(state, fake, prev)


# Bare forms that are nouns as often as verbs ("state media", "a post on X"): verbs only
# after a subject pronoun, a modal, "to" or a plural noun ("officials note").
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
_NOT_PLURAL = frozenset("its his has was this does as us is yes ours yours theirs".split())


def _speech_at(words: Sequence[Word], k: int) -> bool:
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
    if low.startswith("continu") and nxt == "to":
        return False  # "Turkey would continue to host talks": not "he continued"
    prev = words[k - 1].lower if k else ""
    if prev in _DETERMINERS or prev.endswith(("'s", "’s")):
        return False  # "the UK's continued administration", "the stated aim"
    if low in _AMBIGUOUS_BARE:
        return prev in _VERB_CUES or (
            len(prev) > 3
            and prev.endswith("s")
            and not prev.endswith(("ss", "us", "ous", "'s", "’s"))
            and prev not in _NOT_PLURAL
        )
    return True


def _punct_between(text: str, start: int, end: int) -> bool:
    return any(c in '.;:!?()"“”«»\n' for c in text[start:end])


def _index_at(words: Sequence[Word], pos: int) -> int:
    for i, w in enumerate(words):
        if w.start >= pos:
            return i
    return len(words)


def _gap_ok(text: str, left: Word, right: Word) -> bool:
    if _NP_GAP.fullmatch(text, left.end, right.start):
        return True
    # "K. Heydari": an initial's period; "Lt. Gen. John Smith", "Dr. Sarah Connor"
    return (
        (len(left.text) == 1 and left.text.isupper())
        or (left.capitalised and left.lower in lexicon.HONORIFICS)
    ) and bool(_INITIAL_GAP.fullmatch(text, left.end, right.start))


def _np_word(word: Word) -> bool:
    return word.capitalised or word.base in _NP_LOWER or word.lower in lexicon.PRONOUNS


def _np_backward(
    ctx: ArticleContext, words: Sequence[Word], k: int, *, floor: int
) -> tuple[int, int] | None:
    """The noun phrase ending just before words[k] (skipping "also", "has" ...)."""
    text = ctx.text
    j = k
    while j > 0 and words[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
        if j < len(words) and not _gap_ok(text, words[j - 1], words[j]):
            break
        j -= 1
    end_index = j
    if end_index == 0:
        return None
    if words[end_index - 1].lower in lexicon.PRONOUNS:
        w = words[end_index - 1]
        return w.start, w.end
    i = end_index
    while i > 0:
        w = words[i - 1]
        if w.start < floor or not _np_word(w):
            break
        if i < end_index and not _gap_ok(text, w, words[i]):
            break
        if w.lower in lexicon.PRONOUNS:
            break
        i -= 1
    # An appositive: "Nasimi Mammadli, a political analyst, said"
    if i < end_index and words[i].lower in ("a", "an", "the") and i > 0:
        between = text[words[i - 1].end : words[i].start]
        if between.strip() == ",":
            name_end = i
            n = name_end
            while (
                n > 0
                and words[n - 1].capitalised
                and (n == name_end or _gap_ok(text, words[n - 1], words[n]))
            ):
                n -= 1
            if n < name_end:
                return _trim(words, n, name_end)
    while i < end_index and words[i].lower in ("of", "for", "to", "and"):
        i += 1
    if i >= end_index:
        return None
    span = _trim(words, i, end_index)
    if span is None:
        return None
    return span


def _trim(words: Sequence[Word], i: int, j: int) -> tuple[int, int] | None:
    """Drop function words at the end; require a head worth resolving."""
    while j > i and words[j - 1].lower in lexicon.NP_FUNCTION:
        j -= 1
    if j <= i:
        return None
    head = words[j - 1]
    if not (head.capitalised or head.base in _NP_HEAD_LOWER or head.lower in lexicon.PRONOUNS):
        return None
    if all(w.lower in lexicon.NP_FUNCTION or w.lower in _STOP_NAME_WORDS for w in words[i:j]):
        return None
    return words[i].start, words[j - 1].end


def _np_forward(
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
        if j > i and not _gap_ok(text, words[j - 1], words[j]):
            break
        if j > i and words[j].lower in ("on", "at", "in") and not words[j].capitalised:
            break
        j += 1
    span = _trim(words, i, j)
    if span is None:
        return None
    # appositive name after a role: "said the ministry's spokesman, Esmaeil Baghaei."
    if (
        j < len(words)
        and (
            not words[j - 1].capitalised
            # "the Vice Minister for Multilateral Affairs, Mauricio Jaramillo Jassir,"
            or any(w.lower in lexicon.PERSON_ROLES for w in words[i:j])
        )
        and text[words[j - 1].end : words[j].start].strip() == ","
    ):
        k = j
        while (
            k < len(words)
            and words[k].capitalised
            and (k == j or _gap_ok(text, words[k - 1], words[k]))
        ):
            k += 1
        if k < len(words):
            after = text[words[k - 1].end : words[k].start].strip()[:1]
        elif text[words[k - 1].end : words[k - 1].end + 1] == ",":
            after = ","  # "In the words of the Vice Minister, X Y, "…""
        else:
            after = "." if clause_end else ""
        if k > j and after != "" and after in ",.":
            if all(w.lower not in _STOP_NAME_WORDS for w in words[j:k]):
                return words[j].start, words[k - 1].end
    return span


def _main_subject(
    ctx: ArticleContext, words: Sequence[Word], before: int
) -> tuple[int, int] | None:
    """The subject of the clause holding words[before]: its first noun phrase."""
    text = ctx.text
    i = 0
    dateline = _DATELINE.match(text, words[0].start) if words else None
    if dateline is not None:
        # "ISLAMABAD (Reuters) - Pakistan is …": the place and agency are no subject
        i = _index_at(words, dateline.end())
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
    return _np_forward(ctx, words[:before], i)


_DATELINE = re.compile(
    r"[A-Z][A-Z .'’\-]+(?:,[ \t]*[A-Z][\w .,]{0,30}?)?[ \t]*(?:\([^()\n]{1,40}\))?"
    r"[ \t]*(?:--|[-–—])[ \t]+"
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


# ------------------------------------------------------------------ resolving the phrase


def _resolve(state: _State, start: int, end: int, rule: str) -> Attribution:
    ctx = state.ctx
    text = ctx.text
    i = bisect.bisect_left(ctx.match_starts, start) - 1
    if i >= 0 and ctx.matches[i].start < start < ctx.matches[i].end:
        # the phrase found is the end of a longer name: "… Foreign Affairs and
        # International Cooperation" is the whole ministry's name
        start = ctx.matches[i].start
    opener = _LEAD_CONJUNCTION.match(text, start, end)
    if opener is not None and opener.end() < end:
        start = opener.end()  # "But the council issued a statement": the council
    phrase = text[start:end]
    words = phrase.split()
    low = [w.lower() for w in words]
    if len(words) == 1 and low[0] in lexicon.PRONOUNS:
        key = _pronoun(state, start, low[0])
        return Attribution(phrase, key, start, end, rule)
    inside = ctx.matches_between(start, end)
    persons = [m for m in inside if m.actor.kind == "person"]
    unknown = _trailing_name(ctx, start, end, inside)
    if unknown is not None and (not persons or persons[-1].end <= unknown[0]):
        introduced = any(w.strip(",.").lower() in lexicon.PERSON_ROLES for w in words)
        slug = _new_person(state, unknown[0], unknown[1], introduced=introduced)
        return Attribution(phrase, slug, start, end, rule)
    if persons:
        return Attribution(phrase, persons[-1].actor.slug, start, end, rule)
    if len(words) == 2 and _head(words) in _SPOKES and low[0] in ("his", "her", "its", "their"):
        # "His spokesperson said": speaks for the person (or body) the pronoun stands for
        key = _pronoun(state, start, {"his": "he", "her": "she", "its": "it"}.get(low[0], "they"))
        return Attribution(phrase, key, start, end, rule)
    if low[0] in _INDEFINITE or _head(words) in _PLURAL_PEOPLE:
        # "a senior Iranian official", "diplomats": someone new and unnamed, never an
        # earlier person; only a spokesperson speaks for the body the phrase names.
        roles = [w for w in low if w.strip(",.") in lexicon.PERSON_ROLES]
        if not (roles and roles[0].strip(",.") in _SPOKES) and _head(words) not in _SPOKES:
            return Attribution(phrase, None, start, end, rule)
        return Attribution(phrase, _body_named(state, start, end), start, end, rule)
    of_body = _PERSON_OF_BODY.match(phrase)
    if of_body is not None and not any(m.start < start + of_body.end("name") for m in inside):
        name_words = of_body.group("name").lower().split()
        if not any(w in _NOT_NAME_WORDS for w in name_words):
            # "Aslak Holmberg of the Saami Council": the person, not a body of that name
            n_end = start + of_body.end("name")
            slug = _new_person(state, start, n_end, introduced=True)
            if slug is not None:
                return Attribution(phrase, slug, start, end, rule)
    head = _head(words)
    if low[-3:] in (["head", "of", "state"], ["head", "of", "government"]):
        # "the Head of State added": the leader last named, not a state
        role = "leader" if low[-1] == "state" else "premier"
        return Attribution(phrase, _by_role(state, role, start, end, []), start, end, rule)
    orgs = [m for m in inside if m.actor.kind == "organization"]
    if orgs and (
        head in lexicon.ORG_HEADS or orgs[-1].end == end or head not in lexicon.PERSON_ROLES
    ):
        return Attribution(phrase, orgs[-1].actor.slug, start, end, rule)
    states = [m for m in inside if m.actor.kind == "state"]
    lead = [w for w in low if w not in ("the", "a", "an")][:1]
    if states and lead and lead[0] in lexicon.ORG_HEADS and "of" in low:
        # "the Ministry of Foreign Affairs of the Republic of Azerbaijan": a body of the
        # state, not the state
        org = _org_phrase(state, start, end, lead[0], states)
        if org is not None:
            return Attribution(phrase, org, start, end, rule)
    body_in = _BODY_IN.search(text, max(0, start - 60), start) if len(states) == 1 else None
    if body_in is not None and states[0].start == start and states[0].end == end:
        # "The foreign ministry in Bangkok said": the state's ministry, not the state
        head = body_in.group("words").split()[-1].lower()
        if head in lexicon.ORG_HEADS:
            org = _org_phrase(state, body_in.start(), end, head, states)
            if org is not None:
                return Attribution(text[body_in.start() : end], org, body_in.start(), end, rule)
    if states and states[-1].end == _strip_possessive(text, end):
        # "The Kremlin said", "Official Baku", "Tehran": the state itself
        return Attribution(phrase, states[-1].actor.slug, start, end, rule)
    if head in lexicon.DOCUMENT_NOUNS:
        return Attribution(phrase, _document_issuer(state, start), start, end, rule)
    if head in lexicon.PERSON_ROLES:
        known = _by_role(state, head, start, end, states)
        return Attribution(phrase, known, start, end, rule)
    if head in lexicon.ORG_HEADS:
        org = _org_phrase(state, start, end, head, states)
        return Attribution(phrase, org, start, end, rule)
    if states:
        return Attribution(phrase, states[-1].actor.slug, start, end, rule)
    return Attribution(phrase, None, start, end, rule)


_PERSON_OF_BODY = re.compile(
    rf"(?P<name>{_UP}[\w’'\-]+(?:[ \t]+{_UP}[\w’'\-]+){{1,2}})[ \t]+of[ \t]+the[ \t]+{_UP}"
)
_LEAD_CONJUNCTION = re.compile(r"(?:But|And|Yet|So|Still)[ \t]+(?=[Tt]he[ \t])")
_BODY_IN = re.compile(r"\b[Tt]he[ \t]+(?P<words>(?:[^\W\d_][\w’'\-]*[ \t]+){1,3})in[ \t]+$")


def _body_named(state: _State, start: int, end: int) -> str | None:
    """The body a spokesperson phrase names: "a USFK spokesperson", "a unification ministry
    spokesperson", "a Chinese spokesman" (the state)."""
    ctx = state.ctx
    inside = ctx.matches_between(start, end)
    orgs = [m for m in inside if m.actor.kind == "organization"]
    if orgs:
        return orgs[-1].actor.slug
    words = [w for w in _WORD_RE.finditer(ctx.text, start, end)]
    heads = [w for w in words if w.group().lower() in lexicon.ORG_HEADS]
    states = [m for m in inside if m.actor.kind == "state"]
    if heads:
        h = heads[-1]
        org = _org_phrase(state, words[0].start(), h.end(), h.group().lower(), states)
        if org is not None:
            return org
    return states[-1].actor.slug if states else None


_WORD_RE = re.compile(r"[^\W\d_][\w’'\-]*")


def _head(words: Sequence[str]) -> str:
    last = words[-1].lower() if words else ""
    for suffix in ("'s", "’s"):
        if last.endswith(suffix):
            last = last[: -len(suffix)]
    return last


def _trailing_name(
    ctx: ArticleContext, start: int, end: int, inside: Sequence[GazetteerMatch]
) -> tuple[int, int] | None:
    """An unknown person's name closing a phrase: "political analyst Nasimi Mammadli"."""
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
            low in _NOT_IN_NAME
            or low in lexicon.ROLE_MODIFIERS
            or low.endswith(("'s", "’s"))
            or any(mm.start <= m.start() < mm.end for mm in inside)
        )

    for n in range(len(names) - 1, -1, -1):
        m = names[n]
        if tail and not adjacent(m, tail[-1]):
            break
        if not plain_name_word(m):
            # a title word inside a name ("Hassan Sheikh Mohamud") is part of it; one at
            # its start ("Sheikh Tamim", "President Hassan …") is not
            low = m.group().lower().rstrip(".")
            inner = (
                tail
                and low in _NOT_IN_NAME
                and n > 0
                and adjacent(names[n - 1], m)
                and plain_name_word(names[n - 1])
                and names[n - 1].group()[:1].isupper()
                and names[n - 1].start() >= start
            )
            if not inner:
                break
        tail.append(m)
    if not tail or tail[0].end() != _strip_possessive(text, end):
        return None
    first, last = tail[-1], tail[0]
    before = text[max(start, first.start() - 6) : first.start()].lower().split()
    if before and before[-1] in ("the", "of", "to", "for", "at", "from", "in"):
        return None  # "the United Nations" names a thing, not a person
    # A lone capitalised word is a name only if the phrase says it is someone:
    # "Mammadli said" is, "Tehran said" was caught by the Gazetteer already.
    return first.start(), last.end()


def _strip_possessive(text: str, end: int) -> int:
    if text[end - 2 : end].lower() in ("'s", "’s"):
        return end - 2
    return end


def _pronoun(state: _State, pos: int, pronoun: str) -> str | None:
    if pronoun in lexicon.PRONOUNS_PERSON:
        return _person_pronoun(state, pos, "f" if pronoun in ("she", "her") else "m")
    if pronoun in lexicon.PRONOUNS_THING:
        return _latest(state, pos, kinds=("organization", "state"))
    return None


def _latest(state: _State, pos: int, kinds: Sequence[str]) -> str | None:
    """The subject-most referent of the nearest sentence before `pos` that has one."""
    ctx = state.ctx
    here = ctx.sentence_index(pos)
    refs: list[_Referent] = []
    sentence = -1
    i = bisect.bisect_left(state.referents, pos, key=lambda r: r.start) - 1
    while i >= 0:
        ref = state.referents[i]
        i -= 1
        if ref.sentence < here - 12 or (refs and ref.sentence != sentence):
            break
        if ref.kind in kinds and ref.end <= pos:
            refs.append(ref)
            sentence = ref.sentence
    if not refs:
        return None
    refs.reverse()
    sentence_start, sentence_end = ctx.sentences[sentence]
    words = [w for w in ctx.words(sentence_start, refs[0].start) if w is not None]
    if words and words[0].lower in lexicon.ADVERBIAL_OPENERS:
        comma = ctx.text.find(",", sentence_start, sentence_end)
        later = [r for r in refs if comma >= 0 and r.start > comma]
        if later:
            return _realise(state, later[0])
    return _realise(state, refs[0])


def _person_pronoun(state: _State, pos: int, gender: str) -> str | None:
    """ "he"/"she": the subject-most person of the nearest sentence before `pos`, skipping
    people known to be of the other gender. "she" prefers a woman named in the last
    sentences to a nearer person of unknown gender; "he" does not (most people quoted
    in the news are men, and a man is rarely marked as one)."""
    candidates = _person_candidates(state, pos)
    genders = [_gender(state, ref.key, pos) for ref in candidates]
    if gender == "f" and not (
        candidates and genders[0] is None and _just_before(state, candidates[0], pos)
    ):
        for ref, g in zip(candidates, genders, strict=True):
            if g == "f":
                return _realise(state, ref)
    for ref, g in zip(candidates, genders, strict=True):
        if g is None or g == gender:
            return _realise(state, ref)
    return None


def _just_before(state: _State, ref: _Referent, pos: int) -> bool:
    """Whether `ref` speaks in the sentence just before `pos` (or the one `pos` is in):
    the speaker a pronoun most likely continues, whatever the gender of the name
    ("Kang Yu-jung told reporters … . '…,' she said")."""
    ctx = state.ctx
    if ref.sentence < ctx.sentence_index(pos) - 1:
        return False
    s_end = min(ctx.sentences[ref.sentence][1], pos)
    words = [w for w in ctx.words(ref.end, s_end) if w is not None]
    return any(_speech_at(words, k) for k in range(min(len(words), 12)))


def _person_candidates(state: _State, pos: int) -> list[_Referent]:
    """People named in the 15 sentences before `pos`: nearest sentence first, and in each
    sentence its subject (after an opening adverbial) before the others."""
    ctx = state.ctx
    here = ctx.sentence_index(pos)
    by_sentence: dict[int, list[_Referent]] = {}
    i = bisect.bisect_left(state.referents, pos, key=lambda r: r.start) - 1
    while i >= 0:
        ref = state.referents[i]
        i -= 1
        if ref.sentence < here - 15:
            break
        if ref.kind == "person" and ref.end <= pos:
            by_sentence.setdefault(ref.sentence, []).append(ref)
    out: list[_Referent] = []
    seen: set[str] = set()
    for sentence in sorted(by_sentence, reverse=True):
        refs = by_sentence[sentence][::-1]
        sentence_start, sentence_end = ctx.sentences[sentence]
        words = [w for w in ctx.words(sentence_start, refs[0].start) if w is not None]
        if words and words[0].lower in lexicon.ADVERBIAL_OPENERS:
            comma = ctx.text.find(",", sentence_start, sentence_end)
            if comma >= 0:
                refs = [r for r in refs if r.start > comma] + [r for r in refs if r.start < comma]
        for ref in refs:
            if ref.key not in seen or ref.key == _ANONYMOUS:
                seen.add(ref.key)
                out.append(ref)
    return out


_PERSONAL_PRONOUN = re.compile(r"\b(?:he|she|his|her|him|himself|herself|hers)\b", re.I)
_GENDER_NOUNS_F = lexicon.FEMALE_WORDS - lexicon.PRONOUNS_PERSON - {"hers", "herself"}
_GENDER_NOUNS_M = lexicon.MALE_WORDS - lexicon.PRONOUNS_PERSON - {"his", "himself"}


def _gender(state: _State, key: str, before: int) -> str | None:
    """ "f", "m" or None for the person `key`, from the text: titles and honorifics
    ("Spokeswoman Maria Zakharova", "Dame Priti Patel", "Mr Lammy"), kin and role nouns
    in an apposition ("Kim Yo-jong, the powerful sister of …"), and the first personal
    pronoun after a mention with no other person in between ("Tammy Bruce said … and she
    reiterated"). Titles count more than pronouns; only the text before `before` counts,
    so the pronoun being resolved is no evidence of itself."""
    if key == _ANONYMOUS:
        return None
    ctx = state.ctx
    text = ctx.text
    score = 0  # > 0: female, < 0: male
    titles: list[str] = []
    actor = ctx.gazetteer.get(key)
    if actor is not None and actor.title:
        titles.append(actor.title)
    new = state.new_actors.get(key)
    if new is not None and new.title:
        titles.append(new.title)
    for title in titles:
        score += 3 * _gender_of_words(word_keys(title))
    names = [actor.name] if actor is not None else []
    if new is not None:
        names.append(new.name)
    names += [ref.name for ref in state.referents if ref.key == key and " " in ref.name]
    if names:
        given = [k for k in word_keys(names[0]) if k not in lexicon.HONORIFICS][:1]
        score += 2 * (
            sum(g in lexicon.FEMALE_FIRST_NAMES for g in given)
            - sum(g in lexicon.MALE_FIRST_NAMES for g in given)
        )
    if state.pronoun_at is None:
        state.pronoun_at = [
            m.start() for m in _PERSONAL_PRONOUN.finditer(text) if not ctx.in_quote(m.start())
        ]
    pronouns = state.pronoun_at
    refs = state.referents
    for n, ref in enumerate(refs):
        if ref.start >= before:
            break
        if ref.key != key:
            continue
        low = ref.name.lower()
        if low in lexicon.PRONOUNS_PERSON:
            score += 1 if low in ("she", "her") else -1
            continue
        t = bisect.bisect_left(ctx.token_starts, ref.start)
        score += 3 * _gender_of_words([tok.key for tok in ctx.tokens[max(0, t - 3) : t]])
        if text.startswith(",", ref.end):
            apposition = re.match(r",\s*([^,.;:()]{0,80})", text[ref.end : ref.end + 90])
            # "Lee Hyun-joo, whose grandfather …" speaks of a relative, not of her
            if apposition is not None and not apposition.group(1).startswith("whose"):
                score += 3 * _gender_of_words(word_keys(apposition.group(1)))
        if any(
            o.kind == "person" and o.key != key
            for o in refs[max(0, n - 4) : n]
            if o.sentence == ref.sentence
        ):
            continue  # not the sentence's subject: a later pronoun is more likely its
        p = bisect.bisect_right(pronouns, ref.end)
        if p >= len(pronouns) or pronouns[p] >= before:
            continue
        if ctx.sentence_index(pronouns[p]) > ref.sentence + 1:
            continue
        others = refs[n + 1 :]
        if any(o.start < pronouns[p] and o.kind == "person" and o.key != key for o in others[:6]):
            continue
        word = text[pronouns[p] : pronouns[p] + 7].lower()
        score += 1 if word.startswith(("she", "her")) else -1
    return "f" if score > 0 else "m" if score < 0 else None


def _gender_of_words(words: Sequence[str]) -> int:
    return sum(w in _GENDER_NOUNS_F for w in words) - sum(w in _GENDER_NOUNS_M for w in words)


def _realise(state: _State, ref: _Referent) -> str | None:
    if ref.key == _ANONYMOUS:
        # "the official" after "a senior official": the unnamed person, who speaks at
        # most for the body whose spokesperson they are
        return _resolve(state, ref.start, ref.end, "anonymous").speaker
    if ref.key.startswith("?"):
        return _new_person(state, ref.origin[0], ref.origin[1])
    return ref.key


def _by_role(
    state: _State, role: str, start: int, end: int, states: Sequence[GazetteerMatch]
) -> str | None:
    """ "the minister" -> the latest person with that role (and country, if one is given)."""
    country = states[-1].actor.country if states else None
    roles = lexicon.ROLE_SYNONYMS.get(role, frozenset({role}))
    best: _Referent | None = None
    for ref in state.referents:
        if ref.kind != "person" or ref.start >= start or not roles & ref.roles:
            continue
        if country is not None and _country_of_ref(state, ref) not in (None, country):
            continue
        best = ref
    if best is not None:
        return _realise(state, best)
    # "Iran's foreign minister" before the article names him: the one curated person
    # with that title, else the next person with that role in the following sentences.
    words = [w for w in word_keys(state.ctx.text[start:end]) if w not in ("the", "s")]
    known = state.ctx.gazetteer.person_titled(country, words)
    if known is not None:
        return known.slug
    here = state.ctx.sentence_index(start)
    for ref in state.referents:
        if ref.kind == "person" and ref.start > end and roles & ref.roles:
            if ref.sentence <= here + 2:
                return _realise(state, ref)
            break
    return None


def _country_of_ref(state: _State, ref: _Referent) -> str | None:
    actor = state.ctx.gazetteer.get(ref.key)
    if actor is not None:
        return actor.country or state.ctx.gazetteer.country_of(actor.slug)
    new = state.new_actors.get(ref.key)
    if new is not None:
        return new.country
    states = [m for m in state.ctx.matches_between(*ref.origin) if m.actor.kind == "state"]
    return states[-1].actor.country if states else None


def _org_phrase(
    state: _State, start: int, end: int, head: str, states: Sequence[GazetteerMatch]
) -> str | None:
    """ "the ministry" -> the latest body with that head; a named unknown body -> NewActor."""
    ctx = state.ctx
    text = ctx.text
    phrase_words = [w for w in text[start:end].split() if w.lower() not in ("the", "a", "an")]
    country = states[-1].actor.country if states else None
    if country is not None:
        org = ctx.gazetteer.organization(country, word_keys(text[start:end]))
        if org is not None:
            return org.slug
    sentence_start = ctx.sentences[ctx.sentence_index(start)][0]
    proper_at = [
        m.start()
        for m in re.finditer(r"\b[A-Z]\w*", text[start:end])
        if m.group().lower() not in ("the", "a", "an")
        # "State media said": a common word capitalised because it opens the sentence
        and not (
            start + m.start() == sentence_start and m.group().lower() in lexicon.ROLE_MODIFIERS
        )
    ]
    bare = all(text[start + p :].lower().startswith(head) for p in proper_at)  # "The Ministry"
    if bare or all(any(m.start <= start + p < m.end for m in states) for p in proper_at):
        # "the ministry", "the Iranian side": the latest body with that head, else the state
        # "the defense ministry" is not the unification ministry named just before
        state_words = {k for m in states for k in word_keys(text[m.start : m.end])}
        qualifiers = org_keywords(
            k
            for k in word_keys(text[start:end])
            if k not in ("the", "a", "an", "s", head) and k not in state_words
        )
        best: _Referent | None = None
        for ref in state.referents:
            if ref.start >= start or ref.kind != "organization":
                continue
            have = org_keywords(word_keys(ref.name)) | _name_words(ctx, ref.key)
            if head in have and qualifiers <= have:
                if country is None or ctx.gazetteer.country_of(ref.key) in (None, country):
                    best = ref
        if best is not None:
            return _realise(state, best)
        if qualifiers:
            known = _known_body(state, start, [head, *qualifiers], country)
            if known is not None:
                return known
        elif proper_at and bare:
            # "the Community" after "the Caribbean Community (CARICOM)"
            named = _earlier_body(state, start, text[start:end].split()[-1])
            if named is not None:
                return named
        if states and head in ("side", "government", "authorities", "leadership"):
            return states[-1].actor.slug
        return None
    name = " ".join(phrase_words).rstrip(",.")
    slug = _new_organization(state, name, country, states[-1].actor.slug if states else None)
    bisect.insort(
        state.referents,
        _Referent(start, end, slug, "organization", name, frozenset(), ctx.sentence_index(start)),
        key=lambda r: r.start,
    )
    return slug


_PROPER_BODY = re.compile(
    rf"\b{_UP}[\w’'\-]+(?:[ \t]+(?:(?:of|and|for|the|on)[ \t]+)*{_UP}[\w’'\-]+)+"
)


def _earlier_body(state: _State, pos: int, head: str) -> str | None:
    """The body named earlier with a proper name that ends with `head`."""
    ctx = state.ctx
    text = ctx.text
    best: re.Match[str] | None = None
    for m in _PROPER_BODY.finditer(text, 0, pos):
        if m.group().split()[-1] == head and not ctx.in_quote(m.start()):
            best = m
    if best is None:
        return None
    known = ctx.gazetteer.resolve(best.group())
    if known is not None:
        return known.slug
    start = _skip_honorifics(text, best.start(), best.end())
    words = text[start : best.end()].split()
    while words and words[0].lower() in _STOP_NAME_WORDS:
        words = words[1:]
    if len(words) < 2:
        return None
    return _new_organization(state, " ".join(words), None, None)


def _known_body(state: _State, pos: int, words: Sequence[str], country: str | None) -> str | None:
    """The curated body whose name has these words: the only one, else the one of the
    country the article named last before `pos`."""
    ctx = state.ctx
    found = [
        a
        for a in ctx.gazetteer.organizations_with(words)
        if country is None or ctx.gazetteer.country_of(a.slug) == country
    ]
    if len(found) <= 1:
        return found[0].slug if found else None
    by_country = {ctx.gazetteer.country_of(a.slug): a.slug for a in found}
    for m in reversed(ctx.matches_between(0, pos)):
        c = m.actor.country or ctx.gazetteer.country_of(m.actor.slug)
        if c in by_country:
            return by_country[c]
    return None


def _new_organization(
    state: _State, name: str, country: str | None, affiliation: str | None
) -> str:
    """The slug of a body the curated data does not know; creates the NewActor."""
    slug = slugify(name)
    if state.ctx.gazetteer.get(slug) is None and slug not in state.new_actors:
        state.new_actors[slug] = NewActor(
            slug=slug,
            name=name,
            kind="organization",
            country=country,
            title=None,
            affiliation=affiliation,
        )
    return slug


def _name_words(ctx: ArticleContext, key: str) -> frozenset[str]:
    actor = ctx.gazetteer.get(key)
    if actor is None:
        return frozenset()
    words: set[str] = set()
    for form in (actor.name, *actor.aliases):
        keys = word_keys(form)
        words.update(keys)
        words.update(org_keywords(keys))
    return frozenset(words)


def _document_issuer(state: _State, pos: int) -> str | None:
    """ "the statement reads" -> whoever issued the latest statement before `pos`."""
    ctx = state.ctx
    text = ctx.text
    here = ctx.sentence_index(pos)
    for s in range(here - 1, max(-1, here - 15), -1):
        s_start, s_end = ctx.sentences[s]
        m = _DOC_OF.search(text, s_start, s_end)
        if m is not None:
            for match in ctx.matches:
                if match.start >= m.end() and match.start <= m.end() + 3:
                    return match.actor.slug
        if _ISSUED.search(text, s_start, s_end):
            words = [w for w in ctx.words(s_start, s_end) if w is not None]
            np = _main_subject(ctx, words, len(words))
            if np is not None:
                found = _resolve(state, np[0], np[1], "issuer")
                if found.speaker is not None:
                    return found.speaker
    # no sentence says who issued it: the latest body that was a sentence's subject
    # ("The Ministry … strongly condemns …" opening a press release)
    for s in range(here - 1, max(-1, here - 15), -1):
        s_start, s_end = ctx.sentences[s]
        if is_heading(text[s_start:s_end]) or text[s_start:s_end].isupper():
            continue
        words = [w for w in ctx.words(s_start, s_end) if w is not None]
        np = _main_subject(ctx, words, len(words))
        if np is None:
            continue
        issuer = _resolve(state, np[0], np[1], "issuer").speaker
        if issuer is not None and _kind(state, issuer) == "organization":
            return issuer
    return None


def _kind(state: _State, slug: str) -> str | None:
    actor = state.ctx.gazetteer.get(slug)
    if actor is not None:
        return actor.kind
    new = state.new_actors.get(slug)
    return new.kind if new is not None else None


# ------------------------------------------------------------------ new actors


def _new_person(state: _State, start: int, end: int, *, introduced: bool = True) -> str | None:
    """The slug of the unknown person named at text[start:end]; creates the NewActor.

    A lone word that the article never completes into a full name, and that no role
    introduces ("Hamas said", "Washington said"), is no evidence of a person: an acronym
    becomes an organisation, anything else no actor at all."""
    ctx = state.ctx
    text = ctx.text
    start = _skip_honorifics(text, start, end)
    written = text[start:end]
    keys = word_keys(written)
    if not keys:
        return None
    surname = keys[-1]
    lone = len(keys) == 1 or (len(written.split()) == 1 and written[:1].islower())  # "al-Tamimi"
    if lone:
        if surname in state.new_by_word:
            return state.new_by_word[surname]
        named = _person_with_word(state, start, surname)
        if named is not None:
            return named
        full = _full_name(ctx, written)
        if full is not None:
            start, end = full
            written = text[start:end]
            keys = word_keys(written)
        elif not introduced:
            if written.isupper() and len(written) >= 2:
                return _new_organization(state, written, None, None)
            return None
    known = ctx.gazetteer.resolve(written)
    if known is not None:
        return known.slug
    slug = slugify(written)
    if slug in state.new_actors:
        return slug
    if lone and surname in state.new_by_word:
        return state.new_by_word[surname]
    title, country, affiliation = _describe(state, start, end)
    state.new_actors[slug] = NewActor(
        slug=slug,
        name=written,
        kind="person",
        country=country,
        title=title,
        affiliation=affiliation,
    )
    state.new_by_word[surname] = slug
    sentence_of = ctx.sentence_index
    roles = frozenset(word_keys(title or ""))
    for r_start, r_end in [(start, end), *_later_surnames(ctx, start, end)]:
        i = bisect.bisect_left(state.referents, r_start, key=lambda r: r.start)
        if any(r.key == slug and r.start < r_end for r in state.referents[i : i + 3]):
            continue
        bisect.insort(
            state.referents,
            _Referent(
                r_start,
                r_end,
                slug,
                "person",
                text[r_start:r_end],
                roles,
                sentence_of(r_start),
                (start, end),
            ),
            key=lambda r: r.start,
        )
    # an unknown person's provisional referents now point to the new actor
    for ref in state.referents:
        if ref.key.startswith("?") and slugify(ref.key[1:]) == slug:
            ref.key = slug
    return slug


def _person_with_word(state: _State, pos: int, key: str) -> str | None:
    """The person named earlier with a full name that has this word: "Mao" after "Mao
    Ning", "President Lee" after "Lee Jae-myung" (family name first). The nearest sentence
    wins, and in it the subject-most person."""
    ctx = state.ctx
    best: _Referent | None = None
    for ref in state.referents:
        if ref.start >= pos:
            break
        if ref.kind != "person" or ref.key == _ANONYMOUS:
            continue
        if best is not None and ref.sentence == best.sentence:
            continue
        names = [ref.name, ctx.text[ref.origin[0] : ref.origin[1]]]
        actor = ctx.gazetteer.get(ref.key)
        if actor is not None:
            names += [actor.name, *actor.aliases]
        new = state.new_actors.get(ref.key)
        if new is not None:
            names.append(new.name)
        if any(key in keys and len(keys) >= 2 for keys in map(word_keys, names)):
            best = ref
    return _realise(state, best) if best is not None else None


def _full_name(ctx: ArticleContext, surname: str) -> tuple[int, int] | None:
    """The first place the article gives more of a person's name than `surname`."""
    pattern = re.compile(rf"((?:{_UP}[\w’'\-]+|{_UP}\.)\s+)+" + re.escape(surname) + r"\b")
    for m in pattern.finditer(ctx.text):
        words = m.group().split()
        while words and (
            words[0].lower().strip(".") in (_NOT_IN_NAME | lexicon.ROLE_MODIFIERS)
            or words[0].endswith(("'s", "’s"))
        ):
            words = words[1:]
        if len(words) >= 2 and not any(
            mm.start <= m.start() < mm.end for mm in ctx.matches if mm.actor.kind != "state"
        ):
            start = m.end() - len(" ".join(words))
            if ctx.text[start : m.end()] == " ".join(words):
                return start, m.end()
    return None


_APPOSITIVE = re.compile(r",\s+(?:an?|the)\s+(?P<desc>[^,.;:()\"“”]{2,80}?)\s*[,.;]", re.IGNORECASE)


def _describe(state: _State, start: int, end: int) -> tuple[str | None, str | None, str | None]:
    """Title, country and affiliation of a new person from the words around their name."""
    ctx = state.ctx
    text = ctx.text
    name = text[start:end]
    descriptions: list[tuple[int, int]] = []
    for m in re.finditer(re.escape(name), text):
        # words before the name: "Azerbaijani political analyst Nasimi Mammadli"
        words = [w for w in ctx.words(max(0, m.start() - 120), m.start()) if w is not None]
        k = len(words)
        while (
            k > 0
            and (words[k - 1].capitalised or words[k - 1].base in _NP_LOWER)
            and words[k - 1].lower not in ("the", "a", "an", "and", "of", "by", "with")
        ):
            if k < len(words) and not _gap_ok(text, words[k - 1], words[k]):
                break
            if k == len(words) and not _NP_GAP.fullmatch(text, words[k - 1].end, m.start()):
                break
            k -= 1
        if k < len(words):
            descriptions.append((words[k].start, words[-1].end))
        apposition = _APPOSITIVE.match(text, m.end())
        if apposition is not None:
            descriptions.append((apposition.start("desc"), apposition.end("desc")))
    title = None
    country = None
    affiliation = None
    for d_start, d_end in descriptions:
        inside = ctx.matches_between(d_start, d_end)
        role_words = [
            w
            for w in text[d_start:d_end].split()
            if w.lower().strip(",") in lexicon.PERSON_ROLES | lexicon.ROLE_MODIFIERS
        ]
        if title is None and any(w.lower() in lexicon.PERSON_ROLES for w in role_words):
            title = _title_text(text, d_start, d_end, inside)
        if any(w.lower() in ("former", "ex", "retired", "late") for w in role_words):
            role_words = []  # a former official speaks for no one
        for mm in inside:
            if mm.actor.kind == "state" and country is None:
                country = mm.actor.country
            if mm.actor.kind == "organization" and affiliation is None and _official(role_words):
                affiliation = mm.actor.slug
                country = country or ctx.gazetteer.country_of(mm.actor.slug)
        if affiliation is None and country is not None and _official(role_words):
            st = ctx.gazetteer.state(country)
            affiliation = st.slug if st is not None else None
    return title, country, affiliation


def _title_text(text: str, start: int, end: int, inside: Sequence[GazetteerMatch]) -> str:
    """A description without its country: "Azerbaijani political analyst" -> "political analyst"."""
    chars = list(text[start:end])
    for m in inside:
        if m.actor.kind == "state":
            for i in range(m.start, m.end):
                chars[i - start] = " "
    words = "".join(chars).split()
    while words and words[0].lower() in ("a", "an", "the", "'s", "’s"):
        words = words[1:]
    return " ".join(words).strip(" ,")


_OFFICIAL_ROLES = frozenset(
    """spokesman spokeswoman spokesperson minister president premier ambassador envoy official
    adviser advisor aide secretary director chairman commander general chief head deputy
    diplomat consul attache attaché representative lawmaker mp senator governor mayor
    officer negotiator""".split()
)


def _official(role_words: Sequence[str]) -> bool:
    return any(w.lower().strip(",") in _OFFICIAL_ROLES for w in role_words)


# ------------------------------------------------------------------ discourse


_NAME_AFTER_ROLE = re.compile(
    rf"[ \t]+(?P<name>(?:{_UP}[\w’'\-]+[ \t]+){{0,2}}{_UP}[\w’'\-]*[^\W\d_])\b"
)
# "spokeswoman, Leyla Abdullayeva," / "Secretary of State Marco Rubio" (the role's "of X"
# is not the name: the name is the last two capitalised words of the run)
_NAME_AFTER_ROLE_OF = re.compile(
    rf"(?:,[ \t]+|[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?(?:{_UP}[\w’'\-]+[ \t]+)+?)"
    rf"(?P<name>{_UP}[\w’'\-]+[ \t]+{_UP}[\w’'\-]*[^\W\d_])(?=[,.;:]|[ \t]+[a-z(])"
)
# "foreign minister, Abdirahman Dahir Adan," / "Speaker of the Islamic Consultative
# Assembly (Majlis), Mohammad Bagher Ghalibaf,": a whole name in apposition, up to 4 words
_NAME_IN_APPOSITION = re.compile(
    rf"(?:[ \t]+(?:of|for)[ \t]+(?:the[ \t]+)?(?:(?:{_UP}[\w’'\-]+|of|and|the|for)[ \t]+)*?"
    rf"{_UP}[\w’'\-]+(?:[ \t]+\([^()\n]{{1,40}}\))?)?,[ \t]+"
    rf"(?P<name>(?:{_UP}[\w’'\-]+[ \t]+){{1,3}}{_UP}[\w’'\-]*[^\W\d_]),"
)
_PARTICLE = (
    r"(?:(?:von|van|der|den|de|del|della|bin|ibn|al|el|da|di|du|la|le|dos|das)[ \t]+"
    r"|(?:al|el|ad|ash|as|at|an|abu|bin|ibn|ben)-)?"
)
_NAME_BEFORE_APPOSITIVE = re.compile(
    rf"(?P<name>\b{_UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{_UP}[\w’'\-]+){{1,2}})"
    r"(?:,|[ \t]+(?:is|was))[ \t]+"
    r"(?:(?:then|now|formerly|later|himself|herself)[ \t]+)?(?:an?|the|his|her)[ \t]+"
)
# "Kylie Moreton, who runs a family winery, said …" / "Lee Hyun-joo, whose grandfather
# worked at the mines, said …": a person introduced by a relative clause
_NAME_BEFORE_WHO = re.compile(
    rf"(?P<name>\b{_UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{_UP}[\w’'\-]+){{1,3}}),[ \t]+who(?:se)?[ \t]"
)
# "His successor, Jamieson Greer, shows …": a name in apposition to a possessed noun
_NAME_AFTER_POSSESSIVE = re.compile(
    rf"\b(?:His|Her|Their|Its)[ \t]+[a-z][\w’'\-]*,[ \t]+"
    rf"(?P<name>{_UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{_UP}[\w’'\-]+){{1,2}}),"
)
# "Staffan de Mistura, Personal Envoy of the Secretary-General": a capitalised title in
# apposition, without an article, whose role word comes within its first three words
_TITLE_GAP = re.compile(r"[\w’'\- \t]*")
_NAME_BEFORE_TITLE = re.compile(
    rf"(?P<name>\b{_UP}[\w’'\-]+(?:[ \t]+{_PARTICLE}{_UP}[\w’'\-]+){{1,3}}),[ \t]+(?={_UP})"
)
_NOT_NAME_WORDS = (
    _STOP_NAME_WORDS | lexicon.PERSON_ROLES | lexicon.ORG_HEADS | lexicon.ROLE_MODIFIERS
)


def _introductions(ctx: ArticleContext) -> list[tuple[int, int, frozenset[str]]]:
    """Unknown people introduced with a role: "analyst Nasimi Mammadli" or
    "Nasimi Mammadli, a political analyst". Returns (name start, name end, role words)."""
    text = ctx.text
    tokens = ctx.tokens
    found: list[tuple[int, int, frozenset[str]]] = []
    for i, token in enumerate(tokens):
        if token.key not in lexicon.PERSON_ROLES:
            continue
        m = _NAME_IN_APPOSITION.match(text, token.end)
        if m is None:
            m = _NAME_AFTER_ROLE.match(text, token.end)
        if m is None:
            m = _NAME_AFTER_ROLE_OF.match(text, token.end)
        if m is None:
            continue
        found.append(
            (
                m.start("name"),
                m.end("name"),
                frozenset(t.key for t in tokens[max(0, i - 3) : i + 1]),
            )
        )
    for m in _NAME_BEFORE_APPOSITIVE.finditer(text):
        i = bisect.bisect_left(ctx.token_starts, m.end())
        following = tokens[i : i + 7]  # "Chan Sreymom, a 47-year-old rice farmer"
        for k, token in enumerate(following):
            if token.key in lexicon.PERSON_ROLES:
                found.append(
                    (m.start("name"), m.end("name"), frozenset(t.key for t in following[: k + 1]))
                )
                break
    found.extend(_labelled_names(ctx))
    for m in _NAME_AFTER_POSSESSIVE.finditer(text):
        found.append((m.start("name"), m.end("name"), frozenset()))
    for m in _NAME_BEFORE_WHO.finditer(text):
        if not _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            found.append((m.start("name"), m.end("name"), frozenset()))
    for m in _NAME_BEFORE_TITLE.finditer(text):
        if _WORD_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue  # part of a longer name
        i = bisect.bisect_left(ctx.token_starts, m.end())
        following = tokens[i : i + 3]
        for k, token in enumerate(following):
            if not _TITLE_GAP.fullmatch(text, m.end(), token.start):
                break
            if token.key in lexicon.PERSON_ROLES:
                roles = frozenset(t.key for t in following[: k + 1])
                found.append((m.start("name"), m.end("name"), roles))
                break
            if not text[token.start : token.start + 1].isupper():
                break
    return found


_TWO_NAMES = re.compile(rf"\b{_UP}[\w’'\-]+[ \t]+(?P<last>{_UP}[\w’'\-]+)\b")


def _labelled_names(ctx: ArticleContext) -> list[tuple[int, int, frozenset[str]]]:
    """People a transcript labels by surname ("VÁSQUEZ: …"), introduced where the article
    first gives their full name ("Elena Vásquez served as …")."""
    text = ctx.text
    labels: dict[str, frozenset[str]] = {}
    for p_start, _ in ctx.paragraphs:
        m = _SPEAKER_LABEL.match(text, p_start)
        if m is not None and fold(m.group("label")) not in _NOT_SPEAKER_LABELS:
            words = word_keys(m.group("label"))
            labels.setdefault(words[-1], frozenset(words[:-1]))
    if not labels:
        return []
    found: list[tuple[int, int, frozenset[str]]] = []
    for m in _TWO_NAMES.finditer(text):
        last = fold(m.group("last"))
        if last in labels and not ctx.in_quote(m.start()):
            found.append((m.start(), m.end(), labels.pop(last)))
    return found


def _referents(ctx: ArticleContext) -> list[_Referent]:
    """Actors named outside quotations, plus unknown people introduced with a role."""
    text = ctx.text
    refs: list[_Referent] = []
    for m in ctx.matches:
        if ctx.in_quote(m.start):
            continue
        known_roles = set(word_keys(m.actor.title or "")) | _roles_before(ctx, m.start)
        refs.append(
            _Referent(
                m.start,
                m.end,
                m.actor.slug,
                m.actor.kind,
                text[m.start : m.end],
                frozenset(known_roles),
                ctx.sentence_index(m.start),
            )
        )
    taken = sorted((m.start, m.end) for m in ctx.matches)
    for n_start, n_end, roles in _introductions(ctx):
        n_start = _skip_honorifics(text, n_start, n_end)
        name_words = text[n_start:n_end].split()
        if not name_words or any(w.lower() in _NOT_NAME_WORDS for w in name_words):
            continue
        if ctx.in_quote(n_start) or _overlaps(taken, n_start, n_end):
            continue
        key = "?" + text[n_start:n_end]
        for r_start, r_end in [(n_start, n_end), *_later_surnames(ctx, n_start, n_end)]:
            if _overlaps(taken, r_start, r_end):
                continue
            refs.append(
                _Referent(
                    r_start,
                    r_end,
                    key,
                    "person",
                    text[r_start:r_end],
                    roles,
                    ctx.sentence_index(r_start),
                    (n_start, n_end),
                )
            )
            bisect.insort(taken, (r_start, r_end))
    for a_start, a_end, role in _anonymous(ctx):
        if not any(m.actor.kind == "person" for m in ctx.matches_between(a_start, a_end)):
            refs.append(
                _Referent(
                    a_start,
                    a_end,
                    _ANONYMOUS,
                    "person",
                    text[a_start:a_end],
                    frozenset({role}),
                    ctx.sentence_index(a_start),
                    (a_start, a_end),
                )
            )
    refs.sort(key=lambda r: r.start)
    return refs


_ANONYMOUS = "~"  # the key of a person the article introduces without a name
_INDEFINITE_ROLE = re.compile(
    r"\b(?:[Aa]n?|[Oo]ne)[ \t]+(?:[\w’'\-]+[ \t]+){0,5}?(?P<role>"
    + "|".join(sorted(lexicon.ANONYMOUS_ROLES, key=len, reverse=True))
    + r")\b(?![ \t]*,[ \t]*[A-Z])"
)
_COPULAS = frozenset("is was are were be been being as became become remains".split())


def _anonymous(ctx: ArticleContext) -> list[tuple[int, int, str]]:
    """People introduced without a name ("a senior security official", "A Western diplomat
    in Bamako"), so that "the official" later does not reach an earlier named person.
    Appositions ("Gan Yu, a spokesperson for …") and predicates ("is a former officer")
    describe someone named, and named roles ("a spokesman, Christophe Lemoine") are
    names; neither counts."""
    text = ctx.text
    found: list[tuple[int, int, str]] = []
    for m in _INDEFINITE_ROLE.finditer(text):
        role = m.group("role")
        if ctx.in_quote(m.start()) or (role == "source" and text.startswith(" of", m.end())):
            continue  # "a source of tension" is no one
        inner = text[m.start() : m.start("role")]
        if any(c in inner for c in '.,;:\n"“”«»'):
            continue
        before = text[max(0, m.start() - 40) : m.start()].rstrip()
        if before.endswith(","):
            continue  # an apposition to the name before it
        last = before.split()[-1].lower() if before.split() else ""
        if last in _COPULAS:
            continue
        end = m.end("role")
        body = _FOR_BODY.match(text, end)  # "a spokesman for the Azerbaijani Foreign Ministry"
        found.append((m.start(), body.end() if body else end, role))
    return found


_FOR_BODY = re.compile(
    rf"[ \t]+(?:for|of|at|from|with)[ \t]+(?:the[ \t]+)?{_UP}[\w’'\-]*(?:[ \t]+{_UP}[\w’'\-]*)*"
)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted `spans` (which may overlap each other)."""
    i = bisect.bisect_left(spans, (end, end))
    return any(e > start for _, e in spans[max(0, i - 8) : i])


def _later_surnames(ctx: ArticleContext, start: int, end: int) -> list[tuple[int, int]]:
    """Places after a full name where the article uses the surname alone, outside quotes."""
    words = ctx.text[start:end].split()
    if len(words) < 2:
        return []
    surname = words[-1]
    pattern = re.compile(r"(?<![\w’'])" + re.escape(surname) + r"(?![\w])")
    return [
        (m.start(), m.end())
        for m in pattern.finditer(ctx.text, end)
        if not ctx.in_quote(m.start()) and not _other_given_name(ctx.text, m.start(), words)
    ]


_WORD_BEFORE = re.compile(rf"({_UP}[\w’'\-]*)[ \t\u00a0]+$")


def _other_given_name(text: str, pos: int, name_words: Sequence[str]) -> bool:
    """Whether the surname at `pos` follows another person's given name ("Aïcha Traoré"
    is not "Ibrahim Traoré")."""
    m = _WORD_BEFORE.search(text, max(0, pos - 30), pos)
    if m is None:
        return False
    word = m.group(1)
    low = word.lower()
    return (
        word not in name_words
        and low not in _NOT_IN_NAME
        and low not in lexicon.ROLE_MODIFIERS
        and not low.endswith(("'s", "’s"))
    )


def _roles_before(ctx: ArticleContext, pos: int) -> set[str]:
    i = bisect.bisect_left(ctx.token_starts, pos)
    return {
        t.key
        for t in ctx.tokens[max(0, i - 4) : i]
        if t.key in lexicon.PERSON_ROLES or t.key in lexicon.ROLE_MODIFIERS
    }


def _remember(state: _State, found: Attribution) -> None:
    """A resolved speaker phrase becomes a referent, so later pronouns can reach it."""
    assert found.start is not None and found.end is not None and found.speaker is not None
    ctx = state.ctx
    known: KnownActor | None = ctx.gazetteer.get(found.speaker)
    new = state.new_actors.get(found.speaker)
    kind = known.kind if known is not None else (new.kind if new is not None else "person")
    if kind != "person" and _person_phrase(found.speaker_text or ""):
        # "The representative of Algeria said …" speaks for Algeria, but is a person:
        # "…," he said. a sentence later continues them
        kind = "person"
    i = bisect.bisect_left(state.referents, found.start, key=lambda r: r.start)
    while i < len(state.referents) and state.referents[i].start == found.start:
        if state.referents[i].key == found.speaker:
            return
        i += 1
    # "Lin said" is still the spokesperson "Spokesperson Lin Jian" was: "The spokesperson
    # also said" a sentence later is Lin, not a spokesperson named before him
    roles = set(word_keys(found.speaker_text or ""))
    for title in (known.title if known else None, new.title if new else None):
        roles |= set(word_keys(title or "")) & lexicon.PERSON_ROLES
    for ref in state.referents[:i]:
        if ref.key == found.speaker:
            roles |= ref.roles & lexicon.PERSON_ROLES
    bisect.insort(
        state.referents,
        _Referent(
            found.start,
            found.end,
            found.speaker,
            kind,
            found.speaker_text or "",
            frozenset(roles),
            ctx.sentence_index(found.start),
        ),
        key=lambda r: r.start,
    )


def _person_phrase(phrase: str) -> bool:
    """Whether a speaker phrase names one person by role: "The representative of the
    United States", "Algeria's representative", "a ministry spokeswoman"."""
    words = word_keys(phrase)
    head = words[: words.index("of")] if "of" in words else words
    return bool(head) and head[-1] in lexicon.PERSON_ROLES


def _from_repetition(state: _State, statements: Sequence[Quote], index: int) -> Attribution:
    """A quotation with no attribution takes the speaker of the same words elsewhere."""
    ctx = state.ctx
    quote = statements[index]
    key = _loose(quote.text)
    if len(key) < 20:
        return state.results[index]
    folded = state.loose_text or _loose(ctx.text)
    state.loose_text = folded
    pos = folded.find(key)
    while pos >= 0:
        for other, found in zip(statements, state.results, strict=True):
            if other is quote or found.speaker is None:
                continue
            if key in _loose(other.text):
                return Attribution(
                    found.speaker_text, found.speaker, found.start, found.end, "repeat"
                )
        pos = folded.find(key, pos + 1)
    labelled = _labelled_answer_with(state, quote, key)
    if labelled is not None:
        return labelled
    interviewee = _interviewee(state, statements)
    if interviewee is not None:
        for block in ctx.qa_blocks:
            if block.start <= quote.start < block.end:
                continue  # a quotation inside an answer is someone else's words
            if key in _loose(ctx.text[block.start : block.end]):
                return Attribution(
                    interviewee.speaker_text,
                    interviewee.speaker,
                    interviewee.start,
                    interviewee.end,
                    "interview",
                )
    return state.results[index]


def _loose(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def _interviewee(state: _State, statements: Sequence[Quote]) -> Attribution | None:
    """The person an interview is with: the last person quoted before the first question,
    else the one the introduction says it spoke to ("we spoke to X, a former …")."""
    ctx = state.ctx
    first = ctx.first_question
    if first is None:
        return None
    best: Attribution | None = None
    for quote, found in zip(statements, state.results, strict=True):
        if quote.open_mark >= first:
            break
        if found.speaker is None or found.start is None:
            continue
        actor = ctx.gazetteer.get(found.speaker)
        new = state.new_actors.get(found.speaker)
        kind = actor.kind if actor is not None else (new.kind if new is not None else None)
        if kind == "person":
            best = found
    if best is None:
        best = _introduced_interviewee(state, first)
    if best is None:
        return None
    # Name them as the article introduces them, not by the pronoun or surname used later.
    for ref in state.referents:
        if ref.key == best.speaker and ref.kind == "person":
            intro = _APPOSITIVE.match(ctx.text, ref.end)
            end = intro.end("desc") if intro is not None else ref.end
            return Attribution(ctx.text[ref.start : end], best.speaker, ref.start, end, "interview")
    return best


_SPOKE_TO = re.compile(
    r"\b(?:spoke|spoken|speaks|speaking|talked|talks|talking)[ \t]+(?:to|with)[ \t]+"
    r"|\binterview(?:ed|s)?[ \t]+(?:with[ \t]+)?|\bsat[ \t]+down[ \t]+with[ \t]+"
)


def _introduced_interviewee(state: _State, first_question: int) -> Attribution | None:
    """The person named right after "spoke to" / "interview with" before the questions."""
    ctx = state.ctx
    for m in _SPOKE_TO.finditer(ctx.text, 0, first_question):
        words = [w for w in ctx.words(m.end(), min(first_question, m.end() + 120)) if w]
        np = _np_forward(ctx, words, 0)
        if np is not None:
            found = _resolve(state, np[0], np[1], "interview")
            if found.speaker is not None:
                return found
        # "X spoke to our correspondent": the subject
        s_start = ctx.sentences[ctx.sentence_index(m.start())][0]
        before = [w for w in ctx.words(s_start, m.start()) if w]
        np = _np_backward(ctx, before, len(before), floor=s_start)
        if np is not None:
            found = _resolve(state, np[0], np[1], "interview")
            if found.speaker is not None:
                return found
    return None
