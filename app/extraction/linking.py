"""Linking a statement to the curated incident that its source reports.

Candidates are the incidents whose `sources` include the article and whose participants
include the speaker or one of its ancestors (minister -> ministry -> state). They are
ranked by, in order: how close in the speaker's lineage the participant is (the speaker
itself beats its state), how many of the incident's other participants the statement
names, and the distance in days between said_on and the incident. A tie on all three
means the text does not tell which incident it is: no link rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date

from app.extraction.model import KnownIncident


def link_incident(
    speaker: str | None,
    said_on: date | None,
    incidents: Sequence[KnownIncident],
    source_slug: str | None,
    lineage: Callable[[str], Sequence[str]],
    mentioned: Collection[str] = (),
) -> str | None:
    """The incident of this source that the statement belongs to, or None when unsure."""
    if speaker is None or source_slug is None:
        return None
    chain = list(lineage(speaker))
    ranked: list[tuple[tuple[int, int, int], str]] = []
    for incident in incidents:
        if source_slug not in incident.sources:
            continue
        depths = [chain.index(p) for p in incident.participants if p in chain]
        if not depths:
            continue
        others = [p for p in incident.participants if p not in chain]
        named = sum(1 for p in others if p in mentioned)
        distance = _distance(incident, said_on) if said_on is not None else 0
        ranked.append(((min(depths), -named, distance), incident.slug))
    if not ranked:
        return None
    ranked.sort()
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None
    return ranked[0][1]


def _distance(incident: KnownIncident, day: date) -> int:
    end = incident.date_end or incident.date_start
    if incident.date_start <= day <= end:
        return 0
    return min(abs((incident.date_start - day).days), abs((end - day).days))
