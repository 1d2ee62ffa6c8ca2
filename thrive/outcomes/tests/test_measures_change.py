"""Change classification: hand-worked examples for each method, then properties against brute force."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thrive.outcomes import measures
from thrive.outcomes.measures.change import (
    METHODS,
    Change,
    ReliableChangeIndexMethod,
    ThresholdMethod,
    classify_items,
    classify_series,
    clinical_significance_cutoff,
    first_and_latest,
    get_method,
    methods_for,
)

IMPROVED, SAME, WORSE = Change.RELIABLE_IMPROVEMENT, Change.NO_RELIABLE_CHANGE, Change.RELIABLE_DETERIORATION


@pytest.mark.parametrize(
    ("first", "latest", "expected"),
    [(20, 12, IMPROVED), (20, 13, SAME), (20, 20, SAME), (12, 19, SAME), (12, 20, WORSE), (30, 0, IMPROVED)],
)
def test_honos_total_eight_points(first: int, latest: int, expected: Change) -> None:
    assert get_method("honos_total").classify(first, latest) is expected


def test_honos_total_severe_patients_seven_points() -> None:
    assert get_method("honos_total_severe").classify(20, 13) is IMPROVED
    assert get_method("honos_total_severe").classify(20, 14) is SAME


@pytest.mark.parametrize(
    ("first", "latest", "expected"), [(3, 4, IMPROVED), (4, 3, WORSE), (4, 4, SAME), (1, 7, IMPROVED)]
)
def test_dialog_item_one_point(first: int, latest: int, expected: Change) -> None:
    assert get_method("dialog_item").classify(first, latest) is expected


def test_dialog_items_counted_are_life_domains_only() -> None:
    method = get_method("dialog_item")
    assert isinstance(method, ThresholdMethod)
    first = {1: 3, 2: 5, 3: 6, 9: 1}
    latest = {1: 4, 2: 5, 3: 4, 9: 7, 10: 2}
    assert classify_items(method, first, latest) == {1: IMPROVED, 2: SAME, 3: WORSE}
    honos = get_method("honos_total")
    assert isinstance(honos, ThresholdMethod)
    with pytest.raises(ValueError, match="not items"):
        classify_items(honos, first, latest)


def test_dialog_sqol_reliable_change_index_hand_worked() -> None:
    method = get_method("dialog_sqol_rci")
    assert isinstance(method, ReliableChangeIndexMethod)
    # S_diff = sqrt(2) * 1.10 * sqrt(1 - .71) = 0.83774
    assert method.standard_error_of_difference == pytest.approx(0.837735, abs=1e-6)
    assert method.index(4.0, 5.75) == pytest.approx(2.08897, abs=1e-5)
    assert method.classify(4.0, 5.75) is IMPROVED  # RCI 2.09
    assert method.classify(4.0, 5.5) is SAME  # RCI 1.79
    assert method.classify(5.75, 4.0) is WORSE


def test_dialog_treatment_satisfaction_reliable_change_index_hand_worked() -> None:
    method = get_method("dialog_treatment_satisfaction_rci")
    assert isinstance(method, ReliableChangeIndexMethod)
    # S_diff = sqrt(2) * 1.17 * sqrt(.43) = 1.08501; reliable beyond 1.96 * 1.08501 = 2.1266 points
    assert method.standard_error_of_difference == pytest.approx(1.085013, abs=1e-6)
    assert method.classify(3.0, 5.0) is SAME
    assert method.classify(3.0, 16 / 3) is IMPROVED


def test_talking_therapies_thresholds() -> None:
    assert get_method("phq9_total").classify(16, 10) is IMPROVED
    assert get_method("phq9_total").classify(16, 11) is SAME
    assert get_method("gad7_total").classify(8, 12) is WORSE


def test_threshold_counts_a_change_of_exactly_the_threshold_on_inexact_means() -> None:
    method = ThresholdMethod(
        "t", "test", "dialog", "treatment_satisfaction", threshold=1, higher_is_better=True
    )
    assert method.classify(13 / 3, 16 / 3) is IMPROVED
    assert method.classify(16 / 3, 13 / 3) is WORSE


def test_paired_scores_are_first_valid_and_latest() -> None:
    assert first_and_latest([None, 10, None, 14, 12, None]) == (10, 12)
    assert first_and_latest([None, 5, None]) is None
    assert first_and_latest([]) is None
    honos = get_method("honos_total")
    assert classify_series(honos, [None, 24, 20, 15, None]) is IMPROVED
    assert classify_series(honos, [24]) is None


def test_clinical_significance_cutoff_hand_worked() -> None:
    # c = (SD_f * M_d + SD_d * M_f) / (SD_f + SD_d) = (1 * 2 + 2 * 5) / 3
    assert clinical_significance_cutoff(5, 1, 2, 2) == pytest.approx(4.0)
    assert clinical_significance_cutoff(3, 1.5, 9, 1.5) == pytest.approx(6.0)


def test_every_method_is_named_and_refers_to_a_measure() -> None:
    for key, method in METHODS.items():
        assert method.key == key
        assert len(method.name) > 20
        assert measures.get(method.measure).key == method.measure
    assert {method.key for method in methods_for("honos")} == {"honos_total", "honos_total_severe"}
    with pytest.raises(LookupError, match="Unknown change method"):
        get_method("nope")


def test_reliable_change_index_refuses_impossible_reference_values() -> None:
    with pytest.raises(ValueError, match="reliability"):
        ReliableChangeIndexMethod(
            "x", "x", "dialog", "sqol", reference_sd=1.0, reliability=1.0, higher_is_better=True
        )
    with pytest.raises(ValueError, match="reference SD"):
        ReliableChangeIndexMethod(
            "x", "x", "dialog", "sqol", reference_sd=0, reliability=0.5, higher_is_better=True
        )


scores = st.integers(0, 48)


@given(scores, scores, st.sampled_from(["honos_total", "honos_total_severe", "phq9_total", "gad7_total"]))
def test_threshold_methods_match_brute_force(first: int, latest: int, key: str) -> None:
    method = get_method(key)
    assert isinstance(method, ThresholdMethod)
    fall = first - latest  # lower is better for all of these
    expected = IMPROVED if fall >= method.threshold else WORSE if -fall >= method.threshold else SAME
    assert method.classify(first, latest) is expected


@given(st.floats(1, 7), st.floats(1, 7), st.floats(0.1, 3), st.floats(0, 0.99), st.booleans())
def test_reliable_change_index_matches_formula(
    first: float, latest: float, sd: float, reliability: float, higher_is_better: bool
) -> None:
    method = ReliableChangeIndexMethod("x", "x", "dialog", "sqol", sd, reliability, higher_is_better)
    rci = (latest - first) / (math.sqrt(2) * sd * math.sqrt(1 - reliability))
    better = rci if higher_is_better else -rci
    expected = IMPROVED if better > 1.96 else WORSE if better < -1.96 else SAME
    assert method.classify(first, latest) is expected


@given(st.integers(1, 7), st.integers(1, 7))
def test_classification_is_antisymmetric(first: int, latest: int) -> None:
    for method in METHODS.values():
        forward, backward = method.classify(first, latest), method.classify(latest, first)
        assert (forward is IMPROVED) == (backward is WORSE)
        assert (forward is SAME) == (backward is SAME)
