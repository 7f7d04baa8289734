from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actors.models import Actor
from app.db.base import Base
from app.sources.models import Source


class Statement(Base):
    """A direct quotation, with its exact place in its source."""

    __tablename__ = "statement"
    __table_args__ = (
        Index("ix_statement_said_on_id", "said_on", "id"),
        Index("ix_statement_speaker_id_said_on", "speaker_id", "said_on"),
        Index("ix_statement_source_id_start", "source_id", "start"),
        Index("ix_statement_incident_id", "incident_id"),
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

    # What `q=` searches (names folded in), maintained by the ingest; SQLite indexes it with
    # FTS5 and PostgreSQL with a GIN tsvector index (see the add_full_text_search migration).
    search_text: Mapped[str] = mapped_column(Text, default="")

    source: Mapped[Source] = relationship(lazy="raise")
    speaker: Mapped[Actor | None] = relationship(lazy="raise")
