"""`X: "…"`: a name and a colon right before the quotation."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import label_before
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    return label_before(state, quote, ctx.sentences[ctx.sentence_index(quote.open_mark)])


PASS = Pass(
    id="speaker_colon",
    description='a short phrase naming someone, then a colon, right before the quotation: `X: "…"`',
    rule=rule,
    examples=(Example('Trade envoy Sofia Marin: "We expect an answer by Friday."', "sofia-marin"),),
    counterexamples=(
        # a label that names no one
        Example('Interview: "We expect an answer by Friday."', None),
    ),
)
