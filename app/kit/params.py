"""Parameter types shared by every list endpoint's filters."""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from app.kit.counting import CountMode
from app.kit.validators import country_code, no_nul

MAX_Q_LENGTH = 500
# How often one query parameter may be repeated: the default of the limit app/api/limits.py
# enforces before routing (Settings.max_repeated_parameter), declared as maxItems so a client
# (or a schema fuzzer) reading /openapi.json knows a 21st `facet` is refused.
MAX_REPEATS = 20
MAX_NAME_LENGTH = 300


def _country(value: str) -> str:
    return country_code(value, example="IRN")


def _iso_day(value: object) -> object:
    # Left to itself pydantic reads `date_to=0` as a Unix timestamp (1970-01-01) and answers
    # 200 with the wrong window; the contract is YYYY-MM-DD only.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form")
    return value


SearchText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_Q_LENGTH),
    AfterValidator(no_nul),
]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(no_nul)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$"), AfterValidator(_country)]
IsoDay = Annotated[date, BeforeValidator(_iso_day)]


class ListFilters(BaseModel):
    """Paging parameters every list shares."""

    # An unknown parameter is an error: `?actr=Iran` must not silently return everything.
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(50, ge=1, le=500, description="Items per page (1-500).")
    count: CountMode = Field(
        CountMode.estimated,
        description=(
            "`estimated` (default): exact while cheap, an estimate above the threshold; "
            "`exact`: always count; `none`: skip counting (total is a lower bound)."
        ),
    )
    format: Literal["json", "csv", "ndjson"] | None = Field(
        None,
        description=(
            "`json` (one page), or the whole filtered set streamed as `csv` or `ndjson`. "
            "Also chosen by the Accept header (text/csv, application/x-ndjson)."
        ),
    )
    cursor: str | None = Field(
        None,
        max_length=1000,
        description="Opaque cursor from the previous page's `next_cursor`.",
    )


class DateWindow(BaseModel):
    date_from: IsoDay | None = Field(
        None, description="Only on or after this day (YYYY-MM-DD).", examples=["2023-01-01"]
    )
    date_to: IsoDay | None = Field(
        None, description="Only on or before this day (YYYY-MM-DD).", examples=["2023-12-31"]
    )

    @field_validator("date_to")
    @classmethod
    def _ordered(cls, value: date | None, info: ValidationInfo) -> date | None:
        # A field validator, not a model one, so the 422 names `date_to` rather than `query`.
        start = info.data.get("date_from")
        if start and value and start > value:
            raise ValueError("date_to is before date_from")
        return value


class SearchSort(BaseModel):
    """`q` and `sort` together: relevance is the default order of a search."""

    q: str | None
    sort: str | None

    @property
    def effective_sort(self) -> str:
        if self.sort is not None:
            return self.sort
        return "relevance" if self.q else "-date"
