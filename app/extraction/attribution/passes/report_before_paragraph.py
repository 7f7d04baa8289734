"""A quotation that is its own paragraph, after a paragraph ending in someone's report."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, speaker_is_person
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import verb_before
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    text = ctx.text
    para = ctx.paragraph_index(quote.open_mark)
    p_start, _ = ctx.paragraphs[para]
    here = ctx.sentence_index(quote.open_mark)
    if para == 0 or here == 0 or text[p_start : quote.open_mark].strip():
        return None
    prev = ctx.sentences[here - 1]
    if ctx.paragraph_index(prev[0]) != para - 1 or None in ctx.words(prev[0], prev[1]):
        return None  # the sentence before quotes someone itself, or is this paragraph's
    if index and statements[index - 1].end > prev[0]:
        return None
    close = quote.close_mark if quote.close_mark is not None else quote.end
    _, last_end = ctx.paragraphs[ctx.paragraph_index(close)]
    if text[close + 1 : last_end].strip():
        return None  # the paragraph goes on after the quotation: "…," and the hall fell silent
    # the reporting sentence is read as if the quotation stood at its end
    end_of_report = Quote("", prev[1], prev[1], prev[1], prev[1])
    found = verb_before(state, end_of_report, prev)
    if found is None or not speaker_is_person(state, found) or found.cue is None:
        return None  # "The ministry said talks would go on." then a quote: not sure whose
    if len(text[found.cue[1] : prev[1]].split()) < 3:
        return None  # "Anna Berg spoke first.": no report the quotation could give
    return found


PASS = Pass(
    id="report_before_paragraph",
    description="a quotation alone in its paragraph, with no attribution of its own: the "
    "person whose report ends the paragraph before (`X said Vessby would hold firm.`)",
    rule=rule,
    examples=(
        Example(
            "Trawler row\n\nSpeaking after the meeting, Fisheries Minister Ingrid Dahl said Vessby "
            'would not back down.\n\n"Norland has jurisdiction over these waters."',
            "ingrid-dahl",
        ),
    ),
    counterexamples=(
        # a body's report: whose words follow is less sure
        Example(
            "Trawler row\n\nThe Norlandic coast guard said the trawler had no licence.\n\n"
            '"Norland has jurisdiction over these waters."',
            None,
        ),
        # a sentence with no report in it
        Example(
            'Trawler row\n\nIngrid Dahl spoke first.\n\n"Norland has jurisdiction over these '
            'waters," and the hall fell silent.',
            None,
        ),
    ),
)
