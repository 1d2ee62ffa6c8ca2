"""Working days skip weekends and England's bank holidays (thrive.core.working_days)."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from thrive.core.working_days import add_working_days, is_working_day, working_days_between

D = datetime.date
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2032, 12, 31))


def test_weekends_and_bank_holidays_are_skipped() -> None:
    assert add_working_days(D(2026, 11, 20), 2) == D(2026, 11, 24)  # Friday → Tuesday
    assert add_working_days(D(2026, 11, 21), 2) == D(2026, 11, 24)  # Saturday → Tuesday
    assert add_working_days(D(2026, 4, 2), 2) == D(2026, 4, 8)  # over Good Friday and Easter Monday
    assert add_working_days(D(2026, 12, 24), 1) == D(
        2026, 12, 29
    )  # Christmas, Boxing Day observed on the 28th
    assert add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 1)  # the late summer bank holiday
    assert add_working_days(D(2026, 11, 24), 0) == D(2026, 11, 24)
    assert add_working_days(D(2026, 11, 24), -2) == D(2026, 11, 20)
    assert not is_working_day(D(2026, 12, 28)) and is_working_day(D(2026, 12, 29))
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 24)) == 2
    assert working_days_between(D(2026, 11, 24), D(2026, 11, 20)) == -2


@given(days, st.integers(min_value=0, max_value=80))
def test_adding_then_counting_gives_the_days_back(start: datetime.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert n == 0 or is_working_day(end)
    assert add_working_days(end, -n) <= start or not is_working_day(start)


@given(days, days)
def test_counting_agrees_with_walking_day_by_day(a: datetime.date, b: datetime.date) -> None:
    low, high = min(a, b), max(a, b)
    if (high - low).days > 120:
        high = low + datetime.timedelta(days=120)
    walked = sum(is_working_day(low + datetime.timedelta(days=i)) for i in range(1, (high - low).days + 1))
    assert working_days_between(low, high) == walked
