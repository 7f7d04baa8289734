from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actors.models import Actor
from app.db.base import Base
from app.sources.models import Source


class Statement(Base):
    """A direct quotation, with its exact place in its source."""

    __tablename__ = "statement"
    __table_args__ = (
        # The source in both: every list leaves out copies' statements by source_id, read
        # off the index rather than each statement's row (migration 0024).
        Index("ix_statement_said_on_id_source_id", "said_on", "id", "source_id"),
        Index(
            "ix_statement_speaker_id_said_on_id_source_id",
            "speaker_id",
            "said_on",
            "id",
            "source_id",
        ),
        Index("ix_statement_source_id_start", "source_id", "start"),
        Index("ix_statement_incident_id", "incident_id"),
        Index("ix_statement_attribution_confidence", "attribution_confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    speaker_text: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int]  # invariant: source.text[start:end] == text
    end: Mapped[int]
    said_on: Mapped[date | None]
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("actor.id", ondelete="SET NULL"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="SET NULL"))

    # How the speaker was decided: the extraction pass, its measured precision, and the spans
    # of the source that show it ([{"start", "end", "text"}], each source.text[start:end] == text).
    attribution_method: Mapped[str] = mapped_column(Text, default="none", server_default="none")
    attribution_confidence: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    attribution_evidence: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )

    # What `q=` searches (names folded in), maintained by the ingest; SQLite indexes it with
    # FTS5 and PostgreSQL with a GIN tsvector index (see the add_full_text_search migration).
    search_text: Mapped[str] = mapped_column(Text, default="")

    source: Mapped[Source] = relationship(lazy="raise")
    speaker: Mapped[Actor | None] = relationship(lazy="raise")
