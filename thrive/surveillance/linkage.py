"""Scoring whether two reports describe the same death: pure functions over plain records, so the same code
runs in the service, in property tests and in the precision/recall script (`bench/linkage_eval.py`).

The weights are log-likelihood-style points (agreement adds, disagreement subtracts), chosen and checked
against generated data with typos, transpositions and missing fields; `docs/linkage.md` gives the reasoning
and figures. Only exact agreement links automatically (an equal NHS number, or equal names and date of birth);
a score at or above `REVIEW_THRESHOLD` puts the pair in the possible-duplicates queue for a person to decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import JaroWinkler

from thrive.core.crypto import normalise_name

DEATH_WINDOW_DAYS = 3
NEAR_KM = 1.0
REVIEW_THRESHOLD = 5.0

# (similarity at least, points) for the family and the given name, best first; below the last band:
# disagreement.
FAMILY_BANDS = ((0.999, 4.0), (0.94, 3.0), (0.88, 1.5))
FAMILY_DISAGREE = -2.5
GIVEN_BANDS = ((0.999, 3.0), (0.94, 2.0), (0.88, 1.0))
GIVEN_DISAGREE = -1.5
WEIGHTS = {
    "nhs_number_equal": 10.0,
    "nhs_number_differs": -8.0,
    "dob_equal": 4.0,
    "dob_transposed": 2.5,
    "dob_differs": -3.0,
    "death_same_day": 1.5,
    "death_within_1_day": 1.0,
    "death_within_3_days": 0.5,
    "sex_equal": 0.5,
    "sex_differs": -4.0,
    "within_1km": 2.0,
}


@dataclass(frozen=True)
class LinkRecord:
    """What linkage looks at in one report or case. Points are (lat, lon): incident and residence, when
    known."""

    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    nhs_number: str = ""
    sex: str = ""
    date_of_death: date | None = None
    date_found: date | None = None
    points: tuple[tuple[float, float], ...] = ()

    @property
    def death_date(self) -> date | None:
        return self.date_of_death or self.date_found


@dataclass
class Score:
    total: float = 0.0
    components: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, points: float) -> None:
        self.components[name] = points
        self.total = round(self.total + points, 3)


def exact_match(a: LinkRecord, b: LinkRecord) -> str | None:
    """Why two records must be the same person ("nhs_number" or "name_and_dob"), or None."""
    if a.nhs_number and a.nhs_number == b.nhs_number:
        return "nhs_number"
    if a.nhs_number and b.nhs_number:
        return None  # two different NHS numbers: never the same person automatically
    if (
        a.date_of_birth is not None
        and a.date_of_birth == b.date_of_birth
        and a.family_name
        and normalise_name(a.given_name) == normalise_name(b.given_name)
        and normalise_name(a.family_name) == normalise_name(b.family_name)
    ):
        return "name_and_dob"
    return None


def within_window(a: LinkRecord, b: LinkRecord) -> bool:
    """The blocking rule: deaths within ±3 days (or either date unknown)."""
    if a.death_date is None or b.death_date is None:
        return True
    return abs((a.death_date - b.death_date).days) <= DEATH_WINDOW_DAYS


def _band(similarity: float, bands: tuple[tuple[float, float], ...], disagree: float) -> float:
    for floor, points in bands:
        if similarity >= floor:
            return points
    return disagree


def name_points(a: LinkRecord, b: LinkRecord) -> tuple[float, float]:
    """Points for the family and given names. Names swapped between the fields (a common entry error) count as
    well, at the given-name weights for both, which keeps the score symmetric."""
    fa, ga, fb, gb = (normalise_name(x) for x in (a.family_name, a.given_name, b.family_name, b.given_name))

    def points(x: str, y: str, bands: tuple[tuple[float, float], ...], disagree: float) -> float:
        return _band(JaroWinkler.similarity(x, y), bands, disagree) if x and y else 0.0

    straight = (points(fa, fb, FAMILY_BANDS, FAMILY_DISAGREE), points(ga, gb, GIVEN_BANDS, GIVEN_DISAGREE))
    swapped = (points(fa, gb, GIVEN_BANDS, GIVEN_DISAGREE), points(ga, fb, GIVEN_BANDS, GIVEN_DISAGREE))
    return max(straight, swapped, key=sum)


def transposed(a: date, b: date) -> bool:
    """Day and month swapped, or one typing slip: two adjacent digits swapped or one digit wrong."""
    if (a.day, a.month, a.year) == (b.month, b.day, b.year):
        return True
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differ = [i for i in range(8) if sa[i] != sb[i]]
    if len(differ) == 1:
        return True
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and sa[differ[0]] == sb[differ[1]]
        and sa[differ[1]] == sb[differ[0]]
    )


def km_between(p: tuple[float, float], q: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*p, *q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def score(a: LinkRecord, b: LinkRecord) -> Score:
    """The weight of evidence that `a` and `b` are the same death."""
    result = Score()
    if a.nhs_number and b.nhs_number:
        equal = a.nhs_number == b.nhs_number
        result.add("nhs_number", WEIGHTS["nhs_number_equal" if equal else "nhs_number_differs"])
    family, given = name_points(a, b)
    if family:
        result.add("family_name", family)
    if given:
        result.add("given_name", given)
    if a.date_of_birth and b.date_of_birth:
        if a.date_of_birth == b.date_of_birth:
            result.add("date_of_birth", WEIGHTS["dob_equal"])
        elif transposed(a.date_of_birth, b.date_of_birth):
            result.add("date_of_birth", WEIGHTS["dob_transposed"])
        else:
            result.add("date_of_birth", WEIGHTS["dob_differs"])
    if a.death_date and b.death_date:
        gap = abs((a.death_date - b.death_date).days)
        if gap == 0:
            result.add("date_of_death", WEIGHTS["death_same_day"])
        elif gap <= 1:
            result.add("date_of_death", WEIGHTS["death_within_1_day"])
        elif gap <= DEATH_WINDOW_DAYS:
            result.add("date_of_death", WEIGHTS["death_within_3_days"])
    known = {"male", "female"}
    if a.sex in known and b.sex in known:
        result.add("sex", WEIGHTS["sex_equal" if a.sex == b.sex else "sex_differs"])
    if a.points and b.points and min(km_between(p, q) for p in a.points for q in b.points) <= NEAR_KM:
        result.add("place", WEIGHTS["within_1km"])
    return result


def needs_review(result: Score) -> bool:
    return result.total >= REVIEW_THRESHOLD
