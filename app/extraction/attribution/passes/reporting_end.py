"""`The pact is "as good as dead" for now, the commissioner said on Tuesday.`: the reporting
clause that ends the quotation's sentence, after the words that follow the quotation."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, resolve
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import np_backward, np_forward, speech_at
from app.extraction.attribution.reporting import with_cue
from app.extraction.quotes import Quote

# How many words may follow the reporting verb in the final clause ("on Tuesday", "in a
# statement", "told reporters in Vessby"): more, and the clause says something else.
_MAX_WORDS_AFTER_VERB = 6


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    text = ctx.text
    s_start, s_end = ctx.sentences[ctx.sentence_index(quote.open_mark)]
    close = quote.close_mark if quote.close_mark is not None else quote.end
    if close + 1 >= s_end:
        return None
    comma = text.rfind(",", close + 1, s_end)
    if comma < 0 or ctx.in_quote(comma):
        return None
    clause = ctx.words(comma + 1, s_end)
    if not clause or None in clause:
        return None  # a quotation in the final clause has its own attribution
    words = [w for w in clause if w is not None]
    for k, word in enumerate(words):
        if not speech_at(words, k) or word.lower.endswith("ing"):
            continue
        if len(words) - k - 1 > _MAX_WORDS_AFTER_VERB:
            return None
        if k == 0:  # ", said the commissioner."
            np = np_forward(ctx, words, 1)
        else:  # ", the commissioner said."
            np = np_backward(ctx, words, k, floor=words[0].start)
            if np is not None and np[0] != words[0].start:
                return None  # the clause is more than its subject and verb
        if np is None:
            return None
        found = resolve(state, np[0], np[1])
        return with_cue(found, (word.start, word.end)) if found.speaker is not None else None
    return None


PASS = Pass(
    id="reporting_end",
    description="the reporting clause that ends the quotation's sentence after more words: "
    '`… is "as good as dead" unless the law changes, the commissioner X said on Tuesday.`',
    rule=rule,
    examples=(
        Example(
            'Quota row\n\nThe fishing pact is "as good as dead" for as long as both fleets '
            "ignore the quotas, Trade Commissioner Ana Rocha said on Tuesday.",
            "ana-rocha",
        ),
        Example(
            'Quota row\n\nAna Rocha met the envoy. The pact is "as good as dead" and the fleet '
            "will stay in port, Rocha told reporters in Vessby.",
            "ana-rocha",
        ),
    ),
    counterexamples=(
        # the final clause is about something else
        Example(
            'Quota row\n\nAna Rocha met the envoy. The pact is "as good as dead" for now, and '
            "the fleet has stayed in port since the critics said so in March.",
            "ana-rocha",
        ),
    ),
)
