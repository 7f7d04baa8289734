"""Bad HTML, JSON Lines, CSV, front matter and sources.yaml: `PATH:LINE: reason`, exit 1,
the database unchanged (its content hash is compared before and after)."""

import json
from pathlib import Path

import pytest

from tests.cli.test_bad_input import run_bad, write
from tests.conftest import Probe

GOOD = "BAKU, March 31. Iran and Azerbaijan talked, officials said.\n"


@pytest.fixture
def seeded_db(seeded_url: str) -> Probe:
    return Probe(seeded_url)


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b"", 1, "article is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", 3, "binary file"),
        (b"<<<>>>< <html<body <p <<", 1, "no article text found in the page"),
        (b"<html><head></head><body><div><span><a", 1, "no article text found in the page"),
        (
            b"<html><head><script>document.write('Iran and Azerbaijan agreed today');"
            b"</script></head><body><script>var x = 1;</script><style>p{}</style></body></html>",
            1,
            "no article text found in the page",
        ),
    ],
    ids=["empty", "binary", "malformed", "truncated", "only-scripts"],
)
def test_bad_html_page_is_reported(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    line: int,
    reason: str,
) -> None:
    path = write(tmp_path / "articles", "page.html", content)
    write(tmp_path / "articles", "good.txt", GOOD)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert len(errors) == 1 and errors[0].startswith(f"{path}:{line}: "), errors
    assert reason in errors[0], errors


def test_a_50_mb_page_is_refused_with_the_limit(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as file:
        file.write(b"<html><body>")
        chunk = b"<p>Iran and Azerbaijan talked again.</p>\n" * 25_000
        while file.tell() < 50 * 1024 * 1024:
            file.write(chunk)
        file.truncate(50 * 1024 * 1024)
    errors = run_bad(path, seeded_db, capsys)
    assert errors == [
        f"{path}:1: file is 52,428,800 bytes, over the limit of 5,242,880 "
        "(set INCIDENTDB_MAX_ARTICLE_BYTES to raise it)"
    ]


def test_every_bad_jsonl_line_is_reported_and_nothing_is_written(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"slug": "fine", "text": GOOD}),
        '{"text": "unterminated',
        json.dumps(["text", GOOD]),
        json.dumps({"title": "No text here"}),
        json.dumps({"text": GOOD, "published_on": "2023-02-30"}),
        "",
        json.dumps({"text": GOOD, "url": "not a url", "colour": "red"}),
        json.dumps({"text": "   "}),
    ]
    path = write(tmp_path, "corpus.jsonl", "\n".join(lines) + "\n")
    errors = run_bad(path, seeded_db, capsys)
    assert errors == [
        f"{path}:2: not JSON: Unterminated string starting at (column 10)",
        f"{path}:3: expected a JSON object, got an array",
        f"{path}:4: text: Field required",
        f"{path}:5: published_on: '2023-02-30' is not a real date (day is out of range for month)",
        f"{path}:7: url: 'not a url' is not an absolute http(s) URL",
        f"{path}:7: colour: Extra inputs are not permitted",
        f"{path}:8: text: article is empty",
    ]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("body,title\n" + GOOD.strip() + ",T\n", 1, "no header row naming a 'text' column"),
        ("text,colour\nsome text,red\n", 1, "unknown column 'colour'"),
        (GOOD.strip() + ",Title\nmore,Other\n", 1, "no header row naming a 'text' column"),
        ("", 1, "file is empty"),
        ("text,text\na,b\n", 1, "column 'text' appears twice"),
        ('text,title\n"a, b",c\n"multi\nline",d,e\n', 3, "expected 2 fields as in the header"),
        ("text,published_on\nSome text,31/03/2023\n", 2, "published_on: '31/03/2023'"),
    ],
    ids=["wrong-header", "unknown-column", "missing-header", "empty", "repeated", "row", "date"],
)
def test_bad_csv_is_reported_with_its_line(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    content: str,
    line: int,
    reason: str,
) -> None:
    path = write(tmp_path, "corpus.csv", content)
    errors = run_bad(path, seeded_db, capsys)
    assert errors[0].startswith(f"{path}:{line}: ") and reason in errors[0], errors


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("---\ntitle: Talks\n" + GOOD, 1, "front matter: no closing '---' line"),
        (
            "---\ntitle: Talks\ncolour: red\n---\n" + GOOD,
            3,
            "colour: Extra inputs are not permitted",
        ),
        ("---\npublished_on: 2023-02-30\n---\n" + GOOD, 2, "published_on: '2023-02-30' is not a"),
        ("---\ntitle: [unclosed\n---\n" + GOOD, 3, "YAML syntax error"),
        ("---\n- a list\n---\n" + GOOD, 2, "expected key: value lines"),
        ("---\nslug: Not A Slug\n---\n" + GOOD, 2, "slug: String should match pattern"),
        ("---\ntitle: Talks\n---\n\n  \n", 4, "article is empty"),
    ],
    ids=["unterminated", "unknown-key", "bad-date", "bad-yaml", "not-mapping", "bad-slug", "empty"],
)
def test_bad_front_matter_is_reported_with_its_line(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    content: str,
    line: int,
    reason: str,
) -> None:
    path = write(tmp_path / "articles", "a.txt", content)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert len(errors) == 1 and errors[0].startswith(f"{path}:{line}: "), errors
    assert reason in errors[0], errors


