"""A sentence ending in a colon introduces the quotation that follows it."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import before_quote
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    text = ctx.text
    here = ctx.sentence_index(quote.open_mark)
    if here == 0 or text[ctx.sentences[here][0] : quote.open_mark].strip():
        return None
    prev = ctx.sentences[here - 1]
    if not text[prev[0] : prev[1]].rstrip().endswith(":"):
        return None
    # the introducing sentence is read as if the quotation stood at its end
    end_of_intro = Quote("", prev[1], prev[1], prev[1], prev[1])
    return before_quote(state, end_of_intro, prev)


PASS = Pass(
    id="colon_intro",
    description="the speaker of an introducing sentence that ends in a colon, for the "
    "quotation that follows it (in the same or the next paragraph)",
    rule=rule,
    examples=(
        Example(
            "Foreign Ministry spokeswoman Lucia Ferrant said in a written statement on "
            'Tuesday:\n\n"We will not accept these terms."',
            "lucia-ferrant",
        ),
    ),
    counterexamples=(
        Example('The schedule was as follows.\n\n"We will not accept these terms."', None),
    ),
)
