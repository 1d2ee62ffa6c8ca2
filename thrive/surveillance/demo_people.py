"""Synthetic deaths for the demo, drawn from published shapes: age and sex (about three in four men, most aged
25-64), method shares (England's national system, Jul-Sep 2024: hanging 55.2%, poisoning 21.6%, moving object
7.2%), a spring and summer peak, and the police template's circumstances. Every person is invented: names are
made from syllables, NHS numbers come from the 999 range that the NHS keeps for testing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "ve",
    "do",
    "su",
    "ne",
    "ti",
    "ba",
    "zo",
    "fe",
    "ha",
    "ri",
    "mo",
    "pe",
    "ja",
    "li",
    "no",
    "sa",
    "te",
    "vu",
    "wi",
    "ye",
    "ko",
    "da",
    "ge",
    "ni",
    "ro",
    "mu",
)
AGE_BANDS = (
    (10, 19, 6),
    (20, 29, 16),
    (30, 39, 18),
    (40, 49, 19),
    (50, 59, 20),
    (60, 69, 10),
    (70, 79, 6),
    (80, 95, 5),
)
METHODS = (
    ("hanging_strangulation_suffocation", 55.2),
    ("poisoning", 21.6),
    ("jumping_or_lying_before_moving_object", 7.2),
    ("fall_from_height", 6.0),
    ("drowning", 3.0),
    ("sharp_object", 3.0),
    ("firearm", 0.5),
    ("fire_or_burns", 0.5),
    ("other", 2.0),
    ("not_known", 1.0),
)
PLACES = {
    "hanging_strangulation_suffocation": (
        ("home", 80),
        ("other_residence", 5),
        ("park_or_woodland", 7),
        ("custody", 1),
        ("healthcare_setting", 2),
        ("other_public", 5),
    ),
    "poisoning": (("home", 84), ("other_residence", 6), ("hotel", 6), ("other_public", 4)),
    "jumping_or_lying_before_moving_object": (("railway", 88), ("road", 12)),
    "fall_from_height": (
        ("high_building_or_car_park", 65),
        ("bridge", 15),
        ("home", 15),
        ("cliff_or_natural_height", 5),
    ),
    "drowning": (("water", 95), ("home", 5)),
}
DEFAULT_PLACES = (("home", 75), ("other_public", 15), ("not_known", 10))
SEASON = (0.95, 0.92, 1.0, 1.05, 1.1, 1.05, 1.05, 1.0, 1.0, 0.98, 0.95, 0.9)
ETHNICITY = (
    ("A", 37),
    ("B", 2),
    ("C", 15),
    ("D", 1.5),
    ("E", 1),
    ("F", 1.5),
    ("G", 2),
    ("H", 6),
    ("J", 3),
    ("K", 3),
    ("L", 5),
    ("M", 4),
    ("N", 7),
    ("P", 2),
    ("R", 1.5),
    ("S", 4),
    ("Z", 2),
    ("99", 2.5),
)
EMPLOYMENT = (
    ("employed", 36),
    ("self_employed", 7),
    ("unemployed", 20),
    ("student", 4),
    ("retired", 13),
    ("long_term_sick_or_disabled", 10),
    ("looking_after_home_or_family", 2),
    ("other", 3),
    ("not_known", 5),
)
RELATIONSHIP = (
    ("single", 45),
    ("married_or_civil_partnership", 22),
    ("cohabiting", 8),
    ("separated", 7),
    ("divorced_or_dissolved", 10),
    ("widowed", 4),
    ("not_known", 4),
)
CIRCUMSTANCES = (
    ("mental_health_condition", 0.45),
    ("known_to_mental_health_services", 0.3),
    ("previous_self_harm", 0.3),
    ("known_to_police", 0.15),
    ("substance_misuse", 0.22),
    ("physical_health", 0.2),
    ("relationship_problems", 0.25),
    ("bereavement", 0.1),
    ("financial_or_debt_problems", 0.15),
    ("employment_problems", 0.12),
    ("housing_problems", 0.1),
    ("domestic_abuse_victim", 0.04),
    ("domestic_abuse_perpetrator", 0.03),
    ("criminal_justice_contact", 0.08),
    ("recent_release_from_custody", 0.02),
    ("recent_crisis", 0.12),
    ("veteran", 0.03),
)
POISONS = (
    ("paracetamol", 30),
    ("codeine", 10),
    ("tramadol", 8),
    ("heroin", 8),
    ("amitriptyline", 10),
    ("sertraline", 6),
    ("diazepam", 6),
    ("pregabalin", 6),
    ("insulin", 2),
    ("alcohol", 14),
)
RELATIONS = (
    ("parent", 30),
    ("partner", 30),
    ("child", 12),
    ("sibling", 15),
    ("other_family", 8),
    ("friend", 5),
)
CONSENT = (("yes", 62), ("no", 14), ("not_asked", 14), ("later", 10))
LANGUAGES = (
    ("English", 85),
    ("Bengali", 3),
    ("Polish", 3),
    ("Turkish", 2),
    ("Somali", 2),
    ("Portuguese", 2),
    ("Romanian", 3),
)


def pick(rng: random.Random, table: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


def fictional_name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts + rng.randint(0, 1))).title()


def reserved_nhs_number(rng: random.Random) -> str:
    """A valid NHS number from the range 999 000 0000 – 999 999 9999, which is never issued to a person."""
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


@dataclass
class Death:
    """One synthetic death, with the body an agency would send (incident location filled in by the caller)."""

    died: date
    found: date
    sex: str
    age: int
    given: str
    family: str
    born: date
    nhs: str
    method: str
    place_type: str
    substances: list[str] = field(default_factory=list)
    circumstances: list[str] = field(default_factory=list)
    ethnicity: str = "99"
    employment: str = "not_known"
    relationship: str = "not_known"
    next_of_kin: list[dict[str, Any]] = field(default_factory=list)

    def body(self, *, residence: str, incident: dict[str, Any], narrative: str) -> dict[str, Any]:
        return {
            "date_found": self.found,
            "time_found": time(6 + (self.age * 7) % 16, (self.age * 13) % 60),
            "date_of_death": self.died,
            "deceased": {
                "given_name": self.given,
                "family_name": self.family,
                "date_of_birth": self.born,
                "nhs_number": self.nhs,
                "sex": self.sex,
                "ethnicity": self.ethnicity,
                "residence_area": residence,
                "employment_status": self.employment,
                "relationship_status": self.relationship,
            },
            "incident": {
                **incident,
                "location_type": self.place_type,
                "method_group": self.method,
                "substances": self.substances,
            },
            "circumstances": self.circumstances,
            "known_to_mental_health_services": "known_to_mental_health_services" in self.circumstances,
            "narrative": narrative,
            "next_of_kin": self.next_of_kin,
        }


def season_weight(day: date) -> float:
    return SEASON[day.month - 1] * (1.1 if day.weekday() == 0 else 1.0)


def death(
    rng: random.Random,
    died: date,
    *,
    method: str | None = None,
    ages: tuple[int, int] | None = None,
    place_type: str | None = None,
) -> Death:
    sex = "male" if rng.random() < 0.75 else "female"
    if ages:
        age = rng.randint(*ages)
    else:
        low, high, _ = rng.choices(AGE_BANDS, weights=[w for *_, w in AGE_BANDS])[0]
        age = rng.randint(low, high)
    born = died - timedelta(days=age * 365 + rng.randint(30, 330))
    method = method or pick(rng, METHODS)
    substances: list[str] = []
    if method == "poisoning":
        substances = sorted({pick(rng, POISONS) for _ in range(rng.choice((1, 1, 2, 3)))})
    elif rng.random() < 0.12:
        substances = ["alcohol"]
    circumstances = [name for name, p in CIRCUMSTANCES if rng.random() < p]
    if age < 25 and rng.random() < 0.4:
        circumstances.append("student")
    family = fictional_name(rng)
    people = []
    if rng.random() < 0.7:
        people.append(
            {
                "name": f"{fictional_name(rng)} {family}",
                "relationship": pick(rng, RELATIONS),
                "phone": f"07700900{rng.randint(0, 999):03d}",
                "email": f"{family.lower()}{rng.randint(1, 99)}@example.org",
                "language": (language := pick(rng, LANGUAGES)),
                "interpreter_needed": language != "English" and rng.random() < 0.5,
                "consent_to_referral": pick(rng, CONSENT),
            }
        )
    return Death(
        died=died,
        found=died + timedelta(days=0 if rng.random() < 0.85 else rng.randint(1, 3)),
        sex=sex,
        age=age,
        given=fictional_name(rng),
        family=family,
        born=born,
        nhs=reserved_nhs_number(rng),
        method=method,
        place_type=place_type or pick(rng, PLACES.get(method, DEFAULT_PLACES)),
        substances=substances,
        circumstances=sorted(set(circumstances)),
        ethnicity=pick(rng, ETHNICITY),
        employment="student" if "student" in circumstances else pick(rng, EMPLOYMENT),
        relationship=pick(rng, RELATIONSHIP),
        next_of_kin=people,
    )


def with_typos(rng: random.Random, d: Death) -> dict[str, Any]:
    """How a second agency might record the same person: a slip in a name, a transposed date of birth, no NHS
    number (the planted duplicates the linkage queue should catch)."""

    def slip(name: str) -> str:
        if len(name) < 4:
            return name + "e"
        i = rng.randint(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]

    born = d.born
    if rng.random() < 0.5 and born.day <= 12 and born.day != born.month:
        born = date(born.year, born.day, born.month)
    return {
        "given_name": slip(d.given) if rng.random() < 0.6 else d.given,
        "family_name": slip(d.family),
        "date_of_birth": born,
        "nhs_number": "",
        "sex": d.sex,
    }
