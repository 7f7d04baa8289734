"""Response pieces every domain's items share (search highlights)."""

from pydantic import BaseModel, Field


class Highlight(BaseModel):
    """Where a search term matched: character offsets into one field of the item."""

    field: str = Field(description="The field the offsets index, e.g. `title` or `text`.")
    start: int
    end: int
    source_start: int | None = Field(
        default=None, description="Statements: the same span as offsets into the source's text."
    )
    source_end: int | None = None


SCORE_DESCRIPTION = "With `q`: relevance score (higher is better; comparable within one list)."
HIGHLIGHTS_DESCRIPTION = "With `q`: character spans of the matching words in the item's fields."
HTML_URL_DESCRIPTION = (
    "The absolute address of this object's HTML page (`/browse/...`), on the host and path "
    "prefix the request was made to."
)
