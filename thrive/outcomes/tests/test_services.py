"""Patients, episodes and assessments through the services: what is saved, what is refused (with nothing
saved), drafts, amendments and the per-episode summaries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from thrive.accounts.models import Team
from thrive.accounts.testing import Personas
from thrive.core.crypto import nhs_number_index
from thrive.core.models import AuditEntry
from thrive.geography.models import Area, AreaLevel, Postcode
from thrive.outcomes import services
from thrive.outcomes.codes import Status
from thrive.outcomes.models import Amendment, Assessment, Episode, EpisodeOutcome, Patient
from thrive.outcomes.tests.conftest import days_ago, dialog, honos

pytestmark = pytest.mark.django_db


def test_patient_is_pseudonymous_with_encrypted_nhs_number(admit: Callable[..., Episode], team: Team) -> None:
    episode = admit(team, nhs_number="943 476 5919")
    patient = Patient.objects.get(pk=episode.patient_id)
    assert patient.nhs_number == "9434765919"
    assert patient.nhs_number_index == nhs_number_index("9434765919")
    raw = Patient.objects.filter(pk=patient.pk).values_list("nhs_number", flat=True).get()
    assert "9434765919" not in str(raw.token)  # type: ignore[attr-defined]
    assert patient.local_id.startswith("P")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"nhs_number": "1234567890"}, "nhs_number", "check digit"),
        ({"birth_year": 1850}, "birth_year", "year of birth"),
        ({"birth_month": 13}, "birth_month", "1 to 12"),
        ({"sex": "x"}, "sex", "Sex must be"),
        ({"local_id": "has space"}, "local_id", "letters, digits"),
        ({"postcode": "NOT A CODE"}, "postcode", "borough"),
    ],
)
def test_bad_patient_details_are_refused(
    admit: Callable[..., Episode], team: Team, fields: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(services.Refused) as refused:
        admit(team, **fields)
    assert words in " ".join(refused.value.errors[field])
    assert not Patient.objects.exists()


def test_duplicate_nhs_number_and_local_id_are_refused(admit: Callable[..., Episode], team: Team) -> None:
    admit(team, local_id="A1", nhs_number="9434765919")
    with pytest.raises(services.Refused, match="already registered"):
        admit(team, local_id="A2", nhs_number="9434765919")
    with pytest.raises(services.Refused, match="already has a patient"):
        admit(team, local_id="A1")
    assert Patient.objects.count() == 1


def test_postcode_places_the_patient_and_is_not_kept(
    admit: Callable[..., Episode], team: Team, personas: Personas
) -> None:
    borough = Area.objects.get(level=AreaLevel.BOROUGH, code="E09000030")
    lsoa = Area.objects.create(
        level=AreaLevel.LSOA11, code="E01000001", name="Tower Hamlets 001A", borough=borough, imd_decile=2
    )
    Postcode.objects.create(postcode="E1 6AN", lat=51.52, lon=-0.07, lsoa11=lsoa, borough=borough)
    episode = admit(team, postcode="e16an")
    patient = Patient.objects.get(pk=episode.patient_id)
    assert (patient.lsoa11, patient.borough, patient.imd_decile) == (lsoa, borough, 2)
    row = Patient.objects.filter(pk=patient.pk).values().get()
    assert "E1 6AN" not in repr(row) and "e16an" not in repr(row)


def test_completed_assessment_is_scored_and_summarised(
    episode: Episode, record: Callable[..., Assessment]
) -> None:
    done = record(episode, "dialog", dialog(4, help=[3]), on=days_ago(100), timepoint="start")
    assert done.status == Status.COMPLETED
    assert done.scores == {"sqol": 4.0, "treatment_satisfaction": 4.0, "help_requested": [3]}
    assert done.score == 4.0
    assert done.answers["help"] == [3] and done.answers["1"] == 4
    summary = EpisodeOutcome.objects.get(episode=episode, measure="dialog")
    assert (summary.assessments, summary.paired, summary.first_score) == (1, False, 4.0)
    assert AuditEntry.objects.filter(object_type="outcomes.assessment", object_id=str(done.pk)).exists()


@pytest.mark.parametrize(
    ("measure", "answers", "path", "words"),
    [
        ("dialog", dialog(4, **{"3": 0}), "answers.3", "1 to 7"),
        ("dialog", dialog(4, **{"5": 8}), "answers.5", "1 to 7"),
        ("honos", honos(1, **{"7": 5}), "answers.7", "0 to 4, or 9 (not known)"),
        ("honos", {k: v for k, v in honos(1).items() if k != "12"}, "answers.12", "missing"),
        ("dialog", dialog(4, help=[12]), "answers.help", "help"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(
    episode: Episode,
    record: Callable[..., Assessment],
    measure: str,
    answers: dict[str, Any],
    path: str,
    words: str,
) -> None:
    with pytest.raises(services.Refused) as refused:
        record(episode, measure, answers)
    assert words in " ".join(refused.value.errors[path])
    assert not Assessment.objects.exists()
    assert not EpisodeOutcome.objects.exists()


def test_assessment_before_the_episode_started_is_refused(
    episode: Episode, record: Callable[..., Assessment]
) -> None:
    with pytest.raises(services.Refused) as refused:
        record(episode, "dialog", dialog(), on=episode.start.replace(year=episode.start.year - 1))
    assert "before the episode started" in refused.value.errors["assessed_on"][0]
    assert not Assessment.objects.exists()


def test_a_second_start_is_refused(episode: Episode, record: Callable[..., Assessment]) -> None:
    record(episode, "honos", honos(), on=days_ago(150), timepoint="start")
    with pytest.raises(services.Refused, match="already has a completed honos"):
        record(episode, "honos", honos(), on=days_ago(140), timepoint="start")


def test_draft_may_leave_items_out_is_not_counted_and_can_be_completed(
    episode: Episode, record: Callable[..., Assessment], personas: Personas
) -> None:
    draft = record(episode, "honos", {"1": 2, "2": 0}, draft=True)
    assert draft.status == Status.DRAFT and draft.scores is None and draft.score is None
    assert not EpisodeOutcome.objects.exists()
    with pytest.raises(services.Refused):
        record(episode, "honos", {"1": 5}, draft=True)  # out of range even in a draft
    done = services.record_assessment(
        by=personas.clinician,
        episode=episode,
        measure="honos",
        timepoint="review",
        mode="paper",
        assessed_on=days_ago(1),
        answers=honos(2),
        assessment=draft,
    )
    assert done.pk == draft.pk and done.status == Status.COMPLETED and done.score == 24
    assert EpisodeOutcome.objects.get(episode=episode, measure="honos").assessments == 1


def test_amendment_keeps_the_original_with_a_reason(
    episode: Episode, record: Callable[..., Assessment], personas: Personas
) -> None:
    first = record(episode, "honos", honos(2), on=days_ago(150), timepoint="start")
    record(episode, "honos", honos(1), on=days_ago(10))
    with pytest.raises(services.Refused, match="why"):
        services.amend_assessment(
            by=personas.clinician,
            assessment=first,
            answers=honos(3),
            assessed_on=first.assessed_on,
            timepoint="start",
            reason=" ",
        )
    services.amend_assessment(
        by=personas.clinician,
        assessment=first,
        answers=honos(2, **{"7": 4}),
        assessed_on=first.assessed_on,
        timepoint="start",
        reason="Transcription error on item 7",
    )
    first.refresh_from_db()
    amendment = Amendment.objects.get(assessment=first)
    assert amendment.previous_answers["7"] == 2 and first.answers["7"] == 4
    assert amendment.reason == "Transcription error on item 7"
    assert first.score == 26
    summary = EpisodeOutcome.objects.get(episode=episode, measure="honos")
    assert (summary.first_score, summary.latest_score, summary.change) == (26, 12, "reliable_improvement")
    entry = (
        AuditEntry.objects.filter(object_type="outcomes.assessment", object_id=str(first.pk))
        .order_by("id")
        .last()
    )
    assert entry is not None and "changed 7" in entry.summary
    assert "Transcription" not in entry.summary + entry.reason


def test_incomplete_honos_is_not_paired(episode: Episode, record: Callable[..., Assessment]) -> None:
    record(episode, "honos", honos(3, **{"1": 9, "2": 9, "3": 9}), on=days_ago(150), timepoint="start")
    record(episode, "honos", honos(2), on=days_ago(90))
    record(episode, "honos", honos(1), on=days_ago(10))
    summary = EpisodeOutcome.objects.get(episode=episode, measure="honos")
    assert (summary.first_score, summary.latest_score, summary.paired) == (24, 12, True)
    assert summary.change == "reliable_improvement"


def test_ending_the_episode_updates_the_summary(
    episode: Episode, record: Callable[..., Assessment], personas: Personas
) -> None:
    record(episode, "dialog", dialog(3), on=days_ago(150), timepoint="start")
    with pytest.raises(services.Refused, match="before the episode started"):
        services.end_episode(
            by=personas.clinician, episode=episode, end=days_ago(300), reason="treatment_completed"
        )
    services.end_episode(
        by=personas.clinician, episode=episode, end=days_ago(1), reason="treatment_completed"
    )
    assert not EpisodeOutcome.objects.get(episode=episode).episode_open
