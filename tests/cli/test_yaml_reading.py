"""Seed YAML is parsed by libyaml (4x faster on 1,000 incidents) and read exactly as PyYAML's
own parser reads it: the same values, the same line for every value, the same problems."""

from pathlib import Path

import pytest
import yaml

from app.ingest import yaml_source
from app.ingest.yaml_source import read_entries, read_mapping

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

DOCUMENTS = {
    "flow-and-block": "- slug: a\n  aliases: [A, 'B', \"C\"]\n  kind: state\n- {slug: b, n: 1}\n",
    "crlf": "- slug: a\r\n  name: A\r\n\r\n- slug: b\r\n  name: B\r\n",
    "lone-cr": "- slug: a\r  name: A\r- slug: b\r",
    "unicode-breaks": '- slug: a\n  name: "x\u2028y"\n  note: é\u0085\n- slug: b\n',
    "bom": "\ufeff- slug: a\n  name: A\n",
    "comments-and-blank-lines": "# actors\n\n- slug: a # the first\n\n\n  name: A\n",
    "block-scalars": "- slug: a\n  summary: |\n    one\n    two\n  note: >\n    folded\n    text\n",
    "dates-stay-strings": "- slug: a\n  date_start: 2023-02-30\n  when: 2023-01-01T10:00:00Z\n",
    "types": "- {a: 1, b: 1.5, c: true, d: null, e: ~, f: 0x1F, g: .inf, h: '007'}\n",
    "duplicate-key": "- slug: a\n  name: A\n  name: B\n",
    "not-a-mapping": "- slug: a\n- just text\n- [1, 2]\n",
    "not-a-list": "slug: a\n",
    "empty": "",
    "alias": "- &x {slug: a}\n- *x\n",
    "deep": "- a: " + "[" * 60 + "]" * 60 + "\n",
    "unclosed-flow": "- slug: a\n  aliases: [A, B\n- slug: b\n",
    "bad-indentation": "- slug: a\n name: A\n",
    "tab-indentation": "- slug: a\n\tname: A\n",
    "control-character": "- slug: a\n  name: A\x07B\n",
    "bad-float": "- slug: a\n  n: !!float abc\n",
    "unknown-tag": "- slug: a\n  n: !!python/object:os.system x\n",
    "two-documents": "- slug: a\n---\n- slug: b\n",
    "mapping-key-is-a-list": "- ? [a, b]\n  : c\n  slug: a\n",
}


def read_both(
    monkeypatch: pytest.MonkeyPatch, read: object, *args: object
) -> tuple[object, object]:
    assert callable(read)
    fast = read(*args)
    with monkeypatch.context() as m:
        m.setattr(yaml_source, "_FastLoader", yaml_source._Loader)
        slow = read(*args)
    return fast, slow


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_a_document_is_read_as_pyyamls_own_parser_reads_it(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    fast, slow = read_both(monkeypatch, read_entries, Path("seeds.yaml"), text)
    assert fast == slow


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_front_matter_is_read_as_pyyamls_own_parser_reads_it(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    mapping = text.removeprefix("- ").replace("\n  ", "\n")
    fast, slow = read_both(monkeypatch, read_mapping, Path("article.md"), mapping, 4)
    assert fast == slow


@pytest.mark.parametrize("name", ["actors.yaml", "incidents.yaml", "sources.yaml"])
def test_the_seeds_are_read_as_pyyamls_own_parser_reads_them(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    fast, slow = read_both(monkeypatch, read_entries, SEEDS / name, text)
    entries, problems = fast  # type: ignore[misc]
    assert entries and not problems
    assert fast == slow


def test_libyaml_parses_when_pyyaml_has_it() -> None:
    """The speed is libyaml's; a PyYAML wheel without it would still read seeds, slowly."""
    assert yaml.__with_libyaml__, "PyYAML's wheels for this platform carry libyaml"
    assert yaml_source._FastLoader is not yaml_source._Loader
