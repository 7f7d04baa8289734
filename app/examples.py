"""Examples for the OpenAPI document, drawn from the seed data.

`python -m app.examples` ingests seeds/ into a throw-away SQLite database, asks the API
for real objects and writes them to examples.json; the OpenAPI document attaches each to its
schema. A test regenerates them and fails when they drift from the seeds.

An entry point like the CLI, above every layer: it builds the app and runs an ingest, and
nothing in app/ imports it (app/api/openapi.py only reads the JSON it writes).
"""

import json
import sys
import tempfile
from typing import Any

from fastapi.testclient import TestClient

from app.api.openapi import EXAMPLES_FILE
from app.db import migrate
from app.db.session import create_db_engine
from app.ingest import pipeline
from app.main import create_app
from app.settings import Settings, get_settings

_LONG_TEXT = 400  # article texts are trimmed so the document stays readable


def _trim(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _LONG_TEXT:
        return value[:_LONG_TEXT] + "…"
    if isinstance(value, list):
        return [_trim(v) for v in value[:3]]
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items()}
    return value


def generate() -> dict[str, Any]:
    """Real responses from a fresh database holding the seeds, keyed by schema name."""
    settings = get_settings()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/examples.sqlite3"
        migrate.upgrade(url)
        engine = create_db_engine(url, writer=True)
        pipeline.run([settings.seeds_dir], engine, max_article_bytes=settings.max_article_bytes)
        engine.dispose()
        # The address `incidentdb serve` answers on by default: html_url's host in examples.
        app = create_app(Settings(database_url=url))
        with TestClient(app, base_url="http://localhost:8000") as client:
            incident = client.get("/incidents/tehran-embassy-attack-2023").json()
            statement = client.get("/statements", params={"speaker": "Kanani", "limit": 1}).json()
            statement_id = statement["items"][0]["id"]
            source = client.get("/sources/004_ff1c3840c6ee87fa").json()
            actor = client.get("/actors/nasser-kanani").json()
            examples = {
                "IncidentDetail": incident,
                "IncidentRead": client.get(
                    "/incidents", params={"actor": "Iran", "type": "attack", "limit": 1}
                ).json()["items"][0],
                "StatementRead": statement["items"][0],
                "StatementDetail": client.get(f"/statements/{statement_id}").json(),
                "SourceDetail": source,
                "SourceRead": client.get("/sources", params={"limit": 1}).json()["items"][0],
                "ActorDetail": actor,
                "ActorRead": client.get("/actors", params={"q": "Kanani"}).json()["items"][0],
                "VerificationRead": client.get("/sources/004_ff1c3840c6ee87fa/verify").json(),
                "Health": {"status": "ok", "version": "0.1.0", "database": "sqlite"},
            }
    return {name: _trim(example) for name, example in examples.items()}


def main() -> int:
    EXAMPLES_FILE.write_text(
        json.dumps(generate(), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {EXAMPLES_FILE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
