"""Integer array parameters go to PostgreSQL as the array's text form (app/db/arrays.py): a
page's ids for its links, an actor's ids, a search's candidates. The pages must be what they
were, and every such parameter must be sent as text that PostgreSQL reads as the same array."""

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import event

from app.db.arrays import array_text
from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient

_ARRAY_TEXT = re.compile(r"\{(-?\d+(,-?\d+)*)?\}")


def test_the_text_form_of_an_integer_array() -> None:
    assert array_text([3, 1, 2]) == "{3,1,2}"
    assert array_text([]) == "{}"
    assert array_text(None) is None
    # numpy's integers (kept id vectors) are written as the integers they stand for.
    assert array_text(np.array([7, 9], dtype=np.int64)) == "{7,9}"
    assert array_text(range(-1, 2)) == "{-1,0,1}"
    # Whatever orjson writes other than integers is written as the integers they stand for.
    assert array_text([np.int32(4), True, 5.0, -6]) == "{4,1,5,-6}"
    assert array_text((1, 2**70)) == "{1,1180591620717411303424}"
    assert array_text(np.array([[1, 2]])[0]) == "{1,2}"
    with pytest.raises(TypeError):  # not a flat list of integers
        array_text([[1, 2]])


def _array_parameters(app: Any) -> list[tuple[str, Any]]:
    """(SQL, value) of every parameter the app's statements cast to INTEGER[], as sent."""
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if not isinstance(parameters, dict):
            return
        for name, value in parameters.items():
            if f"%({name})s::INTEGER[]" in sql:
                sent.append((sql, value))

    event.listen(app.state.engine, "before_cursor_execute", seen)
    return sent


def test_ids_are_sent_as_array_text_and_pages_are_unchanged(
    pg_seeded_url: str, tmp_path: Path
) -> None:
    app = create_app(Settings(database_url=pg_seeded_url))
    sent = _array_parameters(app)
    with AppClient(app) as client:
        page = client.get("/incidents?limit=3")
        assert page.status_code == 200
        items = page.json()["items"]
        assert len(items) == 3 and all(item["participants"] for item in items)
        links = [value for sql, value in sent if "incident_participant" in sql]
        assert links, "the page's links are read with its ids as one array parameter"
        assert all(isinstance(value, str) and _ARRAY_TEXT.fullmatch(value) for value in links)
        assert sorted(int(i) for i in links[-1].strip("{}").split(",")) == sorted(
            item["id"] for item in items
        )
        # Every other kind of page that sends an id array: each one's value is the text form.
        for path in (
            "/incidents?actor=Iran&limit=2",
            "/incidents?q=embassy&limit=2",
            "/statements?speaker=Iran&limit=2",
            "/statements?facet=speaker&limit=2",
        ):
            assert client.get(path).status_code == 200, path
        assert len(sent) > len(links)
        assert all(isinstance(value, str) and _ARRAY_TEXT.fullmatch(value) for _, value in sent)
