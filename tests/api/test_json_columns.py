"""JSON columns are parsed by pydantic-core (app/db/session.py loads_json) into exactly what
json.loads gives: the same values of the same types, whatever the document."""

import json
import math
import random
import struct
from typing import Any

from sqlalchemy import text

from app.db.session import create_db_engine, loads_json
from app.settings import Settings

EDGES = [
    "-0",
    "-0.0",
    "1e400",
    "-1e400",
    "1e-400",
    "NaN",
    "Infinity",
    "-Infinity",
    "123456789012345678901234567890",
    "-9223372036854775809",
    "18446744073709551616",
    "9007199254740993",
    "12345678901234567890.5",
    "5e-324",
    "1.7976931348623157e308",
    '{"a": 1, "a": 2}',
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    '"\\u0000x"',
    " [1, 2.5, true, false, null] ",
    '{"": {"b": [[], {}]}}',
    "[" * 300 + "]" * 300,
]


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (NaN equal to NaN, -0.0 not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _random_value(draw: random.Random, depth: int = 0) -> Any:
    kind = draw.randrange(7 if depth < 4 else 5)
    if kind == 0:
        return struct.unpack("<d", draw.getrandbits(64).to_bytes(8, "little"))[0]
    if kind == 1:
        return draw.choice([-1, 1]) * draw.getrandbits(draw.choice([8, 53, 64, 70, 130]))
    if kind == 2:
        return "".join(
            chr(
                draw.choice(
                    [
                        draw.randrange(32, 127),
                        draw.randrange(0x80, 0x2FFF),
                        draw.randrange(0x10000, 0x10FFFF),
                        draw.randrange(0, 32),
                    ]
                )
            )
            for _ in range(draw.randrange(12))
        )
    if kind == 3:
        return draw.choice([True, False, None])
    if kind == 4:
        return draw.random() * 10 ** draw.randrange(-30, 30)
    if kind == 5:
        return [_random_value(draw, depth + 1) for _ in range(draw.randrange(5))]
    return {
        f"k{draw.randrange(9)}": _random_value(draw, depth + 1) for _ in range(draw.randrange(5))
    }


def test_the_values_json_loads_gives() -> None:
    documents = list(EDGES)
    draw = random.Random(17)
    for _ in range(20_000):
        value = _random_value(draw)
        documents.append(json.dumps(value, ensure_ascii=draw.random() < 0.5))
    for document in documents:
        for given in (document, document.encode("utf-8", "surrogatepass")):
            assert _same(loads_json(given), json.loads(given)), document


def test_an_engine_reads_json_columns_with_it(shared_seeded_url: str) -> None:
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    assert engine.dialect._json_deserializer is loads_json  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    engine.dispose()
