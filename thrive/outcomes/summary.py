"""An episode's paired score on a measure, as NHS England pairs them: the first valid score and the latest
later one, classified by the configured change method. Kept in `EpisodeOutcome` so dashboards never re-pair
scores.
"""

from __future__ import annotations

from django.utils import timezone

from thrive.geography.models import AgeBand
from thrive.outcomes import config
from thrive.outcomes.codes import Status, ethnic_group
from thrive.outcomes.measures import change
from thrive.outcomes.models import Assessment, Episode, EpisodeOutcome

AGE_BANDS = (
    (16, AgeBand.AGE_0_15),
    (30, AgeBand.AGE_16_29),
    (45, AgeBand.AGE_30_44),
    (65, AgeBand.AGE_45_64),
)


def age_band(age: int) -> str:
    """The ONS broad band (the population estimates' own), so rates by age have denominators."""
    return next((str(band) for below, band in AGE_BANDS if age < below), str(AgeBand.AGE_65_PLUS))


def dialog_item_values(answers: dict[str, object]) -> dict[int, int]:
    return {
        int(key): int(value) for key, value in answers.items() if key.isdigit() and isinstance(value, int)
    }


def outcome_values(episode: Episode, measure: str, completed: list[Assessment]) -> dict[str, object]:
    """The summary's fields from an episode's completed assessments of one measure, in time order (at least
    one): used one episode at a time by `refresh`, and in bulk by the demo data and the benchmark."""
    patient, team = episode.patient, episode.team
    valid = [a for a in completed if a.score is not None]
    method = config.change_method(measure)
    values: dict[str, object] = {
        "organisation_id": team.organisation_id,
        "team_id": team.pk,
        "service_line": team.service_line,
        "borough_id": patient.borough_id,
        "ics_id": patient.borough.ics_id
        if patient.borough
        else (team.borough.ics_id if team.borough else None),
        "imd_decile": patient.imd_decile,
        "ethnic_group": ethnic_group(patient.ethnicity),
        "sex": patient.sex,
        "age_band": age_band(patient.age_on(episode.start)),
        "episode_open": episode.end is None,
        "assessments": len(completed),
        "first_on": valid[0].assessed_on if valid else None,
        "latest_on": completed[-1].assessed_on,
        "first_score": valid[0].score if valid else None,
        "latest_score": valid[-1].score if len(valid) > 1 else None,
        "paired": len(valid) > 1,
        "change": "",
        "method": method.key if method else "",
        "items_improved": None,
        "items_deteriorated": None,
        "updated_at": timezone.now(),
    }
    if len(valid) > 1 and method is not None:
        first, latest = valid[0].score, valid[-1].score
        assert first is not None and latest is not None
        values["change"] = str(method.classify(first, latest))
    if measure == "dialog" and len(valid) > 1:
        by_item = change.classify_items(
            config.item_method(), dialog_item_values(valid[0].answers), dialog_item_values(valid[-1].answers)
        )
        values["items_improved"] = sum(c == change.Change.RELIABLE_IMPROVEMENT for c in by_item.values())
        values["items_deteriorated"] = sum(
            c == change.Change.RELIABLE_DETERIORATION for c in by_item.values()
        )
    return values


def refresh(episode: Episode, measure: str) -> EpisodeOutcome | None:
    """Recompute one episode's summary for one measure (None, and no row, when it has no completed one)."""
    completed = list(
        Assessment.objects.filter(episode=episode, measure=measure, status=Status.COMPLETED)
        .order_by("assessed_on", "created_at", "pk")
        .only("assessed_on", "score", "answers")
    )
    if not completed:
        EpisodeOutcome.objects.filter(episode=episode, measure=measure).delete()
        return None
    values = outcome_values(episode, measure, completed)
    summary, _ = EpisodeOutcome.objects.update_or_create(episode=episode, measure=measure, defaults=values)
    return summary


def refresh_episode(episode: Episode) -> None:
    """Every measure of an episode (after it ends, or its patient's details change)."""
    for measure in Assessment.objects.filter(episode=episode).values_list("measure", flat=True).distinct():
        refresh(episode, measure)
