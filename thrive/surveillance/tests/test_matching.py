"""Linkage against the database: which earlier case a report joins, and which cases are scored against it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thrive.surveillance import matching
from thrive.surveillance.models import AgencyReport, Case
from thrive.surveillance.tests.conftest import nhs_number, report, report_body

pytestmark = pytest.mark.django_db


def flat(**deceased: str) -> dict[str, Any]:
    return {f"deceased.{key}": value for key, value in deceased.items()}


def reported(**deceased: str) -> Case:
    overrides = {"given_name": "Quillon", "family_name": "Marchbank", "date_of_birth": "1990-04-02"}
    return report("example-police", report_body(deceased={**overrides, **deceased})).case


def test_a_death_not_reported_before_costs_one_narrow_query(personas: Any) -> None:
    reported(nhs_number=nhs_number())
    with CaptureQueriesContext(connection) as queries:
        found = matching.exact_link(flat(nhs_number=nhs_number(), given_name="Ada", family_name="Lovell",
                                         date_of_birth="1970-01-01"))  # fmt: skip
    assert found is None
    assert len(queries.captured_queries) == 1


def test_the_nhs_number_wins_over_a_names_match(personas: Any) -> None:
    shared = nhs_number()
    by_names = reported(nhs_number="")
    by_number = reported(
        nhs_number=shared, given_name="Ada", family_name="Lovell", date_of_birth="1970-01-01"
    )
    found = matching.exact_link(
        flat(nhs_number=shared, given_name="Quillon", family_name="Marchbank", date_of_birth="1990-04-02")
    )
    assert found is not None and by_names.pk != by_number.pk
    assert found == (by_number, AgencyReport.Link.NHS_NUMBER)


def test_a_namesake_with_another_nhs_number_is_not_linked(personas: Any) -> None:
    reported(nhs_number=nhs_number())
    other = nhs_number()
    assert matching.exact_link(
        flat(nhs_number=other, given_name="Quillon", family_name="Marchbank", date_of_birth="1990-04-02")
    ) is None  # fmt: skip


def test_names_and_date_of_birth_link_when_neither_report_has_an_nhs_number(personas: Any) -> None:
    first = reported(nhs_number="")
    found = matching.exact_link(
        flat(given_name="Quillon", family_name="Marchbank", date_of_birth="1990-04-02")
    )
    assert found == (first, AgencyReport.Link.NAME_AND_DOB)


def test_candidates_include_a_case_sharing_the_nhs_number_outside_the_death_window(personas: Any) -> None:
    """The NHS-number case ids are looked up first and the cases fetched by id: as a subquery inside the date
    filter, PostgreSQL scanned every case for every report (17 ms a report with 3,000 cases)."""
    shared = nhs_number()
    earlier = report(
        "example-police",
        report_body(date_of_death="2025-01-10", date_found="2025-01-10", deceased={"nhs_number": shared}),
    ).case
    AgencyReport.objects.filter(case=earlier).update(nhs_index="")  # so the next report is not linked to it
    later = report(
        "example-police",
        report_body(date_of_death="2026-06-01", date_found="2026-06-01",
                    deceased={"nhs_number": shared, "given_name": "Ada", "family_name": "Lovell"}),
    ).case  # fmt: skip
    AgencyReport.objects.filter(case=earlier).update(nhs_index=later.reports.get().nhs_index)
    with CaptureQueriesContext(connection) as queries:
        found = matching.candidates(later)
    assert earlier in found
    case_queries = [q["sql"] for q in queries.captured_queries if 'FROM "surveillance_case"' in q["sql"]]
    assert case_queries and all("SELECT U0" not in sql for sql in case_queries)
