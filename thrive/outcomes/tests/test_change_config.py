"""Reliable change for HoNOS 65+ and HoNOSCA: none is built in (measures.md gives no reference values), so the
patient's page and the dashboard say so plainly; a deployment configures a Jacobson-Truax index with its own
reference values (`OUTCOMES_RELIABLE_CHANGE`), which is then named on screen wherever change is classified.

Hand-worked: reference SD 5, reliability 0.8 (values made up for the test, not published ones):
S_diff = sqrt(2) x 5 x sqrt(1 - 0.8) = 3.1623, so change is reliable beyond 1.96 x 3.1623 = 6.20 points;
a fall of 7 points is a reliable improvement, a fall of 6 is not, a rise of 7 is a reliable deterioration.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from thrive.accounts.testing import Personas
from thrive.outcomes import access, checks, config, dashboard, trajectory
from thrive.outcomes.measures.change import Change
from thrive.outcomes.models import Assessment, Episode, EpisodeOutcome
from thrive.outcomes.tests.conftest import days_ago

EXAMPLE = {"reference_sd": 5, "reliability": 0.8, "source": "example values for a test"}
IMPROVED, SAME, WORSE = Change.RELIABLE_IMPROVEMENT, Change.NO_RELIABLE_CHANGE, Change.RELIABLE_DETERIORATION


def _total(total: int, items: int) -> dict[str, int]:
    """Items 1..`items` rated 0-4 adding up to `total`."""
    return {str(n): min(4, max(0, total - 4 * (n - 1))) for n in range(1, items + 1)}


ITEMS = {"honos65": 12, "honosca": 13}


def test_no_method_is_built_in_for_honos65_and_honosca() -> None:
    assert config.change_method("honos65") is None
    assert config.change_method("honosca") is None
    assert config.reliable_change_methods() == {}
    assert config.change_method("honos") is not None  # HoNOS keeps Parabiaghi's 8 points


@pytest.mark.parametrize(
    ("first", "latest", "expected"), [(20, 13, IMPROVED), (20, 14, SAME), (20, 26, SAME), (20, 27, WORSE)]
)
@pytest.mark.parametrize("measure", ["honos65", "honosca"])
def test_configured_index_hand_worked(
    settings: Any, measure: str, first: int, latest: int, expected: Change
) -> None:
    settings.OUTCOMES_RELIABLE_CHANGE = {measure: EXAMPLE}
    method = config.change_method(measure)
    assert method is not None and method.key == f"{measure}_configured_rci"
    assert method.standard_error_of_difference == pytest.approx(3.1623, abs=1e-4)  # type: ignore[union-attr]
    assert method.classify(first, latest) is expected
    title = config.short_title(measure)
    assert method.name == (
        f"{title} total: reliable change index (Jacobson-Truax; reference SD 5, reliability 0.8, "
        "from example values for a test; reliable beyond 6.20 points)"
    )


def test_configuration_may_be_json_text_as_from_the_environment(settings: Any) -> None:
    settings.OUTCOMES_RELIABLE_CHANGE = (
        '{"honosca": {"reference_sd": 5, "reliability": 0.8, "source": "example values for a test"}}'
    )
    method = config.change_method("honosca")
    assert method is not None and method.classify(30, 23) is IMPROVED
    settings.OUTCOMES_RELIABLE_CHANGE = ""
    assert config.change_method("honosca") is None


@given(
    st.floats(0.1, 20),
    st.floats(0, 0.99),
    st.integers(0, 52),
    st.integers(0, 52),
    st.sampled_from(["honos65", "honosca", "dialog"]),
)
def test_configured_index_matches_the_formula(
    sd: float, reliability: float, first: int, latest: int, measure: str
) -> None:
    methods = config.reliable_change_from(
        {measure: {"reference_sd": sd, "reliability": reliability, "source": "test"}}
    )
    rci = (latest - first) / (math.sqrt(2) * sd * math.sqrt(1 - reliability))
    better = rci if measure == "dialog" else -rci  # a lower HoNOS total is better; a higher DIALOG score
    expected = IMPROVED if better > 1.96 else WORSE if better < -1.96 else SAME
    assert methods[measure].classify(first, latest) is expected
    assert (methods[measure].classify(latest, first) is WORSE) == (expected is IMPROVED)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"honos99": EXAMPLE}, "'honos99' is not a measure"),
        ({"honos65": {**EXAMPLE, "reference_sd": 0}}, "reference_sd must be a positive number"),
        ({"honos65": {**EXAMPLE, "reference_sd": "5"}}, "reference_sd must be a positive number"),
        ({"honos65": {**EXAMPLE, "reliability": 1}}, "reliability must be a number from 0 to below 1"),
        ({"honos65": {**EXAMPLE, "reliability": -0.1}}, "reliability must be a number from 0 to below 1"),
        ({"honos65": {**EXAMPLE, "source": " "}}, "source must name where the reference values come from"),
        ({"honos65": {"sd": 5, "reliability": 0.8, "source": "x"}}, "unknown: sd; missing: reference_sd"),
        ({"honos65": 5}, "give a mapping of reference_sd, reliability and source"),
        ("{honos65: 5}", "is not valid JSON"),
        (["honos65"], "must map measure keys to reference values"),
    ],
)
def test_bad_reference_values_fail_fast(settings: Any, value: object, words: str) -> None:
    settings.OUTCOMES_RELIABLE_CHANGE = value
    with pytest.raises(ImproperlyConfigured, match=words):
        config.change_method("honos65")
    (problem,) = checks.check_change_methods()
    assert problem.id == "outcomes.E001" and words.split(":")[0] in problem.msg


def test_choosing_methods(settings: Any) -> None:
    settings.OUTCOMES_RELIABLE_CHANGE = {"honos": EXAMPLE, "honos65": EXAMPLE}
    assert config.change_method("honos").key == "honos_configured_rci"  # type: ignore[union-attr]
    settings.OUTCOMES_CHANGE_METHODS = {"honos": "honos_total", "honos65": ""}
    assert config.change_method("honos").key == "honos_total"  # type: ignore[union-attr]
    assert config.change_method("honos65") is None  # configured, but switched off
    assert checks.check_change_methods() == []
    settings.OUTCOMES_CHANGE_METHODS = {"honos": "honos65_configured_rci", "honosca": "nope", "core10": "x"}
    messages = sorted(problem.msg for problem in checks.check_change_methods())
    assert messages == [
        "OUTCOMES_CHANGE_METHODS: 'core10' is not a measure.",
        "OUTCOMES_CHANGE_METHODS: 'honos65_configured_rci' classifies honos65, not honos.",
        "OUTCOMES_CHANGE_METHODS: Unknown change method 'nope'; the methods are honos_total, honos_total_severe, "
        "dialog_item, dialog_sqol_rci, dialog_treatment_satisfaction_rci, phq9_total, gad7_total, "
        "honos_configured_rci, honos65_configured_rci.",
    ]


def _pair(record: Callable[..., Assessment], episode: Episode, measure: str, first: int, latest: int) -> None:
    record(episode, measure, _total(first, ITEMS[measure]), on=days_ago(150), timepoint="start")
    record(episode, measure, _total(latest, ITEMS[measure]), on=days_ago(10))


@pytest.mark.django_db
def test_patient_page_says_plainly_that_no_method_is_configured(
    client_for: Callable[..., Any], personas: Personas, episode: Episode, record: Callable[..., Assessment]
) -> None:
    _pair(record, episode, "honos65", 24, 12)
    _pair(record, episode, "honosca", 30, 10)
    page = client_for(personas.clinician).get(reverse("outcomes:patient", args=[episode.patient_id]))
    html = page.content.decode()
    assert page.status_code == 200
    for title in ("HoNOS 65+", "HoNOSCA"):
        assert (
            f"No reliable change method is configured for {title}, so this change is not classified." in html
        )
    assert html.count("Not classified") == 2 and "Reliable improvement" not in html
    assert "24.0 on" in html and "12.0 on" in html  # the first and latest totals are still shown
    for history in trajectory.histories(episode):
        assert history.no_method and [(c.outcome, c.method) for c in history.changes] == [(None, "")]
    for summary in EpisodeOutcome.objects.filter(episode=episode):
        assert (summary.paired, summary.change, summary.method) == (True, "", "")
    outcomes = access.outcomes_for_user(personas.service_manager)
    table = dashboard.build(outcomes, measure="honos65", by="team", since=None)
    assert table.method == dashboard.NO_METHOD


@pytest.mark.django_db
def test_configured_method_classifies_and_is_named_on_screen(
    settings: Any,
    client_for: Callable[..., Any],
    personas: Personas,
    episode: Episode,
    record: Callable[..., Assessment],
) -> None:
    settings.OUTCOMES_RELIABLE_CHANGE = {"honos65": EXAMPLE}
    _pair(record, episode, "honos65", 24, 17)  # a fall of 7 > 6.20 points
    name = config.change_method("honos65").name  # type: ignore[union-attr]
    html = client_for(personas.clinician).get(reverse("outcomes:patient", args=[episode.patient_id]))
    page = html.content.decode()
    assert "Reliable improvement" in page and f"Method: {name}" in page
    assert "No reliable change method is configured" not in page
    summary = EpisodeOutcome.objects.get(episode=episode, measure="honos65")
    assert (summary.change, summary.method) == ("reliable_improvement", "honos65_configured_rci")
    outcomes = access.outcomes_for_user(personas.service_manager)
    table = dashboard.build(outcomes, measure="honos65", by="team", since=None)
    assert table.method == name


@pytest.mark.django_db
def test_refresh_summaries_after_configuring(
    settings: Any, episode: Episode, record: Callable[..., Assessment]
) -> None:
    _pair(record, episode, "honosca", 30, 20)
    _pair(record, episode, "honos65", 20, 20)
    assert EpisodeOutcome.objects.get(episode=episode, measure="honosca").change == ""
    settings.OUTCOMES_RELIABLE_CHANGE = {"honosca": EXAMPLE}
    out = io.StringIO()
    call_command("outcomes", "refresh-summaries", "--measure", "honosca", stdout=out)
    assert out.getvalue().strip() == "1 episode summary recomputed"
    summary = EpisodeOutcome.objects.get(episode=episode, measure="honosca")
    assert (summary.change, summary.method) == ("reliable_improvement", "honosca_configured_rci")
    call_command("outcomes", "refresh-summaries", stdout=out)
    assert "2 episode summaries recomputed" in out.getvalue()
    assert EpisodeOutcome.objects.get(episode=episode, measure="honos65").change == ""
