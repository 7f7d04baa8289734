"""When two spellings are the same name: one folding, used by matching and extraction alike.

Case, accents and punctuation do not count. Turkish and Azerbaijani ş and ç are folded the way
English-language sources transliterate them, "sh" and "ch", so the curated aliases Pezeşkian
and Pezeshkian, or Şahin and Shahin, share one key (tests/extraction/test_name_folding.py).
"""

import re
from functools import lru_cache

from unidecode import unidecode

# unidecode spells a few letters of Turkic and other Latin alphabets as punctuation
# ("ə" -> "@"), or as the bare letter where the sources write two ("ş" -> "s"); a name key
# needs the letters the sources use.
_FOLD_OVERRIDES = {
    "ə": "a",
    "Ə": "a",
    "ş": "sh",
    "Ş": "sh",
    "ç": "ch",
    "Ç": "ch",
    "ʼ": "'",
    "ʻ": "'",
    "ʿ": "'",
    "ʾ": "'",
}
_ASCII_LOWER = {ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Ids are `integer` columns (32 bits on PostgreSQL). str.isdigit() also accepts '¹', which int()
# refuses, and a larger number fails to bind (SQLite) or to cast (PostgreSQL): all were 500s.
MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    """One character as lower-case ASCII: a letter (or two), a digit or one punctuation mark."""
    if char.isascii():
        return char.lower()
    if char in _FOLD_OVERRIDES:
        return _FOLD_OVERRIDES[char]
    folded = unidecode(char).lower()
    if len(folded) != 1 and not any(c.isalnum() for c in folded):
        # Punctuation (« — …) folds to one character, so offsets rarely need a map.
        return folded[:1] or " "
    return folded


def fold_table(text: str) -> dict[int, str]:
    """The str.translate table that folds every character of `text`."""
    table: dict[int, str] = dict(_ASCII_LOWER)
    for char in set(text):
        if not char.isascii():
            table[ord(char)] = fold_char(char)
    return table


def fold(text: str) -> str:
    """Lower-case ASCII copy of `text` for matching (Pezeşkian -> pezeshkian)."""
    if text.isascii():
        return text.lower()
    # The same as text.translate(fold_table(text)), five times faster on an article: translate
    # with a table takes its slow path over every character once one is not ASCII, while here
    # only the non-ASCII runs go through Python and the rest is lower-cased in C (fold_char
    # returns lower-case ASCII, which lower() leaves alone).
    return _NON_ASCII.sub(_fold_run, text).lower()


def _fold_run(run: re.Match[str]) -> str:
    return "".join(map(fold_char, run.group()))


def match_key(name: str) -> str:
    """The folded form two spellings share: 'Pezeşkian' and 'PEZESHKIAN' -> 'pezeshkian'."""
    return _NON_WORD.sub(" ", fold(name)).strip()


def as_id(key: str) -> int | None:
    """`key` as a row id when it is written as one, else None (it is a slug or a name)."""
    if _ID.fullmatch(key) is None or int(key) > MAX_ID:
        return None
    return int(key)
