"""GET /incidents and /incidents/{id or slug}: every filter of the contract."""

from pathlib import Path

from app import cli
from tests.api.conftest import MINI_INCIDENTS, incident, slugs
from tests.inprocess import AppClient


def test_default_order_is_newest_first_with_ties_broken_by_id(mini: AppClient) -> None:
    body = mini.get("/incidents").json()
    assert body["total"] == 8 and body["next_cursor"] is None
    dates = [(i["date_start"], i["id"]) for i in body["items"]]
    assert dates == sorted(dates, reverse=True)


def test_sort_by_date_is_oldest_first(mini: AppClient) -> None:
    items = mini.get("/incidents", params={"sort": "date"}).json()["items"]
    assert [(i["date_start"], i["id"]) for i in items] == sorted(
        (i["date_start"], i["id"]) for i in items
    )
    assert items[0]["slug"] == "old-visit"


def test_a_state_matches_an_incident_whose_only_participant_is_its_spokesman(
    mini: AppClient,
) -> None:
    found = slugs(mini.get("/incidents", params={"actor": "Iran"}).json())
    assert "spokesman-accuses-azerbaijan" in found
    assert "president-meets-envoy" in found
    assert "old-visit" not in found and "talks-b" not in found


def test_actor_accepts_name_alias_slug_and_id_in_any_case_and_accent(mini: AppClient) -> None:
    expected = ["president-meets-envoy"]
    for name in (
        "Masoud Pezeshkian",
        "masoud pezeşkian",
        "MASOUD-PEZESHKIAN",
        "Pezeşkian",
        "pezeshkian",
    ):
        assert slugs(mini.get("/incidents", params={"actor": name}).json()) == expected, name
    actor_id = mini.get("/actors/masoud-pezeshkian").json()["id"]
    assert slugs(mini.get("/incidents", params={"actor": str(actor_id)}).json()) == expected


def test_transliteration_variants_name_the_same_actor(mini: AppClient) -> None:
    for name in ("Nasser Kanani", "Nasser Kanaani", "Nasir Kenani", "Naser Kanani"):
        assert slugs(mini.get("/incidents", params={"actor": name}).json()) == [
            "spokesman-accuses-azerbaijan"
        ], name


def test_demonyms_and_capitals_name_the_state(mini: AppClient) -> None:
    by_name = slugs(mini.get("/incidents", params={"actor": "Iran"}).json())
    assert slugs(mini.get("/incidents", params={"actor": "Iranian"}).json()) == by_name
    assert slugs(mini.get("/incidents", params={"actor": "tehran"}).json()) == by_name


def test_repeated_actor_means_every_named_actor_takes_part(mini: AppClient) -> None:
    both = slugs(mini.get("/incidents", params=[("actor", "iran"), ("actor", "russia")]).json())
    assert both == ["talks-a"]
    both = slugs(mini.get("/incidents", params=[("actor", "Iran"), ("actor", "Azerbaijan")]).json())
    assert set(both) == {
        "spokesman-accuses-azerbaijan",
        "embassy-attack",
        "talks-c",
        "president-meets-envoy",
    }


