"""The `{key}` of a detail route: an item's id or slug.

A route declares it as `Annotated[str, Path(..., max_length=KEY_LENGTH), NO_NUL]`: a key
with a NUL is refused with a 422, as every query parameter's NUL is (PostgreSQL text cannot
hold one: a lookup by such a key answered 500 there, 404 on SQLite).
"""

from pydantic import AfterValidator

from app.kit.validators import no_nul

KEY_LENGTH = 200  # a longer key is FastAPI's 422
NO_NUL = AfterValidator(no_nul)


def refused_key(key: str) -> bool:
    """Whether FastAPI refuses `key` (see the module's docstring): a direct route leaves it
    FastAPI's 422."""
    return len(key) > KEY_LENGTH or "\x00" in key
