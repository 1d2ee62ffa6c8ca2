"""The access matrix: every role × every surveillance page and endpoint × a case in and out of scope, against
`access.PAGES` / `access.ENDPOINTS`. A route of the app with no rule fails the first test."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from thrive.accounts.models import Organisation
from thrive.accounts.permissions import OrganisationType as T
from thrive.accounts.testing import Personas
from thrive.surveillance import access, merging, wizard
from thrive.surveillance.models import Case, DuplicateCandidate
from thrive.surveillance.tests.conftest import call, in_barnet, report, report_body

pytestmark = pytest.mark.django_db

# One persona per role, scoped so that Tower Hamlets is in scope and Barnet is not.
PERSONA_FOR_ROLE = {
    "reporter": "police_reporter",
    "coroners_officer": "coroners_officer",
    "surveillance_lead": "borough_lead",
    "analyst": "analyst",
    "bereavement_worker": "bereavement_worker",
    "clinician": "clinician",
    "service_manager": "service_manager",
    "directory_editor": "directory_editor",
    "administrator": "administrator",
}
# One organisation per type for API keys; each reaches the Tower Hamlets case and not the Barnet one (the
# regional team is told of every case in London).
ORGANISATION_FOR_TYPE = {
    T.POLICE_FORCE: "example-police",
    T.LOCAL_AUTHORITY: "example-public-health-e09000030",
    T.NHS_TRUST: "example-trust-north-east-london",
    T.CORONERS_OFFICE: "example-coroner-inner-north-london",
    T.REGIONAL_PREVENTION_TEAM: "example-prevention-team",
    T.INTEGRATED_CARE_SYSTEM: "example-ics-north-east-london",
    T.BEREAVEMENT_SERVICE: "example-bereavement-east",
    T.VOLUNTARY_SECTOR: "example-wellbeing-charity",
}


def _names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _names(entry.url_patterns, prefix)
        elif entry.name:
            found.append(prefix + entry.name)
    return found


def test_every_route_of_the_app_has_a_rule() -> None:
    pages = _names(get_resolver("thrive.surveillance.urls").url_patterns, "surveillance:")
    endpoints = _names(get_resolver("thrive.surveillance.api_urls").url_patterns)
    assert sorted(set(pages) - set(access.PAGES)) == [], "pages without a rule in access.PAGES"
    assert sorted(set(endpoints) - set(access.ENDPOINTS)) == [], (
        "endpoints without a rule in access.ENDPOINTS"
    )
    assert (
        sorted(set(access.PAGES) - set(pages)) == [] and sorted(set(access.ENDPOINTS) - set(endpoints)) == []
    )
    assert set(access.ACCESS) == set(pages) | set(endpoints)


def test_every_view_is_guarded_by_its_rule() -> None:
    for pattern in get_resolver("thrive.surveillance.urls").url_patterns:
        assert isinstance(pattern, URLPattern)
        assert (
            getattr(pattern.callback, "access_rule", None) is access.PAGES[f"surveillance:{pattern.name}"]
        ), f"{pattern.name} is not decorated with access.page({pattern.name!r})"


def _pair(body_a: dict[str, Any], body_b: dict[str, Any], slug_b: str) -> DuplicateCandidate:
    first = report("example-police" if "E09000030" in str(body_a) else "example-coroner-north-london", body_a)
    second = report(slug_b, body_b)
    assert second.possible_duplicates, "the fixture pair should score as possible duplicates"
    return DuplicateCandidate.objects.get(case_b=second.case, case_a=first.case)


@pytest.fixture
def world(personas: Personas, cases: dict[str, Case]) -> dict[str, Any]:
    typo = {"nhs_number": "", "given_name": "Alx", "date_of_birth": "1990-02-04"}
    pairs = {
        "in": _pair(
            report_body(deceased={"nhs_number": "", "given_name": "Robin"}),
            report_body(deceased={**typo, "given_name": "Robn"}),
            "example-public-health-e09000030",
        ),
        "out": _pair(
            in_barnet(deceased={"nhs_number": "", "given_name": "Kim"}),
            in_barnet(deceased={**typo, "given_name": "Km"}),
            "example-public-health-e09000003",
        ),
    }
    lead = personas.regional_lead
    prevention = Organisation.objects.get(slug="example-prevention-team")
    merges = {}
    for scope_name, pair in pairs.items():
        place = report_body if scope_name == "in" else in_barnet
        keep = report("example-police", place(deceased={"nhs_number": "", "given_name": f"Keep{scope_name}"}))
        gone = report(
            "example-police",
            place(
                deceased={"nhs_number": "", "given_name": f"Gone{scope_name}", "date_of_birth": "1980-01-01"}
            ),
        )
        merges[scope_name] = merging.merge_cases(
            survivor=keep.case, duplicate=gone.case, by=lead, organisation=prevention, reason="matrix fixture"
        )
        assert pair.state == "open"
    return {"cases": cases, "pairs": pairs, "merges": merges}


def _url(name: str, rule: access.PageRule, scope: str, world: dict[str, Any], user: Any) -> str:
    case = world["cases"][scope]
    if rule.owned == "next_of_kin":
        return reverse(name, args=[case.reference, case.next_of_kin.first().pk])
    if rule.owned == "draft":
        organisation = Organisation.objects.get(slug="example-police")
        draft = wizard.start_draft(user=user, organisation=organisation)
        return reverse(name, args=[draft.pk, "person"] if name.endswith("report-step") else [draft.pk])
    if rule.owned == "duplicate":
        return reverse(name, args=[world["pairs"][scope].pk])
    if rule.owned == "merge":
        return reverse(name, args=[world["merges"][scope].pk])
    if rule.case:
        return reverse(name, args=[case.reference])
    return reverse(name)


@pytest.mark.parametrize("role", list(PERSONA_FOR_ROLE))
def test_pages_by_role_and_scope(role: str, personas: Personas, world: dict[str, Any], client_for) -> None:
    user = getattr(personas, PERSONA_FOR_ROLE[role])
    client = client_for(user)
    wrong = []
    for name, rule in access.PAGES.items():
        for scope in ("in", "out"):
            allowed = role in (rule.in_scope if scope == "in" else rule.out_of_scope)
            url = _url(name, rule, scope, world, user)
            response = client.post(url, {}) if rule.method == "POST" else client.get(url)
            status = response.status_code
            ok = status < 400 if allowed else status in (403, 404)
            if not allowed and role in rule.in_scope and (rule.case or rule.owned) and scope == "out":
                ok = status == 404  # reachable in principle: out of scope must look like not found
            if not ok:
                wrong.append(
                    f"{name} {scope} scope: {status} (expected {'allowed' if allowed else 'refused'})"
                )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("kind", list(ORGANISATION_FOR_TYPE))
def test_endpoints_by_organisation_type_and_scope(kind: T, world: dict[str, Any], api_key) -> None:
    key = api_key(ORGANISATION_FOR_TYPE[kind])
    cases = world["cases"]
    wrong = []
    for name, rule in access.ENDPOINTS.items():
        for scope in ("in", "out"):
            allowed = kind in (rule.in_scope if scope == "in" else rule.out_of_scope)
            path = reverse(name, args=[cases[scope].reference]) if rule.case else reverse(name)
            status, body = call("GET", path, key)
            if rule.case:
                ok = status == 200 if allowed else status in (403, 404)
            else:
                listed = status == 200 and cases[scope].reference in str(body)
                ok = listed if allowed else not listed
            if not ok:
                wrong.append(f"{name} {scope} scope: {status}")
    assert not wrong, f"{kind}:\n" + "\n".join(wrong)