def test_two_files_claiming_the_same_slug_are_refused(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path / "articles", "a.txt", "---\nslug: talks\n---\n" + GOOD)
    second = write(tmp_path / "articles", "talks.txt", GOOD)
    records = [{"slug": "talks", "text": GOOD}, {"text": GOOD}, {"text": GOOD}]
    bulk = write(
        tmp_path / "articles", "more.jsonl", "".join(json.dumps(r) + "\n" for r in records)
    )
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert errors == [
        f"{bulk}:1: duplicate source slug 'talks' (first at {first}:2)",
        f"{bulk}:3: duplicate source slug "
        + errors[1].split("duplicate source slug ")[1].split(" ")[0]
        + f" (first at {bulk}:2)",
        f"{second}:1: duplicate source slug 'talks' (first at {first}:2)",
    ]


def test_an_existing_slug_in_another_file_is_refused_against_the_seeds(
    tmp_path: Path, seeded_db: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second file claiming a seed's slug in the same run is refused, not merged."""
    path = write(tmp_path, "x.txt", "---\nslug: 000_71c336a4ce27892d\n---\n" + GOOD)
    other = write(tmp_path, "000_71c336a4ce27892d.txt", GOOD)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert errors == [
        f"{path}:2: duplicate source slug '000_71c336a4ce27892d' (first at {other}:1)"
    ]


@pytest.mark.parametrize(
    ("entries", "line", "reason"),
    [
        ("- slug: nowhere\n  title: T\n", 1, "no article with slug 'nowhere' in this folder"),
        ("- slug: a\n  title: Other\n", 2, "title: 'Other' contradicts 'Talks' given in"),
        ("- slug: a\n  published_on: 2023-13-01\n", 2, "published_on: '2023-13-01' is not a real"),
        ("- slug: a\n  url: ftp://x\n", 2, "url: 'ftp://x' is not an absolute http(s) URL"),
        ("- slug: a\n  colour: red\n", 2, "colour: Extra inputs are not permitted"),
        ("- slug: a\n- slug: a\n", 2, "duplicate source slug 'a' (first at"),
    ],
    ids=["unknown-slug", "contradiction", "bad-date", "bad-url", "unknown-key", "twice"],
)
def test_bad_sources_yaml_is_reported_with_its_line(
    tmp_path: Path,
    seeded_db: Probe,
    capsys: pytest.CaptureFixture[str],
    entries: str,
    line: int,
    reason: str,
) -> None:
    write(tmp_path / "articles", "a.txt", "---\ntitle: Talks\n---\n" + GOOD)
    path = write(tmp_path, "sources.yaml", entries)
    errors = run_bad(tmp_path, seeded_db, capsys)
    assert len(errors) == 1 and errors[0].startswith(f"{path}:{line}: "), errors
    assert reason in errors[0], errors
