"""Words quoted from a transcript answer labelled `NAME:` are that person's."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, label_speaker
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import NOT_SPEAKER_LABELS, SPEAKER_LABEL, loose_words
from app.extraction.quotes import Quote
from app.extraction.text import fold


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    key = loose_words(quote.text)
    if len(key) < 20:
        return None
    ctx = state.ctx
    for p_start, p_end in ctx.paragraphs:
        if p_start <= quote.start < p_end:
            continue
        m = SPEAKER_LABEL.match(ctx.text, p_start)
        if m is None or fold(m.group("label")) in NOT_SPEAKER_LABELS:
            continue
        if f" {key} " in f" {loose_words(ctx.text[m.end() : p_end])} ":
            return label_speaker(state, m)
    return None


PASS = Pass(
    id="labelled_answer",
    description="a quotation (often a headline) of words that a transcript answer labelled "
    "`NAME:` says without quotation marks: the labelled person",
    rule=rule,
    examples=(
        Example(
            "Minister Erik Dahl spoke to us after the session.\n\nDAHL: We think the river "
            "belongs to everyone who lives along it.\n\nHis view: 'The river belongs to "
            "everyone who lives along it'",
            "erik-dahl",
        ),
    ),
    counterexamples=(
        # the answer does not say these words
        Example(
            "Minister Erik Dahl spoke to us after the session.\n\nDAHL: We think the river "
            "is shared.\n\nHis view: 'The river belongs to everyone who lives along it'",
            None,
        ),
    ),
    whole_article=True,
)
