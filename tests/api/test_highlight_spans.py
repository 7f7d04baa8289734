"""The highlights' fast path (ASCII text: one pattern over the lower-cased text) finds exactly
the spans the word-by-word path does, on every text it takes."""

import random
from typing import Any

import pytest

from app.kit import highlights
from app.kit.highlights import highlight_spans, query_terms, spans_word_by_word
from tests.inprocess import AppClient

_ALPHABET = "abcdeABCDE019 .,;:-'\"()\t\n_"
_QUERIES = ["ab", "a", "abc d", "AB", "b1", "e", "de ab", "a_b", "abcd", "0", "ab_", "cab ab"]


@pytest.mark.parametrize("seed", range(40))
def test_fast_path_finds_the_spans_word_by_word_does(seed: int) -> None:
    pick = random.Random(seed)
    for _ in range(200):
        text = "".join(pick.choice(_ALPHABET) for _ in range(pick.randrange(0, 60)))
        terms = query_terms(pick.choice(_QUERIES))
        limit = pick.choice([1, 2, 50])
        assert highlight_spans(text, terms, limit) == spans_word_by_word(text, terms, limit), (
            text,
            terms,
        )


def test_examples() -> None:
    terms = query_terms("pipeline talks")
    # "talks" is searched as its stem "talk".
    text = "Pipeline talks: the PIPELINES' talk, pipe-line, subpipeline, talks2"
    assert [text[a:b] for a, b in highlight_spans(text, terms)] == [
        "Pipeline",
        "talks",
        "PIPELINES",
        "talk",
        "talks2",
    ]
    # Not ASCII: folded word by word (ş -> s).
    assert highlight_spans("Pezeşkian said", query_terms("pezeshkian")) == [(0, 9)]


def test_a_search_page_asked_again_finds_its_spans_kept(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spans of a page's texts under a search's terms are kept (a pure function of
    them): the same page again finds none anew, and says the same."""
    found: list[str] = []

    def counted(text: str, terms: Any, limit: int = 50) -> list[tuple[int, int]]:
        found.append(text)
        return highlight_spans(text, terms, limit)

    monkeypatch.setattr(highlights, "highlight_spans", counted)
    highlights._kept_spans.cache_clear()
    highlights._kept_items.cache_clear()
    for path in ("/incidents?q=azerbaijan", "/statements?q=azerbaijan", "/sources?q=azerbaijan"):
        first = client.get(path)
        assert first.status_code == 200 and first.json()["items"], path
        assert found and any(item["highlights"] for item in first.json()["items"]), path
        found.clear()
        again = client.get(path)
        assert again.content == first.content and found == [], path
