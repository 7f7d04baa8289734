"""The states every database knows without curation (app/actors/data/states.yaml).

Only the states a corpus refers to (a mention, a speaker's affiliation, a participant) are
stored as actors; the others are known to the extraction and to `resolve` all the same, so
`/actors` lists what the data is about rather than every country on earth. The data file is
generated once by scripts/generate_states.py from pycountry, countryinfo and
country-converter; reading a YAML file keeps those packages and their start-up cost out of
the ingest. A curated state (same slug, or same ISO 3166-1 alpha-3 code) always wins.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from sqlalchemy.orm import Session

from app.actors.models import Actor, ActorKind, ActorOrigin, AliasKind
from app.actors.writes import Names, sync_aliases
from app.kit.names import match_key
from app.kit.writes import assign


@dataclass(frozen=True)
class BuiltinState:
    slug: str
    name: str
    country: str  # ISO 3166-1 alpha-3 (XKX for Kosovo)
    aliases: tuple[str, ...]
    demonyms: tuple[str, ...]
    metonyms: tuple[str, ...]

    def names(self) -> Names:
        return {
            AliasKind.name: [self.name],
            AliasKind.alias: list(self.aliases),
            AliasKind.demonym: list(self.demonyms),
            AliasKind.metonym: list(self.metonyms),
        }


@cache
def _data() -> bytes:
    return (resources.files("app.actors") / "data" / "states.yaml").read_bytes()


@cache
def states() -> tuple[BuiltinState, ...]:
    """Every built-in state, in the data file's order."""
    return tuple(
        BuiltinState(
            slug=row["slug"],
            name=row["name"],
            country=row["country"],
            aliases=tuple(row.get("aliases") or ()),
            demonyms=tuple(row.get("demonyms") or ()),
            metonyms=tuple(row.get("metonyms") or ()),
        )
        # libyaml's loader: the pure-Python one takes ~0.5 s over ~200 states, every ingest.
        for row in yaml.load(_data(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    )


def digest() -> str:
    """A short hash of the data file: when it changes, stored extractions are stale."""
    return hashlib.sha256(_data()).hexdigest()[:8]


@cache
def keys() -> frozenset[str]:
    """The folded names, aliases and demonyms of every built-in state."""
    return frozenset(
        match_key(name)
        for state in states()
        for name in (state.name, *state.aliases, *state.demonyms)
    )


def uncurated(actors: Iterable[Actor]) -> dict[str, BuiltinState]:
    """The built-in states no curated actor stands for (same slug or ISO code), by slug."""
    curated = [a for a in actors if a.origin is ActorOrigin.curated]
    taken_slugs = {a.slug for a in curated}
    taken_countries = {a.country for a in curated if a.kind is ActorKind.state and a.country}
    return {
        s.slug: s
        for s in states()
        if s.slug not in taken_slugs and s.country not in taken_countries
    }


def upsert_state(session: Session, actors: dict[str, Actor], state: BuiltinState) -> int:
    """Store (or refresh) a built-in state as an actor (added to `actors`); how many changes."""
    changes = 0
    actor = actors.get(state.slug)
    if actor is None:
        actor = Actor(slug=state.slug, aliases=[], affiliation=None)
        session.add(actor)
        actors[state.slug] = actor
        changes += 1
    changes += assign(
        actor,
        {
            "name": state.name,
            "kind": ActorKind.state,
            "country": state.country,
            "title": None,
            "origin": ActorOrigin.builtin,
        },
    )
    changes += sync_aliases(actor, state.names())
    return changes
