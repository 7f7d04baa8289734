"""Schema-driven fuzzing: schemathesis walks every operation and parameter of /openapi.json.

Every generated request (documented examples, the coverage phase's boundary and negative
values, random fuzzing, then chained requests that feed ids from one response into the next)
must get a response that matches the documented schema, never a 5xx, errors as
application/problem+json, and nothing internal (traces, SQL, file paths) in any body.
"""

import json
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import create_app
from app.settings import PROJECT_ROOT, Settings

# Per operation and backend; the coverage phase adds its boundary cases on top.
MAX_EXAMPLES = 60
STATEFUL_RUNS = 25
STATEFUL_STEPS = 6

# Schema-valid values the schema cannot judge: whether an actor, source or incident exists,
# whether a cursor was issued by this list, whether a string is a real ISO 3166 code or a
# known incident type (/incidents/types). The contract answers those with a 422 that names
# the parameter; any other 422 on a schema-valid request is a bug.
SEMANTIC_PARAMETERS = {"actor", "speaker", "source", "incident", "cursor", "country", "type"}
# Nor can it say that date_from comes before date_to, or that text parameters may not hold NUL
# (PostgreSQL text cannot, so both backends refuse it alike).
SEMANTIC_REASONS = {
    ("date_to", "date_to is before date_from"),
    ("sort", "relevance needs q (there is nothing to rank by)"),
} | {
    (name, "must not contain NUL characters")
    for name in ("q", "actor", "speaker", "publisher", "key")  # key: a detail's id or slug
}
INTERNALS = (
    "Traceback",
    'File "',
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "SELECT ",
    str(PROJECT_ROOT),
)

# The schema is the app's own /openapi.json; building it opens no database connection.
schema = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same cases on every run: CI failures reproduce locally
)


@pytest.fixture
def fuzz_app(shared_seeded_url: str) -> FastAPI:
    return create_app(Settings(database_url=shared_seeded_url))


def _inputs(case: schemathesis.Case) -> list[str]:
    """Every value the request sent in its path and query, as text."""
    values: list[str] = []
    for given in (case.path_parameters or {}, case.query or {}):
        for value in given.values():
            values += [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return values


def check(case: schemathesis.Case, response: Any) -> None:
    # positive_data_acceptance would call every semantic 422 a failure; we check it below.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
    # A 404 quotes the key it was asked for ("no actor with id or slug 'sqlite3'"): a marker
    # the request itself sent is its echo, not a leak of our internals.
    sent = _inputs(case)
    leaked = [m for m in INTERNALS if m in response.text and not any(m in v for v in sent)]
    assert not leaked, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == ["application/problem+json"], response.text
        body = json.loads(response.text)
        assert {"type", "title", "status", "detail"} <= set(body), body
    if (
        response.status_code == 422
        and case.meta is not None
        and case.meta.generation.mode.is_positive
    ):
        invalid = json.loads(response.text)["invalid_params"]
        unexpected = [
            p
            for p in invalid
            if p["name"] not in SEMANTIC_PARAMETERS
            and (p["name"], p["reason"]) not in SEMANTIC_REASONS
        ]
        assert not unexpected, f"{case.as_curl_command()}\n{response.text}"


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_answers_within_its_schema(
    case: schemathesis.Case, fuzz_app: FastAPI
) -> None:
    check(case, case.call(app=fuzz_app))


def test_chained_requests_answer_within_the_schema(fuzz_app: FastAPI) -> None:
    """Stateful: ids from lists and detail views are fed into the operations that take them."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"app": fuzz_app}

        def validate_response(self, response: Any, case: schemathesis.Case, **_: Any) -> None:
            check(case, response)

    Workflow.run(
        settings=settings(
            FUZZ_SETTINGS, max_examples=STATEFUL_RUNS, stateful_step_count=STATEFUL_STEPS
        )
    )


@pytest.mark.parametrize("path", ["/incidents/{key}", "/actors/{key}", "/sources/{key}"])
def test_a_key_naming_our_driver_is_answered_and_quoted_not_leaked(
    path: str, fuzz_app: FastAPI
) -> None:
    """Hypothesis draws strings from constants in the code it can see, "sqlite3" among them: the
    404 quotes that key back, which is the user's text, not our internals."""
    case = schema[path]["GET"].Case(path_parameters={"key": "sqlite3"})
    response = case.call(app=fuzz_app)
    assert response.status_code == 404 and "'sqlite3'" in response.text
    check(case, response)
