from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.actors.models import Actor, ActorKind, AliasKind
from app.kit.export import CsvShape
from app.kit.params import CountryCode, ListFilters, SearchText
from app.kit.schemas import HTML_URL_DESCRIPTION


class ActorRef(BaseModel):
    """An actor as embedded in other objects."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    slug: str = Field(description="Stable identifier.", examples=["iran"])
    name: str = Field(examples=["Iran"])
    kind: ActorKind = Field(description="`state`, `person` or `organization`.")
    country: str | None = Field(description="ISO 3166-1 alpha-3.", examples=["IRN"])


class Affiliation(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str = Field(examples=["iran-foreign-ministry"])
    name: str = Field(examples=["Ministry of Foreign Affairs of Iran"])


class ActorRead(ActorRef):
    title: str | None = Field(description="Role, for persons.", examples=["Spokesman"])
    aliases: list[str] = Field(description="Other names and spellings.")
    demonyms: list[str] = Field(description="Adjectives that stand for a state (Iranian).")
    metonyms: list[str] = Field(description="Capital-city metonyms (Tehran).")
    affiliation: Affiliation | None = Field(description="The body or state this actor belongs to.")
    origin: Literal["curated", "extracted", "builtin"] = Field(
        description="`curated` by hand, `extracted`: a speaker found in an article, or "
        "`builtin`: a state every database knows (UN members and observers, Kosovo, Taiwan)."
    )


class ActorDetail(ActorRead):
    html_url: str = Field(
        description=HTML_URL_DESCRIPTION, examples=["http://localhost:8000/browse/actors/iran"]
    )
    members: list[ActorRef] = Field(description="Actors directly affiliated to this one.")


class ActorFilters(ListFilters):
    q: SearchText | None = Field(None, description="Full-text search in names and aliases.")
    kind: ActorKind | None = Field(None, description="`state`, `person` or `organization`.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-3, e.g. IRN.")


# -- building items ---------------------------------------------------------------------


def actor_ref(actor: Actor) -> ActorRef:
    return ActorRef(
        id=actor.id, slug=actor.slug, name=actor.name, kind=actor.kind, country=actor.country
    )


def actor_ref_item(row: Any) -> dict[str, Any]:
    """An ActorRef's JSON shape from any row or object with its columns (a list item's part)."""
    return {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "kind": row.kind,
        "country": row.country,
    }


def actor_read(a: Actor) -> ActorRead:
    by_kind: dict[AliasKind, list[str]] = {k: [] for k in AliasKind}
    for alias in a.aliases:
        by_kind[alias.kind].append(alias.alias)
    return ActorRead(
        id=a.id,
        slug=a.slug,
        name=a.name,
        kind=a.kind,
        country=a.country,
        title=a.title,
        aliases=by_kind[AliasKind.alias],
        demonyms=by_kind[AliasKind.demonym],
        metonyms=by_kind[AliasKind.metonym],
        affiliation=Affiliation.model_validate(a.affiliation) if a.affiliation else None,
        origin=a.origin.value,
    )


def actor_item(
    row: Any, aliases: dict[AliasKind, list[str]], affiliation: dict[str, Any] | None
) -> dict[str, Any]:
    """A list item in ActorRead's JSON shape (see app.api.pages.PlainPage) from a row of its
    columns (ActorRepository.LIST_COLUMNS), its aliases by kind and its affiliation's
    ActorRef item."""
    return {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "kind": row.kind.value,
        "country": row.country,
        "title": row.title,
        "aliases": aliases.get(AliasKind.alias, []),
        "demonyms": aliases.get(AliasKind.demonym, []),
        "metonyms": aliases.get(AliasKind.metonym, []),
        "affiliation": affiliation
        and {"id": affiliation["id"], "slug": affiliation["slug"], "name": affiliation["name"]},
        "origin": row.origin.value,
    }


def actor_detail(a: Actor, *, html_url: str) -> ActorDetail:
    return ActorDetail(
        **actor_read(a).model_dump(),
        html_url=html_url,
        members=[actor_ref(m) for m in a.members],
    )


# -- CSV export -------------------------------------------------------------------------

ACTOR_COLUMNS = ["id", "slug", "name", "kind", "country", "title", "aliases", "affiliation_slug"]


def actor_row(item: Any) -> dict[str, Any]:
    row = item.model_dump(mode="json")
    row["aliases"] = ";".join(row["aliases"])
    row["affiliation_slug"] = (row["affiliation"] or {}).get("slug")
    return dict(row)


CSV: CsvShape[ActorRead] = CsvShape("actors", ACTOR_COLUMNS, actor_row)