def test_unknown_actor_is_a_422_naming_the_parameter(mini: AppClient) -> None:
    response = mini.get("/incidents", params={"actor": "Atlantis"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["invalid_params"] == [{"name": "actor", "reason": "no actor matches 'Atlantis'"}]
    assert "actor" in body["detail"]


def test_type_is_repeatable(mini: AppClient) -> None:
    assert slugs(mini.get("/incidents", params={"type": "attack"}).json()) == ["embassy-attack"]
    found = slugs(mini.get("/incidents", params=[("type", "attack"), ("type", "exercise")]).json())
    assert set(found) == {"embassy-attack", "winter-drills"}


def test_unknown_type_is_a_422(mini: AppClient) -> None:
    response = mini.get("/incidents", params={"type": "picnic"})
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "type"


def test_country_is_iso_alpha3_and_case_insensitive(mini: AppClient) -> None:
    assert set(slugs(mini.get("/incidents", params={"country": "irn"}).json())) == {
        "embassy-attack",
        "winter-drills",
    }
    response = mini.get("/incidents", params={"country": "XX"})
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "country"


def test_date_window_includes_incidents_spanning_its_boundary(mini: AppClient) -> None:
    found = slugs(
        mini.get("/incidents", params={"date_from": "2023-01-01", "date_to": "2023-01-31"}).json()
    )
    assert set(found) == {"embassy-attack", "winter-drills"}
    found = slugs(mini.get("/incidents", params={"date_to": "2022-12-31"}).json())
    assert set(found) == {"winter-drills", "old-visit"}


def test_bad_dates_are_422s_naming_the_parameter(mini: AppClient) -> None:
    for params, name in (
        ({"date_from": "2023-02-30"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
    ):
        response = mini.get("/incidents", params=params)
        assert response.status_code == 422
        assert response.json()["invalid_params"][0]["name"] == name
    response = mini.get("/incidents", params={"date_from": "2024-01-01", "date_to": "2023-01-01"})
    assert response.status_code == 422


def test_unknown_parameter_is_a_422_rather_than_ignored(mini: AppClient) -> None:
    response = mini.get("/incidents", params={"actr": "Iran"})
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "actr"


def test_incident_items_carry_the_contract_fields(mini: AppClient) -> None:
    item = mini.get("/incidents", params={"type": "attack"}).json()["items"][0]
    assert {
        "id",
        "slug",
        "title",
        "summary",
        "type",
        "date_start",
        "date_end",
        "date_precision",
        "location",
        "severity",
        "participants",
        "source_ids",
    } <= set(item)
    assert item["location"] == {"country": "IRN", "place": "Somewhere"}
    assert item["cameo_code"] == "18" and item["plover_type"] == "ASSAULT"
    assert item["participants"][0] == {
        "actor": {
            "id": item["participants"][0]["actor"]["id"],
            "slug": "iran",
            "name": "Iran",
            "kind": "state",
            "country": "IRN",
        },
        "role": "initiator",
    }


def test_detail_by_id_and_by_slug_is_the_same_incident(mini: AppClient) -> None:
    by_slug = mini.get("/incidents/embassy-attack").json()
    by_id = mini.get(f"/incidents/{by_slug['id']}").json()
    assert by_slug == by_id
    assert by_slug["sources"] == [] and by_slug["statements"] == []


def test_unknown_incident_is_a_404_problem(mini: AppClient) -> None:
    for key in ("no-such-incident", "999999"):
        response = mini.get(f"/incidents/{key}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404


def test_incident_types_lists_the_vocabulary_with_cameo_and_plover(mini: AppClient) -> None:
    types = {t["name"]: t for t in mini.get("/incidents/types").json()}
    assert types["attack"]["cameo_root"] == "18" and types["attack"]["plover"] == "ASSAULT"
    assert types["accusation"]["plover"] == "ACCUSE"


def test_iranian_incidents_in_the_seeds(client: AppClient) -> None:
    body = client.get("/incidents", params={"actor": "Iran"}).json()
    assert body["total"] >= 10
    for item in body["items"]:
        assert item["participants"]
    detail = client.get("/incidents/tehran-embassy-attack-2023").json()
    assert detail["sources"], "the embassy attack is reported by the seed articles"
    assert detail["date_start"] == "2023-01-27"


def test_a_running_app_sees_the_next_ingest_in_totals_and_windows(
    mini: AppClient, mini_seeds: Path
) -> None:
    # Totals and the longest incident are read once per data version: an ingest must show.
    before = mini.get("/incidents").json()["total"]
    assert slugs(mini.get("/incidents", params={"date_from": "2024-06-01"}).json()) == [
        "president-meets-envoy"
    ]
    longer = incident(
        "decade-of-talks",
        "2010-01-01",
        [("iran", "participant"), ("russia", "participant")],
        date_end="2024-12-31",
    )
    (mini_seeds / "incidents.yaml").write_text(MINI_INCIDENTS + longer, encoding="utf-8")
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    assert mini.get("/incidents").json()["total"] == before + 1
    found = slugs(mini.get("/incidents", params={"date_from": "2024-06-01"}).json())
    assert set(found) == {"president-meets-envoy", "decade-of-talks"}
    oldest_first = mini.get("/incidents", params={"date_from": "2024-06-01", "sort": "date"})
    assert slugs(oldest_first.json()) == ["decade-of-talks", "president-meets-envoy"]


def test_list_items_carry_the_participants_and_sources_of_their_detail(
    client: AppClient,
) -> None:
    items = client.get("/incidents", params={"limit": 100}).json()["items"]
    assert any(item["source_ids"] for item in items), "the seeds cite sources"
    assert any(len(item["participants"]) > 1 for item in items)
    for item in items:
        detail = client.get(f"/incidents/{item['id']}").json()
        # Same incident, same order: a page reads both lists in one query, a detail in two.
        assert item["participants"] == detail["participants"], item["slug"]
        assert item["source_ids"] == [s["id"] for s in detail["sources"]], item["slug"]
