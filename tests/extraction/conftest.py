"""Fixtures for the extraction tests: a small curated world of our own, and the seeds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.extraction import ArticleExtraction, Gazetteer, KnownActor, extract_article
from app.extraction.evaluate import load_actors

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "seeds"

ACTORS = (
    KnownActor(
        "iran",
        "Iran",
        "state",
        "IRN",
        None,
        ("Islamic Republic of Iran",),
        ("Iranian",),
        ("Tehran",),
    ),
    KnownActor(
        "azerbaijan",
        "Azerbaijan",
        "state",
        "AZE",
        None,
        ("Republic of Azerbaijan",),
        ("Azerbaijani", "Azeri"),
        ("Baku",),
    ),
    KnownActor("israel", "Israel", "state", "ISR", None, (), ("Israeli",), ("Tel Aviv",)),
    KnownActor(
        "russia",
        "Russia",
        "state",
        "RUS",
        None,
        ("Russian Federation",),
        ("Russian",),
        ("Moscow", "Kremlin"),
    ),
    KnownActor("armenia", "Armenia", "state", "ARM", None, (), ("Armenian",), ("Yerevan",)),
    KnownActor(
        "iran-foreign-ministry",
        "Ministry of Foreign Affairs of Iran",
        "organization",
        "IRN",
        None,
        ("Iranian Foreign Ministry", "Iran's Foreign Ministry", "Iranian MFA"),
        affiliation="iran",
    ),
    KnownActor(
        "azerbaijan-defense-ministry",
        "Ministry of Defense of Azerbaijan",
        "organization",
        "AZE",
        None,
        ("Azerbaijani Defense Ministry",),
        affiliation="azerbaijan",
    ),
    KnownActor(
        "azerbaijan-foreign-ministry",
        "Ministry of Foreign Affairs of Azerbaijan",
        "organization",
        "AZE",
        None,
        ("Azerbaijani Foreign Ministry",),
        affiliation="azerbaijan",
    ),
    KnownActor(
        "nasser-kanani",
        "Nasser Kanani",
        "person",
        "IRN",
        "Spokesman of the Iranian Foreign Ministry",
        ("Nasser Kanaani",),
        affiliation="iran-foreign-ministry",
    ),
    KnownActor(
        "masoud-pezeshkian",
        "Masoud Pezeshkian",
        "person",
        "IRN",
        "President of Iran",
        affiliation="iran",
    ),
    KnownActor(
        "hossein-amir-abdollahian",
        "Hossein Amir-Abdollahian",
        "person",
        "IRN",
        "Foreign Minister of Iran",
        ("Amir-Abdollahian",),
        affiliation="iran-foreign-ministry",
    ),
    KnownActor(
        "ilham-aliyev",
        "Ilham Aliyev",
        "person",
        "AZE",
        "President of Azerbaijan",
        affiliation="azerbaijan",
    ),
    KnownActor(
        "jeyhun-bayramov",
        "Jeyhun Bayramov",
        "person",
        "AZE",
        "Foreign Minister of Azerbaijan",
        affiliation="azerbaijan-foreign-ministry",
    ),
    KnownActor(
        "eli-cohen",
        "Eli Cohen",
        "person",
        "ISR",
        "Foreign Minister of Israel",
        affiliation="israel",
    ),
    KnownActor("tass", "TASS", "organization", "RUS", None, affiliation="russia"),
)


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.build(ACTORS)


Extract = Callable[[str], ArticleExtraction]


@pytest.fixture(scope="session")
def extract(gazetteer: Gazetteer) -> Extract:
    """extract_article over our test world, checking every offset it returns."""

    def run(text: str) -> ArticleExtraction:
        result = extract_article(text, gazetteer)
        for s in result.statements:
            assert text[s.start : s.end] == s.text
        for m in result.mentions:
            assert text[m.start : m.end] == m.text
        return result

    return run


@pytest.fixture(scope="session")
def seed_gazetteer() -> Gazetteer:
    path = SEEDS / "actors.yaml"
    if not path.exists():
        pytest.skip("seeds/actors.yaml is not there yet")
    return Gazetteer.build(load_actors(path))
