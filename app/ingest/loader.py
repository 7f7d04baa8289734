"""Reads and validates ingest input. Every problem is found before anything is committed.

Curated YAML is read whole up front; articles are read one file at a time while the ingest
writes them (`Batch.articles()`), and their problems are known when the stream ends
(`Batch.check()`), before the commit: a bad article anywhere rolls the whole run back.
"""

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import InputError, Problem
from app.ingest.formats import bulk, front_matter, html_page
from app.ingest.formats.encoding import decode
from app.ingest.records import (
    SLUG_PATTERN,
    ActorRecord,
    IncidentRecord,
    SourceEntryRecord,
    SourceMetaRecord,
)
from app.ingest.scratch import Place, Scratch
from app.ingest.validation import problems_of
from app.ingest.yaml_source import Entry, read_entries

ACTORS_FILE = "actors.yaml"
INCIDENTS_FILE = "incidents.yaml"
SOURCES_FILE = "sources.yaml"
ARTICLES_DIR = "articles"
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
BULK_SUFFIXES = (".jsonl", ".csv")
ARTICLE_SUFFIXES = (*TEXT_SUFFIXES, *HTML_SUFFIXES, *BULK_SUFFIXES)
# Articles read before their slugs are looked up in the scratch table together (bounded in
# number and in characters of text).
_CLAIM_SLICE = 500
_CLAIM_CHARS = 4_000_000
# A bulk file holds many articles; each is still held to the per-article limit.
MAX_BULK_FILE_BYTES = 4 * 1024**3

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Located(Generic[R]):
    """A validated record and where it was written, for errors found later (in the database)."""

    record: R
    path: Path
    entry: Entry

    def where(self, *loc: str | int) -> tuple[Path, int]:
        return self.path, self.entry.line_of(loc)


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    # Where the article (or its slug) is written: 1 for a file, the row of a bulk file.
    line: int
    # The text to store: the body after any front matter, or the text extracted from a page.
    text: str
    content_hash: str
    # SHA-256 of the input as read (the file's bytes, or a bulk record's text). An HTML page
    # whose bytes are unchanged is not extracted again, whatever trafilatura would make of it.
    input_hash: str
    # Metadata the user states (front matter, a bulk record's fields, sources.yaml) and what
    # a page says about itself; the stated values win, and both win over cues in the text.
    stated: dict[str, str] = field(default_factory=dict)
    page: dict[str, str] = field(default_factory=dict)

    @property
    def given(self) -> dict[str, str]:
        return {**self.page, **self.stated}


@dataclass
class _Stream:
    """One path given to the ingest: what was read up front (curated YAML, a folder's
    sources.yaml) and where its articles are, still to read."""

    path: Path
    # Problems found up front (curated YAML, a missing path), in the order they were read.
    head: list[Problem] = field(default_factory=list)
    # The folder of its articles ("" for a path given whole). Its files are listed when the
    # articles are read, into the run's scratch table (a folder may hold 100,000 of them:
    # their names are not held in memory), and read back in name order.
    directory: str = ""
    listed: bool = False
    # A path given whole: the one article file.
    files: list[str] = field(default_factory=list)
    overlay: "_SourcesOverlay | None" = None
    # A folder with nothing to ingest in it.
    tail: list[Problem] = field(default_factory=list)
    # Filled while the articles are read.
    article_problems: list[Problem] = field(default_factory=list)


