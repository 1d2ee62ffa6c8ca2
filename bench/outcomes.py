"""Benchmark of the outcomes dashboards over a million assessments on PostgreSQL (target: p95 under 500 ms).

    .venv/bin/python bench/outcomes.py [--database-url postgres://postgres@127.0.0.1:5432/thrive_bench_outcomes]
        [--assessments 1000000] [--repeats 15] [--reuse]

Creates the database if it does not exist, migrates it and fills it (unless --reuse finds it filled) with
synthetic trusts, teams, patients, episodes and about `--assessments` DIALOG and HoNOS assessments whose
trajectories come from `thrive.outcomes.demo`, loaded with COPY; the per-episode summaries are computed by the
same function the services use. Then, as a trust's service manager and as a region-wide manager, it asks for
every dashboard (each measure x breakdown x period) `--repeats` times: first the figures alone (the query and
the suppression), then the whole page through Django (view, template, chart data). Prints p50/p95/max for
each scope and each layer, the slowest dashboards, and whether p95 meets the target.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_P95_MS = 500.0
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/thrive_bench_outcomes"
BOROUGHS_PER_ICS = (7, 7, 6, 6, 7)  # London's 33 boroughs in its 5 integrated care systems
ASSESSMENTS_PER_EPISODE = 9.0  # DIALOG at every occasion, HoNOS at the start, reviews and end (about)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("THRIVE_DEMO", "1")
    os.environ.setdefault("THRIVE_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
    import django

    django.setup()


def places() -> tuple[Any, list[Any], list[Any]]:
    """A region, its 5 ICSs and 33 boroughs (synthetic codes: the bench needs no real boundaries)."""
    from thrive.geography.models import Area, AreaLevel

    region, _ = Area.objects.get_or_create(
        level=AreaLevel.REGION, code="E12000007", defaults={"name": "London"}
    )
    systems, boroughs = [], []
    for i, count in enumerate(BOROUGHS_PER_ICS):
        ics, _ = Area.objects.get_or_create(
            level=AreaLevel.ICS,
            code=f"E5490000{i}",
            defaults={"name": f"Bench ICS {i + 1}", "parent": region},
        )
        systems.append(ics)
        for j in range(count):
            code = f"E0990{i}{j:03d}"
            borough, _ = Area.objects.get_or_create(
                level=AreaLevel.BOROUGH,
                code=code,
                defaults={"name": f"Bench borough {i + 1}.{j + 1}", "parent": ics, "ics": ics},
            )
            boroughs.append(borough)
    return region, systems, boroughs


def organisations(systems: list[Any], boroughs: list[Any]) -> list[Any]:
    """A trust per ICS with a community team per borough and one team of each other service line."""
    from thrive.accounts.models import Organisation, Team
    from thrive.outcomes.demo import OTHER_TEAMS, SL

    teams = []
    for ics in systems:
        trust, _ = Organisation.objects.get_or_create(
            slug=f"bench-trust-{ics.code.lower()}",
            defaults={"name": f"Bench trust of {ics.name}", "type": "nhs_trust"},
        )
        own = [b for b in boroughs if b.ics_id == ics.pk]
        trust.coverage.set(own)
        for borough in own:
            teams.append(
                Team.objects.get_or_create(
                    organisation=trust,
                    name=f"CMHT {borough.name}",
                    defaults={"service_line": SL.COMMUNITY, "borough": borough},
                )[0]
            )
        for line, name in OTHER_TEAMS:
            teams.append(
                Team.objects.get_or_create(
                    organisation=trust,
                    name=f"{name}, {ics.name}",
                    defaults={"service_line": line, "borough": own[0]},
                )[0]
            )
    return teams


class Copier:
    """Rows for one table, written with COPY in batches (ids assigned here, from the table's sequence)."""

    def __init__(self, cursor: Any, table: str, columns: list[str]) -> None:
        self.cursor, self.table, self.columns = cursor, table, columns
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with self.cursor.copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for row in self.rows:
                copy.write_row(row)
        self.rows = []


def next_ids(cursor: Any, table: str, count: int) -> Iterator[int]:
    cursor.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [count]
    )
    return iter(row[0] for row in cursor.fetchall())


