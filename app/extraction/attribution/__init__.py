"""Attribution: who said each statement, decided by a sieve of passes.

The design is the multi-pass sieve of the Stanford deterministic coreference system (Lee et
al., 2013) and of the Gender Gap Tracker's quote rules. Each pass (passes/) is a small rule
with an id, a one-line description and invented examples and counterexamples that a test
runs. For each statement, in article order, the passes are tried from the most precise to
the least and the first that decides wins; a pass decides by naming a speaker, or by naming
someone who speaks for no one ("a senior official"). Passes that read the whole article's
answers (the same words quoted elsewhere, an interview's subject, a headline's echo of the
body) run afterwards.

The passes share two models: reporting.py and phrases.py find the words that name a
speaker (reporting clauses, noun phrases, subjects), and discourse.py decides whom those
words mean. The discourse model holds the people, bodies and states the article has named
so far (curated actors, people introduced with a role or an apposition, unnamed people),
with their roles, gender where the text shows it, and the order of salience in which a
pronoun or a role phrase looks for them; each answer becomes a referent for the next.

Every answer carries its pass id (`method`), and `evidence`: exact spans of the article
(the reporting phrase, e.g. "he said", and for a pronoun or role the earlier mention it
stands for). `confidence` is the precision measured on the held-out corpora for the pass
and the calibration bucket of the answer (buckets.py: how the speaker was named and how
far from the quotation), in data/confidence.yaml, written by
`python -m app.extraction.calibrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.extraction.attribution.base import NO_ATTRIBUTION, Attribution
from app.extraction.attribution.buckets import bucket_of
from app.extraction.attribution.discourse import (
    Discourse,
    initial_referents,
    remember,
    reporting_subjects,
    resolve,
    salient_subject,
)
from app.extraction.attribution.passes import PASSES, Pass
from app.extraction.context import ArticleContext
from app.extraction.model import NewActor
from app.extraction.quotes import Quote

_LOCAL = tuple(p for p in PASSES if not p.whole_article)
_WHOLE = tuple(p for p in PASSES if p.whole_article)

__all__ = ["PASSES", "Attribution", "Pass", "attribute", "evidence_spans"]


def attribute(
    ctx: ArticleContext, statements: Sequence[Quote]
) -> tuple[tuple[Attribution, ...], tuple[NewActor, ...]]:
    """The speaker of each statement (same order) and the speakers the curated data lacks."""
    state = Discourse(ctx)
    state.referents = initial_referents(ctx)
    subjects = reporting_subjects(ctx)
    next_subject = 0
    for index in range(len(statements)):
        while (
            next_subject < len(subjects) and subjects[next_subject][0] < statements[index].open_mark
        ):
            if salient_subject(state, *subjects[next_subject]):
                subject = resolve(state, *subjects[next_subject])
                if subject.speaker is not None:
                    remember(state, subject)
            next_subject += 1
        found = _first_decision(state, statements, index, _LOCAL)
        state.results.append(found)
        state.done.append(statements[index])
        if found.speaker is not None and found.start is not None and found.end is not None:
            remember(state, found)
    for index in range(len(statements)):
        if not _decided(state.results[index]):
            state.results[index] = _first_decision(
                state, statements, index, tuple(p for p in _WHOLE if not p.revises)
            )
    for p in _WHOLE:
        if p.revises:
            for index in range(len(statements)):
                revised = p.rule(state, statements, index)
                if revised is not None:
                    state.results[index] = replace(revised, method=p.id)
    results = tuple(
        replace(found, bucket=bucket_of(state, quote, found))
        for quote, found in zip(statements, state.results, strict=True)
    )
    return results, tuple(state.new_actors.values())


def _decided(found: Attribution) -> bool:
    """Whether a pass said something: a speaker, or words naming someone who is no actor."""
    return found.speaker is not None or found.speaker_text is not None


def _first_decision(
    state: Discourse, statements: Sequence[Quote], index: int, passes: Sequence[Pass]
) -> Attribution:
    for p in passes:
        found = p.rule(state, statements, index)
        if found is not None:
            return replace(found, method=p.id)
    return NO_ATTRIBUTION


# A reporting verb further than this from its speaker phrase is shown as its own span.
_MAX_PHRASE_GAP = 60


def evidence_spans(text: str, found: Attribution) -> tuple[tuple[int, int], ...]:
    """The spans of `text` that show an attribution: the reporting phrase ("he said", one
    span when the speaker and the verb are close, else two), then the earlier mention a
    pronoun or role stands for."""
    spans: list[tuple[int, int]] = []
    phrase = (found.start, found.end) if found.start is not None and found.end is not None else None
    cue = found.cue
    if phrase is not None and cue is not None:
        lo, hi = min(phrase[0], cue[0]), max(phrase[1], cue[1])
        gap = text[min(phrase[1], cue[1]) : max(phrase[0], cue[0])]
        if hi - lo - (phrase[1] - phrase[0]) - (cue[1] - cue[0]) <= _MAX_PHRASE_GAP and not any(
            c in gap for c in '\n"“”«»'
        ):
            spans.append((lo, hi))
        else:
            spans.extend(sorted([phrase, cue]))
    elif phrase is not None:
        spans.append(phrase)
    elif cue is not None:
        spans.append(cue)
    ante = found.antecedent
    if ante is not None and not any(s <= ante[0] and ante[1] <= e for s, e in spans):
        spans.append(ante)
    return tuple(spans)
