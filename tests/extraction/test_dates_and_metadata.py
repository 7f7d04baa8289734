"""published_on, said_on, title and publisher: read from the text, never invented."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.extraction import ArticleExtraction

Extract = Callable[[str], ArticleExtraction]

BODY = '\n\n"We remain committed to dialogue with all neighbours," Kanani said.\n'


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (" date 2022-11-21 BAKU, Azerbaijan, November 21. Talks resumed.", date(2022, 11, 21)),
        (
            "Iran accuses Israel\n\n17 April 2023\n\nIran believes Israel is to blame.",
            date(2023, 4, 17),
        ),
        ("Iran accuses Israel\n\nMonday, April 17, 2023\n\nIran blames Israel.", date(2023, 4, 17)),
        (
            "Pezeshkian meets Mustafayev in Tehran.October 14, 2024. IRNA\nTalks went well.",
            date(2024, 10, 14),
        ),
        ("BAKU, Azerbaijan, November 21, 2022. Talks resumed.", date(2022, 11, 21)),
        ("BAKU, Azerbaijan, November 21. Talks resumed.\n© 2022 Trend", date(2022, 11, 21)),
        ("BAKU, Azerbaijan, November 21. Talks resumed.", None),
        ("Talks resumed between the two capitals after a long pause.", None),
    ],
)
def test_published_on_comes_from_the_text_or_stays_unknown(
    extract: Extract, head: str, expected: date | None
) -> None:
    assert extract(head + BODY).published_on == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ('"We remain committed to dialogue," Kanani said on Monday.', date(2023, 4, 17)),
        ('"We remain committed to dialogue," Kanani said on Friday.', date(2023, 4, 14)),
        ('"We remain committed to dialogue," Kanani said last Monday.', date(2023, 4, 10)),
        ('"We remain committed to dialogue," Kanani said yesterday.', date(2023, 4, 16)),
        ('Kanani said on April 6 that "we remain committed to dialogue."', date(2023, 4, 6)),
        ('Kanani said on 6 December that "we remain committed to dialogue."', date(2022, 12, 6)),
        ('"We remain committed to dialogue," Kanani said.', date(2023, 4, 17)),
        ('"We remain committed to dialogue," Kanani said last week.', None),
        ('In 2019, Kanani said that "we remain committed to dialogue."', None),
    ],
)
def test_said_on_resolves_relative_days_against_the_publication_date(
    extract: Extract, sentence: str, expected: date | None
) -> None:
    text = f"Iran and Azerbaijan\n\n17 April 2023\n\n{sentence}\n"  # 17 April 2023 is a Monday
    assert [s.said_on for s in extract(text).statements] == [expected]


def test_day_named_when_the_speaker_was_introduced_dates_the_quote(extract: Extract) -> None:
    text = (
        "Iran blames Israel\n\n17 April 2023\n\nThis statement was made on Saturday by Nasser "
        'Kanani.\n\n"The Zionist regime wants an unstable region," he said.\n'
    )
    assert extract(text).statements[0].said_on == date(2023, 4, 15)


def test_said_on_is_unknown_without_a_publication_date_or_explicit_date(
    extract: Extract,
) -> None:
    result = extract('"We remain committed to dialogue," Kanani said on Monday.')
    assert result.statements[0].said_on is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BAKU, Azerbaijan, November 21. Iran took a step back, Trend reports.\n", "Trend"),
        ("Iran blames Israel.\n\nPhoto: someone/Pixabay\n\nBased on materials from TASS\n", "TASS"),
        ("Iran and Azerbaijan should talk.\n\nSource » jpost\n", "jpost"),
        ("TEHRAN, Iran (AP) — Iran warned Israel on Tuesday.\n", "AP"),
        ("DUBAI, Jan 5 (Reuters) - Iran summoned the envoy.\n", "Reuters"),
        ("MOSCOW, April 17. /TASS/. Russia is ready to help.\n", "TASS"),
        ('"Iran is isolated," Mammadli told ASTNA.\n', "ASTNA"),
        ("Pezeshkian meets Mustafayev.October 14, 2024. IRNA\nThe talks went well.\n", "IRNA"),
        ("Iran and Azerbaijan held talks in Baku on Monday.\n", None),
    ],
)
def test_publisher_comes_from_a_cue_in_the_text(
    extract: Extract, text: str, expected: str | None
) -> None:
    assert extract(text).publisher == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Iran accuses Israel of worsening its relations with Azerbaijan\n\n17 April 2023\n\n"
            "Iran believes that Israel is behind it.",
            "Iran accuses Israel of worsening its relations with Azerbaijan",
        ),
        (
            " date 2023-03-31 Diplomatic duel between Azerbaijan and Iran\n\nTensions are rising.",
            "Diplomatic duel between Azerbaijan and Iran",
        ),
        (
            "Pezeshkian meets Mustafayev.October 14, 2024. IRNA\n"
            '"The Iranian authorities have realized that threats are ineffective"\nIn a rare '
            "moment of openness, the president spoke.",
            '"The Iranian authorities have realized that threats are ineffective"',
        ),
        (
            " date 2022-11-21 BAKU, Azerbaijan, November 21. The latest statement shows a step "
            "back.",
            None,
        ),
        (
            "A delegation from Azerbaijan, led by the assistant to the president, recently paid an "
            "official visit to the Islamic Republic of Iran and met the president there.",
            None,
        ),
    ],
)
def test_title_is_the_headline_line_when_there_is_one(
    extract: Extract, text: str, expected: str | None
) -> None:
    assert extract(text).title == expected
