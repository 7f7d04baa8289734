"""Which quotations become statements, and their exact spans."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from app.extraction import ArticleExtraction

Extract = Callable[[str], ArticleExtraction]


def texts(result: ArticleExtraction) -> list[str]:
    return [s.text for s in result.statements]


def spans(result: ArticleExtraction) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in result.statements]


def located(text: str, quotation: str) -> tuple[int, int]:
    """Where the test's own expected quotation lies in the text (it must occur once)."""
    assert text.count(quotation) == 1, quotation
    start = text.index(quotation)
    return start, start + len(quotation)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [('"', '"'), ("“", "”"), ("‘", "’"), ("«", "»"), ("„", "“"), ("'", "'")],
)
def test_every_quote_style_gives_the_words_between_the_marks(
    extract: Extract, opening: str, closing: str
) -> None:
    text = f"Kanani said: {opening}We will not accept any threat.{closing} He left."
    result = extract(text)
    assert texts(result) == ["We will not accept any threat."]
    assert spans(result) == [located(text, "We will not accept any threat.")]
    s = result.statements[0]
    assert text[s.start - 1] == opening and text[s.end] == closing


def test_apostrophes_inside_a_single_quoted_statement_do_not_end_it(extract: Extract) -> None:
    result = extract("‘Iran’s position hasn’t changed at all,’ Kanani said.")
    assert texts(result) == ["Iran’s position hasn’t changed at all,"]


def test_partial_quote_inside_a_sentence_is_a_statement(extract: Extract) -> None:
    text = 'Kanani said the talks "were positive." Aliyev agreed.'
    assert texts(extract(text)) == ["were positive."]


def test_short_partial_quote_governed_by_a_speech_verb_is_a_statement(extract: Extract) -> None:
    text = 'Amir-Abdollahian said Tehran "will not allow" any change of borders.'
    assert texts(extract(text)) == ["will not allow"]


def test_quote_over_several_sentences_is_one_statement(extract: Extract) -> None:
    text = '"We are ready. We have always been ready. The door is open," Kanani said.'
    assert texts(extract(text)) == ["We are ready. We have always been ready. The door is open,"]


def test_interrupted_quote_is_two_statements_with_the_same_speaker(extract: Extract) -> None:
    result = extract('"The Caucasus," Aliyev said, "must not become an arena of rivalry."')
    assert texts(result) == ["The Caucasus,", "must not become an arena of rivalry."]
    assert [s.speaker for s in result.statements] == ["ilham-aliyev", "ilham-aliyev"]


def test_sentence_after_an_attribution_continues_the_same_speaker(extract: Extract) -> None:
    result = extract('"We have done all we could," Bayramov said. "Now it is up to Tehran."')
    assert [s.speaker for s in result.statements] == ["jeyhun-bayramov", "jeyhun-bayramov"]


def test_nested_quote_belongs_to_the_outer_statement(extract: Extract) -> None:
    text = (
        "The ministry of Azerbaijan said: “He claims that there are “Zionist” forces in "
        "the region, which is absurd.”"
    )
    assert texts(extract(text)) == [
        "He claims that there are “Zionist” forces in the region, which is absurd."
    ]


def test_quote_running_over_paragraphs_with_repeated_opening_marks_is_one_statement(
    extract: Extract,
) -> None:
    text = (
        'Aliyev spoke on television.\n\n"We will not give up an inch of our land.\n\n'
        '"We are ready for peace, but not at any price," he said.\n'
    )
    result = extract(text)
    assert texts(result) == [
        'We will not give up an inch of our land.\n\n"We are ready for peace, but not at any price,'
    ]
    assert result.statements[0].speaker == "ilham-aliyev"


def test_quote_running_over_paragraphs_without_marks_ends_at_its_closing_mark(
    extract: Extract,
) -> None:
    text = (
        "According to Cohen:\n\n“Iran is the main threat.\n\n"
        "Its proxies destabilise the region.”\n\nThe meeting ended."
    )
    result = extract(text)
    assert texts(result) == ["Iran is the main threat.\n\nIts proxies destabilise the region."]
    assert result.statements[0].speaker == "eli-cohen"


def test_unclosed_quote_ends_at_its_paragraph(extract: Extract) -> None:
    text = 'Kanani said: "We reject these accusations entirely.\nThe meeting ended early.'
    assert texts(extract(text)) == ["We reject these accusations entirely."]


@pytest.mark.parametrize(
    "text",
    [
        'Iran refers to Israel as the "little Satan" and opposes it.',
        "Iran refers to Azerbaijan as ‘little Satan’",
        'Could it be that Iran, finding itself "trapped," is now seeking allies?',
        'The forum GSV "Russia - Islamic World" met in Kazan.',
        'Baku condemned the so-called "Zangezur corridor plan" of its rivals.',
        'He read the report entitled "A New Stage of Strategic Cooperation" twice.',
        'The crowd chanted "Death to America" outside the embassy.',
    ],
)
def test_scare_quotes_terms_titles_and_slogans_are_not_statements(
    extract: Extract, text: str
) -> None:
    assert extract(text).statements == ()


def test_crlf_text_keeps_exact_offsets(extract: Extract) -> None:
    text = (
        "Iran and Azerbaijan\r\n\r\n"
        '"We want good relations with all neighbours," Pezeshkian said.\r\n'
        '"The past is the past.\r\n\r\n"We look forward," he added.\r\n'
    )
    result = extract(text)
    expected = [
        "We want good relations with all neighbours,",
        'The past is the past.\r\n\r\n"We look forward,',
    ]
    assert texts(result) == expected
    assert spans(result) == [located(text, quotation) for quotation in expected]
    assert {s.speaker for s in result.statements} == {"masoud-pezeshkian"}


