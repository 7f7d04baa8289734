"""An embedded post or block quotation signed on the next line: `— Name (@handle) date`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, resolve
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import UP
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
    close = quote.close_mark if quote.close_mark is not None else quote.end
    # the quotation must be its paragraph, as an embedded post or block quotation is
    if text[p_start : quote.open_mark].strip() or text[close + 1 : p_end].strip(" \t.,"):
        return None
    if para + 1 >= len(ctx.paragraphs):
        return None
    m = _SIGNATURE.match(text, ctx.paragraphs[para + 1][0], ctx.paragraphs[para + 1][1])
    if m is None:
        return None
    found = resolve(state, m.start("name"), m.end("name"))
    return found if found.speaker is not None else None


PASS = Pass(
    id="post_signature",
    description="a quotation standing as its own paragraph, signed on the next line "
    "(`— Name (@handle) date`): an embedded post or block quotation",
    rule=rule,
    examples=(
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
