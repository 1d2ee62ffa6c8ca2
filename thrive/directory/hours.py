"""Opening hours as a few plain lines ("Mon-Fri 09:00-17:00", "Sat 10:00-14:00", "Every day 24 hours").

Editors and the CSV import write this one small syntax; it is stored as structured rules so the public pages
can show it consistently and the Open Referral UK API can publish it as RFC 5545 weekly schedules.
"""

from __future__ import annotations

import re
from typing import TypedDict

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
_DAY_WORDS = {
    "mon": "MO",
    "monday": "MO",
    "tue": "TU",
    "tues": "TU",
    "tuesday": "TU",
    "wed": "WE",
    "wednesday": "WE",
    "thu": "TH",
    "thur": "TH",
    "thurs": "TH",
    "thursday": "TH",
    "fri": "FR",
    "friday": "FR",
    "sat": "SA",
    "saturday": "SA",
    "sun": "SU",
    "sunday": "SU",
}
_GROUPS = {"every day": DAYS, "daily": DAYS, "weekdays": DAYS[:5], "weekends": DAYS[5:]}
_TIME = r"([01]?\d|2[0-4])[:.]([0-5]\d)"
_RULE = re.compile(rf"^(?P<days>.+?)\s+(?:(?P<all>24 hours)|{_TIME}\s*(?:-|to|–)\s*{_TIME})$", re.IGNORECASE)
SYNTAX_HELP = 'One line each, like "Mon-Fri 09:00-17:00", "Sat 10:00-14:00" or "Every day 24 hours".'


class Rule(TypedDict):
    days: list[str]
    opens: str
    closes: str


class HoursError(ValueError):
    pass


def parse(text: str) -> list[Rule]:
    """Rules from the editor's lines (or "; "-separated, for CSV); raises HoursError with a plain message."""
    rules: list[Rule] = []
    for raw in re.split(r"[\n;]+", text or ""):
        line = raw.strip()
        if not line:
            continue
        match = _RULE.match(line)
        if not match:
            raise HoursError(f'We could not read "{line}". {SYNTAX_HELP}')
        days = _days(match.group("days"), line)
        if match.group("all"):
            rules.append({"days": days, "opens": "00:00", "closes": "24:00"})
            continue
        h1, m1, h2, m2 = (int(match.group(i)) for i in (3, 4, 5, 6))
        opens, closes = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
        if h1 == 24 and m1 or h2 == 24 and m2 or not opens < closes:
            raise HoursError(f'In "{line}" the closing time must be after the opening time.')
        rules.append({"days": days, "opens": opens, "closes": closes})
    return rules


def _days(text: str, line: str) -> list[str]:
    words = text.strip().lower().rstrip(":")
    if words in _GROUPS:
        return list(_GROUPS[words])
    chosen: set[str] = set()
    for part in re.split(r"\s*(?:,|&|\band\b)\s*", words):
        ends = re.split(r"\s*(?:-|–|\bto\b)\s*", part)
        codes = [_DAY_WORDS.get(end) for end in ends if end]
        if not codes or None in codes or len(codes) > 2:
            raise HoursError(f'We could not read the days in "{line}". {SYNTAX_HELP}')
        first, last = DAYS.index(codes[0]), DAYS.index(codes[-1])
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        chosen.update(DAYS[i] for i in span)
    return [day for day in DAYS if day in chosen]


def describe_days(days: list[str]) -> str:
    if list(days) == list(DAYS):
        return "Every day"
    indexes = [DAYS.index(day) for day in days]
    if indexes and indexes == list(range(indexes[0], indexes[-1] + 1)) and len(indexes) > 2:
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[day] for day in days)


def describe_rule(rule: Rule) -> str:
    if rule["opens"] == "00:00" and rule["closes"] == "24:00":
        return f"{describe_days(rule['days'])} 24 hours"
    return f"{describe_days(rule['days'])} {rule['opens']}-{rule['closes']}"


def format_rules(rules: list[Rule]) -> str:
    """The editor's text for stored rules (parse(format_rules(r)) == r)."""
    return "\n".join(describe_rule(rule) for rule in rules)