def quick_scores(measure: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The measure's scores of answers known to be valid (generated), without re-validating each one."""
    from thrive.outcomes.measures import Answers
    from thrive.outcomes.measures import get as get_measure

    values = {int(key): value for key, value in answers.items() if key != "help"}
    weights = {number: value for number, value in values.items() if value != 9}
    definition = get_measure(measure)
    return dict(definition.scorer(Answers(values, weights, tuple(answers.get("help", ())))))


def fill(target: int, seed: int) -> None:
    """Patients, episodes, assessments and summaries for about `target` assessments."""
    from django.db import connection, transaction
    from django.utils import timezone

    from thrive.core.crypto import DataSubject
    from thrive.outcomes import config, demo, summary
    from thrive.outcomes.codes import Mode, Status, Timepoint
    from thrive.outcomes.measures import get as get_measure
    from thrive.outcomes.models import Episode, Patient
    from thrive.outcomes.services import headline_score
    from thrive.surveillance.demo_people import ETHNICITY, pick

    _, systems, boroughs = places()
    teams = organisations(systems, boroughs)
    subject = DataSubject.objects.create_subject()  # bench patients carry no identifiable data: one subject
    rng = random.Random(seed)
    today = timezone.localdate()
    episodes_wanted = int(target / ASSESSMENTS_PER_EPISODE)
    started = time.perf_counter()
    made = 0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        patients = Copier(
            raw,
            "outcomes_patient",
            [
                "id",
                "subject_id",
                "organisation_id",
                "local_id",
                "nhs_number",
                "nhs_number_index",
                "birth_year",
                "birth_month",
                "sex",
                "ethnicity",
                "borough_id",
                "imd_decile",
                "place_source",
                "created_at",
            ],
        )
        episodes = Copier(
            raw,
            "outcomes_episode",
            ["id", "patient_id", "team_id", "start", '"end"', "end_reason", "created_at"],
        )
        assessments = Copier(
            raw,
            "outcomes_assessment",
            [
                "public_id",
                "episode_id",
                "patient_id",
                "measure",
                "timepoint",
                "mode",
                "source",
                "status",
                "assessed_on",
                "answers",
                "scores",
                "score",
                "organisation_id",
                "created_at",
                "completed_at",
                "updated_at",
            ],
        )
        outcomes = Copier(
            raw,
            "outcomes_episodeoutcome",
            [
                "episode_id",
                "measure",
                "organisation_id",
                "team_id",
                "service_line",
                "borough_id",
                "ics_id",
                "imd_decile",
                "ethnic_group",
                "sex",
                "age_band",
                "episode_open",
                "assessments",
                "first_on",
                "latest_on",
                "first_score",
                "latest_score",
                "paired",
                "change",
                "method",
                "items_improved",
                "items_deteriorated",
                "updated_at",
            ],
        )
        patient_ids = next_ids(cursor, "outcomes_patient", episodes_wanted)
        episode_ids = next_ids(cursor, "outcomes_episode", episodes_wanted)
        now = timezone.now()
        for number in range(episodes_wanted):
            team = teams[number % len(teams)]
            borough = team.borough if rng.random() < 0.8 else rng.choice(boroughs)
            low, high = demo.AGES.get(team.service_line, (18, 64))
            patient = Patient(
                pk=next(patient_ids),
                subject=subject,
                organisation_id=team.organisation_id,
                local_id=f"B{number:07d}",
                birth_year=today.year - rng.randint(low, high),
                birth_month=rng.randint(1, 12),
                sex=rng.choice(("female", "male")),
                ethnicity=pick(rng, ETHNICITY),
                borough=borough,
                imd_decile=rng.randint(1, 10),
            )
            patients.add(
                (
                    patient.pk,
                    subject.pk,
                    patient.organisation_id,
                    patient.local_id,
                    "",
                    "",
                    patient.birth_year,
                    patient.birth_month,
                    patient.sex,
                    patient.ethnicity,
                    borough.pk,
                    patient.imd_decile,
                    "postcode",
                    now,
                )
            )
            start = today - datetime.timedelta(days=rng.randint(20, 5 * 365))
            ended = rng.random() < 0.4 and (today - start).days > 120
            end = start + datetime.timedelta(days=rng.randint(90, (today - start).days)) if ended else None
            episode = Episode(pk=next(episode_ids), patient=patient, team=team, start=start, end=end)
            episodes.add(
                (episode.pk, patient.pk, team.pk, start, end, "treatment_completed" if end else "", now)
            )
            person = demo.trajectory(rng)
            review = config.DEFAULT_REVIEW_DAYS.get(team.service_line, config.FALLBACK_REVIEW_DAYS)
            occasions = demo.occasions(rng, start, end or today, min(review, 120))
            if end is not None:
                occasions.append((end, Timepoint.END))
            span = max(1, (occasions[-1][0] - occasions[0][0]).days)
            done: dict[str, list[Any]] = {}
            measures = config.measures_for(team.service_line)
            for day, timepoint in occasions:
                progress = (day - occasions[0][0]).days / span
                asked = [(m, demo.dialog_answers(rng, person, progress)) for m in measures.patient_rated]
                if timepoint != Timepoint.SESSION:
                    asked += [
                        (m, demo.honos_answers(rng, person, progress, len(get_measure(m).items)))
                        for m in measures.clinician_rated
                    ]
                for measure, answers in asked:
                    scores = quick_scores(measure, answers)
                    record = SimpleNamespace(
                        assessed_on=day, answers=answers, score=headline_score(measure, scores)
                    )
                    done.setdefault(measure, []).append(record)
                    assessments.add(
                        (
                            uuid.uuid4(),
                            episode.pk,
                            patient.pk,
                            measure,
                            timepoint,
                            Mode.CLINICIAN,
                            "web",
                            Status.COMPLETED,
                            day,
                            json.dumps(answers),
                            json.dumps(scores),
                            record.score,
                            team.organisation_id,
                            now,
                            now,
                            now,
                        )
                    )
                    made += 1
            for measure, records in done.items():
                values = summary.outcome_values(episode, measure, records)
                outcomes.add(
                    (
                        episode.pk,
                        measure,
                        *(
                            values[name]
                            for name in (
                                "organisation_id",
                                "team_id",
                                "service_line",
                                "borough_id",
                                "ics_id",
                                "imd_decile",
                                "ethnic_group",
                                "sex",
                                "age_band",
                                "episode_open",
                                "assessments",
                                "first_on",
                                "latest_on",
                                "first_score",
                                "latest_score",
                                "paired",
                                "change",
                                "method",
                                "items_improved",
                                "items_deteriorated",
                                "updated_at",
                            )
                        ),
                    )
                )
            if number % 20_000 == 19_999:
                for copier in (patients, episodes, assessments, outcomes):
                    copier.flush()
                print(f"  {made:,} assessments ({time.perf_counter() - started:.0f} s)", flush=True)
        for copier in (patients, episodes, assessments, outcomes):
            copier.flush()
        cursor.execute("ANALYZE")
    print(
        f"filled: {made:,} assessments in {episodes_wanted:,} episodes "
        f"({time.perf_counter() - started:.0f} s)"
    )


def managers() -> dict[str, Any]:
    """A trust's service manager and a region-wide one (an ICS membership scoped to the whole region)."""
    from thrive.accounts.models import Membership, Organisation, User
    from thrive.geography.models import Area, AreaLevel

    trust = Organisation.objects.filter(slug__startswith="bench-trust-").order_by("slug").first()
    ics_org, _ = Organisation.objects.get_or_create(
        slug="bench-ics", defaults={"name": "Bench ICS", "type": "integrated_care_system"}
    )
    found = {}
    for label, organisation, email in (
        ("trust", trust, "trust-manager@bench.example.org"),
        ("region", ics_org, "region-manager@bench.example.org"),
    ):
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": f"Bench {label} manager"})
        membership, _ = Membership.objects.get_or_create(
            user=user, organisation=organisation, role="service_manager"
        )
        if label == "region":
            membership.scope_areas.set(Area.objects.filter(level=AreaLevel.REGION))
        found[label] = user
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(repeats: int) -> bool:
    from django.conf import settings
    from django.test import Client
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from thrive.accounts.testing import sign_in
    from thrive.outcomes import access, dashboard
    from thrive.outcomes.models import Assessment, EpisodeOutcome

    try:
        reverse("outcomes:dashboard")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "thrive.outcomes.tests.urls"
    print(
        f"data: {Assessment.objects.count():,} assessments, "
        f"{EpisodeOutcome.objects.count():,} episode summaries"
    )
    combos = [
        (m, by, p) for m in ("dialog", "honos") for by in dashboard.DIMENSIONS for p in dashboard.PERIODS
    ]
    met = True
    for label, user in managers().items():
        outcomes = access.outcomes_for_user(user)
        print(f"\n{label} scope: {outcomes.count():,} episode summaries")
        layers: dict[str, list[tuple[float, tuple[str, str, str]]]] = {"figures": [], "page": []}
        client = sign_in(Client(), user)
        for _ in range(repeats):
            for combo in combos:
                m, by, period = combo
                started = time.perf_counter()
                dashboard.build(
                    outcomes, measure=m, by=by, since=dashboard.since_for(period, timezone.localdate())
                )
                layers["figures"].append(((time.perf_counter() - started) * 1000, combo))
                started = time.perf_counter()
                response = client.get("/outcomes/dashboard/", {"measure": m, "by": by, "period": period})
                layers["page"].append(((time.perf_counter() - started) * 1000, combo))
                assert response.status_code == 200, response.status_code
        for layer, timings in layers.items():
            values = [ms for ms, _ in timings]
            p95 = percentile(values, 0.95)
            met &= p95 < TARGET_P95_MS
            slowest = sorted(timings, reverse=True)[:3]
            print(
                f"  {layer:8s} n={len(values):4d}  p50 {statistics.median(values):7.1f} ms  "
                f"p95 {p95:7.1f} ms  "
                f"max {max(values):7.1f} ms   slowest: "
                + ", ".join(f"{'/'.join(c)} {ms:.0f} ms" for ms, c in slowest)
            )
    print(f"\ntarget p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--assessments", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="keep the data already in the database, if any")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("The target is for PostgreSQL: give --database-url postgres://...")
    ensure_database(args.database_url)
    setup(args.database_url)
    from django.core.management import call_command

    from thrive.outcomes.models import Assessment

    call_command("migrate", verbosity=0)
    if not (args.reuse and Assessment.objects.exists()):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE outcomes_episodeoutcome, outcomes_assessment, outcomes_episode, outcomes_patient "
                "CASCADE"
            )
        fill(args.assessments, args.seed)
    sys.exit(0 if measure(args.repeats) else 1)


if __name__ == "__main__":
    main()
