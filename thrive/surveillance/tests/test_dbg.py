import pytest
from thrive.surveillance.tests.conftest import report, report_body
pytestmark = pytest.mark.django_db
def test_dbg(personas):
    a = report("example-police", report_body(deceased={"nhs_number": "", "given_name": "Jo"}))
    b = report("example-police", report_body(deceased={"nhs_number": "", "given_name": "Jo2", "date_of_birth": "1980-01-01"}))
    print(a.case.reference, a.linked, b.case.reference, b.linked, b.report.link)
    assert False
