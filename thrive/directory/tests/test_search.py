"""Find-support search: by borough, postcode, position, type and words; plain messages for bad input; the
crisis lines; caching headers and the page cache; a constant number of queries whatever the result size."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from thrive.directory.models import ServiceStatus
from thrive.directory.taxonomy import ServiceType
from thrive.directory.tests.conftest import centre
from thrive.directory.tests.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thrive.directory.tests.urls")]
TOWER_HAMLETS, BARNET = "E09000030", "E09000003"


@pytest.fixture
def services(london: dict, postcodes: dict) -> dict:
    return {
        "th_therapies": ServiceFactory.create(
            name="Example Tower Hamlets Talking Therapies",
            type=ServiceType.TALKING_THERAPIES,
            boroughs=[TOWER_HAMLETS],
            self_referral=True,
            self_referral_url="https://example.org/refer",
            summary="Free NHS talking therapies for anxiety and depression.",
        ),
        "th_perinatal": ServiceFactory.create(
            name="Example Perinatal Team",
            type=ServiceType.PERINATAL_COMMUNITY,
            boroughs=[TOWER_HAMLETS, "E09000012"],
            perinatal=True,
            conditions="Moderate to severe mental illness",
        ),
        "barnet_therapies": ServiceFactory.create(
            name="Example Barnet Talking Therapies",
            type=ServiceType.TALKING_THERAPIES,
            boroughs=[BARNET],
        ),
        "london_mbu": ServiceFactory.create(
            name="Example Mother and Baby Unit",
            type=ServiceType.MOTHER_AND_BABY_UNIT,
            whole_region=True,
        ),
        "samaritans": ServiceFactory.create(
            name="Samaritans",
            type=ServiceType.CRISIS_LINE,
            national=True,
            phone="116 123",
            is_example=False,
        ),
        "closed": ServiceFactory.create(
            name="Example Closed Service",
            boroughs=[TOWER_HAMLETS],
            status=ServiceStatus.DEFUNCT,
        ),
    }


def names(response: object) -> list[str]:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.findall(r'<h3 class="nhsuk-card__heading[^"]*"><a href="[^"]+">([^<]+)</a>', html)


def test_borough_search_lists_local_then_london_then_national(client: Client, services: dict) -> None:
    response = client.get("/find-support/", {"borough": TOWER_HAMLETS})
    assert response.status_code == 200
    assert names(response) == [
        "Example Perinatal Team",
        "Example Tower Hamlets Talking Therapies",
        "Example Mother and Baby Unit",
        "Samaritans",
    ]
    html = response.content.decode()
    assert "talking therapies" in html.lower() and "116 123" in html
    assert "4 services" in html and "for Tower Hamlets" in html


def test_postcode_search_finds_the_borough(client: Client, services: dict) -> None:
    response = client.get("/find-support/", {"postcode": "e16an"})
    assert "Example Tower Hamlets Talking Therapies" in names(response)
    assert "Example Barnet Talking Therapies" not in names(response)
    assert "E1 6AN (Tower Hamlets)" in response.content.decode()


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("E1", "Enter a full postcode, like E1 6AN."),
        ("not a postcode", "Enter a full postcode, like E1 6AN."),
        (
            "ZZ9 9ZZ",
            "We cannot find the postcode ZZ9 9ZZ. Check it is right, or choose your borough instead.",
        ),
    ],
)
def test_bad_postcodes_get_a_clear_message_and_no_results(
    client: Client, services: dict, postcode: str, message: str
) -> None:
    response = client.get("/find-support/", {"postcode": postcode})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert names(response) == []


def test_a_postcode_outside_london_shows_national_services(client: Client, services: dict) -> None:
    response = client.get("/find-support/", {"postcode": "CM1 1AA"})
    html = response.content.decode()
    assert "CM1 1AA is outside London" in html
    assert "There is a problem" not in html
    assert names(response) == ["Samaritans"]


def test_an_unknown_borough_code(client: Client, services: dict) -> None:
    html = client.get("/find-support/", {"borough": "E09999999"}).content.decode()
    assert "Choose a London borough from the list." in html


def test_type_and_keyword_filters(client: Client, services: dict) -> None:
    by_type = client.get("/find-support/", {"borough": TOWER_HAMLETS, "type": "talking_therapies"})
    assert names(by_type) == ["Example Tower Hamlets Talking Therapies"]
    by_word = client.get("/find-support/", {"borough": TOWER_HAMLETS, "q": "severe illness"})
    assert names(by_word) == ["Example Perinatal Team"]
    anywhere = client.get("/find-support/", {"q": "talking therapies"})
    assert set(names(anywhere)) == {
        "Example Tower Hamlets Talking Therapies",
        "Example Barnet Talking Therapies",
    }
    bad_type = client.get("/find-support/", {"type": "astrology"}).content.decode()
    assert "Choose a type of support from the list." in bad_type


def test_use_my_location_redirects_to_the_borough_without_keeping_the_position(
    client: Client, services: dict
) -> None:
    lat, lon = centre(TOWER_HAMLETS)
    response = client.get("/find-support/", {"lat": str(lat), "lon": str(lon), "type": "talking_therapies"})
    assert response.status_code == 302
    assert "borough=E09000030" in response["Location"] and "lat" not in response["Location"]
    assert "type=talking_therapies" in response["Location"]
    outside = client.get("/find-support/", {"lat": "52.2", "lon": "0.12"})
    assert outside.status_code == 302 and "outside=1" in outside["Location"]
    followed = client.get(outside["Location"]).content.decode()
    assert "outside London" in followed and "Samaritans" in followed


def test_crisis_lines_on_the_home_page_and_the_search(client: Client, services: dict) -> None:
    for url in ("/", "/find-support/?borough=E09000030", "/find-support/"):
        html = client.get(url).content.decode()
        for number in ("116 123", "85258", "111", "999"):
            assert number in html, (url, number)
        assert 'href="tel:116123"' in html


def test_the_search_form_works_without_javascript(client: Client, london: dict) -> None:
    html = client.get("/").content.decode()
    form = re.search(r'<form method="get" action="/find-support/"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    assert 'name="postcode"' in form.group(1) and 'name="borough"' in form.group(1)
    assert 'type="submit"' in form.group(1)
    assert re.search(r'<p class="directory-locate" hidden>', form.group(1)), (
        "JS-only button hidden by default"
    )


def test_query_count_does_not_grow_with_the_results(
    client: Client, services: dict, django_assert_max_num_queries: object
) -> None:
    def run() -> None:
        with django_assert_max_num_queries(4):  # type: ignore[operator]
            assert client.get("/find-support/", {"borough": TOWER_HAMLETS, "q": "example"}).status_code == 200

    client.get("/find-support/", {"borough": BARNET})  # fills the borough cache
    run()
    for _ in range(30):
        ServiceFactory.create(boroughs=[TOWER_HAMLETS], description="Another example")
    run()


def test_public_pages_are_cacheable_but_not_for_staff(
    client: Client, services: dict, personas: object, client_for: object
) -> None:
    response = client.get("/find-support/", {"borough": TOWER_HAMLETS})
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    staff = client_for(personas.directory_editor)  # type: ignore[attr-defined, operator]
    staff_response = staff.get("/find-support/", {"borough": TOWER_HAMLETS})
    assert "private" in staff_response["Cache-Control"]


def test_page_cache_keeps_a_fresh_nonce_and_follows_changes(client: Client, services: dict) -> None:
    first = client.get("/find-support/", {"borough": TOWER_HAMLETS})
    second = client.get("/find-support/", {"borough": TOWER_HAMLETS})
    nonces = []
    for response in (first, second):
        header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert header is not None
        assert f'nonce="{header.group(1)}"' in response.content.decode()
        nonces.append(header.group(1))
    assert nonces[0] != nonces[1]
    ServiceFactory.create(name="Example New Service", boroughs=[TOWER_HAMLETS])
    assert "Example New Service" in names(client.get("/find-support/", {"borough": TOWER_HAMLETS}))


def test_service_page(client: Client, services: dict) -> None:
    service = services["th_therapies"]
    html = client.get(f"/find-support/services/{service.slug}/").content.decode()
    assert "You can refer yourself" in html and "https://example.org/refer" in html
    assert "This is a fictional service" in html and "May be out of date" not in html
    service.last_verified = timezone.localdate() - datetime.timedelta(days=400)
    service.save()
    assert "May be out of date" in client.get(f"/find-support/services/{service.slug}/").content.decode()
    assert client.get(f"/find-support/services/{services['closed'].slug}/").status_code == 404


def test_borough_outline(client: Client, london: dict) -> None:
    response = client.get(f"/find-support/boroughs/{TOWER_HAMLETS}.geojson")
    assert response.status_code == 200 and response.json()["geometry"]["type"] == "Polygon"
    assert "max-age=86400" in response["Cache-Control"]
    assert client.get("/find-support/boroughs/E09999999.geojson").status_code == 404
