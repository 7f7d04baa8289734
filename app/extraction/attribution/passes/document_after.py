"""`"…," according to a statement`: a document that names no issuer speaks for no one."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import after_quote, documentary
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    found = after_quote(state, statements[index])
    if found is not None and found.speaker is None and documentary(found):
        return found
    return None


PASS = Pass(
    id="document_after",
    description='`"…," according to a statement` when nothing before the quotation names the '
    "issuer: the document, and no speaker",
    rule=rule,
    examples=(
        Example('"Shipping will resume," according to a statement released on Sunday.', None),
    ),
    counterexamples=(
        # the sentence names the issuer before the quotation: that pass wins
        Example(
            'Ivan Orlov said shipping "will resume soon," according to a statement released '
            "on Sunday.",
            "ivan-orlov",
        ),
    ),
)