@dataclass
class Batch:
    """The inputs of one ingest. Curated records are read up front (they are small and the
    run needs them whole); articles are read lazily by `articles()`, one file at a time, so
    memory does not grow with the corpus. Every problem is known once the stream ends
    (`problems()`); nothing may be committed before that."""

    actors: list[Located[ActorRecord]] = field(default_factory=list)
    incidents: list[Located[IncidentRecord]] = field(default_factory=list)
    streams: list[_Stream] = field(default_factory=list)
    reading: "_Reading | None" = None
    # Articles read, one per slug. Where each slug was first read (the duplicate-slug check
    # and the prune need it of every article) is in the run's scratch table, not here.
    article_count: int = 0
    _duplicate_articles: list[Problem] = field(default_factory=list)
    _streamed: bool = False

    @property
    def problem_count(self) -> int:
        return sum(len(s.head) + len(s.article_problems) + len(s.tail) for s in self.streams) + len(
            self._duplicate_articles
        )

    def articles(self, scratch: Scratch) -> Iterator[Article]:
        """Every valid article, in input order, read as it is asked for; an article whose
        slug was already read from elsewhere is reported, not yielded. Once only.

        Articles are read a slice at a time and their slugs looked up and recorded in
        `scratch` together: one query a slice, not one an article.
        """
        assert not self._streamed, "articles are read once"
        self._streamed = True
        assert self.reading is not None
        read: list[tuple[Article, Place]] = []
        chars = 0
        for index, stream in enumerate(self.streams):
            for name in self._files(index, stream, scratch):
                path = Path(stream.directory, name)
                for article in _read_articles(path, self.reading, stream.article_problems):
                    if stream.overlay is not None:
                        article = stream.overlay.apply(article)
                    read.append((article, Place(index, name, article.line)))
                    chars += len(article.text)
                    if len(read) >= _CLAIM_SLICE or chars >= _CLAIM_CHARS:
                        yield from self._first_with_slug(read, scratch)
                        read, chars = [], 0
        yield from self._first_with_slug(read, scratch)

    def _files(self, index: int, stream: _Stream, scratch: Scratch) -> Iterable[str]:
        if not stream.listed:
            return stream.files
        try:
            with os.scandir(stream.directory) as entries:
                scratch.list_files(index, (e.name for e in entries if _is_article_name(e.name)))
        except OSError as exc:  # the folder went away or became unreadable since load()
            problem = Problem(Path(stream.directory), 1, f"cannot read: {exc.strerror or exc}")
            stream.article_problems.append(problem)
            return []
        return scratch.files(index)

    def _first_with_slug(
        self, read: list[tuple[Article, Place]], scratch: Scratch
    ) -> list[Article]:
        """The articles of `read` whose slug is read for the first time (recorded in
        `scratch`); the others are reported as duplicates."""
        earlier = scratch.places_of([article.slug for article, _ in read])
        first: list[tuple[str, Place]] = []
        kept: list[Article] = []
        for article, place in read:
            before = earlier.setdefault(article.slug, place)
            if before is place:
                first.append((article.slug, place))
                kept.append(article)
                continue
            before_path = Path(self.streams[before.stream].directory, before.name)
            if (before_path.resolve(), before.line) != (article.path.resolve(), article.line):
                first_at = f"{before_path}:{before.line}"
                reason = f"duplicate source slug {article.slug!r} (first at {first_at})"
                self._duplicate_articles.append(Problem(article.path, article.line, reason))
            # The same file named twice on the command line is loaded once.
        scratch.claim(first)
        self.article_count += len(kept)
        return kept

    def problems(self) -> list[Problem]:
        """Every problem of the inputs, in the order of the paths; after `articles()`."""
        assert self._streamed, "read the articles first: their problems are found as they are"
        problems: list[Problem] = []
        for stream in self.streams:
            problems += stream.head + stream.article_problems
            if stream.overlay is not None:
                problems += stream.overlay.problems()
            problems += stream.tail
        problems += _duplicates(self) + self._duplicate_articles
        empty = not (self.actors or self.incidents or self.article_count)
        if not problems and empty:
            first = self.streams[0].path if self.streams else Path(".")
            problems.append(Problem(first, 1, "nothing to ingest"))
        return problems

    def check(self) -> None:
        """Raise InputError listing every problem; after `articles()`."""
        problems = self.problems()
        if problems:
            raise InputError(problems)


@dataclass(frozen=True)
class _Reading:
    max_article_bytes: int
    encoding: str | None  # the user's --encoding for articles; None: UTF-8 or a BOM's


