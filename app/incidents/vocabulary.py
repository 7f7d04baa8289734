"""The incident type vocabulary and how it lines up with CAMEO and PLOVER.

CAMEO root codes are what GDELT and ICEWS code events with; PLOVER is the event ontology of
POLECAT. Keeping both lets an analyst join incidentdb rows with those datasets.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class IncidentType:
    name: str
    cameo_root: str
    cameo_label: str
    plover: str
    description: str


INCIDENT_TYPES: dict[str, IncidentType] = {
    t.name: t
    for t in (
        IncidentType("appeal", "02", "Appeal", "REQUEST", "calls, requests, invitations"),
        IncidentType(
            "pledge",
            "03",
            "Express intent to cooperate",
            "COOPERATE",
            "expressed intent to cooperate or to resolve an issue",
        ),
        IncidentType(
            "consultation", "04", "Consult", "CONSULT", "meetings, visits, phone calls, talks"
        ),
        IncidentType(
            "mediation", "04", "Consult", "CONSULT", "a third party's offer or act of mediation"
        ),
        IncidentType(
            "support",
            "05",
            "Engage in diplomatic cooperation",
            "SUPPORT",
            "praise, endorsement, verbal defence, pledges of support",
        ),
        IncidentType(
            "agreement",
            "05",
            "Engage in diplomatic cooperation",
            "AGREE",
            "signed or announced agreements",
        ),
        IncidentType(
            "accusation",
            "11",
            "Disapprove",
            "ACCUSE",
            "accusations, criticism, condemnation, summoning envoys",
        ),
        IncidentType(
            "rejection", "12", "Reject", "REJECT", "rebuttals, denials, rejected proposals"
        ),
        IncidentType("threat", "13", "Threaten", "THREATEN", "threats and warnings"),
        IncidentType("protest", "14", "Protest", "PROTEST", "street demonstrations"),
        IncidentType(
            "exercise",
            "15",
            "Exhibit force posture",
            "MOBILIZE",
            "military drills and shows of force",
        ),
        IncidentType(
            "reduce_relations",
            "16",
            "Reduce relations",
            "SANCTION",
            "embassy closures or suspensions, expulsions, recalls",
        ),
        IncidentType("arrest", "17", "Coerce", "COERCE", "arrests, detentions, spy-network busts"),
        IncidentType("attack", "18", "Assault", "ASSAULT", "armed attacks"),
    )
}
