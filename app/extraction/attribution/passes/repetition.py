"""The same words attributed elsewhere in the article (a quotation repeated or excerpted)."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import loose_words
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    key = loose_words(quote.text)
    if len(key) < 20:
        return None
    for other, found in zip(statements, state.results, strict=True):
        if other is not quote and found.speaker is not None and key in loose_words(other.text):
            return found
    return None


PASS = Pass(
    id="repetition",
    description="no attribution anywhere near it: the speaker of another statement of the "
    "article that contains the same words",
    rule=rule,
    examples=(
        Example(
            'Port talks resume\n\n"We will keep the port open to all ships," said Ivan Orlov.'
            '\n\nCrowds gathered in the square.\n\n"We will keep the port open to all ships."',
            "ivan-orlov",
        ),
    ),
    counterexamples=(
        # a different sentence, however close, is not a repetition
        Example(
            'Port talks resume\n\n"We will keep the port open," said Ivan Orlov.\n\nCrowds '
            'gathered in the square.\n\n"We will close the port to all ships."',
            None,
        ),
    ),
    whole_article=True,
)
