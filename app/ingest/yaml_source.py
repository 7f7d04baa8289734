"""YAML reading that remembers where every value came from, for `PATH:LINE: reason` errors."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from app.errors import Problem

Loc = tuple[str | int, ...]

# Seed entries are a few levels deep. PyYAML composes nodes recursively, so `[[[[...` 100,000
# deep ended in a RecursionError trace instead of a `PATH:LINE: reason`.
MAX_DEPTH = 50


class _Checks:
    """Aliases (no billion-laughs) and deep nesting refused while composing."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.MarkedYAMLError(
                problem="YAML aliases (*name) are not allowed in seed files",
                problem_mark=event.start_mark,
            )
        if self._depth >= MAX_DEPTH:
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.MarkedYAMLError(
                problem=f"nested deeper than {MAX_DEPTH} levels", problem_mark=event.start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc,no-any-return]
        finally:
            self._depth -= 1


class _Loader(_Checks, yaml.SafeLoader):
    """PyYAML's own parser: slow, but its error messages are the ones users are shown."""


# Dates stay strings so the schema can reject 2023-02-30 with its own message and line,
# instead of the YAML constructor failing without saying which entry.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _FastLoader(_Checks, Composer, CParser, SafeConstructor, Resolver):
        """libyaml's events (10x faster to parse than PyYAML's) composed by PyYAML's composer,
        so the checks above and every node's line are the same as `_Loader`'s."""

        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

else:  # a PyYAML built without libyaml
    _FastLoader = _Loader  # type: ignore[misc,assignment]


@dataclass(frozen=True)
class Entry:
    """One item of a top-level YAML list, with the line of every value inside it."""

    value: Any
    line: int
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        """The line of the deepest located value on `loc`, else the entry's own line."""
        for depth in range(len(loc), 0, -1):
            line = self.lines.get(loc[:depth])
            if line is not None:
                return line
        return self.line


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _walk(node: Node, loc: Loc, lines: dict[Loc, int], path: Path) -> list[Problem]:
    lines[loc] = _line(node)
    problems: list[Problem] = []
    if isinstance(node, MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key in seen:
                problems.append(Problem(path, _line(key_node), f"duplicate key {key!r}"))
            seen.add(key)
            if isinstance(key, str):
                problems += _walk(value_node, (*loc, key), lines, path)
                lines[(*loc, key)] = _line(key_node)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            problems += _walk(item, (*loc, index), lines, path)
    return problems


def _syntax_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem(path, 1, f"YAML error: {exc}")
    mark = exc.problem_mark or exc.context_mark
    line = int(mark.line) + 1 if mark is not None else 1
    reason = exc.problem or exc.context or "unreadable YAML"
    if exc.problem and exc.context and exc.context_mark is not None:
        # "expected ']' but got <stream end>" is found at the end of the file; say
        # where the unclosed construct began too.
        where = re.sub(r"^while parsing (an? )?", "", str(exc.context))
        reason += f" (in the {where} that starts on line {exc.context_mark.line + 1})"
    return Problem(path, line, f"YAML syntax error: {reason}")


# The characters PyYAML counts as line breaks (its marks' lines).
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def _reader_problem(path: Path, text: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow (a control character): its line, and which it is."""
    line = len(_LINE_BREAK.findall(text, 0, exc.position)) + 1
    return Problem(path, line, f"YAML syntax error: character #x{exc.character:04x} ({exc.reason})")


@contextmanager
def _composed(
    path: Path, text: str
) -> Iterator[tuple[SafeConstructor, Node | None, list[Problem]]]:
    """The document's root node and the loader that composed it (it constructs the values).

    libyaml composes; a document it refuses is composed again by PyYAML, whose message (or
    acceptance: the two parsers differ at the edges) is the one that counts, as before libyaml.
    """
    for make in (_FastLoader, _Loader):
        try:
            loader = make(text)
        except yaml.reader.ReaderError as exc:  # PyYAML checks every character first
            yield _Loader(""), None, [_reader_problem(path, text, exc)]
            return
        try:
            try:
                root = loader.get_single_node()
            except yaml.YAMLError as exc:
                if make is _Loader:
                    yield loader, None, [_syntax_problem(path, exc)]
                    return
                continue
            yield loader, root, []
            return
        finally:
            loader.dispose()


def _entry(
    path: Path, loader: SafeConstructor, item: MappingNode
) -> tuple[Entry | None, list[Problem]]:
    lines: dict[Loc, int] = {}
    problems = _walk(item, (), lines, path)
    try:
        value = loader.construct_object(item, deep=True)
    except yaml.MarkedYAMLError as exc:
        # str(exc) spans lines (it quotes the source); an error is one line.
        mark = exc.problem_mark
        line = int(mark.line) + 1 if mark is not None else _line(item)
        return None, [*problems, Problem(path, line, f"YAML error: {exc.problem or exc.context}")]
    except ValueError as exc:  # `!!float abc`, an integer of 5,000 digits
        return None, [*problems, Problem(path, _line(item), f"YAML error: {exc}")]
    return Entry(value=value, line=_line(item), lines=lines), problems


def read_entries(path: Path, text: str) -> tuple[list[Entry], list[Problem]]:
    """Parse a YAML file whose top level is a list of mappings."""
    with _composed(path, text) as (loader, root, problems):
        if problems:
            return [], problems
        if root is None:
            return [], [Problem(path, 1, "file is empty; expected a list of entries")]
        if not isinstance(root, SequenceNode):
            return [], [Problem(path, _line(root), "expected a list of entries at the top level")]
        entries: list[Entry] = []
        for item in root.value:
            if not isinstance(item, MappingNode):
                problems.append(Problem(path, _line(item), "expected a mapping (key: value)"))
                continue
            entry, found = _entry(path, loader, item)
            problems += found
            if entry is not None:
                entries.append(entry)
        return entries, problems


def read_mapping(path: Path, text: str, first_line: int) -> tuple[Entry | None, list[Problem]]:
    """Parse one YAML mapping that starts on line `first_line` of `path` (front matter)."""
    # Blank lines in front keep PyYAML's marks equal to the file's own line numbers.
    with _composed(path, "\n" * (first_line - 1) + text) as (loader, root, problems):
        if problems:
            return None, problems
        if root is None:
            return Entry(value={}, line=first_line, lines={}), []
        if not isinstance(root, MappingNode):
            return None, [Problem(path, _line(root), "expected key: value lines")]
        entry, problems = _entry(path, loader, root)
        return (entry if not problems else None), problems
