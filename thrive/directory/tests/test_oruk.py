"""Open Referral UK v3 API: paging, detail, filters, the standard's field names and structure, the schema."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator

from thrive.directory.taxonomy import ServiceType, taxonomy_id, taxonomy_term_id
from thrive.directory.tests import oruk_profile
from thrive.directory.tests.factories import OrganisationFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thrive.directory.tests.urls")]
LIST = "/api/v1/oruk/services"


@pytest.fixture
def directory(london: dict, postcodes: dict) -> dict[str, Any]:
    provider = OrganisationFactory.create(name="Example Trust (fictional)", slug="example-trust-oruk")
    full = ServiceFactory.create(
        name="Example Talking Therapies",
        type=ServiceType.TALKING_THERAPIES,
        organisation=provider,
        boroughs=["E09000030"],
        min_age=16,
        self_referral=True,
        self_referral_url="https://example.org/refer",
        self_referral_phone="020 7946 0001",
        phone="020 7946 0002",
        text_number="Text EXAMPLE to 60000",
        email="therapies@example.org",
        in_person=True,
        address="1 Example Road, Tower Hamlets",
        postcode="E1 6AN",
        latitude=51.52,
        longitude=-0.07,
        accessibility="Step-free access.",
        languages=["English", "Bengali"],
        opening_hours=[
            {"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "09:00", "closes": "17:00"},
            {"days": ["SA", "SU"], "opens": "00:00", "closes": "24:00"},
        ],
        conditions="Anxiety and depression",
        via_gp=True,
        whole_region=False,
    )
    young = ServiceFactory.create(
        name="Example Young People",
        type=ServiceType.CHILDREN_AND_YOUNG_PEOPLE,
        min_age=11,
        max_age=18,
        boroughs=["E09000003"],
    )
    national = ServiceFactory.create(
        name="Samaritans", type=ServiceType.CRISIS_LINE, national=True, phone="116 123"
    )
    extra = [ServiceFactory.create(name=f"Example Group {n:02d}", whole_region=True) for n in range(7)]
    return {"full": full, "young": young, "national": national, "extra": extra, "provider": provider}


def test_paging_header_and_contents(client: Client, directory: dict) -> None:
    first = client.get(LIST, {"per_page": 4}).json()
    assert {
        k: first[k]
        for k in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")
    } == {
        "total_items": 10,
        "total_pages": 3,
        "page_number": 1,
        "size": 4,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = client.get(LIST, {"per_page": 4, "page": 3}).json()
    assert (last["size"], last["first_page"], last["last_page"]) == (2, False, True)
    beyond = client.get(LIST, {"per_page": 4, "page": 9}).json()
    assert beyond["contents"] == [] and beyond["empty"] is True and beyond["total_items"] == 10
    seen = [
        s["name"]
        for page in (1, 2, 3)
        for s in client.get(LIST, {"per_page": 4, "page": page}).json()["contents"]
    ]
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"per_page": "500"}, "per_page"),
        ({"minimum_age": "old"}, "minimum_age"),
        ({"postcode": "nonsense"}, "postcode"),
        ({"modified_after": "yesterday"}, "modified_after"),
    ],
)
def test_bad_parameters_get_400_with_the_field_named(
    client: Client, directory: dict, params: dict, field: str
) -> None:
    response = client.get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_filters(client: Client, directory: dict) -> None:
    def listed(**params: Any) -> set[str]:
        return {s["name"] for s in client.get(LIST, params).json()["contents"]}

    assert listed(search="talking therapies") == {"Example Talking Therapies"}
    term = str(taxonomy_term_id(ServiceType.CHILDREN_AND_YOUNG_PEOPLE))
    assert listed(taxonomy_term_id=term) == {"Example Young People"}
    assert listed(taxonomy_term_id="crisis_line") == {"Samaritans"}
    assert listed(taxonomy_term_id=str(uuid.uuid4())) == set()
    assert len(listed(taxonomy_id=str(taxonomy_id()), per_page=50)) == 10
    assert listed(taxonomy_id=str(uuid.uuid4())) == set()
    assert listed(minimum_age=12) == {"Example Talking Therapies"}
    assert listed(maximum_age=18) == {"Example Young People"}
    in_tower_hamlets = listed(postcode="E1 6AN", per_page=50)
    assert "Example Talking Therapies" in in_tower_hamlets and "Example Young People" not in in_tower_hamlets
    assert listed(postcode="CM1 1AA") == {"Samaritans"}
    organisation = client.get(f"{LIST}/{directory['full'].uuid}").json()["organization"]["id"]
    assert listed(organization_id=organisation) == {"Example Talking Therapies"}
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert listed(modified_after=future) == set()
    assert len(listed(modified_after="2000-01-01", per_page=50)) == 10


def test_detail_and_not_found(client: Client, directory: dict) -> None:
    response = client.get(f"{LIST}/{directory['full'].uuid}")
    assert response.status_code == 200
    service = response.json()
    assert service["id"] == str(directory["full"].uuid)
    assert service["attributes"][0]["taxonomy_term"]["name"] == "NHS Talking Therapies"
    assert [s["byday"] for s in service["schedules"]] == ["MO,TU,WE,TH,FR", "SA,SU"]
    assert service["schedules"][1]["closes_at"] == "23:59"
    assert [area["name"] for area in service["service_areas"]] == ["Tower Hamlets"]
    assert service["service_areas"][0]["uri"].endswith("/E09000030")
    phones = {phone["number"] for phone in service["contacts"][0]["phones"]}
    assert phones == {"020 7946 0001", "020 7946 0002", "Text EXAMPLE to 60000"}
    address = service["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["postal_code"], address["country"]) == ("E1 6AN", "GB")
    assert [language["code"] for language in service["languages"]] == ["en", "bn"]
    assert "refer yourself" in service["application_process"]
    missing = client.get(f"{LIST}/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json() == {"errors": {"body": ["No such service"]}}
    assert client.get(f"{LIST}/not-a-uuid").status_code == 404


def _ids(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every id-like field (`id`, `*_id`) anywhere in the document, with its path."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "id" or key.endswith("_id"):
                found.append((f"{path}.{key}", inner))
            found += _ids(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _ids(inner, f"{path}.{index}")
    return found


def test_field_names_and_structure_follow_the_uk_profile(client: Client, directory: dict) -> None:
    page = client.get(LIST, {"per_page": 50}).json()
    errors = sorted(Draft202012Validator(oruk_profile.PAGE).iter_errors(page), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    for item in page["contents"]:
        service = client.get(f"{LIST}/{item['id']}").json()
        errors = sorted(Draft202012Validator(oruk_profile.SERVICE).iter_errors(service), key=str)
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
        for path, value in _ids(
            service
        ):  # every identifier is a UUID, as the profile's "format": "uuid" asks
            assert isinstance(value, str) and uuid.UUID(value), path
    full = client.get(f"{LIST}/{directory['full'].uuid}").json()
    assert {
        "contacts",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "attributes",
    } <= set(full)


def test_ids_are_stable_between_calls(client: Client, directory: dict) -> None:
    url = f"{LIST}/{directory['full'].uuid}"
    assert _ids(client.get(url).json()) == _ids(client.get(url).json())


def test_public_cacheable_and_in_the_openapi_schema(
    client: Client, directory: dict, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        response = client.get(LIST, {"per_page": 50})
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/oruk/services" in schema["paths"] and "/api/v1/oruk/services/{id}" in schema["paths"]
    listing = schema["paths"]["/api/v1/oruk/services"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "page",
        "per_page",
        "search",
        "taxonomy_term_id",
        "postcode",
    }
    page_schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(page_schema["required"]) == {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    }
