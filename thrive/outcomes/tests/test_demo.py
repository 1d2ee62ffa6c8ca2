"""The demonstration data: realistic trajectories (DIALOG quality of life near mean 4.65, SD 1.1; most HoNOS
totals falling over an episode, some rising), deterministic for a seed, and idempotent."""

from __future__ import annotations

import random
import statistics

import pytest

from thrive.accounts.testing import Personas
from thrive.outcomes import demo
from thrive.outcomes.codes import Status
from thrive.outcomes.models import Assessment, DialogPlusAction, Episode, EpisodeOutcome, Patient

pytestmark = pytest.mark.django_db


def test_demo_trajectories_are_realistic_and_repeatable(personas: Personas) -> None:
    first = demo.generate(rng=random.Random(1), seed=7)
    assert first["teams"] >= 10 and first["patients"] >= 200
    sqol = [a.scores["sqol"] for a in Assessment.objects.filter(measure="dialog").only("scores")]  # type: ignore[index]
    assert abs(statistics.mean(sqol) - 4.65) < 0.2
    assert abs(statistics.stdev(sqol) - 1.1) < 0.2
    honos = EpisodeOutcome.objects.filter(measure="honos", paired=True)
    falling = sum(o.latest_score < o.first_score for o in honos)  # type: ignore[operator]
    rising = sum(o.latest_score > o.first_score for o in honos)  # type: ignore[operator]
    assert falling > 0.6 * honos.count() and rising > 0.08 * honos.count()
    assert not Assessment.objects.exclude(status=Status.COMPLETED).exists()
    assert DialogPlusAction.objects.exists()
    assert Episode.objects.filter(team__name="Example Tower Hamlets Community Mental Health Team").exists()
    counts = (Patient.objects.count(), Assessment.objects.count(), EpisodeOutcome.objects.count())
    snapshot = sorted(Assessment.objects.values_list("patient__local_id", "measure", "assessed_on", "score"))

    again = demo.generate(rng=random.Random(1), seed=7)
    assert again["patients"] == 0
    assert (Patient.objects.count(), Assessment.objects.count(), EpisodeOutcome.objects.count()) == counts
    assert (
        sorted(Assessment.objects.values_list("patient__local_id", "measure", "assessed_on", "score"))
        == snapshot
    )
