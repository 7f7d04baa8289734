"""Opaque, tamper-evident keyset cursors: the sort key's value and id, signed, per list."""

import base64
import hashlib
import hmac
import json
from contextvars import ContextVar
from typing import Any

from app.errors import InvalidParameter

# Cursors are signed so a tampered or foreign cursor is refused (422) instead of silently
# walking from the wrong place. This is integrity, not secrecy: the key need not be secret.
_CURSOR_KEY = b"incidentdb-cursor-v1"

# With read replicas, the data version of the database serving this request (set by the
# ETag middleware). A cursor carries it so that its next page is never read from a replica
# that has not replayed that version yet, whichever worker the client reaches next.
served_version: ContextVar[int | None] = ContextVar("served_version", default=None)


def encode_cursor(payload: list[Any]) -> str:
    version = served_version.get()
    if version is not None:
        payload = [*payload, version]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    mac = hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(raw + mac).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> list[Any]:
    """[scope, sort key value, id] of a cursor this list issued, else a 422."""
    payload = _verified(cursor)
    if payload is None:
        raise InvalidParameter("cursor", "not a cursor this list issued; start again without it")
    if payload[0] != scope:
        # A valid cursor from another list or another sort order.
        raise InvalidParameter("cursor", "this cursor belongs to a different list or sort order")
    return payload[:3]


def cursor_version(cursor: str) -> int | None:
    """The data version a cursor was issued at (only with read replicas), else None."""
    payload = _verified(cursor)
    if payload is None or len(payload) != 4 or not isinstance(payload[3], int):
        return None
    return payload[3]


def _verified(cursor: str) -> list[Any] | None:
    """The cursor's payload when its signature holds and its shape is a cursor's."""
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        return None
    raw, mac = blob[:-12], blob[-12:]
    if len(blob) <= 12 or not hmac.compare_digest(
        mac, hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:12]
    ):
        return None
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(payload, list) or len(payload) not in (3, 4):
        return None
    return payload
