"""Synthetic patients, episodes and outcome trajectories for the example trusts' teams (no real person).

Each example trust gets a community mental health team for each borough it covers and one team of each other
service line; each team gets patients with one or two episodes and DIALOG and HoNOS (or HoNOS 65+, HoNOSCA)
at the start, at reviews, at DIALOG+ sessions between them and at the end of closed episodes.

Trajectories: a patient's DIALOG quality of life starts near 4.45 (SD 1.0) and moves by +0.45 (SD 0.7) over
an episode, with item and occasion noise, which puts all ratings at the routine-care norm (mean 4.65, SD 1.1,
Mosler et al. 2020); treatment satisfaction near 5.25. HoNOS totals start near 15 (SD 5); four episodes in
five fall (by about 7 points), one in five rises (by about 5). Dates are relative to today, so worklists show
reviews due and overdue. A team's data come from their own random stream, seeded by the run's seed and the
team's name: the same seed gives the same data, and a team already generated is left alone.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Organisation, Team
from thrive.accounts.permissions import OrganisationType
from thrive.core import audit
from thrive.core.crypto import DataSubject, nhs_number_index
from thrive.geography.models import Area, AreaLevel
from thrive.outcomes import config, summary
from thrive.outcomes.codes import ActionWho, EndReason, Mode, ServiceLine, Sex, Source, Status, Timepoint
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import (
    Assessment,
    DialogPlusAction,
    DialogPlusDomain,
    DialogPlusSession,
    Episode,
    EpisodeOutcome,
    Patient,
    PlaceSource,
)
from thrive.outcomes.services import headline_score
from thrive.surveillance.demo_people import ETHNICITY, pick, reserved_nhs_number

SL = ServiceLine
DIALOG_OFFSETS = (-0.4, -0.1, -0.6, 0.4, -0.1, 0.1, 0.4, 0.5)  # items 1-8: job lowest, safety highest
HONOS_WEIGHTS = (1.0, 0.8, 1.0, 0.6, 1.0, 1.0, 2.0, 1.6, 1.8, 1.4, 1.0, 1.6)  # mood, relationships commonest
MODES = ((Mode.CLINICIAN, 40), (Mode.PAPER, 20), (Mode.TABLET, 30), (Mode.PATIENT_LINK, 10))
AGES: dict[str, tuple[int, int]] = {
    SL.OLDER_ADULTS: (66, 92),
    SL.CHILDREN: (8, 17),
    SL.PERINATAL: (18, 42),
    SL.EARLY_INTERVENTION: (16, 35),
}
OTHER_TEAMS = (
    (SL.EARLY_INTERVENTION, "Early Intervention in Psychosis Service"),
    (SL.PERINATAL, "Perinatal Mental Health Team"),
    (SL.OLDER_ADULTS, "Older Adults Mental Health Team"),
    (SL.CHILDREN, "Children and Young People's Mental Health Service"),
    (SL.EMPLOYMENT, "Individual Placement and Support Service"),
)
DEMO_ACTIONS = (
    (1, "Try the breathing exercise from the session when worry builds up", ActionWho.PATIENT),
    (3, "Book an appointment with the employment specialist", ActionWho.CLINICIAN),
    (6, "Go to the Thursday walking group once", ActionWho.PATIENT),
)


def _teams(trust: Organisation) -> list[Team]:
    """The trust's demo teams (made if missing): a CMHT for each borough it covers, one of each other line."""
    boroughs = list(trust.coverage.filter(level=AreaLevel.BOROUGH).order_by("code"))
    if not boroughs:
        return []
    teams = []
    for borough in boroughs:
        team, _ = Team.objects.get_or_create(
            organisation=trust,
            name=f"Example {borough.name} Community Mental Health Team",
            defaults={"service_line": SL.COMMUNITY, "borough": borough},
        )
        teams.append(team)
    region = trust.name.removeprefix("Example ").split(" Mental Health")[0]
    for line, name in OTHER_TEAMS:
        team, _ = Team.objects.get_or_create(
            organisation=trust,
            name=f"Example {region} {name}",
            defaults={"service_line": line, "borough": boroughs[0]},
        )
        teams.append(team)
    return teams


@dataclass
class Trajectory:
    """One synthetic patient's hidden state: where their scores start and where they are heading."""

    sqol: float
    sqol_change: float
    satisfaction: float
    item_offsets: list[float]
    honos: float
    honos_change: float


def trajectory(rng: random.Random) -> Trajectory:
    rising = rng.random() < 0.2
    return Trajectory(
        sqol=rng.gauss(4.45, 1.0),
        sqol_change=rng.gauss(0.45, 0.7),
        satisfaction=rng.gauss(5.2, 0.95),
        item_offsets=[rng.gauss(0, 0.6) for _ in range(11)],
        honos=min(40.0, max(2.0, rng.gauss(15, 5))),
        honos_change=rng.gauss(5, 3) if rising else rng.gauss(-7, 4),
    )


