"""Bytes to text: UTF-8 by default, a byte-order mark's encoding, or the one the user names."""

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

from app.errors import Problem

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def is_known_encoding(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def bom_encoding(raw: bytes) -> str | None:
    """The encoding a byte-order mark announces, or None."""
    for mark, encoding in _BOMS:
        if raw.startswith(mark):
            return encoding
    return None


def decode(path: Path, raw: bytes, encoding: str | None = None) -> tuple[str | None, list[Problem]]:
    """The text of `raw`, or the one problem that stops it being read as text."""
    named = encoding or bom_encoding(raw)
    if named is None or named == "utf-8-sig":
        return _decode_utf8(path, raw)
    try:
        text = raw.decode(named)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        reason = f"not valid {named} (byte 0x{bad} at offset {exc.start})"
        return None, [Problem(path, line, reason)]
    # The BOM is an encoding mark, not content; offsets count from the first real character.
    text = text.removeprefix("\ufeff")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        return None, [Problem(path, line, f"binary file (NUL character); expected {named} text")]
    return text, []


def _decode_utf8(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return None, [Problem(path, line, "binary file (NUL byte); expected UTF-8 text")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        reason = f"not valid UTF-8 (byte 0x{bad} at offset {exc.start})"
        guess = likely_encoding(raw)
        if guess is not None:
            reason += f"; it looks like {guess}: read it with --encoding {guess}"
        else:
            reason += "; name its encoding with --encoding NAME"
        return None, [Problem(path, line, reason)]
    # The BOM is an encoding mark, not content; offsets count from the first real character.
    return text.removeprefix("\ufeff"), []


def likely_encoding(raw: bytes) -> str | None:
    """charset-normalizer's best guess at a legacy encoding, as a Python codec name."""
    best = from_bytes(raw).best()
    if best is None or best.encoding in ("utf_8", "ascii"):
        return None
    return str(best.encoding)
