"""`X said (that) "…"`: the subject of a speech verb before the quotation."""

from __future__ import annotations

from collections.abc import Sequence

from app.extraction.attribution.base import Attribution
from app.extraction.attribution.discourse import Discourse
from app.extraction.attribution.passes.base import Example, Pass
from app.extraction.attribution.reporting import FIRST_PERSON, verb_before
from app.extraction.quotes import Quote


def rule(state: Discourse, statements: Sequence[Quote], index: int) -> Attribution | None:
    quote = statements[index]
    ctx = state.ctx
    found = verb_before(state, quote, ctx.sentences[ctx.sentence_index(quote.open_mark)])
    if found is not None and found.speaker is None and found.speaker_text in FIRST_PERSON:
        return None  # "I said to him, "…"": the writer or the one answering, as passes
        # that read the whole article decide
    return found


PASS = Pass(
    id="reporting_before",
    description='the subject of the speech verb before the quotation: `X said "…"`, '
    '`X, a …, warned that "…"`, `X, who …, added: "…"`',
    rule=rule,
    examples=(
        Example('Ivan Orlov said the talks "will continue next week."', "ivan-orlov"),
        # a state's government, whatever its kind, is the state
        Example(
            "Norland's caretaker government announced on Monday that the trawlers would be "
            '"escorted home by our navy".',
            "norland",
        ),
        # "what a spokesman called" labels another quotation: "but said" goes back to the
        # sentence's subject
        Example(
            "Dam row\n\nThe Norlandic Water Board would not discuss what an engineer "
            'called "guesswork", but said the reservoir was "checked every hour."',
            "norlandic-water-board",
        ),
        # a title in lower case before "Name of the Party" is no part of the name
        Example(
            "Farm row\n\nOpposition lawmaker Hawa Latif of the Norlandic Farmers Union "
            'told the chamber that the levy was "a tax on bread".',
            "hawa-latif",
        ),
        # a body named with its country's name is the body, not the state
        Example(
            "Rights row\n\nAmnesty International Norland wrote on X that the deportations "
            'were "a pattern of repression".',
            "amnesty-international-norland",
        ),
        # a parenthesis after a document noun leaves the verb a verb
        Example(
            'Dam row\n\nThe Norlandic Water Board, in a statement, called on "all parties to '
            'return to the table".',
            "norlandic-water-board",
        ),
        # a statement from a body named right after it is that body's
        Example(
            "A statement from the Sudorian Water Board, read out on television, said the dam "
            'was "safe and inspected".',
            "sudorian-water-board",
        ),
        Example(
            'Lena Park, a senior analyst at the Harbour Institute, warned that "the '
            'window is closing."',
            "lena-park",
        ),
        Example(
            'Defence analyst Omar Haddad, who has followed the talks for years, added: "Nobody '
            'expected this."',
            "omar-haddad",
        ),
        # a speech verb coordinated with another verb takes that verb's subject
        Example(
            'Quota row\n\nSo when Ivan Orlov stood up and said, "We are leaving," nobody in '
            "the hall was surprised.",
            "ivan-orlov",
        ),
        # a state inside the clause a person reports is what she speaks about, not the speaker
        Example(
            "Quota row\n\nTrade Minister Ana Lima spoke to reporters in Vessby. She said "
            'Sudoria had demanded "a detailed reply on the incident" by Friday.',
            "ana-lima",
        ),
        Example(
            "Quota row\n\nEnvoy Omar Haddad arrived on Monday. The envoy noted that Vessby had "
            'proposed other routes, but "the Sudorian side preferred to stall."',
            "omar-haddad",
        ),
        Example(
            "Quota row\n\nTrade Minister Ana Lima spoke in Vessby. She said Brussels hoped "
            'both sides would "keep the channel open".',
            "ana-lima",
        ),
        # an apposition naming the person and the body they belong to: the person
        Example(
            "Quota row\n\nAnalyst Olaf Dahl spoke first. Another analyst, Sara Holm of the "
            'Vessby Institute, said traders were "tired of waiting."',
            "sara-holm",
        ),
        # after an introductory phrase, the person's clause still opens the sentence
        Example(
            "Quota row\n\nSpokeswoman Eva Dahl met reporters. Asked whether Norland had offered "
            'talks, Dahl said Vessby had proposed a meeting "twice already."',
            "eva-dahl",
        ),
        # an adverb opening the sentence is no subject; the role's name in apposition is
        Example(
            "Court row\n\nSeparately, the spokesman for Norland's judiciary, Karl Weiss, told "
            'reporters that the case would be "heard before the summer."',
            "karl-weiss",
        ),
        # a common noun before a body's proper name describes it: the body is the name
        Example(
            "Port row\n\nThe fishermen's advocacy group Harbour Watch Council welcomed the "
            'ruling and urged the cabinet to "fine the owners, not warn them again."',
            "harbour-watch-council",
        ),
        # "with X saying": X speaks, not the subject of the sentence (nor its dateline)
        Example(
            "Port row\n\nVESSBY: Norland on Thursday rejected the claims, with Trade Minister "
            'Ana Rocha saying Port Amal had "preferred slogans to facts yet again".',
            "ana-rocha",
        ),
    ),
    counterexamples=(
        # the verb's subject is a document nobody is named as issuing
        Example('The report said "the figures are incomplete," Ivan Orlov added.', "ivan-orlov"),
        # "with" and a participle that reports nothing: the clause after the quotation speaks
        Example(
            'Port row\n\nThe talks ended with Ana Rocha leaving early, "before the vote," '
            "Ivan Orlov told reporters.",
            "ivan-orlov",
        ),
    ),
)
