"""Relevance postings: for each frequent search term of a searched table, its best rows kept in
the order the database's ranking function puts them (see app/kit/postings.py)."""

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class SearchPosting(Base):
    """One row of a term's stream: the rows where the term occurs `occurrences` times, in
    (`length`, `row_id`) order. SQLite: occurrences is bm25's term frequency and length the
    row's token count; PostgreSQL: the term's positions in the stored vector, length 0."""

    __tablename__ = "search_posting"

    searched: Mapped[str] = mapped_column(String(20), primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    occurrences: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    length: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    __table_args__ = (
        # A changed or deleted row's postings are found by its id.
        Index("ix_search_posting_searched_row_id", "searched", "row_id"),
        {"sqlite_with_rowid": False},
    )


class SearchPostingStream(Base):
    """One (term, occurrences) stream. Its kept postings are exactly the stream's rows before
    (next_length, next_row_id), the first row it does not keep; both NULL: every row is kept."""

    __tablename__ = "search_posting_stream"

    searched: Mapped[str] = mapped_column(String(20), primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    occurrences: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    next_length: Mapped[int | None] = mapped_column(Integer)
    next_row_id: Mapped[int | None] = mapped_column(Integer)


class SearchPostingTerm(Base):
    """A term that has postings: every row matching it is in one of its streams."""

    __tablename__ = "search_posting_term"

    searched: Mapped[str] = mapped_column(String(20), primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)


class SearchPostingTable(Base):
    """A searched table whose terms were chosen, and how many rows it had then (the terms are
    chosen again when it has doubled)."""

    __tablename__ = "search_posting_table"

    searched: Mapped[str] = mapped_column(String(20), primary_key=True)
    rows_at_choice: Mapped[int] = mapped_column(Integer)


class SearchPostingDirty(Base):
    """A row written since its table's postings were last brought up to date (by triggers);
    while a table has any, its postings are not read."""

    __tablename__ = "search_posting_dirty"

    searched: Mapped[str] = mapped_column(String(20), primary_key=True)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SearchPostingRows(Base):
    """Every row of a term's stream (the rows where it occurs `occurrences` times),
    by block of 65,536 ids (`block` = id >> 16), as the ids' low 16 bits, ascending, two bytes
    each, big-endian. A GIN index lists a word's rows only by reading each one's heap page (a
    word in 25,000 of 1M incidents: 0.4 s warm, 2.6 s from a cold disk), where these are 50 KB;
    and its streams rank any of them without reading one (`app.kit.postings.TermRows`). On
    SQLite (migration 0026) they rank a search among other filters' rows, where FTS5 walked
    every match of the word to find them."""

    __tablename__ = "search_posting_rows"

    searched: Mapped[str] = mapped_column(String(20), primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    occurrences: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    block: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    low_ids: Mapped[bytes] = mapped_column(LargeBinary)
