"""Working days: Monday to Friday, except England's bank holidays (from the `holidays` package).

Targets such as "first contact within 2 working days" are counted in these days. Counting starts the day after
the start date: a referral received on a Friday with a 2-working-day target is due by the end of Tuesday (or
Wednesday when that Monday is a bank holiday), and one received on a Saturday is due on the same Tuesday.
Holidays substituted for a weekend ("Boxing Day (observed)") count as holidays, as they do for offices.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays

COUNTRY, SUBDIVISION = "GB", "ENG"


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    """England's bank holidays in `year` (cached: the package computes them each time it is asked)."""
    return frozenset(holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The `n`th working day after `start` (`start` itself never counts); `n` = 0 gives `start` back.

    A negative `n` counts backwards: the `|n|`th working day before `start`.
    """
    day, remaining = start, abs(n)
    step = datetime.timedelta(days=1 if n >= 0 else -1)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """How many working days fall after `a` up to and including `b`; negative when `b` is before `a`.

    The inverse of `add_working_days`: `working_days_between(a, add_working_days(a, n)) == n`.
    """
    if b < a:
        return -working_days_between(b, a)
    whole_weeks, extra = divmod((b - a).days, 7)
    count = whole_weeks * 5
    day = a + datetime.timedelta(days=whole_weeks * 7)
    for _ in range(extra):
        day += datetime.timedelta(days=1)
        count += day.weekday() < 5
    holidays_in_range = sum(
        1
        for year in range(a.year, b.year + 1)
        for holiday in bank_holidays(year)
        if a < holiday <= b and holiday.weekday() < 5
    )
    return count - holidays_in_range
