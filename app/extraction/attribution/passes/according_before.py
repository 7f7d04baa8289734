"""`According to X, "…"`: a sourcing phrase earlier in the quotation's sentence."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import according_before
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    return according_before(state, quote, ctx.sentences[ctx.sentence_index(quote.open_mark)])


PASS = Pass(
    id="according_before",
    description='`According to X, "…"`, `In her words, "…"` or `the agency quoted X as saying '
    '"…"` before the quotation',
    rule=rule,
    examples=(
        Example('According to Marta Silva, "the harbour will reopen next week."', "marta-silva"),
        Example(
            'The agency quoted Tomas Lind as saying "no decision has been taken yet."',
            "tomas-lind",
        ),
        # "In her words" / "In his opinion": the person the possessive stands for
        Example(
            "Port row\n\nDeputy Minister Marta Silva opened the fair. In her view, the "
            'new quays "will pay for themselves within a decade".',
            "marta-silva",
        ),
    ),
    counterexamples=(Example('"No decision has been taken yet," Tomas Lind said.', "tomas-lind"),),
)
