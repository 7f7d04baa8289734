"""`"…," X said`: the reporting clause right after the closing mark."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import FIRST_PERSON, after_quote, documentary
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    found = after_quote(state, statements[index])
    if found is not None and found.speaker is None and documentary(found):
        return None  # "…," according to a statement: the sentence may name its issuer
    if found is not None and found.speaker is None and found.speaker_text in FIRST_PERSON:
        return None  # '"…" I believe that too.': the one answering speaks of another's words
    return found


PASS = Pass(
    id="reporting_after",
    description='the reporting clause after the quotation: `"…," X said`, `said X`, '
    "`according to X`, `X quoted him as saying`",
    rule=rule,
    examples=(
        Example('"Talks will continue," said Ivan Orlov.', "ivan-orlov"),
        Example('"We are ready," Anna Berg told reporters on Monday.', "anna-berg"),
        Example('"The border stays open," according to Paul Renard.', "paul-renard"),
        Example(
            '"Nothing has changed," a ministry spokesman, Karl Weiss, told the agency.',
            "karl-weiss",
        ),
        # a person named without a role is still someone a later pronoun can mean: a
        # full name opening with a common given name, or a name with a bare apposition
        Example(
            "Port row\n\nSpokeswoman Anna Berg opened the briefing. In the old town, "
            "68-year-old Maria Lind held up the eviction notice for the cameras.\n\n"
            '"My whole family grew up on this street," she said.',
            "maria-lind",
        ),
        Example(
            "Port row\n\nSpokeswoman Anna Berg opened the briefing. Erik Stam, president of "
            "the Vessby Exporters Council, said members understood.\n\n"
            '"Each week of delay costs our members orders," he said.',
            "erik-stam",
        ),
        # a person named in the object of the sentence does not take over the pronoun
        Example(
            'Spokeswoman Anna Berg said she had met Maria Lind on Monday. "We agreed on '
            'nothing," she said.',
            "anna-berg",
        ),
        # "the spokesman" after an unnamed spokesman for a body: that body, also when an
        # introductory phrase and a comma come before "a spokesman"
        Example(
            "Court row\n\nAsked about the case, a spokesman for the Norlandic Trade Ministry "
            'said the remarks were "regrettable."\n\n"Our door to engineers stays '
            'open," the spokesman said.',
            "norlandic-trade-ministry",
        ),
        # the subject of the last reporting clause outranks a person it reports on, even
        # one named earlier in the sentence
        Example(
            "Briefing\n\nSpokesperson Ivan Dahl opened the briefing.\n\nReplying to a "
            "question on reports that President Karl Weiss had called his counterpart, Dahl "
            'said the President had been "very clear".\n\n"The President wants respect," '
            "he said.",
            "ivan-dahl",
        ),
        # a long title before the name, as agencies write it, is still the speaker phrase
        Example(
            'Canal row\n\nThe toll will rise next spring, "in line with the cost of '
            'dredging," Head of the Waterways Division of the Norlandic Transport Ministry '
            "Anna Berg told the agency.",
            "anna-berg",
        ),
        # "Name of the Body": the person, however long the description after the body
        Example(
            'Dam row\n\n"Now everything is public," said Professor Imran Haque of Vessby '
            "University's department of international relations.",
            "imran-haque",
        ),
        # "the statement" is the one whose issuer the article just named
        Example(
            "Norland's caretaker government said in a statement late on Friday that two "
            "trawlers were held.\n\n"
            '"The crews are safe and fed," the statement said.',
            "norland",
        ),
    ),
    counterexamples=(
        # a new clause after the quotation says nothing about who spoke it
        Example(
            'Anna Berg spoke first.\n\n"Our patience with these talks is over," and the '
            "hall fell silent.",
            None,
        ),
        # a subordinate clause after the quotation has its own speaker and words
        Example(
            'EU talks\n\nForeign Minister Ana Lima has accused Sudoria of "moving the '
            'goalposts" after Port Amal said it would block the talks.',
            "ana-lima",
        ),
        # a participle or a relative clause after the quotation has a speaker of its own
        Example(
            'Port row\n\nThe Harbour Office said the storm had sunk "several small boats" '
            "from two villages that it said had ignored the warnings.",
            "harbour-office",
        ),
        # "what she called" labels the next quotation; the speaker is the sentence's subject
        Example(
            'Ana Lind, a research fellow, said Sudoria had paid "a heavy price" for '
            'following what she called "values diplomacy".',
            "ana-lind",
            target=0,
        ),
    ),
)
