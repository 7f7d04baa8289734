"""The JSON items the pages render: built by the same code that builds the API's responses.

Every conversion the pages need goes through this module, so when item building moves into
the domains (the layering work) only these lines follow it.
"""

from typing import Any

from app.actors.models import Actor
from app.actors.schemas import ActorDetail, ActorRead
from app.api import convert
from app.incidents.models import Incident
from app.incidents.schemas import IncidentDetail, IncidentRead
from app.sources.models import Source
from app.sources.schemas import SourceDetail, SourceRead
from app.sources.service import SourceView
from app.statements.models import Statement
from app.statements.schemas import StatementRead

Hit = convert.Hit
NO_HIT = convert.NO_HIT


def hits(q: str | None, snippets: dict[int, str], scores: dict[int, float]) -> dict[int, Hit]:
    return convert.hits(q, snippets, scores)


def incident_from_row(
    row: Any, participants: list[Any], source_ids: list[int], hit: Hit = NO_HIT
) -> IncidentRead:
    return convert.incident_from_row(row, participants, source_ids, hit)


def incident_detail(incident: Incident, statements: list[Statement]) -> IncidentDetail:
    return convert.incident_detail(incident, statements)


def statement(s: Statement, hit: Hit = NO_HIT) -> StatementRead:
    return convert.statement(s, hit)


def source(s: Source, hit: Hit = NO_HIT) -> SourceRead:
    return convert.source(s, hit)


def source_detail(view: SourceView) -> SourceDetail:
    return convert.source_detail(view)


def actor(a: Actor) -> ActorRead:
    return convert.actor(a)


def actor_detail(a: Actor) -> ActorDetail:
    return convert.actor_detail(a)
