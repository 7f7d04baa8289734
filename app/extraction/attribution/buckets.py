"""Calibration buckets: how an attribution was decided, in general terms.

A pass's precision is an average over very different decisions: `"…," Ivan Orlov said`
and `"…," he said` three paragraphs after the last name are both `reporting_after`, and
the second is wrong far more often. The bucket names the form of the words that name the
speaker and how far they are from the quotation, so that confidence can be measured per
(pass, bucket) and ">= 0.9" means the same thing whichever pass decided.

    form      name     the phrase names the person itself ("Ivan Orlov", "Minister Orlov")
              refer    a role that refers back to someone named earlier ("the minister")
              pronoun  "he", "she", "they", "it"
              (refer and pronoun get "-distant" when the mention they stand for is two
              or more paragraphs back: more people have usually been named since)
              body     a ministry, an embassy, a company, a group the curated data knows
              new-body the same, named by the article only (its slug is made from the
                       text's words, which a reader may word otherwise)
              state    a state, its capital or its demonym ("Vessby said", "the Norland side")
              unnamed  words that name nobody the article knows ("a senior official")
              none     no speaker at all
    distance  same     the phrase is in the quotation's sentence
              near     the same paragraph or the one just before
              far      further away (a speaker carried over, a headline echo)

The bucket is internal: it decides `confidence` and `incidentdb eval` reports it, but the
API shows only the pass id (`attribution.method`), so the public contract does not depend
on how the buckets are cut.
"""

from __future__ import annotations

from app.extraction import lexicon
from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, speaker_kind
from app.extraction.quotes import Quote

# Capitalised words that are no name: "The minister", "Another expert", "Deputy Minister".
_NOT_NAMES = (
    frozenset({"the", "this", "that", "his", "her", "its", "their", "our", "another", "a", "an"})
    | lexicon.PERSON_ROLES
    | lexicon.ROLE_MODIFIERS
    | lexicon.HONORIFICS
)


def _plain(word: str) -> str:
    return word.strip(",.;:’'\"").lower()


def bucket_of(state: Discourse, quote: Quote, found: Attribution) -> str:
    """`form/distance` (see the module docstring) of one attribution."""
    form = _form(state, found)
    if form in ("pronoun", "refer") and _distant_antecedent(state, found):
        form += "-distant"
    return f"{form}/{_distance(state, quote, found)}"


def _distant_antecedent(state: Discourse, found: Attribution) -> bool:
    if found.antecedent is None or found.start is None:
        return False
    ctx = state.ctx
    return ctx.paragraph_index(found.start) - ctx.paragraph_index(found.antecedent[0]) >= 2


def _form(state: Discourse, found: Attribution) -> str:
    if found.speaker is None:
        return "unnamed" if found.speaker_text else "none"
    words = (found.speaker_text or "").split()
    if len(words) == 1 and words[0].lower() in lexicon.PRONOUNS:
        return "pronoun"
    kind = speaker_kind(state, found.speaker)
    if kind == "state":
        return "state"
    if kind == "organization":
        # a body the curated data lacks is named by a slug made from the text's words,
        # which a reader may well word otherwise: measured apart
        return "body" if state.ctx.gazetteer.get(found.speaker) is not None else "new-body"
    if found.start is not None and found.end is not None:
        # a state's name or demonym names no person: "the Norlandic deputy FM" refers
        phrase = state.ctx.text[found.start : found.end]
        for m in state.ctx.matches_between(found.start, found.end):
            if m.actor.kind == "state":
                lo, hi = m.start - found.start, m.end - found.start
                phrase = phrase[:lo] + " " * (hi - lo) + phrase[hi:]
        words = phrase.split()
    if any(w[:1].isupper() and _plain(w) not in _NOT_NAMES for w in words):
        return "name"  # "Ivan Orlov", "Minister Orlov", "Orlov" (a surname met before)
    return "refer"


def _distance(state: Discourse, quote: Quote, found: Attribution) -> str:
    if found.start is None:
        return "far"
    ctx = state.ctx
    first = ctx.sentence_index(quote.open_mark)
    last = ctx.sentence_index(quote.end if quote.close_mark is None else quote.close_mark)
    if first <= ctx.sentence_index(found.start) <= last + 1 and _same_paragraph(
        state, quote, found.start
    ):
        # the quotation's own sentence, or the reporting clause that closes it
        # ("… next week. We are ready," he said.)
        return "same"
    gap = ctx.paragraph_index(quote.open_mark) - ctx.paragraph_index(found.start)
    return "near" if gap in (0, 1) else "far"


def _same_paragraph(state: Discourse, quote: Quote, pos: int) -> bool:
    ctx = state.ctx
    return ctx.paragraph_index(pos) == ctx.paragraph_index(quote.open_mark)
