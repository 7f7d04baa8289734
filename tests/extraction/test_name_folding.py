"""One definition of "the same name", over every curated alias: the API's actor matching and
the extraction's gazetteer fold a name alike, and ş/ç are folded as the sources spell them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.extraction.text import fold_with_offsets, tokenize, word_keys
from app.kit.names import fold, fold_table, match_key

ROOT = Path(__file__).resolve().parents[2]
CURATED = [
    ROOT / "seeds" / "actors.yaml",
    *sorted((ROOT / "tests/extraction/heldout").glob("*/actors.yaml")),
]


def _names(actor: dict[str, object]) -> list[str]:
    names = [str(actor["name"])]
    for field in ("aliases", "demonyms", "metonyms"):
        names += [str(n) for n in actor.get(field) or []]  # type: ignore[attr-defined]
    return names


ACTORS = [actor for path in CURATED for actor in yaml.safe_load(path.read_text(encoding="utf-8"))]
NAMES = sorted({name for actor in ACTORS for name in _names(actor)})


def test_the_curated_files_are_all_read() -> None:
    assert len(CURATED) >= 4
    assert len(NAMES) > 200


@pytest.mark.parametrize("name", NAMES)
def test_matching_and_extraction_fold_every_curated_name_alike(name: str) -> None:
    assert " ".join(word_keys(name)) == match_key(name)
    assert tuple(t.key for t in tokenize(name)) == word_keys(name)


def test_tokens_of_a_folded_name_still_index_the_original() -> None:
    text = "Pezeşkian and Şahinoğlu met Çavuşoğlu."
    tokens = tokenize(text)
    assert [t.key for t in tokens] == ["pezeshkian", "and", "shahinoglu", "met", "chavushoglu"]
    assert [text[t.start : t.end] for t in tokens][::2] == ["Pezeşkian", "Şahinoğlu", "Çavuşoğlu"]


def test_an_alias_written_with_s_cedilla_and_with_sh_is_one_key() -> None:
    pairs = 0
    for actor in ACTORS:
        names = set(_names(actor))
        for name in names:
            twin = name.replace("ş", "sh").replace("Ş", "Sh")
            if twin != name and twin in names:
                assert match_key(name) == match_key(twin), (name, twin)
                pairs += 1
    # Pezeşkian / Pezeshkiyan and their full names: the decision is exercised, not vacuous.
    assert pairs >= 3


# Characters that fold to one letter, to two ("ş" -> "sh", "ß" -> "ss", "ﬁ" -> "fi"), to
# punctuation, or that lower() alone would change differently ("İ"), between ASCII words.
_TRICKY = "Pezeşkian ŞAHIN Çelik Məmmədli İzmir Straße ﬁnal Œuvre «Da» — “yes” ’ 中文 😀 é\u0301 ﾃ"


def test_folding_an_article_matches_the_character_table_it_stands_for() -> None:
    # fold() and fold_with_offsets() take a fast path over ASCII runs; they must give exactly
    # what translating every character through fold_table() gives.
    text = f"{_TRICKY}\nThe minister said: {_TRICKY[::-1]} ABC\r\n"
    expected = text.translate(fold_table(text))
    assert fold(text) == expected
    folded = fold_with_offsets(text)
    assert folded.text == expected
    assert folded.origin is not None
    origin = [i for i, char in enumerate(text) for _ in fold(char)]
    assert list(folded.origin) == origin
    for token in tokenize(text):
        assert token.key in word_keys(text[token.start : token.end])
