"""`X's statement that "…"`: the owner of a speech noun before the quotation."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import speech_noun_before
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    return speech_noun_before(state, quote, ctx.sentences[ctx.sentence_index(quote.open_mark)])


PASS = Pass(
    id="speech_noun",
    description="the owner of a speech noun before the quotation: "
    '`X\'s remarks, such as "…"`, `X\'s position is that "…"`',
    rule=rule,
    examples=(
        Example(
            'Ivan Orlov\'s statement that "the deal is dead and buried" surprised nobody.',
            "ivan-orlov",
        ),
    ),
    counterexamples=(
        Example('The statement that "the deal is dead and buried" surprised nobody.', None),
    ),
)
