"""Mentions of actors with offsets, and links from statements to curated incidents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from app.extraction import (
    ArticleExtraction,
    Gazetteer,
    KnownIncident,
    extract_article,
)

Extract = Callable[[str], ArticleExtraction]


def mentioned(result: ArticleExtraction) -> list[tuple[str, str]]:
    return [(m.text, m.actor) for m in result.mentions]


def test_names_aliases_surnames_demonyms_and_capitals_are_mentions(extract: Extract) -> None:
    text = (
        "Masoud Pezeshkian met Azeri officials in Tehran. Pezeshkian said the Islamic Republic "
        "of Iran wants peace with Baku."
    )
    assert mentioned(extract(text)) == [
        ("Masoud Pezeshkian", "masoud-pezeshkian"),
        ("Azeri", "azerbaijan"),
        ("Tehran", "iran"),
        ("Pezeshkian", "masoud-pezeshkian"),
        ("Islamic Republic of Iran", "iran"),
        ("Baku", "azerbaijan"),
    ]


def test_longest_match_wins_and_mentions_never_overlap(extract: Extract) -> None:
    text = "The Iranian Foreign Ministry and the Iranian embassy disagreed."
    assert mentioned(extract(text)) == [
        ("Iranian Foreign Ministry", "iran-foreign-ministry"),
        ("Iranian", "iran"),
    ]


def test_state_adjective_with_a_body_name_is_a_mention_of_that_body(extract: Extract) -> None:
    text = "Tehran's Foreign Ministry answered the Azerbaijani Defense Ministry."
    assert mentioned(extract(text)) == [
        ("Tehran's Foreign Ministry", "iran-foreign-ministry"),
        ("Azerbaijani Defense Ministry", "azerbaijan-defense-ministry"),
    ]


def test_matching_ignores_case_and_accents_but_not_lower_case_words(extract: Extract) -> None:
    text = "PEZEŞKIAN and Kenani spoke; the tass of tea was said to be iranian."
    assert mentioned(extract(text)) == [
        ("PEZEŞKIAN", "masoud-pezeshkian"),
        ("Kenani", "nasser-kanani"),
    ]


def test_new_actors_are_mentioned_by_name_and_surname(extract: Extract) -> None:
    text = (
        '"Baku will not be intimidated," Azerbaijani analyst Farid Mehdiyev said. '
        "Mehdiyev has long argued this."
    )
    result = extract(text)
    assert ("Farid Mehdiyev", "farid-mehdiyev") in mentioned(result)
    assert ("Mehdiyev", "farid-mehdiyev") in mentioned(result)


INCIDENTS = (
    KnownIncident(
        "kanani-blames-israel", date(2023, 4, 17), None, ("nasser-kanani", "israel"), ("src",)
    ),
    KnownIncident(
        "iran-seeks-normalization",
        date(2023, 4, 17),
        None,
        ("nasser-kanani", "azerbaijan"),
        ("src",),
    ),
    KnownIncident(
        "embassy-attack", date(2023, 1, 27), None, ("iran", "azerbaijan"), ("src", "other")
    ),
    KnownIncident(
        "drills", date(2022, 10, 1), date(2022, 10, 31), ("iran", "azerbaijan"), ("src",)
    ),
    KnownIncident("elsewhere", date(2023, 4, 17), None, ("nasser-kanani",), ("other",)),
)
ARTICLE = (
    "Iran blames Israel\n\n17 April 2023\n\n"
    '"Israel wants an unstable region," Kanani said.\n\n'
    '"We want normal ties with Azerbaijan," Kanani added.\n\n'
    '"We never wanted this crisis at all," Kanani said.\n\n'
    '"We condemn the attack in the strongest terms," the Iranian Foreign Ministry said on '
    "January 28.\n"
)


def test_statement_links_to_the_incident_of_its_source_naming_its_speaker(
    gazetteer: Gazetteer,
) -> None:
    result = extract_article(ARTICLE, gazetteer, INCIDENTS, "src")
    assert [s.incident for s in result.statements] == [
        "kanani-blames-israel",  # the other participant, Israel, is named
        "iran-seeks-normalization",  # Azerbaijan is named
        None,  # two incidents fit equally: no link rather than a wrong one
        "embassy-attack",  # through the ministry's state, nearest in date
    ]


def test_no_incident_is_linked_without_a_source_slug(gazetteer: Gazetteer) -> None:
    result = extract_article(ARTICLE, gazetteer, INCIDENTS)
    assert {s.incident for s in result.statements} == {None}
