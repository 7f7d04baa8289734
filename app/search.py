"""Full-text search on both backends: SQLite FTS5 on the embedded default, tsvector on PostgreSQL.

Any user string is safe: it is tokenised here and passed as a bound parameter, never spliced
into SQL or into FTS5 query syntax.
"""

import re
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Integer,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from app.actors.models import Actor
from app.incidents.models import Incident
from app.sources.models import Source
from app.statements.models import Statement

# English stemming on both sides (FTS5's porter tokenizer, PostgreSQL's 'english' config), so
# "accused" finds "accuses" on either backend.
PG_CONFIG = "english"
MARK_START, MARK_END = "<mark>", "</mark>"
PG_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, MaxFragments=1"

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\w+\*?)', re.UNICODE)


@dataclass(frozen=True)
class Searchable:
    fts_table: str  # SQLite FTS5 table, rowid = the row's id
    pg_document: str  # SQL expression PostgreSQL indexes (same text in the migration)
    snippet_column: int  # FTS5 column shown in snippets


SEARCHABLE: dict[type, Searchable] = {
    Incident: Searchable("incident_fts", "search_text", 0),
    Statement: Searchable("statement_fts", "search_text", 0),
    Actor: Searchable("actor_fts", "search_text", 0),
    # Capped so a huge article stays under the 1 MB tsvector limit (matches the migration).
    Source: Searchable("source_fts", "left(coalesce(title, '') || ' ' || text, 300000)", 1),
}


def fts5_query(q: str) -> str | None:
    """A user string as an FTS5 query of quoted phrases and words (all must match)."""
    terms = []
    for phrase, word in _PHRASE_OR_WORD.findall(q):
        if phrase:
            words = re.findall(r"\w+", phrase)
            if words:
                terms.append('"' + " ".join(words) + '"')
        elif word:
            prefix = word.endswith("*")
            word = word.rstrip("*")
            if word:
                terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms) or None


def matches(session: Session, model: type, q: str) -> ColumnElement[bool]:
    """A WHERE condition: the row of `model` matches `q`."""
    spec = SEARCHABLE[model]
    id_column = model.id  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        document = func.to_tsvector(
            literal_column(f"'{PG_CONFIG}'"), literal_column(_qualified(model, spec))
        )
        query = func.websearch_to_tsquery(literal_column(f"'{PG_CONFIG}'"), bindparam("fts_q", q))
        return document.op("@@")(query)
    expression = fts5_query(q)
    if expression is None:
        return literal_column("1") == literal_column("0")
    fts = table(spec.fts_table, column("rowid", Integer))
    hits = select(fts.c.rowid).where(
        literal_column(spec.fts_table).op("MATCH")(bindparam("fts_q", expression))
    )
    condition: ColumnElement[bool] = id_column.in_(hits)
    return condition


def _qualified(model: type, spec: Searchable) -> str:
    name = model.__tablename__  # type: ignore[attr-defined]
    return re.sub(
        r"\b(search_text|title|text)\b", lambda m: f"{name}.{m.group(1)}", spec.pg_document
    )


def snippets(session: Session, model: type, q: str, ids: list[int]) -> dict[int, str]:
    """A short highlighted excerpt (<mark>…</mark>) per matching id."""
    if not ids:
        return {}
    spec = SEARCHABLE[model]
    params = {"ids": ids}
    if session.get_bind().dialect.name == "postgresql":
        sql = text(
            f"SELECT id, ts_headline('{PG_CONFIG}', {spec.pg_document}, "
            f"websearch_to_tsquery('{PG_CONFIG}', :q), "
            f"'{PG_HEADLINE}') "
            f"FROM {model.__tablename__} WHERE id IN :ids"  # type: ignore[attr-defined]
        ).bindparams(bindparam("ids", expanding=True))
        rows = session.execute(sql, {**params, "q": q})
    else:
        expression = fts5_query(q)
        if expression is None:
            return {}
        sql = text(
            f"SELECT rowid, snippet({spec.fts_table}, {spec.snippet_column}, "
            f"'{MARK_START}', '{MARK_END}', '…', 16) "
            f"FROM {spec.fts_table} WHERE {spec.fts_table} MATCH :q AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        rows = session.execute(sql, {**params, "q": expression})
    return {int(row[0]): str(row[1]) for row in rows}