def test_statement_offsets_are_python_string_indices_with_non_ascii_text(
    extract: Extract,
) -> None:
    text = "Pezeşkian — İran’ın prezidenti — dedi: «Qonşularla dostluq vacibdir.»"
    result = extract(text)
    assert texts(result) == ["Qonşularla dostluq vacibdir."]
    # Code points, not UTF-8 bytes or UTF-16 units: ş, İ and ’ are one index each.
    assert spans(result) == [(40, 68)] == [located(text, "Qonşularla dostluq vacibdir.")]


def test_offsets_stay_exact_on_arbitrary_typography(extract: Extract) -> None:
    rng = random.Random(7)
    alphabet = list("\"'“”‘’«»„‚‹› \n\r\t.,:;!?-—()") + "Kanani said he Iran 2023".split(" ")
    statements = mentions = 0
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        result = extract(text)  # the fixture checks every span against the text around it
        statements += len(result.statements)
        mentions += len(result.mentions)
    assert statements > 50 and mentions > 50, "the random texts exercise the span checks"


@pytest.mark.parametrize(
    "text",
    [
        # labels: called / described as / what it called
        'Baku condemned what it called "hostile rhetoric" from Tehran.',
        'Kanani called the drills a "reckless provocation" and left.',
        'Bayramov described the proposal as "a recipe for endless conflict and mistrust".',
        # a slogan chanted by a crowd
        "Crowds in Baku chanted “Our land, our future” as the convoy passed.",
        # a second label coordinated with a first
        'Tehran rejected the so-called "referendum" and "transitional council" outright.',
        # a quoted phrase used as a noun's modifier
        "Iranian boats carried out “border security” patrols near the island.",
        # a short term with no speech cue in its sentence
        "It would end the council's role as the place where “regional peace and security” "
        "is decided.",
    ],
)
def test_labels_slogans_and_terms_are_not_statements(extract: Extract, text: str) -> None:
    assert extract(text).statements == ()


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ('Kanani said Iran "firmly opposes" foreign bases in the region.', "firmly opposes"),
        ('According to the ministry, Tehran "remains open" to talks.', "remains open"),
        (
            'Azerbaijan\'s position is that any deal must "respect our borders" first.',
            "respect our borders",
        ),
    ],
)
def test_short_predicates_with_a_speech_cue_are_statements(
    extract: Extract, text: str, quoted: str
) -> None:
    assert texts(extract(text)) == [quoted]


@pytest.mark.parametrize(("opening", "closing"), [("“", '"'), ('"', "”")])
def test_mixed_curly_and_straight_marks_close_each_other(
    extract: Extract, opening: str, closing: str
) -> None:
    text = (
        f"{opening}We will respond in kind,{closing} Kanani said on Monday.\n\n"
        f"{opening}The matter is closed,{closing} he added."
    )
    result = extract(text)
    assert texts(result) == ["We will respond in kind,", "The matter is closed,"]
    assert [s.speaker for s in result.statements] == ["nasser-kanani", "nasser-kanani"]


def test_british_single_quotes_are_statements_and_keep_their_apostrophes(
    extract: Extract,
) -> None:
    text = (
        "Talks stall\n\n'It's a matter of principle, and we won't give up,' Kanani said.\n\n"
        "‘Iran’s answer hasn’t changed,’ he added."
    )
    assert texts(extract(text)) == [
        "It's a matter of principle, and we won't give up,",
        "Iran’s answer hasn’t changed,",
    ]


def test_multi_paragraph_quotation_is_one_statement_from_first_mark_to_last(
    extract: Extract,
) -> None:
    text = (
        "Talks stall\n\nKanani told reporters:\n\n“We came here to work. Nobody should doubt it."
        "\n\n“We will not leave empty-handed. That is a promise.”\n\nTalks resume on Friday."
    )
    result = extract(text)
    assert len(result.statements) == 1
    s = result.statements[0]
    assert text[s.start - 1] == "“" and s.text.endswith("That is a promise.")
    assert s.speaker == "nasser-kanani"


def test_british_quotation_over_paragraphs_is_one_statement(extract: Extract) -> None:
    text = (
        "Talks stall\n\nKanani told the agency: 'We are not going anywhere. The fishermen's "
        "rights are not negotiable.\n\n'We have waited ten years, and we will wait ten more.'"
        "\n\nTalks resume on Friday."
    )
    result = extract(text)
    assert len(result.statements) == 1
    s = result.statements[0]
    assert s.text.startswith("We are not going anywhere.")
    assert s.text.endswith("we will wait ten more.")
    assert s.speaker == "nasser-kanani"


def test_an_apostrophe_opening_a_paragraph_does_not_start_a_quotation(extract: Extract) -> None:
    text = "Talks stall\n\n'90s rules still apply, officials say.\n\n'Tis the season, they add."
    assert texts(extract(text)) == []


def test_mixed_single_marks_close_each_other_without_breaking_apostrophes(
    extract: Extract,
) -> None:
    text = "Talks stall\n\n‘Iran's answer hasn't changed,' Kanani said."
    assert texts(extract(text)) == ["Iran's answer hasn't changed,"]
