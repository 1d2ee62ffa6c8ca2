"""Small-number suppression with secondary suppression (thrive.core.disclosure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thrive.core.disclosure import suppress_small, suppress_table


def test_a_small_count_is_hidden_with_the_next_smallest_so_the_total_cannot_give_it_away() -> None:
    assert suppress_small({"a": 3, "b": 10, "c": 12}) == {"a": None, "b": None, "c": 12}
    assert suppress_small({"a": 3, "b": 4, "c": 12}) == {"a": None, "b": None, "c": 12}
    assert suppress_small({"a": 0, "b": 10}) == {"a": 0, "b": 10}
    assert suppress_small({"a": 2, "b": 0}) == {"a": None, "b": None}
    assert suppress_small({"a": 5, "b": 6}) == {"a": 5, "b": 6}
    assert suppress_small({"a": 2, "b": 9}, threshold=3) == {"a": None, "b": None}
    assert suppress_small({"a": 1, "b": 9, "c": 7}, forced=["c"]) == {"a": None, "b": 9, "c": None}


def test_groups_say_which_sums_are_published() -> None:
    counts = {"x1": 2, "x2": 20, "y1": 30, "y2": 40}
    assert suppress_small(counts, groups=[["x1", "x2"], ["y1", "y2"]]) == {
        "x1": None,
        "x2": None,
        "y1": 30,
        "y2": 40,
    }
    with pytest.raises(KeyError):
        suppress_small(counts, groups=[["x1", "z"]])
    with pytest.raises(ValueError, match="negative"):
        suppress_small({"a": -1})
    with pytest.raises(ValueError, match="threshold"):
        suppress_small({"a": 1}, threshold=0)


def test_a_table_protects_rows_and_columns() -> None:
    table = {"East": {"Jan": 3, "Feb": 20, "Mar": 30}, "North": {"Jan": 25, "Feb": 40, "Mar": 50}}
    result = suppress_table(table)
    assert result["East"]["Jan"] is None and result["East"]["Feb"] is None  # the row
    assert result["North"]["Jan"] is None and result["North"]["Feb"] is None  # and the columns
    assert result["East"]["Mar"] == 30 and result["North"]["Mar"] == 50


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 30), min_size=1),
    st.integers(min_value=1, max_value=10),
)
def test_no_group_ever_has_a_lone_hidden_cell(counts: dict[str, int], threshold: int) -> None:
    keys = list(counts)
    groups = [keys[: len(keys) // 2 + 1], keys[len(keys) // 2 :]]
    result = suppress_small(counts, threshold, groups=groups)
    for key, count in counts.items():
        assert result[key] is None or result[key] == count
        if 0 < count < threshold:
            assert result[key] is None
    for group in groups:
        hidden = [key for key in group if result[key] is None]
        assert len(group) < 2 or len(hidden) != 1