def load(paths: Sequence[Path], *, max_article_bytes: int, encoding: str | None = None) -> Batch:
    """Read the curated files of every path (seed folder or file) and list its articles;
    the articles are read by `Batch.articles()`, their problems reported by `Batch.check()`."""
    reading = _Reading(max_article_bytes, encoding)
    batch = Batch(reading=reading)
    for path in paths:
        batch.streams.append(_open_path(path, batch, reading))
    if not paths:
        batch.streams.append(_Stream(Path(".")))
    return batch


def _open_path(path: Path, batch: Batch, reading: _Reading) -> _Stream:
    max_article_bytes = reading.max_article_bytes
    stream = _Stream(path)
    try:
        if path.is_dir():
            _open_folder(stream, batch, reading)
            return stream
        if not path.exists():
            if path.is_symlink():
                path.stat()  # a symlink loop or a dangling link: raise, to say which
            stream.head.append(Problem(path, 1, "no such file or folder"))
            return stream
    except OSError as exc:  # a symlink loop, a permission error on the folder
        stream.head.append(Problem(path, 1, f"cannot read: {exc.strerror or exc}"))
        return stream
    if path.name == ACTORS_FILE:
        stream.head += _load_records(path, ActorRecord, batch.actors, max_article_bytes)
    elif path.name == INCIDENTS_FILE:
        stream.head += _load_records(path, IncidentRecord, batch.incidents, max_article_bytes)
    elif path.suffix.lower() in ARTICLE_SUFFIXES:
        stream.files.append(str(path))
    else:
        kinds = ", ".join(ARTICLE_SUFFIXES)
        stream.head.append(Problem(path, 1, f"not an article ({kinds}) or a seed file"))
    return stream


def _open_folder(stream: _Stream, batch: Batch, reading: _Reading) -> None:
    folder = stream.path
    max_article_bytes = reading.max_article_bytes
    found = False
    actors, incidents = folder / ACTORS_FILE, folder / INCIDENTS_FILE
    if actors.exists() or actors.is_symlink():
        found = True
        stream.head += _load_records(actors, ActorRecord, batch.actors, max_article_bytes)
    if incidents.exists() or incidents.is_symlink():
        found = True
        stream.head += _load_records(incidents, IncidentRecord, batch.incidents, max_article_bytes)
    articles_dir = folder / ARTICLES_DIR
    # A folder of articles alone (no seed layout) is accepted too.
    article_dirs = [articles_dir] if articles_dir.is_dir() else [folder]
    for directory in article_dirs:
        stream.directory = str(directory)
        # Only whether there is any: the names are listed when the articles are read.
        with os.scandir(directory) as entries:
            if any(_is_article_name(entry.name) for entry in entries):
                found = stream.listed = True
    sources = folder / SOURCES_FILE
    if sources.exists() or sources.is_symlink():
        found = True
        stream.overlay = _SourcesOverlay.read(sources, max_article_bytes)
    if not found:
        kinds = ", ".join(ARTICLE_SUFFIXES)
        stream.tail.append(
            Problem(
                folder,
                1,
                f"nothing to ingest: expected {ACTORS_FILE}, {INCIDENTS_FILE} "
                f"or articles ({kinds}) in {ARTICLES_DIR}/",
            )
        )


def _is_article_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in ARTICLE_SUFFIXES and not name.startswith(".")


def _read_bytes(path: Path, limit: int) -> tuple[bytes | None, list[Problem]]:
    def too_big(size: str) -> list[Problem]:
        reason = f"file is {size} bytes, over the limit of {limit:,}"
        return [Problem(path, 1, f"{reason} (set INCIDENTDB_MAX_ARTICLE_BYTES to raise it)")]

    try:
        # O_NONBLOCK: opening a FIFO named *.txt would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                # A link to /dev/zero reports 0 bytes and never ends; a FIFO may not either.
                return None, [Problem(path, 1, "not a regular file")]
            if info.st_size > limit:
                return None, too_big(f"{info.st_size:,}")
            # Bounded even if the file grows while we read. Asking for the size we expect
            # (not the limit: a 5 MB buffer allocated for every 2 kB article) then the rest.
            raw = file.read(info.st_size + 1)
            if len(raw) > info.st_size:
                raw += file.read(limit + 1 - len(raw))
            if len(raw) > limit:
                return None, too_big("more than")
            return raw, []
    except OSError as exc:
        return None, [Problem(path, 1, f"cannot read: {exc.strerror or exc}")]


