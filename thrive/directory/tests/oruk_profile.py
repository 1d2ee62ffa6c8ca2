"""The Open Referral UK v3 service schemas, transcribed for the tests (we cannot fetch GitHub here).

Source: github.com/OpenReferralUK/uk-profile, `schema/compiled/service.json` (commit bc93204, profile version
"3.0", the 2024 consultation draft) and `schema/compiled/service_list.json` (commit 6eee0e4), whose object and
field names are HSDS 3.0's. Transcribed: each object's `required` list and the JSON type of each property.
Where the profile's changelog (docs/changelog.md) lists HSDS 3.0 fields the compiled draft omits, they
are allowed too and marked "HSDS 3.0": service `eligibility_description` and `application_process`, contact
`email` and `phones` (phone: id, number, type, description), language `name` and `code`, location
`location_type`, and taxonomy_term `name`, `code` and `description` (the draft requires `name` and
`description` but only lists `term`). Every object is closed (`additionalProperties: false`), so a misspelt
or invented field name fails.
"""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
NUMBER = {"type": "number"}


def closed(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties, "additionalProperties": False}


def array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


TAXONOMY_TERM = closed(
    ["id", "name", "description"],
    id=STRING,
    parent_id=STRING,
    taxonomy=STRING,
    taxonomy_id=STRING,
    term_uri=STRING,
    term=STRING,
    name=STRING,
    code=STRING,
    description=STRING,  # HSDS 3.0
)
ATTRIBUTE = closed(
    ["id"],
    id=STRING,
    link_id=STRING,
    taxonomy_term_id=STRING,
    link_type=STRING,
    link_entity=STRING,
    taxonomy_term=TAXONOMY_TERM,
)
ORGANIZATION = closed(
    ["id", "name", "description"],
    id=STRING,
    name=STRING,
    description=STRING,
    email=STRING,
    website=STRING,
    logo=STRING,
    uri=STRING,
    parent_organization_id=STRING,
    organization_identifiers=array({"type": "object"}),
    attributes=array(ATTRIBUTE),
)
SCHEDULE = closed(
    ["id"],
    id=STRING,
    service_id=STRING,
    service_at_location_id=STRING,
    valid_from=STRING,
    valid_to=STRING,
    dtstart=STRING,
    freq={"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
    interval=NUMBER,
    byday=STRING,
    bymonthday=STRING,
    description=STRING,
    opens_at=STRING,
    closes_at=STRING,
    schedule_link=STRING,
    attending_type=STRING,
    notes=STRING,
)
SERVICE_AREA = closed(
    ["id"],
    id=STRING,
    service_id=STRING,
    name=STRING,
    extent=STRING,
    extent_type=STRING,
    uri=STRING,
    service_area=STRING,
)
ADDRESS = closed(
    ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
    id=STRING,
    location_id=STRING,
    attention=STRING,
    address_1=STRING,
    city=STRING,
    region=STRING,
    state_province=STRING,
    postal_code=STRING,
    country=STRING,
    address_type={"type": "string", "enum": ["physical", "postal", "virtual"]},
    attributes=array(ATTRIBUTE),
)
ACCESSIBILITY = closed(
    ["id"],
    id=STRING,
    location_id=STRING,
    description=STRING,
    details=STRING,
    url=STRING,
    attributes=array(ATTRIBUTE),
)
LOCATION = closed(
    ["id"],
    id=STRING,
    name=STRING,
    description=STRING,
    latitude=NUMBER,
    longitude=NUMBER,
    external_identifier=STRING,
    external_identifier_type=STRING,
    addresses=array(ADDRESS),
    accessibility=array(ACCESSIBILITY),
    attributes=array(ATTRIBUTE),
    location_type=STRING,  # HSDS 3.0 (required there)
)
SERVICE_AT_LOCATION = closed(
    ["id"],
    id=STRING,
    service_id=STRING,
    location_id=STRING,
    location=LOCATION,
)
LANGUAGE = closed(
    ["id"],
    id=STRING,
    service_id=STRING,
    phone_id=STRING,
    name=STRING,
    code=STRING,  # HSDS 3.0
)
PHONE = closed(["id", "number"], id=STRING, number=STRING, type=STRING, description=STRING)  # HSDS 3.0
CONTACT = closed(
    ["id"],
    id=STRING,
    service_id=STRING,
    name=STRING,
    title=STRING,
    attributes=array(ATTRIBUTE),
    email=STRING,
    phones=array(PHONE),  # HSDS 3.0
)
FUNDING = closed(["id"], id=STRING, service_id=STRING, source=STRING)
COST_OPTION = closed(
    ["id"],
    id=STRING,
    service_id=STRING,
    valid_from=STRING,
    valid_to=STRING,
    option=STRING,
    amount=NUMBER,
    amount_description=STRING,
)

SERVICE_FIELDS: dict[str, Any] = {
    "id": STRING,
    "organization_id": STRING,
    "name": STRING,
    "description": STRING,
    "url": STRING,
    "email": STRING,
    "status": {"type": "string", "enum": ["active", "inactive", "defunct", "temporarily closed"]},
    "fees": STRING,
    "accreditations": STRING,
    "minimum_age": NUMBER,
    "maximum_age": NUMBER,
    "assured_date": STRING,
    "assurer_email": STRING,
    "alert": STRING,
    "last_modified": STRING,
    "eligibility_description": STRING,
    "application_process": STRING,  # HSDS 3.0
}
# service.json: required id, name, status, plus allOf required url (the UK profile's addition).
SERVICE_REQUIRED = ["id", "name", "status", "url"]
SERVICE_LIST_ITEM = closed(SERVICE_REQUIRED, **SERVICE_FIELDS, organization=ORGANIZATION)
SERVICE = closed(
    SERVICE_REQUIRED,
    **SERVICE_FIELDS,
    organization=ORGANIZATION,
    schedules=array(SCHEDULE),
    service_areas=array(SERVICE_AREA),
    service_at_locations=array(SERVICE_AT_LOCATION),
    languages=array(LANGUAGE),
    funding=array(FUNDING),
    cost_options=array(COST_OPTION),
    contacts=array(CONTACT),
    attributes=array(ATTRIBUTE),
)
# openapi.json components/schemas/Page, with the `contents` array of service_list.json items.
PAGE = closed(
    ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
    total_items={"type": "integer"},
    total_pages={"type": "integer"},
    page_number={"type": "integer"},
    size={"type": "integer"},
    first_page={"type": "boolean"},
    last_page={"type": "boolean"},
    empty={"type": "boolean"},
    contents=array(SERVICE_LIST_ITEM),
)
