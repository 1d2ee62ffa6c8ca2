"""Checks shared by the API, the web form and the CSV import, so every route into a case refuses the same
things with the same plain words."""

from __future__ import annotations

import re
from datetime import date

NHS_NUMBER_RE = re.compile(r"^\d{10}$")
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
PHONE_RE = re.compile(r"^(?:\+44|0044|0)\d{9,10}$")
MINIMUM_AGE = 10
NARRATIVE_MAX = 10_000


def clean_nhs_number(raw: str) -> str:
    """Digits only (people write NHS numbers as 3-3-4 with spaces or dashes)."""
    return re.sub(r"[\s-]", "", raw or "")


def nhs_number_problem(raw: str) -> str | None:
    """Why an NHS number is not valid, in plain words, or None when it is. The tenth digit is a modulus-11
    check."""
    digits = clean_nhs_number(raw)
    if not NHS_NUMBER_RE.match(digits):
        return "Enter an NHS number of 10 digits."
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    if check == 10 or check != int(digits[9]):
        return (
            "This is not a valid NHS number: its check digit does not match (modulus 11). "
            "Check it was copied correctly."
        )
    return None


def normalise_postcode(raw: str) -> str | None:
    """`e16an` → `E1 6AN`; None when it is not shaped like a UK postcode."""
    text = re.sub(r"\s+", "", (raw or "").upper())
    match = POSTCODE_RE.match(text)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def clean_phone(raw: str) -> str:
    return re.sub(r"[\s()-]", "", raw or "")


def phone_problem(raw: str) -> str | None:
    if not PHONE_RE.match(clean_phone(raw)):
        return "Enter a UK phone number, like 07700 900123 or 020 7946 0000."
    return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
