"""A quotation continued or interrupted: the speaker of the statement just before."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.quotes import Quote
from app.extraction.text import is_heading


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    if index == 0:
        return None
    quote = statements[index]
    ctx = state.ctx
    text = ctx.text
    para = ctx.paragraph_index(quote.open_mark)
    p_start, p_end = ctx.paragraphs[para]
    if is_heading(text[p_start:p_end], first=para == 0):
        return None  # a crosshead does not continue a quotation
    opens_paragraph = not text[p_start : quote.open_mark].strip(" \t-–—")
    previous = state.results[index - 1]
    prev_para = ctx.paragraph_index(statements[index - 1].open_mark)
    if prev_para == para or (
        opens_paragraph and prev_para == para - 1 and previous.speaker is not None
    ):
        return previous
    return None


PASS = Pass(
    id="continuation",
    description="no attribution of its own: the speaker of the statement before it in the "
    "paragraph, or in the previous paragraph when the quotation opens its paragraph",
    rule=rule,
    examples=(
        Example(
            'Port talks\n\n"We are ready," said Ivan Orlov. "The rest is up to them."', "ivan-orlov"
        ),
        Example('"We are ready," said Ivan Orlov.\n\n"The rest is up to them."', "ivan-orlov"),
    ),
    counterexamples=(
        # a paragraph about something else in between ends the quotation
        Example(
            '"We are ready," said Ivan Orlov.\n\nCrowds gathered in the square.\n\n"The rest '
            'is up to them."',
            None,
        ),
    ),
)
