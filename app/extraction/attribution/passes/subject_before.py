"""`X was blunt. "…"`: the subject of the sentence just before, in the same paragraph."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, resolve
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import main_subject
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    p_start = ctx.paragraphs[ctx.paragraph_index(quote.open_mark)][0]
    here = ctx.sentence_index(quote.open_mark)
    if here == 0 or ctx.sentences[here - 1][0] < p_start:
        return None
    s_start, s_end = ctx.sentences[here - 1]
    words = [w for w in ctx.words(s_start, s_end) if w is not None]
    np = main_subject(ctx, words, len(words))
    if np is None:
        return None
    found = resolve(state, np[0], np[1])
    return found if found.speaker is not None else None


PASS = Pass(
    id="subject_before",
    description="no attribution in its sentence: the subject of the sentence just before it "
    "in the same paragraph",
    rule=rule,
    examples=(Example('Ivan Orlov was blunt. "We will not sign this."', "ivan-orlov"),),
    counterexamples=(Example('Ivan Orlov was blunt.\n\n"We will not sign this."', None),),
)
