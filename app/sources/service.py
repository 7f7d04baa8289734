from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app import search
from app.actors import service as actors_service
from app.actors.models import Actor
from app.api.pagination import SortKey, Window, paginate
from app.errors import NotFound
from app.settings import get_settings
from app.sources.models import Source
from app.sources.repository import SourceRepository
from app.sources.schemas import SourceFilters
from app.statements import service as statements_service
from app.statements.models import Statement


@dataclass(frozen=True)
class SourceListing:
    window: Window[Source]
    snippets: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MentionCount:
    actor: Actor
    spans: list[tuple[int, int]]

    @property
    def count(self) -> int:
        return len(self.spans)


@dataclass(frozen=True)
class SourceView:
    source: Source
    statements: list[Statement]
    mentions: list[MentionCount]


def list_sources(session: Session, f: SourceFilters) -> SourceListing:
    actor_sets = [actors_service.resolve_with_members(session, a, "actor") for a in f.actor]
    stmt = SourceRepository(session).filtered(f, actor_sets)
    window = paginate(
        session,
        stmt,
        scope="sources:-published_on",
        key=SortKey(Source.published_on, descending=True, nullable=True),
        id_column=Source.id,
        cursor=f.cursor,
        limit=f.limit,
        exact_count_threshold=get_settings().exact_count_threshold,
    )
    snippets = search.snippets(session, Source, f.q, [s.id for s in window.items]) if f.q else {}
    return SourceListing(window, snippets)


def get_source(session: Session, key: str) -> SourceView:
    repo = SourceRepository(session)
    source = repo.by_id_or_slug(key)
    if source is None:
        raise NotFound("source", key)
    spans: dict[int, list[tuple[int, int]]] = {}
    actors: dict[int, Actor] = {}
    for actor, start, end in repo.mentions(source.id):
        actors[actor.id] = actor
        spans.setdefault(actor.id, []).append((start, end))
    mentions = sorted(
        (MentionCount(actors[i], s) for i, s in spans.items()),
        key=lambda m: (-m.count, m.actor.name),
    )
    return SourceView(source, statements_service.for_source(session, source.id), mentions)
