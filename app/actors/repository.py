from collections.abc import Iterable
from typing import Any

import pydantic_core
from sqlalchemy import Result, Select, TextClause, bindparam, func, literal, select, text
from sqlalchemy.orm import Session, selectinload

from app.actors.models import Actor, ActorAlias, ActorKind
from app.actors.schemas import ActorFilters
from app.db.arrays import IntegerArray
from app.db.versions import KeptPerDataVersion
from app.kit import search
from app.kit.names import as_id

# An affiliation chain is a spokesman, a ministry, a state: the bound only stops a cycle.
MAX_AFFILIATION_DEPTH = 16

# Some actors' rows, raw, by id. The ids are one parameter (a JSON array on SQLite, an array
# on PostgreSQL), so the SQL is the same for every page: an expanding IN is rendered and
# executed through SQLAlchemy's whole path each time (a statements page under a speaker spent
# a sixth of its CPU on it, profiled at 1M).
_BY_IDS_SQLITE = " IN (SELECT value FROM json_each(:ids))"
_BY_IDS_POSTGRESQL = " = ANY(:ids)"


def _for_ids(sql: str) -> dict[str, TextClause]:
    """`sql`, whose `{ids}` is `column IN :ids`, as each database writes it best."""
    return {
        "sqlite": text(sql.format(ids=_BY_IDS_SQLITE)),
        "postgresql": text(sql.format(ids=_BY_IDS_POSTGRESQL)).bindparams(
            bindparam("ids", type_=IntegerArray())
        ),
    }


def _execute_for_ids(
    session: Session, statements: dict[str, TextClause], ids: list[int]
) -> Result[*tuple[Any, ...]]:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return connection.execute(
            statements["sqlite"], {"ids": pydantic_core.to_json(ids).decode()}
        )
    return connection.execute(statements["postgresql"], {"ids": ids})


_REFS = _for_ids("SELECT id, slug, name, kind, country FROM actor WHERE id{ids}")
_ALIASES = _for_ids("SELECT actor_id, kind, alias FROM actor_alias WHERE actor_id{ids} ORDER BY id")
# Actor id -> its ActorRef item, one dict per database and data version (`actor_ref_items`).
_KEPT_REFS: KeptPerDataVersion[dict[int, dict[str, Any]]] = KeptPerDataVersion(16)


def actor_ref_items(session: Session, actor_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The ActorRef items (`schemas.actor_ref_item`'s shape) of these actors, by id, kept per
    data version: those not kept yet are read in one statement. An actor shows on many pages
    (a participant, a speaker); the items are shared by every page that shows it, never
    changed. The mapping returned holds at least these actors (ids with no actor are left
    out)."""
    kept = _KEPT_REFS.get(session, "actor refs", dict)
    missing = sorted({i for i in actor_ids if i not in kept})
    if missing:
        for actor_id, slug, name, kind, country in _execute_for_ids(session, _REFS, missing):
            kept[actor_id] = {
                "id": actor_id,
                "slug": slug,
                "name": name,
                "kind": kind,
                "country": country,
            }
    return kept


def aliases_of(session: Session, actor_ids: list[int]) -> Result[int, str, str]:
    """(actor id, alias kind, alias) of these actors, each actor's in the order they were
    added (as `Actor.aliases` lists them)."""
    return _execute_for_ids(session, _ALIASES, actor_ids)


class ActorRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # A list page's columns when its items are plain rows (`filtered(rows=True)`).
    LIST_COLUMNS = (
        Actor.id,
        Actor.slug,
        Actor.name,
        Actor.kind,
        Actor.country,
        Actor.title,
        Actor.origin,
        Actor.affiliation_id,
    )

    def with_details(self) -> Select[Actor]:
        return select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.affiliation))

    def filtered(self, f: ActorFilters, *, rows: bool = False) -> Select[*tuple[Any, ...]]:
        """The filters as one statement of Actor objects with their aliases and affiliation,
        or (`rows`) of plain rows of LIST_COLUMNS."""
        stmt = select(*self.LIST_COLUMNS) if rows else self.with_details()
        if f.kind:
            stmt = stmt.where(Actor.kind == f.kind)
        if f.country:
            stmt = stmt.where(Actor.country == f.country)
        if f.q:
            stmt = stmt.where(search.matches(self.session, Actor, f.q))
        return stmt

    def by_id_or_slug(self, key: str) -> Actor | None:
        stmt = self.with_details().options(selectinload(Actor.members))
        if (actor_id := as_id(key)) is not None:
            return self.session.scalars(stmt.where(Actor.id == actor_id)).first()
        return self.session.scalars(stmt.where(Actor.slug == key)).first()

    def ids_by_slug(self, slug: str) -> set[int]:
        return set(self.session.scalars(select(Actor.id).where(Actor.slug == slug)))

    def ids_by_id(self, actor_id: int) -> set[int]:
        return set(self.session.scalars(select(Actor.id).where(Actor.id == actor_id)))

    def ids_by_key(self, key: str) -> set[int]:
        return set(self.session.scalars(select(ActorAlias.actor_id).where(ActorAlias.key == key)))

    def person_ids_by_surname(self, key: str) -> set[int]:
        stmt = (
            select(ActorAlias.actor_id)
            .join(Actor, Actor.id == ActorAlias.actor_id)
            .where(Actor.kind == ActorKind.person)
            .where(ActorAlias.key.like(literal("% ") + key))
        )
        return set(self.session.scalars(stmt))

    def all_keys(self) -> list[tuple[str, int]]:
        rows = self.session.execute(select(ActorAlias.key, ActorAlias.actor_id))
        return [(key, actor_id) for key, actor_id in rows]

    def with_members(self, ids: set[int]) -> set[int]:
        """`ids` plus every actor affiliated to one of them, at any depth."""
        members = select(Actor.id).where(Actor.id.in_(ids)).cte("members", recursive=True)
        members = members.union(
            select(Actor.id).join(members, Actor.affiliation_id == members.c.id)
        )
        return set(self.session.scalars(select(members.c.id)))

    def affiliations_of(self, actor: Actor) -> list[Actor]:
        """The actors `actor` belongs to, nearest first, in one query: their columns only,
        no aliases or members (a state's hundreds of officials are not needed to name it)."""
        up = (
            select(Actor.affiliation_id.label("id"), literal(1).label("depth"))
            .where(Actor.id == actor.id)
            .cte("up", recursive=True)
        )
        up = up.union(
            select(Actor.affiliation_id, up.c.depth + 1)
            .join(up, Actor.id == up.c.id)
            .where(up.c.depth < MAX_AFFILIATION_DEPTH)
        )
        rows = self.session.scalars(
            select(Actor).join(up, Actor.id == up.c.id).order_by(up.c.depth, Actor.id)
        )
        chain: list[Actor] = []
        seen = {actor.id}
        for found in rows:  # a cycle comes round again one level deeper: stop there
            if found.id not in seen:
                seen.add(found.id)
                chain.append(found)
        return chain

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Actor)) or 0)
