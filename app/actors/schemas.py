from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.actors.models import ActorKind
from app.api.params import CountryCode, DateWindow, ListFilters, Name, SearchText


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
    origin: Literal["curated", "extracted"] = Field(
        description="`curated` by hand, or `extracted`: a speaker found in an article."
    )


class ActorDetail(ActorRead):
    members: list[ActorRef] = Field(description="Actors directly affiliated to this one.")


class ActorFilters(ListFilters):
    q: SearchText | None = Field(None, description="Full-text search in names and aliases.")
    kind: ActorKind | None = Field(None, description="`state`, `person` or `organization`.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-3, e.g. IRN.")


__all__ = ["ActorDetail", "ActorFilters", "ActorRead", "ActorRef", "DateWindow", "Name"]
