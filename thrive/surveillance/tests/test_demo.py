"""The demo generator: deterministic for a seed, idempotent, and with what detection and linkage should
find."""

from __future__ import annotations

import random
from datetime import date

import pytest

from thrive.accounts.testing import Personas
from thrive.surveillance import demo, demo_people
from thrive.surveillance.models import AgencyReport, Case, DuplicateCandidate, Substance

pytestmark = pytest.mark.django_db


def test_the_plan_is_the_same_for_the_same_seed(personas: Personas) -> None:
    london = demo.London.load()

    def summary(seed: int) -> list[tuple[object, ...]]:
        planned = demo.plan(
            random.Random(seed), london, start=date(2025, 1, 1), end=date(2025, 6, 30), per_year=300
        )
        return [
            (p.death.died, p.death.sex, p.death.age, p.death.method, p.home.code, p.duplicate)
            for p in planned
        ]

    assert summary(7) == summary(7)
    assert summary(7) != summary(8)


def test_generate_once_with_its_planted_signals(personas: Personas) -> None:
    first = demo.generate(rng=random.Random(3), years=0.6, per_year=250, recent_days=10)
    assert isinstance(first, dict) and first["past_cases"] > 50 and first["recent_cases"] > 0
    assert first["duplicates_planted"] > 0
    assert demo.generate(rng=random.Random(3)) == "demo cases already present"
    cases = Case.objects.filter(is_example=True)
    assert cases.count() == first["past_cases"] + first["recent_cases"] + first["duplicates_planted"]
    emerging = Substance.objects.get(name=demo.EMERGING)
    assert emerging.is_new and emerging.cases.count() == 10
    assert DuplicateCandidate.objects.filter(state="open").count() >= first["duplicates_planted"]
    assert AgencyReport.objects.filter(link="added").exists()  # other agencies added their reports
    assert cases.exclude(status="suspected").exists() and cases.filter(reports__isnull=True).count() == 0
    sexes = list(cases.values_list("sex", flat=True))
    assert 0.6 < sexes.count("male") / len(sexes) < 0.9
    assert not cases.filter(age__lt=10).exists()
    assert all(c.nhs_number.startswith("999") for c in cases.select_related("subject") if c.nhs_number)


def test_reserved_nhs_numbers_pass_the_check_digit() -> None:
    from thrive.surveillance.validation import nhs_number_problem

    rng = random.Random(1)
    assert all(nhs_number_problem(demo_people.reserved_nhs_number(rng)) is None for _ in range(200))
