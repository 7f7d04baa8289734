"""Every seed incident is backed by the words of its sources, read back through the API."""

import unicodedata
from typing import Any

from tests.inprocess import AppClient


def fold(text: str) -> str:
    # Independent of the app's own matching: case, accents and apostrophe forms only.
    text = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ş", "sh"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def all_incidents(client: AppClient) -> list[dict[str, Any]]:
    body = client.get("/incidents", params={"limit": 500}).json()
    assert body["next_cursor"] is None
    return [client.get(f"/incidents/{item['id']}").json() for item in body["items"]]


def names_of(client: AppClient, slug: str, seen: set[str] | None = None) -> set[str]:
    """An actor's names, and those of its members (a state is named through its officials)."""
    seen = seen if seen is not None else set()
    seen.add(slug)
    actor = client.get(f"/actors/{slug}").json()
    names = {actor["name"], *actor["aliases"], *actor["demonyms"], *actor["metonyms"]}
    if actor["kind"] == "person":
        names.add(actor["name"].split()[-1])
    for member in actor["members"]:
        if member["slug"] not in seen:
            names |= names_of(client, member["slug"], seen)
    return names


def test_every_seed_incident_has_exact_evidence_from_each_of_its_sources(
    client: AppClient,
) -> None:
    texts: dict[int, str] = {}
    incidents = all_incidents(client)
    assert len(incidents) == 33
    for incident in incidents:
        evidence = incident["evidence"]
        assert isinstance(evidence, list) and evidence, incident["slug"]
        for span in evidence:
            source_id = span["source_id"]
            if source_id not in texts:
                texts[source_id] = client.get(f"/sources/{source_id}").json()["text"]
            assert texts[source_id][span["start"] : span["end"]] == span["text"]
        assert {s["source_id"] for s in evidence} == set(incident["source_ids"]), incident["slug"]


def test_no_seed_participant_is_outside_its_evidence(client: AppClient) -> None:
    for incident in all_incidents(client):
        quoted = " ".join(fold(str(span["text"])) for span in incident["evidence"])
        for participant in incident["participants"]:
            slug = participant["actor"]["slug"]
            names = {fold(n) for n in names_of(client, slug)}
            assert any(name in quoted for name in names), (incident["slug"], slug)


def test_the_embassy_attack_names_no_attacker_and_its_trial_is_recorded(
    client: AppClient,
) -> None:
    attack = client.get("/incidents/tehran-embassy-attack-2023").json()
    roles = {p["actor"]["slug"]: p["role"] for p in attack["participants"]}
    assert "initiator" not in roles.values()
    assert roles["iran"] == "unknown"
    assert attack["date_source"] == "record"
    trial = client.get("/incidents/tehran-embassy-attack-trial-2023").json()
    assert trial["type"] == "legal_action" and trial["cameo_code"] == "11"
    assert (
        "the trial related to this terrorist incident has concluded" in trial["evidence"][0]["text"]
    )


def test_the_corrected_types_follow_cameo_and_plover(client: AppClient) -> None:
    types = {t["name"]: t for t in client.get("/incidents/types").json()}
    expected = {
        "fight": ("19", "ASSAULT"),
        "mediation_offer": ("03", "AGREE"),
        "pledge": ("03", "AGREE"),
        "denial": ("01", "REJECT"),
        "symbolic_act": ("01", None),
        "agreement": ("05", "SUPPORT"),
        "legal_action": ("11", "ACCUSE"),
    }
    assert {n: (types[n]["cameo_root"], types[n]["plover"]) for n in expected} == expected
    by_slug = {
        slug: client.get(f"/incidents/{slug}").json()["type"]
        for slug in (
            "second-karabakh-war-2020",
            "russia-offers-mediation-iran-azerbaijan-2023",
            "velayati-pledges-support-to-azerbaijan-2022",
            "azerbaijan-defense-ministry-rebuts-heydari-2023",
            "aliyev-portraits-iranian-azerbaijan-2022",
        )
    }
    assert by_slug == {
        "second-karabakh-war-2020": "fight",
        "russia-offers-mediation-iran-azerbaijan-2023": "mediation_offer",
        "velayati-pledges-support-to-azerbaijan-2022": "pledge",
        "azerbaijan-defense-ministry-rebuts-heydari-2023": "denial",
        "aliyev-portraits-iranian-azerbaijan-2022": "symbolic_act",
    }