def _clip(value: float, low: int, high: int) -> int:
    return min(high, max(low, round(value)))


def dialog_answers(rng: random.Random, person: Trajectory, progress: float) -> dict[str, Any]:
    quality = person.sqol + person.sqol_change * progress + rng.gauss(0, 0.25)
    answers: dict[str, Any] = {}
    for number in range(1, 12):
        centre = quality + DIALOG_OFFSETS[number - 1] if number <= 8 else person.satisfaction
        answers[str(number)] = _clip(centre + person.item_offsets[number - 1] + rng.gauss(0, 0.7), 1, 7)
    helped = [n for n in range(1, 12) if rng.random() < (0.5 if answers[str(n)] <= 3 else 0.08)]
    if helped:
        answers["help"] = helped
    return answers


def honos_answers(rng: random.Random, person: Trajectory, progress: float, items: int) -> dict[str, Any]:
    """A total near the trajectory's, spread over the items by how common each problem is; some unknown."""
    target = _clip(person.honos + person.honos_change * progress + rng.gauss(0, 2), 0, 4 * min(items, 12))
    scored = list(range(1, min(items, 13) + 1))
    weights = [HONOS_WEIGHTS[(n - 1) % 12] for n in scored]
    values = dict.fromkeys(scored, 0)
    for _ in range(target):
        open_items = [n for n in scored if values[n] < 4]
        if not open_items:
            break
        chosen = rng.choices(open_items, weights=[weights[n - 1] for n in open_items])[0]
        values[chosen] += 1
    answers: dict[str, Any] = {str(n): (9 if rng.random() < 0.03 else v) for n, v in values.items()}
    answers.update({str(n): 0 for n in range(len(scored) + 1, items + 1)})  # HoNOSCA's information items
    return answers


def occasions(
    rng: random.Random, start: datetime.date, end: datetime.date, review_days: int
) -> list[tuple[datetime.date, Timepoint]]:
    """(day, timepoint) of an episode's occasions before `end`: the start, then sessions and reviews."""
    found = [(start + datetime.timedelta(days=rng.randint(0, 10)), Timepoint.START)]
    day = found[0][0]
    while True:
        day += datetime.timedelta(days=rng.randint(35, 75))
        if day >= end:
            break
        since_review = (day - max(d for d, t in found if t != Timepoint.SESSION)).days
        found.append((day, Timepoint.REVIEW if since_review >= review_days - 20 else Timepoint.SESSION))
    return found[:7]


def _assessment(
    episode: Episode, measure: str, day: datetime.date, timepoint: str, mode: str, answers: dict[str, Any]
) -> Assessment:
    scores = dict(get_measure(measure).score(answers))
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))
    return Assessment(
        episode=episode,
        patient=episode.patient,
        measure=measure,
        timepoint=timepoint,
        mode=mode,
        source=Source.WEB,
        status=Status.COMPLETED,
        assessed_on=day,
        answers=answers,
        scores=scores,
        score=headline_score(measure, scores),
        organisation_id=episode.team.organisation_id,
        created_at=moment,
        completed_at=moment,
        updated_at=moment,
    )


def _patient(rng: random.Random, team: Team, number: int, lsoas: list[Area], today: datetime.date) -> Patient:
    low, high = AGES.get(team.service_line, (18, 64))
    age = rng.randint(low, high)
    lsoa = rng.choice(lsoas) if lsoas else None
    nhs = reserved_nhs_number(rng) if rng.random() < 0.4 else ""
    sex = Sex.FEMALE if team.service_line == SL.PERINATAL else rng.choice((Sex.FEMALE, Sex.MALE))
    return Patient(
        subject=DataSubject.objects.create_subject(),
        organisation_id=team.organisation_id,
        local_id=f"D{team.pk:03d}-{number:03d}",
        nhs_number=nhs,
        nhs_number_index=nhs_number_index(nhs),
        birth_year=today.year - age,
        birth_month=rng.randint(1, 12),
        sex=sex,
        ethnicity=pick(rng, ETHNICITY),
        lsoa11=lsoa,
        borough=team.borough,
        imd_decile=lsoa.imd_decile if lsoa else None,
        place_source=PlaceSource.POSTCODE if lsoa else PlaceSource.BOROUGH,
    )


