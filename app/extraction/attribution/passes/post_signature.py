"""An embedded post or block quotation signed on the next line: `— Name (@handle) date`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, resolve
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import UP
from app.extraction.attribution.reporting import with_cue
from app.extraction.quotes import Quote

# "— Ann Lee (@annlee) May 3, 2026" / "-- Ann Lee" / "— Ann Lee, Minister of Trade"
_SIGNATURE = re.compile(
    rf"(?:—|–|--?)[ \t]*(?P<name>{UP}[\w’'\-.]*(?:[ \t]+{UP}[\w’'\-.]*){{0,4}})"
    r"(?=[ \t]*(?:\(@\w+\)|,|$|[ \t]+[A-Z][a-z]+[ \t]+\d))",
    re.MULTILINE,
)


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    text = ctx.text
    para = ctx.paragraph_index(quote.open_mark)
    p_start, p_end = ctx.paragraphs[para]
    if text[p_start : quote.open_mark].strip():
        return None  # an embedded post or block quotation opens its paragraph
    close = quote.close_mark if quote.close_mark is not None else quote.end
    after = close + 1
    while after < p_end and text[after] in " \t":
        after += 1
    if text[after:p_end].strip(" \t.,"):
        m = _SIGNATURE.match(text, after, p_end)  # signed on the same line
    elif para + 1 < len(ctx.paragraphs):
        m = _SIGNATURE.match(text, *ctx.paragraphs[para + 1])  # signed on the next line
    else:
        return None
    if m is None:
        return None
    found = resolve(state, m.start("name"), m.end("name"))
    return with_cue(found, (m.start(), m.start("name"))) if found.speaker is not None else None


PASS = Pass(
    id="post_signature",
    description="a quotation standing as its own paragraph, signed on the next line "
    "(`— Name (@handle) date`): an embedded post or block quotation",
    rule=rule,
    examples=(
        Example(
            'Quota row\n\nThe opposition leader was scathing.\n\n"A humiliating climbdown. '
            'Our fishermen deserve better." — Tomas Berg (@tberg)',
            "tomas-berg",
        ),
        Example(
            "Quota row\n\nThe prime minister posted on X:\n\n“Productive talks today. More "
            "to come.”\n\n— Helga Berg (@helgaberg) May 3, 2026",
            "helga-berg",
        ),
    ),
    counterexamples=(
        # a dash line that is no signature
        Example(
            "Quota row\n\nHelga Berg posted on X:\n\n“Productive talks today. More to come.”"
            "\n\n— Reporting by the desk in Vessby, editing by the night team.",
            "helga-berg",
        ),
    ),
)
