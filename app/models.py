"""Imports every model so Base.metadata is complete (Alembic autogenerate, alembic check)."""

from app.actors.models import Actor, ActorAlias
from app.changes.models import Change, DataVersion
from app.db.base import Base
from app.db.meta import DatasetMeta
from app.db.postings import (
    SearchPosting,
    SearchPostingDirty,
    SearchPostingStream,
    SearchPostingTable,
    SearchPostingTerm,
)
from app.incidents.models import Incident, IncidentParticipant, IncidentSource
from app.sources.models import Mention, Source
from app.statements.models import Statement

__all__ = [
    "Actor",
    "ActorAlias",
    "Base",
    "Change",
    "DataVersion",
    "DatasetMeta",
    "Incident",
    "IncidentParticipant",
    "IncidentSource",
    "Mention",
    "SearchPosting",
    "SearchPostingDirty",
    "SearchPostingStream",
    "SearchPostingTable",
    "SearchPostingTerm",
    "Source",
    "Statement",
]