def _load_records(
    path: Path, model: type[R], into: list[Located[R]], max_bytes: int
) -> list[Problem]:
    raw, problems = _read_bytes(path, max_bytes)
    if raw is None:
        return problems
    # Curated YAML is the project's own and always UTF-8 (--encoding is for articles).
    text, problems = decode(path, raw)
    if text is None:
        return problems
    entries, problems = read_entries(path, text)
    for entry in entries:
        try:
            record = model.model_validate(entry.value)
        except ValidationError as exc:
            problems += problems_of(path, exc, entry.line_of)
            continue
        into.append(Located(record=record, path=path, entry=entry))
    return problems


def slug_for_article(path: Path) -> str:
    """The article's stable slug: its file name without the extension, made URL-safe."""
    stem = path.stem
    if re.fullmatch(SLUG_PATTERN, stem):
        return stem
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "article"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_articles(path: Path, reading: _Reading, problems: list[Problem]) -> Iterator[Article]:
    """The articles of one file, one at a time; its problems go to `problems`."""
    if path.suffix.lower() in BULK_SUFFIXES:
        yield from _iter_bulk(path, reading, problems)
        return
    read: list[Article] = []
    problems += _load_article(path, read, reading)
    yield from read


def _load_article(path: Path, into: list[Article], reading: _Reading) -> list[Problem]:
    suffix = path.suffix.lower()
    raw, problems = _read_bytes(path, reading.max_article_bytes)
    if raw is None:
        return problems
    if suffix in HTML_SUFFIXES:
        return _load_page(path, raw, into, reading)
    text, problems = decode(path, raw, reading.encoding)
    if text is None:
        return problems
    if not text.strip():
        return [Problem(path, 1, "article is empty")]
    split, problems = front_matter.split(path, text)
    if split is None:
        return problems
    stated = SourceMetaRecord()
    slug_line = 1
    if split.entry is not None:
        try:
            stated = SourceMetaRecord.model_validate(split.entry.value)
        except ValidationError as exc:
            return problems_of(path, exc, split.entry.line_of)
        slug_line = split.entry.line_of(("slug",)) if stated.slug else 1
    body = split.body
    if not body.strip():
        return [Problem(path, text.count("\n", 0, len(text) - len(body)) + 1, "article is empty")]
    # Offsets index the article exactly as published: never normalise `body` here.
    into.append(
        Article(
            slug=stated.slug or slug_for_article(path),
            path=path,
            line=slug_line,
            text=body,
            content_hash=_sha256(body.encode("utf-8")),
            input_hash=_sha256(raw),
            stated=stated.given(),
        )
    )
    return []


def _load_page(path: Path, raw: bytes, into: list[Article], reading: _Reading) -> list[Problem]:
    page, problems = html_page.read(path, raw, reading.encoding)
    if page is None:
        return problems
    claimed = {
        "title": page.title,
        "published_on": page.published_on,
        "url": page.url,
        "publisher": page.site_name,
        "language": page.language,
    }
    # What a page says about itself is taken where it is valid and dropped where it is not
    # (a relative canonical link, an odd date): the page's text is still the article.
    kept: dict[str, str] = {}
    for name, value in claimed.items():
        if value is None:
            continue
        try:
            kept |= SourceMetaRecord.model_validate({name: value}).given()
        except ValidationError:
            continue
    into.append(
        Article(
            slug=slug_for_article(path),
            path=path,
            line=1,
            text=page.text,
            content_hash=_sha256(page.text.encode("utf-8")),
            input_hash=_sha256(raw),
            page=kept,
        )
    )
    return []


