"""Bringing a corpus in: front matter, sources.yaml, HTML pages, JSON Lines, CSV, encodings.

Each test ingests through the CLI and reads back through the HTTP API, on SQLite and
PostgreSQL.
"""

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import SEEDS, Probe
from tests.inprocess import AppClient

BODY = (
    "BAKU, March 31. The foreign ministers of Iran and Azerbaijan spoke by phone, Trend reports.\n"
    "\n"
    '"We want good relations with our neighbours," Iranian Foreign Minister Hossein '
    "Amir-Abdollahian said after the call.\n"
)


@pytest.fixture
def api(database_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def ingest(*args: str | Path) -> None:
    assert cli.main(["ingest", *(str(a) for a in args)]) == 0


def source(api: AppClient, slug: str) -> dict[str, Any]:
    response = api.get(f"/sources/{slug}")
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    # Every statement's offsets index the stored text, whatever the input format was.
    for statement in detail["statements"]:
        assert detail["text"][statement["start"] : statement["end"]] == statement["text"]
    return detail


def test_front_matter_is_metadata_and_offsets_index_the_body(
    tmp_path: Path, api: AppClient
) -> None:
    article = tmp_path / "articles" / "call.txt"
    article.parent.mkdir()
    article.write_text(
        "---\n"
        "slug: iran-azerbaijan-call\n"
        "url: https://news.example.org/2023/03/31/call\n"
        "title: Foreign ministers talk by phone\n"
        "publisher: Example News\n"
        "published_on: 2023-03-31\n"
        "language: en\n"
        "---\n" + BODY,
        encoding="utf-8",
    )
    ingest(tmp_path)
    detail = source(api, "iran-azerbaijan-call")
    assert detail["text"] == BODY
    assert detail["url"] == "https://news.example.org/2023/03/31/call"
    assert detail["title"] == "Foreign ministers talk by phone"
    # Given metadata wins over the text's own cue ("Trend reports").
    assert detail["publisher"] == "Example News"
    assert detail["published_on"] == "2023-03-31"
    assert detail["language"] == "en"
    assert detail["statements"], "the body's quotation was extracted"


def test_cues_remain_the_fallback_for_what_is_not_given(tmp_path: Path, api: AppClient) -> None:
    article = tmp_path / "call.txt"
    article.write_text("---\ntitle: Foreign ministers talk\n---\n" + BODY, encoding="utf-8")
    ingest(article)
    detail = source(api, "call")
    assert detail["title"] == "Foreign ministers talk"
    assert detail["publisher"] == "Trend"
    assert detail["url"] is None


def test_seeds_get_their_known_metadata_from_sources_yaml(api: AppClient, db: Probe) -> None:
    ingest(SEEDS)
    tass = source(api, "004_ff1c3840c6ee87fa")
    assert tass["title"] == "Iran accuses Israel of worsening its relations with Azerbaijan"
    assert tass["publisher"] == 'GSV "Russia - Islamic World"'
    assert tass["published_on"] == "2023-04-17"
    assert source(api, "002_db466e0518d6d314")["publisher"] == "The Jerusalem Post"
    # No seed article prints its address: no URL is invented.
    assert all(s["url"] is None for s in api.get("/sources").json()["items"])
    # The files stay byte for byte: the metadata lives beside them.
    for path in sorted((SEEDS / "articles").glob("*.txt")):
        assert source(api, path.stem)["text"] == path.read_bytes().decode("utf-8")


def test_editing_sources_yaml_updates_metadata_and_removing_it_restores_the_cue(
    tmp_path: Path, api: AppClient
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    ingest(seeds)
    slug = "000_71c336a4ce27892d"
    statement_ids = [s["id"] for s in source(api, slug)["statements"]]
    entries = (seeds / "sources.yaml").read_text(encoding="utf-8")
    edited = entries.replace("  publisher: Trend\n", "  publisher: Trend News Agency\n")
    (seeds / "sources.yaml").write_text(edited, encoding="utf-8")
    ingest(seeds)
    assert source(api, slug)["publisher"] == "Trend News Agency"
    (seeds / "sources.yaml").write_text(
        edited.replace("  publisher: Trend News Agency\n", ""), encoding="utf-8"
    )
    ingest(seeds)
    detail = source(api, slug)
    assert detail["publisher"] == "Trend"  # the cue in the text again
    assert [s["id"] for s in detail["statements"]] == statement_ids


PAGE = """<!doctype html>
<html lang="en-GB"><head>
<title>Iran and Azerbaijan talk | Example News</title>
<link rel="canonical" href="https://news.example.org/2023/03/talks">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2023-03-31T10:00:00Z">
<style>.byline { color: red } /* STYLE-SENTINEL */</style>
<script>var tracker = "SCRIPT-SENTINEL";</script>
</head><body>
<nav><a href="/">Home NAV-SENTINEL</a> <a href="/world">World</a></nav>
<article>
<h1>Iran and Azerbaijan talk</h1>
<p>BAKU, March 31. The foreign ministers of Iran and Azerbaijan spoke by phone on Friday,
officials in both capitals said.</p>
<!-- COMMENT-SENTINEL -->
<p>"We want good relations with our neighbours," Iranian Foreign Minister Hossein
Amir-Abdollahian said after the call, according to a readout published by his ministry.</p>
<p>Azerbaijan's foreign ministry said the two sides discussed the embassy in Tehran and agreed
to keep talking in the weeks ahead.</p>
</article>
<section class="comments"><h3>Comments</h3><p>READER-SENTINEL great article</p></section>
<footer>Copyright FOOTER-SENTINEL</footer>
</body></html>
"""


def test_html_page_stores_its_main_text_and_its_own_metadata(
    tmp_path: Path, api: AppClient, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "articles" / "talks.html"
    page.parent.mkdir()
    page.write_text(PAGE, encoding="utf-8")
    ingest(tmp_path)
    detail = source(api, "talks")
    text = detail["text"]
    assert "spoke by phone on Friday" in text
    assert "We want good relations with our neighbours" in text
    for noise in ("NAV", "SCRIPT", "STYLE", "COMMENT", "READER", "FOOTER"):
        assert f"{noise}-SENTINEL" not in text, noise
    assert "<" not in text
    assert detail["title"] == "Iran and Azerbaijan talk"
    assert detail["url"] == "https://news.example.org/2023/03/talks"
    assert detail["publisher"] == "Example News"
    assert detail["published_on"] == "2023-03-31"
    assert detail["language"] == "en-GB"
    assert detail["statements"]
    before = db.fingerprint()
    capsys.readouterr()
    ingest(tmp_path)
    assert db.fingerprint() == before
    assert "no changes" in capsys.readouterr().out


def test_an_unchanged_page_keeps_its_stored_text(tmp_path: Path, db: Probe) -> None:
    """The raw page's hash decides: the same bytes are never re-read into a new text."""
    page = tmp_path / "talks.htm"
    page.write_text(PAGE, encoding="utf-8")
    ingest(page)
    # As if an upgraded extractor made something else of the same page.
    sql = "UPDATE source SET text = text || ' (kept)', content_hash = 'old' WHERE slug = 'talks'"
    _execute(db, sql)
    ingest(page)
    assert str(db.scalar("SELECT text FROM source WHERE slug = 'talks'")).endswith(" (kept)")
    page.write_text(PAGE.replace("on Friday", "on Thursday"), encoding="utf-8")
    ingest(page)
    stored = str(db.scalar("SELECT text FROM source WHERE slug = 'talks'"))
    assert "on Thursday" in stored and not stored.endswith(" (kept)")


def _execute(db: Probe, sql: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(db.url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


RECORDS = [
    {
        "slug": "call",
        "text": BODY,
        "url": "https://news.example.org/call",
        "title": "Ministers talk",
        "publisher": "Example News",
        "published_on": "2023-03-31",
        "language": "en",
    },
    {"text": "Tehran, April 2. Iran and Azerbaijan agreed to reopen talks, officials said.\n"},
    {
        "text": "Baku, April 3. Azerbaijan welcomed the talks, its ministry said.\n",
        "url": "https://news.example.org/welcome",
    },
]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_bulk_file_brings_many_articles_with_their_metadata(
    suffix: str,
    tmp_path: Path,
    api: AppClient,
    db: Probe,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / f"corpus{suffix}"
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["slug", "text", "url", "title", "publisher",
                                                 "published_on", "language"])  # fmt: skip
        writer.writeheader()
        writer.writerows(RECORDS)
        path.write_text(out.getvalue(), encoding="utf-8", newline="")
    ingest(path)
    call = source(api, "call")
    assert call["text"] == BODY  # a multi-line text comes back exactly
    assert (call["url"], call["title"], call["publisher"]) == (
        "https://news.example.org/call",
        "Ministers talk",
        "Example News",
    )
    assert (call["published_on"], call["language"]) == ("2023-03-31", "en")
    items = api.get("/sources").json()["items"]
    assert len(items) == 3
    generated = sorted(s["slug"] for s in items if s["slug"] != "call")
    assert all(len(slug) == 16 for slug in generated)
    # Slugs without a given one are a stable hash: a re-run finds the same rows.
    before = db.fingerprint()
    capsys.readouterr()
    ingest(path)
    assert db.fingerprint() == before
    assert "no changes" in capsys.readouterr().out


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be", "utf-32-le"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(
    encoding: str, tmp_path: Path, api: AppClient
) -> None:
    article = tmp_path / "wide.txt"
    text = "---\npublisher: Example\n---\n" + BODY.replace("neighbours", "neighbours — «ja»")
    data = text.encode(encoding)
    if not encoding.endswith(("-be", "-le")):
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    else:
        data = ("\ufeff" + text).encode(encoding)
    article.write_bytes(data)
    ingest(article)
    detail = source(api, "wide")
    assert detail["text"] == BODY.replace("neighbours", "neighbours — «ja»")
    assert detail["publisher"] == "Example"


LEGACY = (
    "BAKOU, 31 mars. Le ministre des Affaires étrangères a déclaré mercredi que la délégation "
    "était prête à reprendre les négociations, où l'ambassade a rouvert après des mois de "
    "tension. « Nous sommes prêts », a-t-il ajouté, évoquant une coopération élargie.\n"
) * 3


def test_a_legacy_encoding_is_named_and_read_with_the_flag(
    tmp_path: Path, api: AppClient, db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "legacy.txt"
    article.write_bytes(LEGACY.encode("cp1252"))
    before = db.fingerprint()
    assert cli.main(["ingest", str(article)]) == 1
    [error] = capsys.readouterr().err.splitlines()
    assert error.startswith(f"{article}:1: not valid UTF-8 (byte 0xe9 at offset 41); ")
    assert "read it with --encoding cp1252" in error
    assert db.fingerprint() == before
    ingest("--encoding", "cp1252", article)
    assert source(api, "legacy")["text"] == LEGACY


def test_an_unknown_encoding_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["ingest", "--encoding", "klingon", str(tmp_path)]) == 2
    [error] = capsys.readouterr().err.splitlines()
    assert "unknown encoding 'klingon'" in error


def test_a_page_in_a_legacy_encoding_that_says_so_is_read(tmp_path: Path, api: AppClient) -> None:
    page = tmp_path / "legacy.html"
    html = (
        '<html><head><meta charset="windows-1252"><title>Bakou</title></head><body><article>'
        + "".join(f"<p>{line}</p>" for line in LEGACY.splitlines())
        + "</article></body></html>"
    )
    page.write_bytes(html.encode("cp1252"))
    ingest(page)
    assert "Affaires étrangères a déclaré" in source(api, "legacy")["text"]
