"""Reporting clauses: the words around a quotation that say who speaks it.

`after_quote` reads the clause after the closing mark (`," X said`), the `*_before`
functions the quotation's own sentence before the opening mark. Each returns the speaker
phrase resolved through the discourse model, with the reporting verb as its cue; the
passes decide which of them to trust, and in what order.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.extraction import lexicon
from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import (
    Discourse,
    lineage_of,
    person_phrase,
    resolve,
)
from app.extraction.attribution.phrases import (
    ACCORDING,
    CONJUNCTIONS,
    IN_OWN_WORDS,
    IN_WHICH,
    POST_LEAD,
    QUOTED_AS,
    SAYS_LATE,
    bare_clause,
    chunk_subject,
    comma_between,
    head_word,
    index_at,
    last_match,
    main_subject,
    np_backward,
    np_forward,
    punct_between,
    speech_at,
    that_clause_subject,
    verb_subject,
    vocative_end,
)
from app.extraction.context import ArticleContext, Word
from app.extraction.quotes import Quote
from app.extraction.text import fold


def with_cue(found: Attribution, cue: tuple[int, int]) -> Attribution:
    """`found` with the reporting words that introduce it ("said", "according to")."""
    return replace(found, cue=cue)


def documentary(found: Attribution) -> bool:
    """Whether the phrase found names a document ("according to a readout published by
    …"): the speaker the sentence names before the quotation is the better answer."""
    words = (found.speaker_text or "").split()
    return (
        bool(words)
        and words[0].lower() in ("a", "an")
        and head_word(words) in lexicon.DOCUMENT_NOUNS
    )


def after_quote(state: Discourse, quote: Quote) -> Attribution | None:
    """`," he said` / `," said X` / `," X quoted him as saying` / `, according to X`."""
    # Two passes read this clause; resolving it twice would add its new actors twice.
    if quote.open_mark not in state.after_clauses:
        close = quote.close_mark if quote.close_mark is not None else quote.end
        state.after_clauses[quote.open_mark] = _after_quote(state, quote, close)
    return state.after_clauses[quote.open_mark]


# the first person as a speaker phrase names no one by itself ("I said to him, "…"")
FIRST_PERSON = frozenset({"I", "we", "We"})
_FREE_RELATIVES = frozenset({"what", "whatever"})
_RELATIVE_WORDS = frozenset({"that", "which", "who", "whom", "whose"})
_QUESTION_OPENERS = frozenset(
    "does do did is are was were will would can could should has have how why what when where "
    "who which".split()
)
_POSSESSIVE_THIRD = frozenset({"its", "their"})
_NEW_CLAUSE = frozenset(
    "which that after before since because although though unless until once whereas".split()
)


def _after_quote(state: Discourse, quote: Quote, close: int) -> Attribution | None:
    ctx = state.ctx
    text = ctx.text
    lead = POST_LEAD.match(text, close + 1)
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
    m = ACCORDING.match(text, start)
    if m is not None:
        np = np_forward(ctx, plain, index_at(plain, m.end()))
        if np is not None:
            return with_cue(resolve(state, np[0], np[1]), (m.start(), m.end()))
    if new_sentence and plain[0].lower in _QUESTION_OPENERS:
        # `" Does the cabinet speak for the regions?`: the next question, not a clause
        return None
    if plain[0].lower in CONJUNCTIONS or plain[0].lower in _NEW_CLAUSE:
        # `," and she reiterated that …` / `," which it said were …` / `' after Sofia said
        # it would …`: a new clause, whose speaker said something else
        return None
    for k, word in enumerate(plain[:30]):
        if not speech_at(plain, k) or (k and punct_between(text, plain[0].start, word.start)):
            continue
        if word.lower in ("quoted", "quotes", "cited", "cites"):
            qm = QUOTED_AS.match(text, word.start)
            if qm is not None:
                np_start, np_end = qm.start("np"), qm.end("np")
                return with_cue(resolve(state, np_start, np_end), (word.start, qm.end()))
        if k and (
            word.lower.endswith("ing")
            or any(w.lower in _RELATIVE_WORDS for w in plain[:k])
            or (k + 1 < len(plain) and plain[k + 1].lower == "that" and k >= 2)
        ):
            # `" the letters of mayors pledging …`, `" from villages that it said`,
            # `" in the week Norland confirmed that …`: a clause of its own, whose
            # speaker said something else
            break
        if k == 0:
            if word.lower.endswith("ing"):
                return None
            np = np_forward(ctx, plain, 1)
            if np is None:
                return None
            if new_sentence and not bare_clause(text, np[1], limit):
                return None
            return with_cue(resolve(state, np[0], np[1]), (word.start, word.end))
        j = k
        while j > 0 and plain[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
            j -= 1
        if j > 0 and comma_between(text, plain[j - 1], plain[j]):
            # `," a ministry spokesman, Paul Renard, told reporters`
            np = chunk_subject(ctx, plain, 0, j, whole=True)
            if np is None:
                break
            if new_sentence and not bare_clause(text, word.end, limit):
                return None
            return with_cue(resolve(state, np[0], np[1]), (word.start, word.end))
        if (k > 12 and not title_and_name(plain[:k])) or any(
            w.lower in _FREE_RELATIVES for w in plain[:k]
        ):
            # `" whatever she described as "…"`: a label for the next
            # quotation, not the reporting clause of this one
            break
        np = np_backward(ctx, plain, k, floor=plain[0].start)
        if np is not None and np[0] != plain[0].start:
            if k > 8 or any(c in ",;:" for c in text[plain[0].start : np[0]]):
                break
            # `," a source in the Azerbaijani government told Reuters`: the whole clause
            # subject names the speaker, even where it is more than a noun phrase.
            np = (plain[0].start, np[1])
        if np is None:
            break
        if new_sentence and not bare_clause(text, word.end, limit):
            return None
        return with_cue(resolve(state, np[0], np[1]), (word.start, word.end))
    if new_sentence:
        return None
    # later in the clause: `, according to X.` / `… to any attack, says X` (headlines)
    m = ACCORDING.search(text, start, segment_end) or SAYS_LATE.search(text, start, plain[-1].end)
    if m is not None:
        np = np_forward(ctx, plain, index_at(plain, m.end()))
        if np is not None and np[1] >= plain[-1].end - 1:
            return with_cue(resolve(state, np[0], np[1]), (m.start(), m.end()))
    return None


def title_and_name(words: list[Word]) -> bool:
    """Whether the words are one long title and a name ("Head of the Waterways Division of
    the Transport Ministry Ana Rocha"): capitalised words joined by "of", "the", "for",
    "and", opening with a role: a speaker phrase however long."""
    return (
        len(words) <= 24
        and words[0].base in lexicon.PERSON_ROLES
        and all(w.capitalised or w.lower in ("of", "the", "for", "and") for w in words)
    )


def before_quote(state: Discourse, quote: Quote, sentence: tuple[int, int]) -> Attribution | None:
    """An attribution in the quotation's sentence, before its opening mark, by the first
    of the clause patterns that applies."""
    for find in (according_before, verb_before, label_before, speech_noun_before):
        found = find(state, quote, sentence)
        if found is not None:
            return found
    return None


def _words_before(state: Discourse, quote: Quote, sentence: tuple[int, int]) -> list[Word]:
    return [w for w in state.ctx.words(sentence[0], quote.open_mark) if w is not None]


def according_before(
    state: Discourse, quote: Quote, sentence: tuple[int, int]
) -> Attribution | None:
    """`According to X, "…"` / `X quoted him as saying "…"` earlier in the sentence."""
    ctx = state.ctx
    text = ctx.text
    start = sentence[0]
    plain = _words_before(state, quote, sentence)
    if not plain:
        return None
    qm = last_match(QUOTED_AS.finditer(text, start, quote.open_mark))
    if qm is not None:
        return with_cue(resolve(state, qm.start("np"), qm.end("np")), (qm.end("np"), qm.end()))
    acc = last_match(ACCORDING.finditer(text, start, quote.open_mark))
    own = last_match(IN_OWN_WORDS.finditer(text, start, quote.open_mark))
    if own is not None and (acc is None or acc.start() < own.start()):
        # "In her view, the ferry "runs on time"": hers, as "according to her" would be
        pron = (own.start("pron"), own.end("pron"))
        return with_cue(resolve(state, *pron), (own.start(), own.end()))
    if acc is not None and not ctx.in_quote(acc.start()):
        np = np_forward(ctx, plain, index_at(plain, acc.end()), clause_end=False)
        if np is not None:
            return with_cue(resolve(state, np[0], np[1]), (acc.start(), acc.end()))
    return None


_WITH_BEFORE = re.compile(r"\bwith[ \t]+$")
_DETERMINERS = frozenset({"a", "an", "the", "its", "his", "her", "their", "this"})
_PAREN_BEFORE = re.compile(r"[ \t]*\([^()\n]{1,40}\)[ \t]*$")
_PASSIVE_BE = frozenset({"was", "were", "been", "being", "is", "are"})
_AND_THAT = re.compile(r",?[ \t]+and[ \t]+that[ \t]")


def verb_before(state: Discourse, quote: Quote, sentence: tuple[int, int]) -> Attribution | None:
    """`X said (that) "…"`: the subject of the last speech verb before the quotation."""
    ctx = state.ctx
    text = ctx.text
    start = sentence[0]
    plain = _words_before(state, quote, sentence)
    verb_index = None
    for k in range(len(plain) - 1, -1, -1):
        if not speech_at(plain, k):
            continue
        if k and plain[k - 1].lower == "to" and any(_finite_speech(plain, e) for e in range(k)):
            # "Berg said the ministry had called in the envoy to voice "deep unease"": an
            # infinitive has no subject of its own; the finite verb before it reports the words
            continue
        if k and plain[k - 1].lower in _PASSIVE_BE and any(speech_at(plain, e) for e in range(k)):
            # "The bureau said the captain had been informed that …": the one informed is
            # no speaker; the earlier verb names one
            continue
        if _AND_THAT.search(text, plain[k].end, quote.open_mark) and any(
            speech_at(plain, e) for e in range(k)
        ):
            # "Berg noted that the council had approved …, and that it would meet "…"":
            # the second that-clause is the earlier verb's, like the first
            continue
        verb_index = k
        break
    if verb_index is not None:
        verb = plain[verb_index]
        rel = last_match(IN_WHICH.finditer(text, verb.end, quote.open_mark))
        if rel is not None and quote.text[:1].islower():
            # "the statement issued by X, in which the Community "reaffirmed …"": the
            # document's author is the subject of the quoted words, not the verb's
            np = np_backward(ctx, plain, len(plain), floor=rel.end())
            if np is not None and not text[np[1] : quote.open_mark].strip():
                return with_cue(resolve(state, np[0], np[1]), (verb.start, verb.end))
        if verb.lower.endswith("ing"):
            # "Vessby rejected the claims, with its foreign ministry saying …": the noun
            # phrase after "with" is the participle's subject, not the sentence's
            before_verb = verb_index
            paren = _PAREN_BEFORE.search(text, start, verb.start)
            if paren is not None:
                # "with Deputy Minister Ana Lima (in another script) saying": the name
                before_verb = index_at(plain, paren.start())
            np = np_backward(ctx, plain, before_verb, floor=start)
            if (
                np is not None
                and _WITH_BEFORE.search(text, max(start, np[0] - 8), np[0])
                # "The guild answered with a statement saying …": the statement is the
                # council's, the sentence's subject
                and head_word(text[np[0] : np[1]].split()) not in lexicon.DOCUMENT_NOUNS
            ):
                return with_cue(resolve(state, np[0], np[1]), (verb.start, verb.end))
        if not verb.lower.endswith("ing"):
            outer = _outer_reporter(state, plain, verb_index, start)
            if outer is not None:
                return outer
            np = verb_subject(ctx, plain, verb_index, floor=start)
            vocative = vocative_end(ctx, plain, start, verb.start)
            if vocative is not None and (np is None or np[0] < vocative):
                # "Madam Chair, the palace says …": the address is no subject
                skip = index_at(plain, vocative)
                np = verb_subject(ctx, plain[skip:], verb_index - skip, floor=vocative)
            if np is not None:
                return with_cue(resolve(state, np[0], np[1]), (verb.start, verb.end))
        np = main_subject(ctx, plain, verb_index)
        if np is not None:
            found = with_cue(resolve(state, np[0], np[1]), (verb.start, verb.end))
            if found.speaker is not None or not verb.lower.endswith("ing"):
                return found
            # "State media reported that Kim inspected a unit, calling for …": a participle
            # whose main subject only relays the words belongs to the reported clause.
            inner = that_clause_subject(ctx, plain, verb_index)
            if inner is not None:
                return with_cue(resolve(state, inner[0], inner[1]), (verb.start, verb.end))
            return found
    return None


def label_before(state: Discourse, quote: Quote, sentence: tuple[int, int]) -> Attribution | None:
    """`X: "…"`: a short phrase and a colon right before the quotation."""
    ctx = state.ctx
    text = ctx.text
    start = sentence[0]
    plain = _words_before(state, quote, sentence)
    if not plain:
        return None
    stripped = text[start : quote.open_mark].rstrip()
    if stripped.endswith(":") and len(plain) <= 8:
        np = np_backward(ctx, plain, len(plain), floor=start)
        if np is not None and np[0] == plain[0].start:
            found = resolve(state, np[0], np[1])
            if found.speaker is not None:
                return with_cue(found, (len(stripped) + start - 1, len(stripped) + start))
    return None  # "Interview: '…'" names no one


def speech_noun_before(
    state: Discourse, quote: Quote, sentence: tuple[int, int]
) -> Attribution | None:
    """`X's statement that "…"`: the owner of a speech noun before the quotation."""
    ctx = state.ctx
    text = ctx.text
    start = sentence[0]
    plain = _words_before(state, quote, sentence)
    for k in range(len(plain) - 1, 0, -1):
        word = plain[k]
        if word.lower in lexicon.SPEECH_NOUNS and plain[k - 1].lower.endswith(("'s", "’s")):
            np = np_backward(ctx, plain, k, floor=start)
            if np is not None:
                end = np[1] - 2 if text[np[1] - 2 : np[1]].lower() in ("'s", "’s") else np[1]
                return with_cue(resolve(state, np[0], end), (word.start, word.end))
    return None


def _outer_reporter(
    state: Discourse, plain: list[Word], verb_index: int, start: int
) -> Attribution | None:
    """`She said Norland had asked for "…"`: a state, body or place inside the clause a
    person reports is what she speaks about; the quoted words are hers, as the reporter
    gives them. The person is the subject of an earlier speech verb that opens the
    sentence ("She said", "The diplomat noted that", "Asked about it, Dahl said"), and the
    later verb's subject (right after it) names no person."""
    ctx = state.ctx
    text = ctx.text
    for k in range(verb_index):
        if not speech_at(plain, k) or plain[k].lower.endswith("ing"):
            continue
        if (k and plain[k - 1].lower in _DETERMINERS) or (
            k + 1 < verb_index and plain[k + 1].lower in lexicon.SPEECH_NOUNS
        ):
            continue  # "in a (short) written note": an adjective, no verb
        second = _AND_THAT.search(text, plain[k].end, plain[verb_index].start)
        # a quotation of its own may stand in the first of two that-clauses
        between = text[plain[k].end : plain[verb_index].start]
        if any(c in between for c in (":;" if second is not None else ':;"“”«»')):
            return None
        np = verb_subject(ctx, plain, k, floor=start)
        if np is None:
            continue
        person = person_phrase(ctx, np[0], np[1]) or _surname_of_named_person(state, np[0], np[1])
        body = not person and _body_phrase(ctx, np[0], np[1])
        if not person and not body and not _pronoun_at(text, plain, verb_index):
            continue  # "Asked whether …, Rafiq said": a participle is not the reporting verb
        if np[0] != plain[0].start and not text[start : np[0]].rstrip().endswith(","):
            return None  # the person's clause must open the sentence, after at most an
            # introductory phrase ("Asked whether Norland had offered talks, Dahl said …")
        inner = verb_subject(ctx, plain, verb_index, floor=plain[k].end)
        clause = k + 1
        if plain[k].lower in ("told", "tells", "tell") and k + 2 < verb_index:
            # "She told reporters (that) …": the clause after the verb's object
            clause = k + 2
        if clause + 1 < len(plain) and plain[clause].lower == "that":
            clause += 1
        if second is not None:
            # "She told reporters the office was "…" and that Norland had asked for "…"":
            # a second that-clause of the same verb
            clause = index_at(plain, second.end())
        if clause + 1 < len(plain) and plain[clause].lower in _POSSESSIVE_THIRD:
            clause += 1  # "X said its services would continue": the noun after "its"
        if inner is None or inner[0] != plain[clause].start:
            return None  # the later verb is no complement of the earlier one
        if person_phrase(ctx, inner[0], inner[1]):
            return None
        if person or not body:
            # "Skyhop, the airline's subsidiary, said it would continue "…"": "it" is the
            # subject of the reporting clause, whose words these are
            return with_cue(resolve(state, np[0], np[1]), (plain[k].start, plain[k].end))
        # "The foreign ministry said Norland maintained "…"": a body speaks of its own
        # state, which does not become the speaker; of another state, the words may be
        # that state's, as the later verb says
        inner_states = {
            m.actor.slug for m in ctx.matches_between(*inner) if m.actor.kind == "state"
        }
        if not inner_states:
            return None
        found = resolve(state, np[0], np[1])
        if found.speaker is None or not inner_states & set(lineage_of(state, found.speaker)):
            return None
        return with_cue(found, (plain[k].start, plain[k].end))
    return None


def _pronoun_at(text: str, plain: list[Word], verb_index: int) -> bool:
    """Whether the speech verb plain[verb_index] has "it" or "they" (or "its …") right
    before it (after at most an auxiliary): standing for the reporting clause's subject."""
    j = verb_index
    while j > 0 and plain[j - 1].lower in lexicon.BETWEEN_SPEAKER_AND_VERB:
        j -= 1
    if j > 0 and plain[j - 1].lower in ("it", "they"):
        return True
    # "its services would continue": a noun the subject owns
    return j > 1 and plain[j - 2].lower in _POSSESSIVE_THIRD and plain[j - 1].text.islower()


def _finite_speech(plain: list[Word], k: int) -> bool:
    """Whether plain[k] is a speech verb with a subject of its own (no participle or
    infinitive)."""
    return (
        speech_at(plain, k)
        and not plain[k].lower.endswith("ing")
        and not (k and plain[k - 1].lower == "to")
    )


def _body_phrase(ctx: ArticleContext, start: int, end: int) -> bool:
    """Whether text[start:end] names a body: its head is an organisation's ("the foreign
    ministry", "Norland's embassy") or a curated organisation matches it."""
    words = ctx.text[start:end].split()
    if not words:
        return False
    if head_word(words) in lexicon.ORG_HEADS:
        return True
    return any(m.actor.kind == "organization" for m in ctx.matches_between(start, end))


def _surname_of_named_person(state: Discourse, start: int, end: int) -> bool:
    """Whether text[start:end] is one word, the surname of a person the article named in
    full before ("Dahl" after "Spokeswoman Eva Dahl")."""
    word = state.ctx.text[start:end]
    if " " in word or not word[:1].isupper():
        return False
    key = fold(word)
    return any(
        ref.kind == "person"
        and ref.end <= start
        and " " in ref.name
        and fold(ref.name.split()[-1]) == key
        for ref in state.referents
    )