def _team_data(team: Team, rng: random.Random, patients: int, today: datetime.date) -> int:
    """One team's patients, episodes, assessments and summaries; returns how many assessments."""
    lsoas = list(Area.objects.filter(level=AreaLevel.LSOA11, borough=team.borough).only("pk", "imd_decile"))
    measures = config.measures_for(team.service_line)
    review = config.DEFAULT_REVIEW_DAYS.get(team.service_line, config.FALLBACK_REVIEW_DAYS)
    people = [_patient(rng, team, n, lsoas, today) for n in range(1, patients + 1)]
    Patient.objects.bulk_create(people)
    episodes: list[tuple[Episode, Trajectory]] = []
    for patient in people:
        start = today - datetime.timedelta(days=rng.randint(20, 3 * 365))
        ended = rng.random() < 0.3 and (today - start).days > 120
        end = start + datetime.timedelta(days=rng.randint(90, (today - start).days)) if ended else None
        reason = rng.choice([r for r in EndReason.values if r != EndReason.DIED]) if end else ""
        episodes.append(
            (Episode(patient=patient, team=team, start=start, end=end, end_reason=reason), trajectory(rng))
        )
    Episode.objects.bulk_create([episode for episode, _ in episodes])
    made: list[Assessment] = []
    for episode, person in episodes:
        last = episode.end or today
        dates = occasions(rng, episode.start, last, review)
        if episode.end is not None:
            dates.append((episode.end, Timepoint.END))
        span = max(1, (dates[-1][0] - dates[0][0]).days)
        for day, timepoint in dates:
            progress = (day - dates[0][0]).days / span
            mode = pick(rng, MODES)
            for measure in measures.patient_rated:
                made.append(
                    _assessment(episode, measure, day, timepoint, mode, dialog_answers(rng, person, progress))
                )
            if timepoint != Timepoint.SESSION:
                for measure in measures.clinician_rated:
                    items = len(get_measure(measure).items)
                    answers = honos_answers(rng, person, progress, items)
                    made.append(_assessment(episode, measure, day, timepoint, Mode.CLINICIAN, answers))
    Assessment.objects.bulk_create(made, batch_size=500)
    _summaries(episodes, made)
    return len(made)


def _summaries(episodes: list[tuple[Episode, Trajectory]], made: list[Assessment]) -> None:
    by_key: dict[tuple[int, str], list[Assessment]] = {}
    for assessment in made:
        by_key.setdefault((assessment.episode_id, assessment.measure), []).append(assessment)
    lookup = {episode.pk: episode for episode, _ in episodes}
    EpisodeOutcome.objects.bulk_create(
        [
            EpisodeOutcome(
                episode=lookup[episode_id],
                measure=measure,
                **summary.outcome_values(lookup[episode_id], measure, done),
            )
            for (episode_id, measure), done in by_key.items()
        ],
        batch_size=500,
    )


def _sessions(team: Team, today: datetime.date) -> int:
    """DIALOG+ sessions with agreed actions for the team's first patients: the next session reviews them."""
    made = 0
    for episode in Episode.objects.filter(team=team, end__isnull=True).select_related("patient")[:3]:
        latest = episode.assessments.filter(measure="dialog").order_by("-assessed_on").first()
        if latest is None:
            continue
        moment = timezone.make_aware(datetime.datetime.combine(latest.assessed_on, datetime.time(11, 30)))
        session = DialogPlusSession.objects.create(
            episode=episode,
            patient=episode.patient,
            assessment=latest,
            started_at=moment,
            completed_at=moment,
        )
        for position, (item, what, who) in enumerate(DEMO_ACTIONS, start=1):
            domain = DialogPlusDomain.objects.create(
                session=session,
                subject_id=episode.patient.subject_id,
                item=item,
                position=position,
                understanding="What helps already: talking it through with family.",
                looking_forward="A small step would be to try one new thing before next time.",
                exploring_options="The patient, the care coordinator and the family could each help.",
            )
            DialogPlusAction.objects.create(
                domain=domain,
                subject_id=domain.subject_id,
                who=who,
                what=what,
                due_on=max(today, latest.assessed_on + datetime.timedelta(days=28)),
                created_at=moment,
            )
        made += 1
    return made


def generate(
    *, rng: random.Random, seed: int = 0, patients_per_team: int = 24, **_: object
) -> dict[str, int]:
    """Teams, patients and trajectories for every example trust; idempotent (a team with patients is kept)."""
    today = timezone.localdate()
    counts = {"teams": 0, "patients": 0, "assessments": 0, "sessions": 0}
    trusts = Organisation.objects.filter(type=OrganisationType.NHS_TRUST, is_example=True).order_by("slug")
    for trust in trusts:
        for team in _teams(trust):
            counts["teams"] += 1
            if Episode.objects.filter(team=team).exists():
                continue
            team_rng = random.Random(f"{seed}:outcomes:{team.name}")
            with transaction.atomic():
                counts["assessments"] += _team_data(team, team_rng, patients_per_team, today)
                counts["patients"] += patients_per_team
                counts["sessions"] += _sessions(team, today)
                audit.record(
                    action=audit.Action.CREATE,
                    obj=team,
                    organisation=trust,
                    summary=f"demonstration outcomes data for {team.name}",
                )
    return counts
