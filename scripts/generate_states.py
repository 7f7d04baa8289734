"""Write app/actors/data/states.yaml, the states every database knows without curation.

Run once when the sources change, and commit the result; the ingest reads only the YAML, so
neither these packages nor their loading time are needed at run time:

    pip install -e '.[states-data]'
    python scripts/generate_states.py

Sources (all from PyPI):
- which states: the 193 UN members (country-converter's `UNmember` column), the two
  observer states (Holy See, Palestine), Kosovo and Taiwan;
- names and codes: pycountry (ISO 3166-1: name, official and common names, alpha-3);
- short names, aliases, demonyms and capitals: countryinfo (altSpellings, demonym, capital),
  with country-converter's short and official names as further aliases.
Kosovo has no ISO 3166-1 entry and no countryinfo file: its few facts are written below.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
import yaml

OUT = Path(__file__).resolve().parent.parent / "app" / "actors" / "data" / "states.yaml"
OBSERVERS_AND_OTHERS = ("VAT", "PSE", "XKX", "TWN")

# The short name English news uses, where the sources' first choice is a long or dated form;
# the slug is made from it, so that curated slugs (turkey, north-macedonia) coincide.
SHORT_NAME = {
    "TUR": "Turkey",
    "MKD": "North Macedonia",
    "FSM": "Micronesia",
    "VAT": "Vatican City",
    "COG": "Republic of the Congo",
    "COD": "Democratic Republic of the Congo",
    "SWZ": "Eswatini",
    "CPV": "Cape Verde",
    "TLS": "East Timor",
    "CIV": "Ivory Coast",
    "GMB": "Gambia",
    "BHS": "Bahamas",
    "PSE": "Palestine",
    "CZE": "Czech Republic",
}
# Filled in where countryinfo leaves a gap or holds a disputed seat of government that would
# make the capital name two states at once.
DEMONYM = {"VAT": "Vatican", "XKX": "Kosovar"}
CAPITAL = {"VAT": "Vatican City", "PSE": "Ramallah", "XKX": "Pristina", "USA": "Washington"}
# Capitals that are also common given names or ordinary words: as a metonym they would turn
# "Victoria said" or "Male officials" into a state.
NOT_METONYMS = {"Victoria", "Male", "Malé", "Kingston", "Saint John's", "Basseterre"}
# Aliases this short are mostly codes or words ("CAN", "US"); a few well-known ones stay.
SHORT_ALIASES_KEPT = {"USA", "UAE", "DRC"}
KOSOVO: dict[str, Any] = {
    "name": "Kosovo",
    "altSpellings": ["Republic of Kosovo", "Kosova"],
}


def _latin(name: str) -> bool:
    return all(ord(c) < 0x250 or not c.isalpha() for c in name)


def _countryinfo_by_code() -> dict[str, dict[str, Any]]:
    by_code: dict[str, dict[str, Any]] = {}
    # Read the package's data files: its lookup API resolves one name at a time.
    files = resources.files("countryinfo") / "data"
    for path in sorted(files.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".json"):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        iso = data.get("ISO") or {}
        code = iso.get("alpha3") if isinstance(iso, dict) else None
        if not code:
            continue
        # Two files for one code (Palestine, Holy See): keep the one that has a demonym.
        if code not in by_code or (data.get("demonym") and not by_code[code].get("demonym")):
            by_code[code] = data
    return by_code


def _slug(name: str) -> str:
    folded = re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")
    return folded


def _capital(code: str, info: dict[str, Any]) -> str | None:
    capital = CAPITAL.get(code) or info.get("capital")
    if isinstance(capital, list):
        capital = capital[0] if capital else None
    if not capital or capital in NOT_METONYMS:
        return None
    return str(capital)


def _state(code: str, info: dict[str, Any], coco: dict[str, dict[str, str]]) -> dict[str, Any]:
    iso = pycountry.countries.get(alpha_3=code)
    row = coco.get(code, {})
    short = SHORT_NAME.get(code) or info.get("name") or row.get("name_short") or code
    candidates: list[str] = []
    if iso is not None:
        candidates += [iso.name, getattr(iso, "common_name", ""), getattr(iso, "official_name", "")]
    candidates += [info.get("name", ""), *info.get("altSpellings", [])]
    candidates += [row.get("name_short", ""), row.get("name_official", "")]
    aliases: list[str] = []
    for alias in candidates:
        alias = (alias or "").strip()
        if not alias or alias == short or alias in aliases or not _latin(alias):
            continue
        if len(alias) <= 3 and alias not in SHORT_ALIASES_KEPT:
            continue
        if "," in alias or "(" in alias:
            continue  # "Korea, Republic of": an index form, never written in prose
        aliases.append(alias)
    demonym = DEMONYM.get(code) or info.get("demonym") or None
    capital = _capital(code, info)
    state: dict[str, Any] = {"slug": _slug(short), "name": short, "country": code}
    state["aliases"] = aliases
    state["demonyms"] = [demonym] if demonym else []
    state["metonyms"] = [capital] if capital and capital != short else []
    return state


def main() -> int:
    # The table itself: the converter's pandas loading breaks on some pandas versions.
    table = resources.files("country_converter") / "country_data.tsv"
    rows = csv.DictReader(table.read_text(encoding="utf-8").splitlines(), delimiter="\t")
    coco = {row["ISO3"]: row for row in rows}
    members = sorted(
        code for code, row in coco.items() if row.get("UNmember") not in ("", "nan", "None")
    )
    info = _countryinfo_by_code()
    info["XKX"] = KOSOVO
    codes = sorted({*members, *OBSERVERS_AND_OTHERS})
    states = [_state(code, info.get(code, {}), coco) for code in codes]
    slugs = [s["slug"] for s in states]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        print(f"duplicate slugs: {sorted(duplicates)}", file=sys.stderr)
        return 1
    header = (
        "# Generated by scripts/generate_states.py from pycountry, countryinfo and\n"
        "# country-converter: do not edit by hand, change the script and run it again.\n"
        f"# {len(states)} states: {len(members)} UN members, the observer states, Kosovo, Taiwan.\n"
    )
    body = yaml.safe_dump(states, allow_unicode=True, sort_keys=False, width=100)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(header + body, encoding="utf-8")
    print(f"wrote {len(states)} states to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