def _iter_bulk(path: Path, reading: _Reading, problems: list[Problem]) -> Iterator[Article]:
    """The articles of a .jsonl or .csv file, one at a time; its problems go to `problems`
    as they are found (those of size at the end, as they always were reported)."""
    raw, found = _read_bytes(path, MAX_BULK_FILE_BYTES)
    if raw is None:
        problems += found
        return
    text, found = decode(path, raw, reading.encoding)
    del raw  # the decoded text is all that is needed from here
    if text is None:
        problems += found
        return
    if path.suffix.lower() == ".csv":
        items = bulk.iter_csv(path, text, reading.max_article_bytes)
    else:
        items = bulk.iter_jsonl(path, text)
    limit = reading.max_article_bytes
    too_big: list[Problem] = []
    anything = False
    for item in items:
        anything = True
        if isinstance(item, Problem):
            problems.append(item)
            continue
        record = item.record
        encoded = record.text.encode("utf-8")
        if len(encoded) > limit:
            reason = f"text is {len(encoded):,} bytes, over the limit of {limit:,}"
            too_big.append(Problem(path, item.line, f"{reason} (set INCIDENTDB_MAX_ARTICLE_BYTES)"))
            continue
        yield Article(
            slug=record.slug or _stable_slug(record.url, encoded),
            path=path,
            line=item.line,
            text=record.text,
            content_hash=_sha256(encoded),
            input_hash=_sha256(encoded),
            stated=record.given(),
        )
    if not anything:
        problems.append(Problem(path, 1, "file is empty; expected one article a line"))
    problems += too_big


def _stable_slug(url: str | None, text: bytes) -> str:
    # The URL names the story even when its text is corrected later; without one, the text.
    return _sha256(url.encode("utf-8") if url else text)[:16]


@dataclass
class _SourcesOverlay:
    """A folder's sources.yaml (metadata keyed by slug), merged into its articles as they
    are read; its problems are known once they all have been."""

    path: Path
    entries: list[Located[SourceEntryRecord]]
    read_problems: list[Problem]
    # The entry each slug names first; later entries with the same slug are reported.
    first: dict[str, int] = field(default_factory=dict)
    matched: set[int] = field(default_factory=set)
    contradictions: dict[int, list[Problem]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path, max_bytes: int) -> "_SourcesOverlay":
        entries: list[Located[SourceEntryRecord]] = []
        problems = _load_records(path, SourceEntryRecord, entries, max_bytes)
        overlay = cls(path, entries, problems)
        for index, located in enumerate(entries):
            overlay.first.setdefault(located.record.slug, index)
        return overlay

    def apply(self, article: Article) -> Article:
        index = self.first.get(article.slug)
        if index is None:
            return article
        located = self.entries[index]
        self.matched.add(index)
        stated = dict(article.stated)
        found = self.contradictions.setdefault(index, [])
        for name, value in located.record.given().items():
            if name in stated and stated[name] != value:
                reason = f"{name}: {value!r} contradicts {stated[name]!r} given in {article.path}"
                found.append(Problem(self.path, located.entry.line_of((name,)), reason))
            stated[name] = value
        return replace(article, stated=stated)

    def problems(self) -> list[Problem]:
        problems = list(self.read_problems)
        seen: dict[str, int] = {}
        for index, located in enumerate(self.entries):
            slug = located.record.slug
            line = located.entry.line_of(("slug",))
            if slug in seen:
                reason = f"duplicate source slug {slug!r} (first at {self.path}:{seen[slug]})"
                problems.append(Problem(self.path, line, reason))
                continue
            seen[slug] = line
            if index not in self.matched:
                reason = f"no article with slug {slug!r} in this folder"
                problems.append(Problem(self.path, line, reason))
                continue
            problems += self.contradictions.get(index, [])
        return problems


def _duplicates(batch: Batch) -> list[Problem]:
    problems: list[Problem] = []
    for kind, items in (("actor", batch.actors), ("incident", batch.incidents)):
        first: dict[str, Located[ActorRecord] | Located[IncidentRecord]] = {}
        for item in items:
            slug = item.record.slug
            if slug in first:
                path, line = first[slug].where("slug")
                problems.append(
                    Problem(
                        *item.where("slug"),
                        f"duplicate {kind} slug {slug!r} (first at {path}:{line})",
                    )
                )
            else:
                first[slug] = item
    return problems
