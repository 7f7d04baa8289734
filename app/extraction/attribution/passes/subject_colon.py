"""`X was blunt: "…"`: the subject of a clause that ends in a colon before the quotation."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, resolve, speaker_is_person
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import main_subject
from app.extraction.attribution.reporting import with_cue
from app.extraction.quotes import Quote

# An introducing clause longer than this is more likely a narrative than "X was blunt:".
_MAX_CLAUSE_WORDS = 10
# ... unless a person is its subject: "Minister Ana Lima read a statement to reporters at the
# palace:" introduces her words
_MAX_PERSON_CLAUSE_WORDS = 20
_MAX_DOCUMENT_CLAUSE_WORDS = 30
# "The council later put out a communiqué, which its secretary gave to the press at noon:": a body
# introducing its own document, however long the clause
_ISSUES_DOCUMENT = re.compile(
    r"\b(?:issued|released|published|posted|put[ \t]+out)[ \t]+(?:a|an|the)[ \t]+"
    r"(?:[\w\-]+[ \t]+)?(?:statement|communiqu[eé]|note|declaration|release)\b"
)
# ", who has kept bees here since boyhood," / ", a club treasurer," right after the subject
_ASIDE = re.compile(r",[^,:;\n\"“”]{2,160},")


def _introducing_clause(state: Discourse, quote: Quote) -> tuple[int, int] | None:
    """The clause ending in a colon right before the quotation: in its own sentence, or
    the sentence just before when the quotation opens a sentence."""
    ctx = state.ctx
    text = ctx.text
    here = ctx.sentence_index(quote.open_mark)
    s_start = ctx.sentences[here][0]
    if text[s_start : quote.open_mark].strip():
        clause = (s_start, quote.open_mark)
    elif here > 0:
        clause = ctx.sentences[here - 1]
    else:
        return None
    if not text[clause[0] : clause[1]].rstrip().endswith(":"):
        return None
    return clause


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    clause = _introducing_clause(state, statements[index])
    if clause is None:
        return None
    ctx = state.ctx
    words = [w for w in ctx.words(*clause) if w is not None]
    np = main_subject(ctx, words, len(words)) if words else None
    if np is None:
        return None
    counted = len(words)
    aside = _ASIDE.match(ctx.text, np[1], clause[1])
    if aside is not None:
        # "Ola Brenn, who has kept bees here since boyhood, was firm:": the aside about
        # the subject is no part of the clause's length
        counted -= sum(1 for w in words if aside.start() <= w.start < aside.end())
    issues = _ISSUES_DOCUMENT.search(ctx.text, np[1], clause[1]) is not None
    if counted > (_MAX_DOCUMENT_CLAUSE_WORDS if issues else _MAX_PERSON_CLAUSE_WORDS):
        return None
    found = resolve(state, np[0], np[1])
    if found.speaker is None:
        return None
    if counted > _MAX_CLAUSE_WORDS and not speaker_is_person(state, found) and not issues:
        return None
    colon = ctx.text.rindex(":", clause[0], clause[1])
    return with_cue(found, (colon, colon + 1))


PASS = Pass(
    id="subject_colon",
    description="no speech verb, but a short clause ending in a colon introduces the "
    'quotation: its subject (`X was blunt: "…"`, `X had a warning:`)',
    rule=rule,
    examples=(
        # a body introducing its own document, however long the clause
        Example(
            "Quota row\n\nThe Norlandic Foreign Ministry later issued a communiqué that its "
            "spokesman, Ivo Brandt, gave to the press at the weekly session in the capital:"
            '\n\n"We condemn the use of inducements."',
            "norlandic-foreign-ministry",
        ),
        Example(
            "Quota row\n\nFisheries minister Ana Rocha opened the session. Rocha was blunt: "
            '"Then we act now."',
            "ana-rocha",
        ),
        Example(
            "Quota row\n\nFisheries minister Ana Rocha opened the session with a warning:\n\n"
            '"Stocks are collapsing."',
            "ana-rocha",
        ),
        Example(
            "Border post\n\nForeign Minister Ana Lima read a statement to reporters at the "
            'presidential palace on Monday:\n\n"Norland has informed Sudoria through the usual '
            'channels."',
            "ana-lima",
        ),
        # an aside about the subject does not make the clause a narrative
        Example(
            "Hive row\n\nOla Brenn, who has kept bees on the ridge since boyhood and runs the "
            "growers' club, would not give ground:\n\n"
            '"The hives stay where they are."',
            "ola-brenn",
        ),
    ),
    counterexamples=(
        # a subject that names no one
        Example(
            "Quota row\n\nFisheries minister Ana Rocha opened the session.\n\nThe message was "
            'clear: "Then we act now."',
            None,
        ),
    ),
)
