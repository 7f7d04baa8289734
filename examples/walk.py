"""Walk every page of a filtered incidentdb query with the cursor (Python, httpx).

python examples/walk.py http://localhost:8000 Iran Azerbaijan

PAGE_SIZE (default 100, at most 500) sets how many incidents each request asks for.
"""

import os
import sys
from collections.abc import Iterator
from typing import Any

import httpx


def incidents(base_url: str, actors: list[str]) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {"actor": actors, "limit": int(os.environ.get("PAGE_SIZE", 100))}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while True:
            response = client.get("/incidents", params=params)
            if response.status_code != 200:
                problem = response.json()  # application/problem+json
                raise SystemExit(f"{problem['status']} {problem['title']}: {problem['detail']}")
            page = response.json()
            yield from page["items"]
            if page["next_cursor"] is None:
                return
            params["cursor"] = page["next_cursor"]


if __name__ == "__main__":
    base, *names = sys.argv[1:] or ["http://localhost:8000", "Iran"]
    for incident in incidents(base, names or ["Iran"]):
        print(incident["date_start"], incident["slug"])
