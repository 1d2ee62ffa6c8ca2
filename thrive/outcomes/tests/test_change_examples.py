"""Change over an episode on hand-worked examples, as the patient's page and the dashboards see it.

DIALOG quality of life by the Jacobson-Truax index: S_diff = sqrt(2) x 1.10 x sqrt(1 - .71) = 0.8377, so a
change is reliable beyond 1.96 x 0.8377 = 1.642 points (1.75 is, 1.5 is not). HoNOS total: 8 points or more.
DIALOG items 1-8: 1 point or more (items 9-11 are not counted). First valid and latest scores only.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from thrive.outcomes import trajectory
from thrive.outcomes.models import Assessment, Episode, EpisodeOutcome
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


def _sqol(total: int) -> dict[str, int]:
    """Items 1-8 adding up to `total` (SQOL = total / 8), as evenly as possible."""
    base, extra = divmod(total, 8)
    return {str(n): base + (1 if n <= extra else 0) for n in range(1, 9)}


@pytest.mark.parametrize(
    ("first", "latest", "expected"),
    [
        (24, 38, "reliable_improvement"),  # 3.0 -> 4.75: RCI 2.09
        (24, 36, "no_reliable_change"),  # 3.0 -> 4.5: RCI 1.79
        (40, 26, "reliable_deterioration"),  # 5.0 -> 3.25: RCI -2.09
    ],
)
def test_dialog_quality_of_life(
    episode: Episode, record: Callable[..., Assessment], first: int, latest: int, expected: str
) -> None:
    record(episode, "dialog", dialog(4, **_sqol(first)), on=days_ago(150), timepoint="start")
    record(episode, "dialog", dialog(4, **_sqol(latest)), on=days_ago(10))
    assert EpisodeOutcome.objects.get(episode=episode).change == expected
    history = trajectory.histories(episode)[0]
    quality = history.changes[0]
    assert (quality.what, str(quality.outcome)) == ("Quality of life", expected)
    assert "Jacobson-Truax" in quality.method


@pytest.mark.parametrize(
    ("first", "latest", "expected"),
    [
        (
            {"1": 4, "2": 4, "7": 4, "9": 4, "10": 4},
            {"1": 4, "7": 4, "10": 4},
            "reliable_improvement",
        ),  # 20 -> 12
        ({"1": 4, "2": 4, "7": 4, "9": 4, "10": 4}, {"1": 4, "7": 4, "10": 4, "12": 1}, "no_reliable_change"),
        ({"1": 4, "7": 4, "10": 4}, {"1": 4, "2": 4, "7": 4, "9": 4, "10": 4}, "reliable_deterioration"),
    ],
)
def test_honos_total(
    episode: Episode, record: Callable[..., Assessment], first: dict, latest: dict, expected: str
) -> None:
    record(episode, "honos", honos(0, **first), on=days_ago(150), timepoint="start")
    record(episode, "honos", honos(4, **{str(n): 9 for n in range(1, 13)}), on=days_ago(80))  # all unknown
    record(episode, "honos", honos(0, **latest), on=days_ago(10))
    summary = EpisodeOutcome.objects.get(episode=episode)
    assert summary.change == expected and summary.paired
    history = trajectory.histories(episode)[0]
    assert [str(c.outcome) for c in history.changes] == [expected]
    assert history.charts[0].series[0][1][1] is None  # the all-unknown total is a gap, not a zero


def test_dialog_items_as_nhs_england_counts_them(episode: Episode, record: Callable[..., Assessment]) -> None:
    record(episode, "dialog", dialog(5, **{"3": 2, "5": 6, "9": 1}), on=days_ago(150), timepoint="start")
    record(episode, "dialog", dialog(5, **{"3": 3, "5": 4, "9": 7}), on=days_ago(10))
    history = trajectory.histories(episode)[0]
    by_title = {item.title: str(item.outcome) for item in history.item_changes}
    assert by_title["Your job situation"] == "reliable_improvement"
    assert by_title["Your leisure activities"] == "reliable_deterioration"
    assert by_title["Your accommodation"] == "no_reliable_change"
    assert len(by_title) == 8  # medication (item 9) is not a life domain
    summary = EpisodeOutcome.objects.get(episode=episode)
    assert (summary.items_improved, summary.items_deteriorated) == (1, 1)
    assert "NHS England" in history.item_method
