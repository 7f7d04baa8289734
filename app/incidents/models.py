from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Enum, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actors.models import Actor
from app.db.base import Base
from app.sources.models import Source


class DatePrecision(enum.StrEnum):
    day = "day"
    month = "month"
    year = "year"


class ParticipantRole(enum.StrEnum):
    initiator = "initiator"
    target = "target"
    mediator = "mediator"
    participant = "participant"
    # The sources name the actor in the incident but do not say what it did: never a guess.
    unknown = "unknown"


class DateSource(enum.StrEnum):
    evidence = "evidence"  # the evidence (with its article's date line) states the date
    record = "record"  # finer than the evidence: taken from public record (seeds/README.md)


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        # The default sort (-date) and its keyset cursor walk this index; with date_end, type
        # and country in it a date window is tested, counted and faceted without reading the
        # table (migration 0012).
        Index(
            "ix_incident_dates_type_country",
            "date_start",
            "id",
            "date_end",
            "type",
            "location_country",
        ),
        # A type's page walks it in the list's order; with date_end a window's incidents of a
        # type are listed and counted from the index alone (migration 0021).
        Index("ix_incident_type_dates", "type", "date_start", "id", "date_end"),
        # `country` with `type` and a window counted from the index alone: through the
        # country index SQLite read 125,000 Iranian incidents' rows to count 4,656 attacks
        # (0.7-1.2 s at 1M, profiled). With both dates it also holds every incident's span,
        # so the longest one (app/incidents/service.py) is read off it, not off the table.
        Index(
            "ix_incident_country_type_dates", "location_country", "type", "date_start", "date_end"
        ),
        # `country` with a window or in date order: the page walks this in the list's order
        # and a window is a range of it, where through (location_country) SQLite read and
        # sorted all 125,000 Iranian incidents for a page (0.7 s at 1M, migration 0016).
        Index(
            "ix_incident_country_dates", "location_country", "date_start", "id", "date_end", "type"
        ),
        # An actor's incidents counted by month (its timeline) from the index alone: the
        # actor index gives ids, this gives each id's date (migration 0011).
        Index("ix_incident_id_date_start", "id", "date_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(1000))
    summary: Mapped[str] = mapped_column(Text)
    # One of app.incidents.vocabulary.INCIDENT_TYPES; a string so the vocabulary can grow
    # without a migration.
    type: Mapped[str] = mapped_column(String(40))
    date_start: Mapped[date]
    # Always set (equal to date_start for a single day), so range filters need no COALESCE.
    date_end: Mapped[date] = mapped_column(index=True)
    date_precision: Mapped[DatePrecision] = mapped_column(
        Enum(DatePrecision, native_enum=False, length=10, validate_strings=True)
    )
    date_source: Mapped[DateSource] = mapped_column(
        Enum(DateSource, native_enum=False, length=10, validate_strings=True),
        default=DateSource.evidence,
        server_default=DateSource.evidence.value,
    )
    location_country: Mapped[str | None] = mapped_column(String(3))
    location_place: Mapped[str | None] = mapped_column(String(300))
    severity: Mapped[int | None] = mapped_column(SmallInteger)

    # What `q=` searches (names folded in), maintained by the ingest; SQLite indexes it with
    # FTS5 and PostgreSQL with a GIN tsvector index (see the add_full_text_search migration).
    search_text: Mapped[str] = mapped_column(Text, default="")

    participants: Mapped[list[IncidentParticipant]] = relationship(
        back_populates="incident",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="IncidentParticipant.position",
    )
    sources: Mapped[list[Source]] = relationship(
        secondary="incident_source", lazy="raise", order_by="Source.id"
    )
    evidence: Mapped[list[IncidentEvidence]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="IncidentEvidence.position"
    )


class IncidentParticipant(Base):
    __tablename__ = "incident_participant"
    __table_args__ = (
        Index("ix_incident_participant_actor_id", "actor_id", "incident_id"),
        # An actor's incidents in date order, each entry a page's sort key: a page of them
        # reads a few entries per actor instead of every incident the actor took part in.
        Index("ix_incident_participant_actor_dates", "actor_id", "date_start", "incident_id"),
    )

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actor.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[ParticipantRole] = mapped_column(
        Enum(ParticipantRole, native_enum=False, length=20, validate_strings=True)
    )
    # Keeps the curated order (initiator first, as written) stable in the JSON.
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    # The incident's date_start, copied so the actor index above holds each actor's incidents
    # in the lists' order; incidents.writes keeps it equal to the incident's on every write.
    date_start: Mapped[date]

    incident: Mapped[Incident] = relationship(back_populates="participants", lazy="raise")
    actor: Mapped[Actor] = relationship(lazy="raise")


class IncidentSource(Base):
    __tablename__ = "incident_source"
    __table_args__ = (Index("ix_incident_source_source_id", "source_id", "incident_id"),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
    )


class IncidentEvidence(Base):
    """Words of a source that back a curated incident (see app/incidents/evidence.py)."""

    __tablename__ = "incident_evidence"
    __table_args__ = (Index("ix_incident_evidence_source_id", "source_id", "start"),)

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    start: Mapped[int]  # invariant: source.text[start:end] == text
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(lazy="raise")


class IncidentMonth(Base):
    """How many incidents start in each month, per type: kept by database triggers on the
    incident table (migration 0018), so every write path (ingest, --prune, deletion, the
    generator) keeps it exact in its own transaction.

    A window's year, month and type facets add up these rows for the months wholly inside it
    and count only its edge months from the incidents: grouping a million index entries by
    year took 0.3 s of CPU at 1M (profiled). `longest_days` bounds the longest incident
    (date_end - date_start) starting that month: raised by every insert or update, never
    lowered while the row lives (a row goes with its last incident), so it may exceed the
    longest remaining after a deletion (only a walk's lower bound is taken from it; see
    `IncidentRepository.longest_span_days`).
    """

    __tablename__ = "incident_month"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM of date_start
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    incidents: Mapped[int]
    longest_days: Mapped[int]


class IncidentMonthCountry(Base):
    """How many incidents start in each month, per country ('' for none: a primary key holds
    no NULL), kept by the same triggers as IncidentMonth (migration 0018): a window's country
    facet, and its year and month facets under a country, add up whole months from here."""

    __tablename__ = "incident_month_country"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM of date_start
    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    incidents: Mapped[int]
