"""The anonymous self-check: scoring through the measure registry, crisis support first on PHQ-9 item 9,
signposting, and nothing kept about the person but a daily count."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thrive.directory.models import SelfCheckDailyCount
from thrive.directory.selfcheck import measure_for, result_for
from thrive.directory.taxonomy import ServiceType
from thrive.directory.tests.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("thrive.directory.tests.urls")]


def answers(measure: str, values: list[int], borough: str = "") -> dict[str, str]:
    data = {f"q{number}": str(value) for number, value in enumerate(values, start=1)}
    data["borough"] = borough
    return data


def crisis_position(html: str) -> int:
    match = re.search(r'nhsuk-card--care--emergency" id="crisis-support"', html)
    return match.start() if match else -1


def test_item_9_above_zero_shows_crisis_support_first_whatever_the_total(
    client: Client, london: dict
) -> None:
    response = client.post("/self-check/phq9/", answers("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1]))
    html = response.content.decode()
    assert response.status_code == 200
    position = crisis_position(html)
    assert position != -1
    assert position < html.index("Your result") < html.index("few or no symptoms of depression")
    assert position < html.index("<h2>Your result</h2>")
    assert "Please get support now" in html and "116 123" in html[position : position + 3000]


def test_item_9_at_zero_shows_the_result_first(client: Client, london: dict) -> None:
    html = client.post("/self-check/phq9/", answers("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])).content.decode()
    assert crisis_position(html) == -1
    assert "severe symptoms of depression" in html and "24 out of 27" in html
    assert html.index("Your result") < html.index(
        "nhsuk-card--care--urgent"
    )  # crisis lines still on the page


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=9, max_size=9))
def test_crisis_first_exactly_when_item_9_is_positive(values: list[int]) -> None:
    measure = measure_for("phq9")
    result = result_for("phq9", measure, {str(i): v for i, v in enumerate(values, start=1)})
    assert result.crisis_first == (values[8] > 0)
    assert result.total == sum(values) and result.maximum == 27


@pytest.mark.parametrize(
    ("values", "band"),
    [
        ([0] * 7, "none-minimal"),
        ([1] * 7, "mild"),
        ([2] * 5 + [0, 0], "moderate"),
        ([3] * 5 + [0, 0], "severe"),
    ],
)
def test_gad7_bands_in_plain_english(client: Client, london: dict, values: list[int], band: str) -> None:
    html = client.post("/self-check/gad7/", answers("gad7", values)).content.decode()
    assert f"({band})" in html
    assert "symptoms of anxiety" in html and "not a diagnosis" in html
    assert crisis_position(html) == -1


def test_missing_answers_are_named(client: Client, london: dict) -> None:
    data = answers("phq9", [1] * 9)
    del data["q3"]
    html = client.post("/self-check/phq9/", data).content.decode()
    assert "There is a problem" in html and "Answer question 3." in html
    assert SelfCheckDailyCount.objects.count() == 0


def test_signposts_to_the_boroughs_talking_therapies(client: Client, london: dict) -> None:
    ServiceFactory.create(
        name="Example Tower Hamlets Talking Therapies",
        type=ServiceType.TALKING_THERAPIES,
        boroughs=["E09000030"],
        self_referral=True,
    )
    ServiceFactory.create(
        name="Example Barnet Talking Therapies", type=ServiceType.TALKING_THERAPIES, boroughs=["E09000003"]
    )
    html = client.post("/self-check/gad7/", answers("gad7", [2] * 7, borough="E09000030")).content.decode()
    assert "NHS Talking Therapies in Tower Hamlets" in html
    assert "Example Tower Hamlets Talking Therapies" in html and "Example Barnet" not in html
    assert "/find-support/?borough=E09000030" in html
    without = client.post("/self-check/gad7/", answers("gad7", [2] * 7)).content.decode()
    assert "/find-support/?type=talking_therapies" in without


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_nothing_is_stored_about_the_person(client: Client, london: dict, caplog: Any) -> None:
    before = _row_counts()
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            response = client.post(
                "/self-check/phq9/",
                answers("phq9", [1, 2, 3, 0, 1, 2, 3, 0, 1], "E09000030"),
                REMOTE_ADDR="198.51.100.23",
            )
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"]
    after = _row_counts()
    changed = {label: after[label] - before[label] for label in after if after[label] != before[label]}
    assert changed == {"directory.SelfCheckDailyCount": 1}
    assert SelfCheckDailyCount.objects.get().completed == 2
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "198.51.100.23" not in logged and "E09000030" not in logged
    assert "no-store" in client.get("/self-check/phq9/")["Cache-Control"]  # nor is the form page


def test_unknown_self_check(client: Client) -> None:
    assert client.get("/self-check/astrology/").status_code == 404
