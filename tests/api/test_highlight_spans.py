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
    highlights._kept_fields_items.cache_clear()
    for path in ("/incidents?q=azerbaijan", "/statements?q=azerbaijan", "/sources?q=azerbaijan"):
        first = client.get(path)
        assert first.status_code == 200 and first.json()["items"], path
        assert found and any(item["highlights"] for item in first.json()["items"]), path
        found.clear()
        again = client.get(path)
        assert again.content == first.content and found == [], path


@pytest.mark.parametrize(
    "path",
    ["/incidents?q=azerbaijan", "/incidents?q=embassy&sort=-date", "/incidents?q=iran+azerbaijan"],
)
def test_incident_items_highlight_the_title_then_the_summary(client: AppClient, path: str) -> None:
    """Each item of a searched page lights up the words its search matches: the title's
    spans, then the summary's, as `Hit.spans` (the HTML pages' models) finds them; each
    item the search found has a snippet and, ranked by relevance, a score."""
    body = client.get(path).json()
    assert body["items"], path
    terms = tuple(query_terms(path.partition("q=")[2].partition("&")[0].replace("+", " ")))
    relevance = "sort=" not in path
    for item in body["items"]:
        expected = [
            {"field": field, "start": start, "end": end, "source_start": None, "source_end": None}
            for field in ("title", "summary")
            if item[field]
            for start, end in highlight_spans(item[field], terms)
        ]
        assert item["highlights"] == expected, item["id"]
        assert item["snippet"], item["id"]
        assert (item["score"] is not None) == relevance, item["id"]
    assert any(h["field"] == "title" for i in body["items"] for h in i["highlights"]), path
    assert any(h["field"] == "summary" for i in body["items"] for h in i["highlights"]), path


def test_incident_items_without_a_search_have_no_search_fields(client: AppClient) -> None:
    for item in client.get("/incidents?actor=Iran").json()["items"]:
        assert (item["snippet"], item["score"], item["highlights"]) == (None, None, None)
