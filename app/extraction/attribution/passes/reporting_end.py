"""`The pact is "as good as dead" for now, the commissioner said on Tuesday.`: the reporting
clause that ends the quotation's sentence, after the words that follow the quotation."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, resolve
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import np_backward, np_forward, speech_at
from app.extraction.attribution.reporting import title_and_name, with_cue
from app.extraction.context import Word
from app.extraction.quotes import Quote

# How many lower-case words may follow the reporting verb in the final clause ("on Tuesday",
# "in a statement", "told reporters in Vessby"): more, and the clause says something else.
_MAX_WORDS_AFTER_VERB = 6


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    text = ctx.text
    s_start, s_end = ctx.sentences[ctx.sentence_index(quote.open_mark)]
    close = quote.close_mark if quote.close_mark is not None else quote.end
    if close + 1 >= s_end:
        return None
    end = s_end
    for _ in range(2):
        # "…, Deputy Minister X told a briefing on Tuesday, a correspondent reports.": the
        # clause before a final one that only relays the report
        comma = text.rfind(",", close + 1, end)
        if comma < 0 or ctx.in_quote(comma):
            return None
        clause = ctx.words(comma + 1, end)
        if not clause or None in clause:
            return None  # a quotation in the final clause has its own attribution
        found = _clause_speaker(state, [w for w in clause if w is not None])
        if found is not None:
            return found
        end = comma
    return None


def _clause_speaker(state: Discourse, words: list[Word]) -> Attribution | None:
    """The speaker of a final reporting clause (", the commissioner said on Tuesday")."""
    ctx = state.ctx
    for k, word in enumerate(words):
        if not speech_at(words, k) or word.lower.endswith("ing"):
            continue
        if sum(not w.capitalised for w in words[k + 1 :]) > _MAX_WORDS_AFTER_VERB:
            # (names do not count: "told a briefing at the Central Press Office")
            return None
        if k == 0:  # ", said the commissioner."
            np = np_forward(ctx, words, 1)
        else:  # ", the commissioner said."
            np = np_backward(ctx, words, k, floor=words[0].start)
            if np is not None and np[0] != words[0].start:
                if not title_and_name(words[:k]):
                    return None  # the clause is more than its subject and verb
                # "Deputy Minister of Ports and Fisheries Ana Lind told": one long title
                np = (words[0].start, np[1])
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
        # a long title joined by "and", names in the words after the verb, and a last clause
        # that only relays the report
        Example(
            'Quota row\n\nThe new checks are "aimed at no one" and target only smuggling, '
            "Deputy Minister of Ports and Fisheries Ana Rocha told a briefing at the Central "
            "Press Office on Tuesday, a Vessby Radio correspondent reports.",
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
