"""GET /actors and /actors/{id or slug}."""

from tests.api.conftest import slugs
from tests.inprocess import AppClient


def test_actors_are_listed_by_name(mini: AppClient) -> None:
    body = mini.get("/actors").json()
    names = [a["name"] for a in body["items"]]
    assert names == sorted(names) and body["total"] == 6


def test_kind_and_country_filters(mini: AppClient) -> None:
    assert set(slugs(mini.get("/actors", params={"kind": "state"}).json())) == {
        "iran",
        "azerbaijan",
        "russia",
    }
    assert set(slugs(mini.get("/actors", params={"country": "IRN", "kind": "person"}).json())) == {
        "nasser-kanani",
        "masoud-pezeshkian",
    }
    assert mini.get("/actors", params={"kind": "planet"}).status_code == 422


def test_q_searches_names_and_aliases_accent_insensitively(mini: AppClient) -> None:
    assert slugs(mini.get("/actors", params={"q": "Kenani"}).json()) == ["nasser-kanani"]
    assert "masoud-pezeshkian" in slugs(mini.get("/actors", params={"q": "Pezeşkian"}).json())


def test_actor_detail_has_aliases_affiliation_and_members(mini: AppClient) -> None:
    spokesman = mini.get("/actors/nasser-kanani").json()
    assert spokesman["country"] == "IRN" and spokesman["kind"] == "person"
    assert set(spokesman["aliases"]) == {"Nasser Kanaani", "Nasir Kenani"}
    assert spokesman["affiliation"]["slug"] == "iran-foreign-ministry"
    ministry = mini.get(f"/actors/{spokesman['affiliation']['id']}").json()
    assert [m["slug"] for m in ministry["members"]] == ["nasser-kanani"]
    iran = mini.get("/actors/iran").json()
    assert iran["demonyms"] == ["Iranian"] and iran["metonyms"] == ["Tehran"]
    assert iran["affiliation"] is None


def test_unknown_actor_is_a_404(mini: AppClient) -> None:
    response = mini.get("/actors/atlantis")
    assert response.status_code == 404
    assert response.json()["detail"] == "no actor with id or slug 'atlantis'"
