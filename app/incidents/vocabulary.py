"""The incident type vocabulary and how it lines up with CAMEO and PLOVER.

CAMEO root codes are what GDELT and ICEWS code events with; PLOVER is the event ontology of
POLECAT. Keeping both lets an analyst join incidentdb rows with those datasets.

Each mapping was checked against the CAMEO 1.1b3 codebook (Schrodt 2012; the cue category and,
in `cameo_codes`, the sub-codes the type covers) and the PLOVER manual's translation table
(openeventdata/PLOVER, "CAMEO to PLOVER translation") with its CAMEO2PLOVER-2021 table.
PLOVER drops CAMEO 01 and 02; where its definitions still cover a type (denials as REJECT, as
the manual's note on 016 suggests; appeals as REQUEST, "all requests, demands, and orders")
that type says so, and `symbolic_act` has no PLOVER type.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class IncidentType:
    name: str
    cameo_root: str
    cameo_label: str
    plover: str | None
    description: str
    cameo_codes: str = ""  # the CAMEO sub-codes the type covers, for curators


INCIDENT_TYPES: dict[str, IncidentType] = {
    t.name: t
    for t in (
        IncidentType(
            "denial",
            "01",
            "Make public statement",
            "REJECT",
            "denials of accusations or charges",
            "016",
        ),
        IncidentType(
            "symbolic_act",
            "01",
            "Make public statement",
            None,
            "symbolic acts: portraits, vigils, wreaths",
            "017",
        ),
        IncidentType(
            "appeal",
            "02",
            "Appeal",
            "REQUEST",
            "calls, requests, invitations",
            "020-028",
        ),
        IncidentType(
            "pledge",
            "03",
            "Express intent to cooperate",
            "AGREE",
            "promises, including conditional ones, and expressed intent to cooperate or to "
            "resolve an issue",
            "030-037",
        ),
        IncidentType(
            "mediation_offer",
            "03",
            "Express intent to cooperate",
            "AGREE",
            "a third party's offer to mediate",
            "039",
        ),
        IncidentType(
            "consultation",
            "04",
            "Consult",
            "CONSULT",
            "meetings, visits, phone calls, talks",
            "040-044, 046",
        ),
        IncidentType(
            "mediation",
            "04",
            "Consult",
            "CONSULT",
            "a third party's act of mediation",
            "045",
        ),
        IncidentType(
            "support",
            "05",
            "Engage in diplomatic cooperation",
            "SUPPORT",
            "praise, endorsement, verbal defence, new or expanded diplomatic ties",
            "050-054",
        ),
        IncidentType(
            "agreement",
            "05",
            "Engage in diplomatic cooperation",
            "SUPPORT",
            "signed agreements",
            "057",
        ),
        IncidentType(
            "accusation",
            "11",
            "Disapprove",
            "ACCUSE",
            "accusations, criticism, condemnation, summoning envoys",
            "110-114",
        ),
        IncidentType(
            "legal_action",
            "11",
            "Disapprove",
            "ACCUSE",
            "lawsuits, trials and verdicts",
            "115-116",
        ),
        IncidentType(
            "rejection",
            "12",
            "Reject",
            "REJECT",
            "rejected proposals, demands or mediation",
            "120-129",
        ),
        IncidentType("threat", "13", "Threaten", "THREATEN", "threats and warnings", "130-139"),
        IncidentType(
            "protest", "14", "Protest", "PROTEST", "street demonstrations and strikes", "140-145"
        ),
        IncidentType(
            "exercise",
            "15",
            "Exhibit force posture",
            "MOBILIZE",
            "military drills and shows of force",
            "150-155",
        ),
        IncidentType(
            "reduce_relations",
            "16",
            "Reduce relations",
            "SANCTION",
            "embassy closures or suspensions, expulsions of diplomats, recalls",
            "160-166",
        ),
        IncidentType(
            "arrest", "17", "Coerce", "COERCE", "arrests, detentions, spy-network busts", "173"
        ),
        IncidentType(
            "attack",
            "18",
            "Assault",
            "ASSAULT",
            "armed attacks, bombings, assassination attempts",
            "180-186",
        ),
        IncidentType(
            "fight",
            "19",
            "Fight",
            "ASSAULT",
            "wars and battles between armed forces (conventional military force)",
            "190-196",
        ),
    )
}
