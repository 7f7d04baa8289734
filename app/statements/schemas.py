from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.actors.schemas import ActorRef
from app.api.params import DateWindow, ListFilters, Name, SearchText


class StatementRead(BaseModel):
    """A direct quotation and who said it; `text` is exactly `source.text[start:end]`."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[7])
    text: str = Field(
        description="The quoted words, exactly as in the source.",
        examples=["the expansion of relations between the two countries is very valuable to us."],
    )
    speaker: ActorRef | None = Field(description="Who said it, when attributed.")
    speaker_text: str | None = Field(
        description="The words the source uses for the speaker.", examples=["Pezeşkian"]
    )
    source_id: int = Field(examples=[4])
    incident_id: int | None = Field(description="The incident the words belong to, if known.")
    said_on: date | None = Field(description="When the words were said.", examples=["2024-10-14"])
    start: int = Field(description="Character offset of `text` in the source's text.")
    end: int = Field(description="Character offset just past `text` in the source's text.")
    snippet: str | None = Field(
        default=None, description="With `q`: the matching words, highlighted with <mark>."
    )


class StatementFilters(ListFilters, DateWindow):
    speaker: list[Name] = Field(
        default_factory=list,
        description=(
            "Speaker by name, alias, slug or id (case- and accent-insensitive); a state "
            "matches its officials' and bodies' statements. Repeat to accept any of several."
        ),
        examples=[["Iran"]],
    )
    source: Name | None = Field(None, description="Source id or slug.")
    incident: Name | None = Field(None, description="Incident id or slug.")
    q: SearchText | None = Field(
        None, description="Full-text search in the quoted words and speaker."
    )
