"""Services in Open Referral UK (version 3) shape: the UK profile of HSDS 3.0.

Source: OpenReferralUK/uk-profile, `schema/compiled/service.json` and `service_list.json` (profile
version 3.0, 2024 consultation draft) with HSDS 3.0 field names. Every object carries a UUID `id`: services
have their own; everything else gets a stable UUID 5 from what keys it (organisations by slug, schedules by
position), so the same thing keeps the same id between calls. Optional fields with no value are left out
rather than sent as null (the schema's types are plain strings and numbers). Phones sit under `contacts`
(the profile drops `service.phones`); eligibility and how to apply use HSDS 3.0's `eligibility_description`
and `application_process`, which the UK profile's changelog lists. See docs/directory.md.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from thrive.accounts.models import Organisation
from thrive.directory.hours import Rule, describe_rule
from thrive.directory.models import Service
from thrive.directory.taxonomy import (
    ORUK_NAMESPACE,
    SERVICE_TYPE_DESCRIPTIONS,
    TAXONOMY_NAME,
    TAXONOMY_URI,
    ServiceType,
    taxonomy_id,
    taxonomy_term_id,
)

STATISTICAL_GEOGRAPHY = "http://statistics.data.gov.uk/id/statistical-geography/"
ENGLAND, LONDON = ("E92000001", "England"), ("E12000007", "London")
LANGUAGE_CODES = {
    "english": "en",
    "bengali": "bn",
    "sylheti": "syl",
    "somali": "so",
    "turkish": "tr",
    "polish": "pl",
    "urdu": "ur",
    "gujarati": "gu",
    "punjabi": "pa",
    "arabic": "ar",
    "portuguese": "pt",
    "spanish": "es",
    "romanian": "ro",
    "tamil": "ta",
    "french": "fr",
    "lithuanian": "lt",
    "yoruba": "yo",
    "twi": "tw",
    "british sign language": "bfi",
    "bsl": "bfi",
    "farsi": "fa",
    "kurdish": "ku",
    "tigrinya": "ti",
    "amharic": "am",
    "chinese": "zh",
    "cantonese": "yue",
    "mandarin": "cmn",
    "italian": "it",
    "hindi": "hi",
}


def organisation_id(organisation: Organisation) -> str:
    return str(uuid.uuid5(ORUK_NAMESPACE, f"organisation:{organisation.slug}"))


def _child_id(service: Service, kind: str, key: object = "") -> str:
    return str(uuid.uuid5(service.uuid, f"{kind}:{key}"))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values (None, "", []); `id` and the required fields are always present."""
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def _timestamp(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the profile asks for last_modified."""
    return (
        moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def eligibility_text(service: Service) -> str:
    parts = [service.ages_text]
    if service.perinatal:
        parts.append("For people who are pregnant or had a baby in the last 2 years")
    parts += [service.conditions, service.eligibility_notes]
    return ". ".join(part.rstrip(".") for part in parts if part) + ("." if any(parts) else "")


def application_text(service: Service) -> str:
    parts = []
    if service.self_referral:
        how = " or ".join(p for p in (service.self_referral_url, service.self_referral_phone) if p)
        parts.append(f"You can refer yourself{': ' + how if how else ''}")
    if service.via_gp:
        parts.append("Your GP can refer you")
    if service.via_other_service:
        parts.append(f"{service.via_other_service} can refer you")
    if service.how_to_access:
        parts.append(service.how_to_access.rstrip("."))
    return ". ".join(parts) + ("." if parts else "")


def organization(organisation: Organisation) -> dict[str, Any]:
    return _clean(
        {
            "id": organisation_id(organisation),
            "name": organisation.name,
            "description": organisation.type_label
            + (" (a fictional example)." if organisation.is_example else "."),
            "email": organisation.duty_email if organisation.type != "bereavement_service" else "",
        }
    )


def service_summary(service: Service, *, page_url: str) -> dict[str, Any]:
    """The service's own (one-to-one) fields and its organisation: one item of the paged list."""
    return _clean(
        {
            "id": str(service.uuid),
            "organization_id": organisation_id(service.organisation),
            "name": service.name,
            "description": f"{service.summary}\n\n{service.description}".strip(),
            "url": service.website or page_url,
            "email": service.email,
            "status": service.status,
            "eligibility_description": eligibility_text(service),
            "application_process": application_text(service),
            "minimum_age": service.min_age,
            "maximum_age": service.max_age,
            "assured_date": service.last_verified.isoformat(),
            "alert": "These details have not been checked for over a year." if service.is_out_of_date else "",
            "last_modified": _timestamp(service.updated_at),
            "organization": organization(service.organisation),
        }
    )


def service_full(service: Service, *, page_url: str) -> dict[str, Any]:
    """The fully nested service, as `GET /services/{id}` returns it."""
    result = service_summary(service, page_url=page_url)
    service_id = result["id"]
    result.update(
        _clean(
            {
                "contacts": _contacts(service, service_id),
                "schedules": [
                    _schedule(service, service_id, index, rule)
                    for index, rule in enumerate(service.opening_hours)
                ],
                "service_areas": _service_areas(service, service_id),
                "service_at_locations": _locations(service, service_id),
                "languages": [
                    _clean(
                        {
                            "id": _child_id(service, "language", name),
                            "service_id": service_id,
                            "name": name,
                            "code": LANGUAGE_CODES.get(name.lower(), ""),
                        }
                    )
                    for name in service.languages
                ],
                "attributes": [_type_attribute(service, service_id)],
            }
        )
    )
    return result


def _contacts(service: Service, service_id: str) -> list[dict[str, Any]]:
    phones: list[dict[str, str]] = []
    for kind, number, description in (
        ("voice", service.phone, "General enquiries"),
        ("voice", service.self_referral_phone, "Self-referral"),
        ("sms", service.text_number, service.text_number),
    ):
        if number and not any(phone["number"] == number for phone in phones):
            phones.append(
                {
                    "id": _child_id(service, "phone", number),
                    "number": number,
                    "type": kind,
                    "description": description,
                }
            )
    if not (phones or service.email):
        return []
    return [
        _clean(
            {
                "id": _child_id(service, "contact"),
                "service_id": service_id,
                "name": service.name,
                "email": service.email,
                "phones": phones,
            }
        )
    ]


def _schedule(service: Service, service_id: str, index: int, rule: Rule) -> dict[str, Any]:
    return {
        "id": _child_id(service, "schedule", index),
        "service_id": service_id,
        "freq": "WEEKLY",
        "interval": 1,
        "byday": ",".join(rule["days"]),
        "opens_at": rule["opens"],
        "closes_at": "23:59" if rule["closes"] == "24:00" else rule["closes"],
        "description": describe_rule(rule),
    }


def _service_areas(service: Service, service_id: str) -> list[dict[str, Any]]:
    areas: list[tuple[str, str]] = []
    if service.national:
        areas.append(ENGLAND)
    if service.whole_region:
        areas.append(LONDON)
    areas += [(area.code, area.name) for area in service.areas.all()]
    return [
        {
            "id": _child_id(service, "area", code),
            "service_id": service_id,
            "name": name,
            "uri": STATISTICAL_GEOGRAPHY + code,
        }
        for code, name in areas
    ]


def _locations(service: Service, service_id: str) -> list[dict[str, Any]]:
    if not (service.in_person and service.address):
        return []
    location_id = _child_id(service, "location")
    location = _clean(
        {
            "id": location_id,
            "location_type": "physical",
            "name": service.name,
            "latitude": service.latitude,
            "longitude": service.longitude,
            "addresses": [
                {
                    "id": _child_id(service, "address"),
                    "location_id": location_id,
                    "address_1": service.address,
                    "city": "London",
                    "state_province": "Greater London",
                    "postal_code": service.postcode,
                    "country": "GB",
                    "address_type": "physical",
                }
            ],
            "accessibility": [
                {
                    "id": _child_id(service, "accessibility"),
                    "location_id": location_id,
                    "description": service.accessibility,
                }
            ]
            if service.accessibility
            else [],
        }
    )
    return [
        {
            "id": _child_id(service, "service_at_location"),
            "service_id": service_id,
            "location_id": location_id,
            "location": location,
        }
    ]


def taxonomy_term(code: str) -> dict[str, Any]:
    label = ServiceType(code).label
    return {
        "id": str(taxonomy_term_id(code)),
        "code": code,
        "name": label,
        "term": label,
        "description": SERVICE_TYPE_DESCRIPTIONS[code],
        "taxonomy": TAXONOMY_NAME,
        "taxonomy_id": str(taxonomy_id()),
        "term_uri": f"{TAXONOMY_URI}#{code}",
    }


def _type_attribute(service: Service, service_id: str) -> dict[str, Any]:
    term = taxonomy_term(service.type)
    return {
        "id": _child_id(service, "attribute", service.type),
        "link_id": service_id,
        "link_type": "service_type",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def page(
    *, contents: list[dict[str, Any]], total_items: int, page_number: int, per_page: int
) -> dict[str, Any]:
    """ORUK's page header around `contents` (`size` is the number of entities on this page)."""
    total_pages = max(1, -(-total_items // per_page))
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
