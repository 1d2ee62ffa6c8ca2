"""Staff area pages: who may see them, what they show, and the GeoJSON behind the map."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from thrive.accounts.testing import Personas
from thrive.geography.loader import LoadResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(personas: Personas, tiny_geography: LoadResult, client_for: Callable[..., Client]) -> Client:
    return client_for(personas.analyst)


def area_url(level: str, code: str) -> str:
    return reverse("geography:area", kwargs={"level": level, "code": code})


def test_anonymous_visitors_are_sent_to_sign_in(tiny_geography: LoadResult) -> None:
    for url in (reverse("geography:index"), area_url("borough", "E09000030"),
                reverse("geography:geojson", kwargs={"level": "borough", "code": "E09000030"})):  # fmt: skip
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_roles_without_area_access_are_refused(
    personas: Personas, tiny_geography: LoadResult, client_for: Callable[..., Client]
) -> None:
    assert client_for(personas.bereavement_worker).get(reverse("geography:index")).status_code == 403
    assert client_for(personas.analyst, verified=False).get(reverse("geography:index")).status_code == 302


def test_index_lists_systems_and_boroughs(analyst: Client, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(12):
        response = analyst.get(reverse("geography:index"))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("North East London", "North Central London", "Tower Hamlets", "Barnet", 'id="area-map"'):
        assert text in page
    assert (
        reverse("geography:geojson", kwargs={"level": "region", "code": "E12000007"}) + "?show=borough"
        in page
    )


def test_borough_page(analyst: Client) -> None:
    response = analyst.get(area_url("borough", "e09000030"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Tower Hamlets</h1>" in page
    assert "LSOAs (2011) in Tower Hamlets (2)" in page and "LSOAs (2021) in Tower Hamlets (3)" in page
    assert "Population by age and sex" in page and "65 and over" in page
    assert "thrive-legend" not in page  # the decile legend shows only on the LSOA 2011 map
    assert "live in LSOAs among the 20% most deprived in England" in page
    assert (
        analyst.get(area_url("borough", "E09000030") + "?map=lsoa11").content.decode().count("thrive-decile-")
        == 10
    )


def test_lsoa_pages_link_the_two_censuses(analyst: Client) -> None:
    page = analyst.get(area_url("lsoa11", "E01900002")).content.decode()
    assert "LSOAs (2021) covering this area" in page and "E01900011" in page and "50% of this area" in page
    assert "Income" in page and "Decile 4" in page
    page = analyst.get(area_url("lsoa21", "E01900011")).content.decode()
    assert "LSOAs (2011) covering this area" in page and "100% of this area" in page
    assert "Not published for 2021 areas" in page


def test_unknown_areas_are_not_found(analyst: Client) -> None:
    assert analyst.get(area_url("borough", "E09999999")).status_code == 404
    assert analyst.get(area_url("county", "E09000030")).status_code == 404


def test_geojson(analyst: Client) -> None:
    url = reverse("geography:geojson", kwargs={"level": "borough", "code": "E09000030"})
    only = analyst.get(url).json()
    assert only["type"] == "FeatureCollection" and [f["properties"]["role"] for f in only["features"]] == [
        "area"
    ]
    data = analyst.get(url + "?show=lsoa11").json()
    children = [f["properties"] for f in data["features"] if f["properties"]["role"] == "child"]
    assert [c["code"] for c in children] == ["E01900001", "E01900002"]
    assert children[1]["url"] == area_url("lsoa11", "E01900002") and children[1]["imd_decile"] == 4
    assert data["features"][0]["geometry"]["type"] == "Polygon"
    bad = analyst.get(url + "?show=region")
    assert bad.status_code == 400 and "show" in bad.json()["errors"]
    assert (
        analyst.get(reverse("geography:geojson", kwargs={"level": "lsoa11", "code": "X"})).status_code == 404
    )


def test_index_without_geography(personas: Personas, client_for: Callable[..., Client]) -> None:
    response = client_for(personas.analyst).get(reverse("geography:index"))
    assert response.status_code == 200
