"""How names are compared everywhere: case-, accent- and punctuation-insensitive."""

import re

from unidecode import unidecode

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Ids are `integer` columns (32 bits on PostgreSQL). str.isdigit() also accepts '¹', which int()
# refuses, and a larger number fails to bind (SQLite) or to cast (PostgreSQL): all were 500s.
MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")


def as_id(key: str) -> int | None:
    """`key` as a row id when it is written as one, else None (it is a slug or a name)."""
    if _ID.fullmatch(key) is None or int(key) > MAX_ID:
        return None
    return int(key)


def match_key(name: str) -> str:
    """The folded form two spellings share: 'Pezeşkian' and 'PEZESHKIAN' -> 'pezeshkian'."""
    # unidecode maps ş -> s, so Pezeşkian folds to 'pezeskian'; Turkish/Azerbaijani ş is
    # usually transliterated 'sh', so fold it explicitly first.
    name = name.replace("ş", "sh").replace("Ş", "Sh").replace("ç", "ch").replace("Ç", "Ch")
    return _NON_WORD.sub(" ", unidecode(name).lower()).strip()
