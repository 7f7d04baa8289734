"""Opaque, tamper-evident keyset cursors: the sort key's value and id, signed, per list."""

import base64
import hashlib
import hmac
import json
from typing import Any

from app.errors import InvalidParameter

# Cursors are signed so a tampered or foreign cursor is refused (422) instead of silently
# walking from the wrong place. This is integrity, not secrecy: the key need not be secret.
_CURSOR_KEY = b"incidentdb-cursor-v1"


def encode_cursor(payload: list[Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    mac = hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(raw + mac).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> list[Any]:
    problem = InvalidParameter("cursor", "not a cursor this list issued; start again without it")
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise problem from None
    raw, mac = blob[:-12], blob[-12:]
    if len(blob) <= 12 or not hmac.compare_digest(
        mac, hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:12]
    ):
        raise problem
    try:
        payload = json.loads(raw)
    except ValueError:
        raise problem from None
    if not isinstance(payload, list) or len(payload) != 3 or payload[0] != scope:
        # A valid cursor from another list or another sort order.
        raise InvalidParameter("cursor", "this cursor belongs to a different list or sort order")
    return payload
