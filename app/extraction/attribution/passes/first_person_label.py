"""`NAME: … As I said, "…"`: a transcript answer quoting its own speaker's earlier words."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction import lexicon
from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, label_speaker
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import NOT_SPEAKER_LABELS, SPEAKER_LABEL
from app.extraction.quotes import Quote
from app.extraction.text import fold


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    sentence = ctx.sentences[ctx.sentence_index(quote.open_mark)]
    p_start = ctx.paragraphs[ctx.paragraph_index(quote.open_mark)][0]
    m = SPEAKER_LABEL.match(ctx.text, p_start)
    if m is None or fold(m.group("label")) in NOT_SPEAKER_LABELS:
        return None
    words = [w for w in ctx.words(max(sentence[0], m.end()), quote.open_mark) if w is not None]
    if not any(
        w.text == "I" and any(v.lower in lexicon.SPEECH_VERBS for v in words[k + 1 : k + 3])
        for k, w in enumerate(words)
    ):
        return None
    return label_speaker(state, m)


PASS = Pass(
    id="first_person_label",
    description='in a transcript answer labelled `NAME:`, `I said "…"` is the labelled person',
    rule=rule,
    examples=(
        Example(
            "Minister Erik Dahl took questions after the session.\n\nDAHL: Yes. As I said "
            'last week, "the door is open to everyone."',
            "erik-dahl",
        ),
    ),
    counterexamples=(
        # someone else said it
        Example(
            "Minister Erik Dahl took questions after the session.\n\nDAHL: Yes. As they said "
            'last week, "the door is open to everyone."',
            None,
        ),
    ),
)
