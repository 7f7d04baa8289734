"""Writing actors: curated upserts, speakers found by extraction, orphans, search text.

Called by ingest inside its one transaction: these add and flush, never commit.
"""

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session, selectinload

from app.actors.models import Actor, ActorAlias, ActorKind, ActorOrigin, AliasKind
from app.incidents.models import IncidentParticipant
from app.kit.names import match_key
from app.kit.writes import assign
from app.sources.models import Mention
from app.statements.models import Statement

Names = dict[AliasKind, list[str]]


def all_by_slug(session: Session) -> dict[str, Actor]:
    """Every actor, with its aliases and affiliation loaded, by slug."""
    actors = session.scalars(
        select(Actor).options(selectinload(Actor.aliases), selectinload(Actor.affiliation))
    )
    return {a.slug: a for a in actors}


def names_by_kind(actor: Actor) -> Names:
    """The actor's aliases grouped by kind, in stored order."""
    by_kind: Names = {k: [] for k in AliasKind}
    for alias in actor.aliases:
        by_kind[alias.kind].append(alias.alias)
    return by_kind


def upsert_curated(
    session: Session,
    actors: dict[str, Actor],
    slug: str,
    values: Mapping[str, object],
    names: Names,
) -> int:
    """Create or update the curated actor `slug` (added to `actors`); how many changes."""
    changes = 0
    actor = actors.get(slug)
    if actor is None:
        actor = Actor(slug=slug, aliases=[], affiliation=None)
        session.add(actor)
        actors[slug] = actor
        changes += 1
    changes += assign(actor, {**values, "origin": ActorOrigin.curated})
    changes += sync_aliases(actor, names)
    return changes


def sync_aliases(actor: Actor, names: Names) -> bool:
    """Make the actor's aliases exactly `names` (each with its match key)."""
    wanted: dict[tuple[AliasKind, str], str] = {}
    for kind, kind_names in names.items():
        for name in kind_names:
            wanted.setdefault((kind, name), match_key(name))
    have = {(a.kind, a.alias): a for a in actor.aliases}
    # A key folded by an older rule (before ş -> sh) is refreshed, or lookups would miss it.
    refolded = [a for k, a in have.items() if k in wanted and a.key != wanted[k]]
    for alias in refolded:
        alias.key = wanted[(alias.kind, alias.alias)]
    if set(have) == set(wanted):
        return bool(refolded)
    for kind_and_name, alias in have.items():
        if kind_and_name not in wanted:
            actor.aliases.remove(alias)
    for (kind, name), key in wanted.items():
        if (kind, name) not in have:
            actor.aliases.append(ActorAlias(kind=kind, alias=name, key=key))
    return True


def set_affiliation(actor: Actor, parent: Actor | None) -> bool:
    if actor.affiliation is parent:
        return False
    actor.affiliation = parent
    return True


def upsert_extracted(
    session: Session,
    actors: dict[str, Actor],
    slug: str,
    *,
    name: str,
    kind: str,
    country: str | None,
    title: str | None,
    affiliation: str | None,
) -> int:
    """A speaker found in an article; a curated actor with the same slug always wins."""
    actor = actors.get(slug)
    if actor is not None and actor.origin is ActorOrigin.curated:
        return 0
    changes = 0
    if actor is None:
        # affiliation set (even to None) so a later article naming the same new speaker
        # can compare it after the flush instead of tripping lazy="raise".
        actor = Actor(slug=slug, origin=ActorOrigin.extracted, aliases=[], affiliation=None)
        session.add(actor)
        actors[slug] = actor
        changes += 1
    changes += assign(
        actor,
        {
            "name": name,
            "kind": ActorKind(kind),
            "country": country,
            "title": title,
            "affiliation": actors.get(affiliation) if affiliation else None,
        },
    )
    if not actor.aliases:
        actor.aliases.append(ActorAlias(kind=AliasKind.name, alias=name, key=match_key(name)))
    if actor.id is None:
        # The caller needs the new actor's id for the statements it speaks; an actor already
        # stored has one, and flushing for it anyway would cost one flush per article.
        session.flush()
    return changes


def complete_extracted(
    actors: dict[str, Actor],
    actor: Actor,
    *,
    name: str,
    slug: str,
    country: str | None,
    title: str | None,
    affiliation: str | None,
) -> int:
    """Another article's description of an extracted person: fill what is missing, and turn
    a lone surname into the full name (and its slug, when free); never overwrite."""
    values: dict[str, object] = {}
    if len(name.split()) > len(actor.name.split()):
        values["name"] = name
        if slug not in actors:
            del actors[actor.slug]
            actors[slug] = actor
            values["slug"] = slug
    if actor.country is None and country is not None:
        values["country"] = country
    if actor.title is None and title is not None:
        values["title"] = title
    if actor.affiliation is None and affiliation is not None and affiliation in actors:
        values["affiliation"] = actors[affiliation]
    old_name = actor.name
    changes = int(assign(actor, values))
    if "name" in values:
        names = names_by_kind(actor)
        names[AliasKind.name] = [name]
        names[AliasKind.alias].append(old_name)
        changes += sync_aliases(actor, names)
    elif len(name.split()) > 1 and match_key(name) not in {a.key for a in actor.aliases}:
        # Another spelling of the full name (Yousef Demirchi, Yusuf Demirci) finds the actor
        # in the API as a curated alias would.
        actor.aliases.append(ActorAlias(kind=AliasKind.alias, alias=name, key=match_key(name)))
        changes += 1
    return changes


def delete_orphans(session: Session, actors: dict[str, Actor]) -> list[tuple[int, str]]:
    """Drop extracted actors and built-in states nothing refers to any more (their quotes
    were re-attributed, the articles naming them changed); return the (id, slug) of each,
    for the change feed's tombstones."""
    session.flush()
    orphans = select(Actor.id, Actor.slug).where(
        Actor.origin.in_([ActorOrigin.extracted, ActorOrigin.builtin]),
        ~exists().where(Statement.speaker_id == Actor.id),
        ~exists().where(Mention.actor_id == Actor.id),
        ~exists().where(IncidentParticipant.actor_id == Actor.id),
    )
    parents = set(
        session.scalars(select(Actor.affiliation_id).where(Actor.affiliation_id.is_not(None)))
    )
    gone = [(i, slug) for i, slug in session.execute(orphans) if i not in parents]
    ids = [i for i, _ in gone]
    if ids:
        session.execute(delete(Actor).where(Actor.id.in_(ids)))
        for slug in [s for s, a in actors.items() if a.id in ids]:
            del actors[slug]
    return gone


def refresh_search_text(actors: Iterable[Actor], changed_slugs: set[str]) -> None:
    """What `q=` searches for an actor: its name and every alias."""
    for actor in actors:
        if actor.slug in changed_slugs or not actor.search_text:
            names = [actor.name, *(a.alias for a in actor.aliases if a.alias != actor.name)]
            assign(actor, {"search_text": " ".join(names)})


def delete_by_ids(session: Session, ids: list[int]) -> None:
    """Delete actors by id; cascades take their aliases, mentions and participations."""
    for start in range(0, len(ids), 10_000):  # bounded IN lists
        chunk = ids[start : start + 10_000]
        session.execute(delete(Actor).where(Actor.id.in_(chunk)))
