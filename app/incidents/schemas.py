from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.actors.schemas import ActorRef
from app.api.common import HIGHLIGHTS_DESCRIPTION, SCORE_DESCRIPTION, Highlight
from app.api.params import CountryCode, DateWindow, ListFilters, Name, SearchSort, SearchText
from app.incidents.models import DatePrecision, ParticipantRole
from app.incidents.vocabulary import INCIDENT_TYPES
from app.sources.schemas import SourceRead
from app.statements.schemas import StatementRead


class Location(BaseModel):
    country: str | None = Field(description="ISO 3166-1 alpha-3.", examples=["IRN"])
    place: str | None = Field(examples=["Tehran"])


class Participant(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    actor: ActorRef
    role: ParticipantRole = Field(description="`initiator`, `target`, `mediator` or `participant`.")


class IncidentRead(BaseModel):
    """Something that happened between actors, with its sources."""

    id: int = Field(examples=[3])
    slug: str = Field(description="Stable identifier.", examples=["tehran-embassy-attack-2023"])
    title: str
    summary: str
    type: str = Field(description="Incident type; see /incidents/types.", examples=["attack"])
    cameo_code: str = Field(
        description="CAMEO root code of the type (GDELT, ICEWS).", examples=["18"]
    )
    plover_type: str = Field(description="PLOVER event type (POLECAT).", examples=["ASSAULT"])
    date_start: date
    date_end: date = Field(description="Last day; equal to date_start for a single day.")
    date_precision: DatePrecision = Field(description="How precisely the date is known.")
    location: Location
    severity: int | None = Field(description="1 (routine diplomacy) to 5 (lethal violence).")
    participants: list[Participant]
    source_ids: list[int]
    snippet: str | None = Field(default=None, description="With `q`: matching words, highlighted.")
    score: float | None = Field(default=None, description=SCORE_DESCRIPTION)
    highlights: list[Highlight] | None = Field(default=None, description=HIGHLIGHTS_DESCRIPTION)


class IncidentDetail(IncidentRead):
    sources: list[SourceRead]
    statements: list[StatementRead]


class IncidentType(BaseModel):
    name: str = Field(examples=["attack"])
    cameo_root: str = Field(examples=["18"])
    cameo_label: str = Field(examples=["Assault"])
    plover: str = Field(examples=["ASSAULT"])
    description: str


class IncidentFilters(SearchSort, ListFilters, DateWindow):
    actor: list[Name] = Field(
        default_factory=list,
        description=(
            "Participant by name, alias, slug or id (case- and accent-insensitive). Repeat it: "
            "every named actor must take part. A state matches its own officials and bodies."
        ),
        examples=[["Iran", "Azerbaijan"]],
    )
    type: list[Annotated[str, Field(json_schema_extra={"enum": list(INCIDENT_TYPES)})]] = Field(
        default_factory=list,
        description="Incident type; repeat for any of several. See /incidents/types.",
        examples=[["attack"]],
    )
    country: CountryCode | None = Field(
        None, description="Where it happened: ISO 3166-1 alpha-3, e.g. IRN."
    )
    q: SearchText | None = Field(
        None, description="Full-text search in title, summary and participants' names."
    )
    sort: Literal["date", "-date", "relevance"] | None = Field(
        None,
        description=(
            "`date` (oldest first), `-date` (newest first) or `relevance` (best match first, "
            "needs `q`); ties by id. Default: `relevance` with `q`, else `-date`."
        ),
    )
    facet: list[Literal["type", "actor", "country", "year", "month"]] = Field(
        default_factory=list,
        description=(
            "Counts per value over the whole filtered set, e.g. `facet=actor` for the actors "
            "that take part most often. Repeatable."
        ),
    )
    format: Literal["json", "csv", "ndjson", "events"] | None = Field(  # type: ignore[assignment]
        None,
        description=(
            "`json` (one page), or the whole filtered set streamed as `csv`, `ndjson` or "
            "`events` (CSV in GDELT/POLECAT-style columns: actor codes, CAMEO root code, "
            "PLOVER type, source URLs). Also chosen by the Accept header."
        ),
    )

    @field_validator("type")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in INCIDENT_TYPES]
        if unknown:
            raise ValueError(f"unknown type {unknown[0]!r}; one of: {', '.join(INCIDENT_TYPES)}")
        return value
