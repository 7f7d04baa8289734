from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.actors import builtin
from app.actors.models import Actor, AliasKind
from app.actors.repository import ActorRepository, actor_ref_items, aliases_of
from app.actors.schemas import ActorFilters, actor_item
from app.db.versions import KeptPerDataVersion
from app.errors import InvalidParameter, NotFound
from app.kit.counting import CountLimits
from app.kit.names import as_id, match_key
from app.kit.pagination import SortKey, Window, paginate, stream
from app.settings import Settings

# Close transliterations (Kenani / Kanani) score above this; different names (Iran / Iraq) don't.
FUZZY_CUTOFF = 88


SORT_KEY = SortKey(Actor.name, descending=False)


def filtered_query(session: Session, f: ActorFilters) -> Select[Actor]:
    return ActorRepository(session).filtered(f)


def iter_actors(session: Session, stmt: Select[Actor]) -> Iterator[Actor]:
    """Every actor `stmt` selects, by name, a batch at a time."""
    return stream(session, stmt, key=SORT_KEY, id_column=Actor.id)


def list_actors(
    session: Session, f: ActorFilters, settings: Settings, *, rows: bool = False
) -> Window[Any]:
    """A page of actors; `rows`: its items plain rows (see `list_items`), not ORM objects."""
    stmt = ActorRepository(session).filtered(f, rows=rows)
    return paginate(
        session,
        stmt,
        scope="actors:name",
        key=SORT_KEY,
        id_column=Actor.id,
        cursor=f.cursor,
        limit=f.limit,
        limits=CountLimits.of(settings),
        count_mode=f.count,
    )


# Actor id -> its list item (ActorRead's JSON shape), per database and data version. An
# actor's item is the same on every page that lists it; building it took ORM objects for the
# actor, its affiliation and each alias, and a model validated: 3.1 ms of CPU above the SQL
# for a page of 50 at 1M (profiled).
_KEPT_ITEMS: KeptPerDataVersion[dict[int, dict[str, Any]]] = KeptPerDataVersion(16)


def list_items(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The list items of a page of plain rows (`list_actors(rows=True)`), in its order; those
    not kept yet are built from one read of their aliases. The items are shared by every page
    that shows them, never changed."""
    kept = _KEPT_ITEMS.get(session, "actor items", dict)
    missing = [row for row in rows if row.id not in kept]
    if missing:
        aliases: dict[int, dict[AliasKind, list[str]]] = defaultdict(lambda: defaultdict(list))
        for actor_id, kind, alias in aliases_of(session, sorted({row.id for row in missing})):
            aliases[actor_id][AliasKind(kind)].append(alias)
        affiliations = actor_ref_items(
            session, {row.affiliation_id for row in missing if row.affiliation_id is not None}
        )
        for row in missing:
            affiliation = affiliations[row.affiliation_id] if row.affiliation_id else None
            kept[row.id] = actor_item(row, aliases.get(row.id, {}), affiliation)
    return [kept[row.id] for row in rows]


def get_actor(session: Session, key: str) -> Actor:
    actor = ActorRepository(session).by_id_or_slug(key)
    if actor is None:
        raise NotFound("actor", key)
    return actor


def affiliation_chain(session: Session, actor: Actor) -> list[Actor]:
    """Whom `actor` belongs to, nearest first: a spokesman's ministry, then its state."""
    return ActorRepository(session).affiliations_of(actor)


def resolve(session: Session, value: str, parameter: str) -> set[int]:
    """The actors a user's words name: id, slug, name or alias, case- and accent-insensitive."""
    repo = ActorRepository(session)
    value = value.strip()
    if (actor_id := as_id(value)) is not None and (ids := repo.ids_by_id(actor_id)):
        return ids
    if ids := repo.ids_by_slug(value.lower()):
        return ids
    key = match_key(value)
    if not key:
        raise InvalidParameter(parameter, f"{value!r} does not name an actor")
    if ids := repo.ids_by_key(key):
        return ids
    if " " not in key and (ids := repo.person_ids_by_surname(key)):
        return ids
    keys = repo.all_keys()
    best = process.extractOne(
        key, [k for k, _ in keys], scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
    )
    if best is not None:
        matched = best[0]
        return {actor_id for k, actor_id in keys if k == matched}
    if key in builtin.keys():
        return set()  # a state every database knows, that this one's data never mentions
    raise InvalidParameter(parameter, f"no actor matches {value!r}")


# The user's words -> the actors they name, with their members, per database and data
# version. Every list request with actor= or speaker= resolved its names again: two to five
# queries (a slug, a key, the members' recursive walk) for an answer that only an ingest
# changes.
_RESOLVED: KeptPerDataVersion[frozenset[int]] = KeptPerDataVersion(10_000)


def resolve_with_members(session: Session, value: str, parameter: str) -> set[int]:
    """As `resolve`, plus every official and body affiliated to the named actors.

    The contract says a state matches its own officials and bodies, so "Iran" resolves to
    Iran, its foreign ministry, and the ministry's spokesman. Kept per data version (names
    that match nothing are not: they raise every time).
    """

    def resolved() -> frozenset[int]:
        return frozenset(ActorRepository(session).with_members(resolve(session, value, parameter)))

    return set(_RESOLVED.get(session, value, resolved))
