"""Case references: `RTSS-YYYY-NNNNN`, unique and rising within a year, past any number already given (the demo
history's included), and on PostgreSQL taken without holding up a concurrent report."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.db import connection, transaction

from thrive.accounts.testing import Personas
from thrive.core import audit
from thrive.surveillance import demo_history, references
from thrive.surveillance.models import Case
from thrive.surveillance.tests.conftest import nhs_number, report, report_body

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="concurrent writers (SQLite lets one in at a time)")


def number(reference: str) -> int:
    assert re.fullmatch(r"RTSS-\d{4}-\d{5,}", reference), reference
    return int(reference.rsplit("-", 1)[1])


def test_numbers_rise_within_a_year_and_each_year_counts_alone() -> None:
    first, second = references.take(2091), references.take(2091)
    assert first.startswith("RTSS-2091-") and number(second) > number(first)
    assert references.take(2092).startswith("RTSS-2092-")


def test_a_years_first_number_comes_after_any_case_already_numbered(personas: Personas) -> None:
    case = report().case
    Case.objects.filter(pk=case.pk).update(reference="RTSS-2093-00041")
    assert references.take(2093) == "RTSS-2093-00042"


def test_numbers_after_the_demo_history_never_collide_with_it() -> None:
    live = references.take(2094)  # a number given before the history is loaded (a sequence on PostgreSQL)
    history = demo_history.References()
    past = [history.take(2094) for _ in range(3)]
    assert number(past[0]) > number(live)
    history.save()
    assert number(references.take(2094)) > number(past[-1])


def test_the_demo_history_reserves_a_year_nothing_has_numbered_yet() -> None:
    history = demo_history.References()
    past = [history.take(2095) for _ in range(5)]
    history.save()
    assert number(references.take(2095)) == number(past[-1]) + 1


def test_a_report_opens_a_case_with_this_years_next_number(personas: Personas) -> None:
    first = report().case
    second = report(body=report_body(deceased={"nhs_number": nhs_number(), "family_name": "Other"})).case
    assert number(second.reference) > number(first.reference)
    assert second.reference.startswith(f"RTSS-{first.created_at.year}-")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_number_taken_in_an_open_transaction_does_not_hold_up_the_next() -> None:
    """The old counter row stayed locked until the report's transaction committed, so concurrent reports
    queued behind each other; a sequence gives the next number at once."""
    references.take(2096)  # the sequence exists (made and committed)
    taken, release, results = threading.Event(), threading.Event(), {}

    def holder() -> None:
        with transaction.atomic():
            results["first"] = references.take(2096)
            taken.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert taken.wait(30)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            results["second"] = references.take(2096)
    finally:
        release.set()
        thread.join(30)
    assert results["first"] != results["second"]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_years_sequence_is_made_once_when_two_reports_race_for_it() -> None:
    """Both find no sequence; one makes it, the other waits for that commit, then takes the next number."""
    barrier, results, errors = threading.Barrier(2), [], []

    def take() -> None:
        try:
            barrier.wait(30)
            with transaction.atomic():
                results.append(references.take(2097))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and sorted(map(number, results)) == [1, 2]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_get_distinct_references_and_a_sound_audit_chain(personas: Personas) -> None:
    count = 4
    barrier, cases, errors = threading.Barrier(count), [], []

    def submit(index: int) -> None:
        body: dict[str, Any] = report_body(
            deceased={"nhs_number": nhs_number(), "family_name": f"Concurrent{'abcd'[index]}"}
        )
        try:
            barrier.wait(30)
            cases.append(report(body=body).case)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert len({case.reference for case in cases}) == count
    assert audit.verify().ok
