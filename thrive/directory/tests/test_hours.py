"""Opening hours: the editors' line syntax, read back exactly as written out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thrive.directory import hours


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        (
            "Mon-Fri 09:00-17:00",
            [{"days": ["MO", "TU", "WE", "TH", "FR"], "opens": "09:00", "closes": "17:00"}],
        ),
        ("Every day 24 hours", [{"days": list(hours.DAYS), "opens": "00:00", "closes": "24:00"}]),
        (
            "Mon, Wed and Fri 9.30 to 12.00",
            [{"days": ["MO", "WE", "FR"], "opens": "09:30", "closes": "12:00"}],
        ),
        (
            "weekends 10:00-14:00; Tuesday 18:00-20:00",
            [
                {"days": ["SA", "SU"], "opens": "10:00", "closes": "14:00"},
                {"days": ["TU"], "opens": "18:00", "closes": "20:00"},
            ],
        ),
        ("Sat-Mon 10:00-11:00", [{"days": ["MO", "SA", "SU"], "opens": "10:00", "closes": "11:00"}]),
        ("", []),
    ],
)
def test_parse(text: str, rules: list) -> None:
    assert hours.parse(text) == rules


@pytest.mark.parametrize(
    "text", ["Mondays sometimes", "Mon 9-5", "Funday 09:00-10:00", "Mon 17:00-09:00", "Mon 24:30-25:00"]
)
def test_unreadable_lines_are_refused_with_the_line_quoted(text: str) -> None:
    with pytest.raises(hours.HoursError, match=text.split()[0]):
        hours.parse(text)


times = st.integers(min_value=0, max_value=23 * 60 + 58).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")


@given(
    st.lists(
        st.tuples(st.sets(st.sampled_from(hours.DAYS), min_size=1), times, st.integers(1, 600)),
        max_size=4,
    )
)
def test_format_then_parse_gives_the_same_rules(raw: list) -> None:
    rules: list[hours.Rule] = []
    for days, opens, length in raw:
        start = int(opens[:2]) * 60 + int(opens[3:])
        end = min(start + length, 24 * 60)
        rules.append(
            {
                "days": [d for d in hours.DAYS if d in days],
                "opens": opens,
                "closes": f"{end // 60:02d}:{end % 60:02d}",
            }
        )
    assert hours.parse(hours.format_rules(rules)) == rules
