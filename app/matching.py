"""How names are compared everywhere: case-, accent- and punctuation-insensitive."""

import re

from unidecode import unidecode

_NON_WORD = re.compile(r"[^a-z0-9]+")


def match_key(name: str) -> str:
    """The folded form two spellings share: 'Pezeşkian' and 'PEZESHKIAN' -> 'pezeshkian'."""
    # unidecode maps ş -> s, so Pezeşkian folds to 'pezeskian'; Turkish/Azerbaijani ş is
    # usually transliterated 'sh', so fold it explicitly first.
    name = name.replace("ş", "sh").replace("Ş", "Sh").replace("ç", "ch").replace("Ç", "Ch")
    return _NON_WORD.sub(" ", unidecode(name).lower()).strip()
