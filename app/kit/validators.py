"""Checks that the API's parameters and the ingest's records share, written once."""

import pycountry


def no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL (an INSERT failed with a trace, a query with a 500);
    # refusing it on input keeps both backends answering alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def country_code(value: str, *, example: str | None = None) -> str:
    """`value` as an upper-case ISO 3166-1 alpha-3 code; ValueError naming it otherwise."""
    code = value.upper()
    if len(code) != 3 or pycountry.countries.get(alpha_3=code) is None:
        hint = f" (e.g. {example})" if example else ""
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 country code{hint}")
    return code
