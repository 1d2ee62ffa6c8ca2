"""CSV import (row by row, no half rows, wrong columns refused, re-import skipped) and export (pseudonymised
or identifiable by role, audited)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from thrive.accounts.testing import Personas
from thrive.core.models import AuditEntry
from thrive.surveillance import csvio
from thrive.surveillance.models import Case, NextOfKin
from thrive.surveillance.tests.conftest import nhs_number

pytestmark = pytest.mark.django_db


def _row(**values: str) -> dict[str, str]:
    base = {
        "reporting_reference": "POL-1",
        "date_found": "2026-10-02",
        "date_of_death": "2026-10-01",
        "given_name": "Oriel",
        "family_name": "Penhale",
        "date_of_birth": "1979-03-15",
        "nhs_number": nhs_number(),
        "sex": "male",
        "residence_area": "E09000030",
        "incident_area_code": "E09000030",
        "location_type": "home",
        "method_group": "poisoning",
        "substances": "paracetamol; alcohol",
        "circumstances": "recent_crisis;bereavement",
        "nok_name": "Wren Penhale",
        "nok_relationship": "partner",
        "nok_phone": "07700900456",
        "nok_consent_to_referral": "later",
    }
    return {**base, **values}


def _file(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(csvio.COLUMNS))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def _upload(client, text: str):
    return client.post(
        reverse("surveillance:csv-import"),
        {"file": SimpleUploadedFile("reports.csv", text.encode(), content_type="text/csv")},
    )


def test_valid_rows_are_saved_and_invalid_rows_listed(personas: Personas, client_for) -> None:
    text = _file(
        [
            _row(),
            _row(reporting_reference="POL-2", given_name="Bryn", nhs_number="1234567890"),
            _row(reporting_reference="POL-3", given_name="Cai", date_of_death="2099-01-01", nok_phone="99"),
            _row(
                reporting_reference="POL-4",
                given_name="Dilys",
                family_name="Tregear",
                nhs_number="",
                date_of_birth="1960-01-01",
            ),
        ]
    )
    page = _upload(client_for(personas.police_reporter), text).content.decode()
    assert "2 new cases" in page
    assert Case.objects.count() == 2 and NextOfKin.objects.count() == 2
    for expected in ("nhs_number", "date_of_death", "nok_phone", "modulus 11", "future", "UK phone"):
        assert expected in page
    assert '<td class="nhsuk-table__cell">3</td>' in page and '<td class="nhsuk-table__cell">4</td>' in page
    again = _upload(client_for(personas.police_reporter), text).content.decode()
    assert "already imported" in again and Case.objects.count() == 2


def test_wrong_columns_refuse_the_whole_file(personas: Personas, client_for) -> None:
    text = _file([{"surname": "Penhale", "date_found": "2026-10-02"}], columns=["surname", "date_found"])
    page = _upload(client_for(personas.police_reporter), text).content.decode()
    assert "unknown columns: surname" in page and "missing required columns" in page
    assert not Case.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(personas: Personas, client_for) -> None:
    response = client_for(personas.police_reporter).post(
        reverse("surveillance:csv-import"), {"file": SimpleUploadedFile("r.csv", "é".encode("latin-1"))}
    )
    assert "UTF-8" in response.content.decode()


def test_the_template_lists_every_column(personas: Personas, client_for) -> None:
    text = client_for(personas.police_reporter).get(reverse("surveillance:csv-template")).content.decode()
    assert text.strip().split(",") == list(csvio.COLUMNS)


def _export(client) -> list[list[str]]:
    response = client.get(reverse("surveillance:case-export"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_exports_follow_the_role(personas: Personas, client_for, cases) -> None:
    pseudonymised = _export(client_for(personas.analyst))
    assert pseudonymised[0] == list(csvio.PSEUDONYMISED_COLUMNS)
    assert [row[0] for row in pseudonymised[1:]] == [cases["in"].reference]
    assert "Quillon" not in str(pseudonymised) and "25-44" in str(pseudonymised)
    identifiable = _export(client_for(personas.borough_lead))
    assert "given_name" in identifiable[0] and "Quillon" in str(identifiable)
    assert AuditEntry.objects.filter(action="export", reason="case export (pseudonymised)").exists()
    assert AuditEntry.objects.filter(action="export", reason="case export (identifiable)").exists()
    assert client_for(personas.police_reporter).get(reverse("surveillance:case-export")).status_code == 403
