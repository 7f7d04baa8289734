"""A quotation in a headline takes the speaker the body gives the same words."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse, lineage_of, speaker_kind
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.phrases import loose_words
from app.extraction.quotes import Quote
from app.extraction.text import is_heading


def _in_heading(state: Discourse, quote: Quote) -> bool:
    ctx = state.ctx
    first = ctx.paragraphs[0] if ctx.paragraphs else (0, 0)
    span = ctx.paragraphs[ctx.paragraph_index(quote.open_mark)]
    return is_heading(ctx.text[span[0] : span[1]], first=span == first)


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    key = loose_words(quote.text)
    if len(key) < 6 or not _in_heading(state, quote):
        return None
    for other, found in zip(statements, state.results, strict=True):
        if (
            found.speaker is not None
            and f" {key} " in f" {loose_words(other.text)} "
            and not _in_heading(state, other)
        ):
            return found
    own = state.results[index].speaker
    if own is None or speaker_kind(state, own) != "state":
        return None
    # "Norland urges Sudoria to 'act now'" over "Norland's foreign ministry urged Sudoria
    # to "act now and in good faith"": the headline shortens the words of the state's body
    # or official, whom the article quotes
    wanted = key.split()
    for other, found in zip(statements, state.results, strict=True):
        if _in_heading(state, other) or not _in_order(wanted, loose_words(other.text).split()):
            continue
        # the first statement of the body with those words decides
        if found.speaker not in (None, own) and own in lineage_of(state, found.speaker):
            return found
        return None
    return None


def _in_order(wanted: list[str], words: list[str]) -> bool:
    """Whether `wanted` occurs in `words` in order, other words between them allowed."""
    rest = iter(words)
    return all(w in rest for w in wanted)


PASS = Pass(
    id="heading_echo",
    description="a quotation in a headline or crosshead: the speaker the article body gives "
    "the same words, rather than the headline's shorthand",
    rule=rule,
    examples=(
        Example(
            "Norland says port closure 'a grave mistake'\n\nThe ministry of ports issued a "
            'statement. Harbour master Ivan Orlov said the closure was "a grave mistake that '
            'will cost us all."',
            "ivan-orlov",
            target=0,
        ),
        # the headline shortens words the body gives the state's minister
        Example(
            "Norland urges Sudoria to 'act in good faith'\n\nNorlandic Ports Minister Ivan "
            'Orlov on Sunday urged Sudoria to "act at once and in good faith" over the closure.',
            "ivan-orlov",
            target=0,
        ),
    ),
    counterexamples=(
        # the body does not repeat the headline's words: the headline's own attribution stands
        Example(
            "Orlov: 'We will never accept a closed port'\n\nHarbour master Ivan Orlov said "
            'the closure was "regrettable but necessary."',
            "ivan-orlov",
            target=0,
        ),
        # the first body statement with the headline's words is the state's own: it stands
        Example(
            "Norland urges Sudoria to 'correct mistakes'\n\nNorland on Monday urged Sudoria "
            'to "correct its mistakes with actions". Harbour master Ivan Orlov said: "Sudoria '
            'must correct the mistakes it made."',
            "norland",
            target=0,
        ),
    ),
    whole_article=True,
    revises=True,
)
