"""Precision and recall of report linkage on generated data with typos, transpositions and missing fields.

    .venv/bin/python bench/linkage_eval.py [--deaths 3000] [--seed 1]

Makes `--deaths` synthetic deaths over four years (the demo's generator: London-like ages, sexes and dates;
names drawn from pools of 150 given and 300 family names with skewed frequencies, so namesakes die in the same
week as they would in a city), each reported by one to three agencies. The first report is clean; each later
one is how another agency might record the same person: a slip in a name (letters swapped, dropped or doubled,
or given and family names swapped), a date of birth with day and month swapped or a digit wrong, no NHS
number, no date of birth, a date of death a day out, a point a few hundred metres away. Every pair of reports
within the ±3-day death window (the blocking rule) is scored with `thrive.surveillance.linkage`, and compared
with the truth.

Prints, for the automatic link (exact NHS number, or exact names and date of birth) and for the review queue
at several thresholds: pairs flagged, precision, recall. The figures in docs/linkage.md come from this script.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive.settings")
os.environ.setdefault("THRIVE_DEMO", "1")

import django  # noqa: E402

django.setup()

from thrive.surveillance import demo_people, linkage  # noqa: E402
from thrive.surveillance.linkage import LinkRecord  # noqa: E402

THRESHOLDS = (3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0)


def slip(rng: random.Random, name: str) -> str:
    if len(name) < 3:
        return name + name[-1:]
    i = rng.randint(1, len(name) - 2)
    kind = rng.choice(("swap", "drop", "double", "replace"))
    if kind == "swap":
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    return name[:i] + rng.choice("aeiou") + name[i + 1 :]


def transpose(rng: random.Random, born: date) -> date:
    if born.day <= 12 and born.day != born.month and rng.random() < 0.5:
        return date(born.year, born.day, born.month)
    return born + timedelta(days=rng.choice((-365, 365, -10, 10, -1, 1)))  # a year or a digit out


def noisy(rng: random.Random, clean: LinkRecord) -> LinkRecord:
    """Another agency's record of the same death."""
    given, family = clean.given_name, clean.family_name
    if rng.random() < 0.35:
        family = slip(rng, family)
    if rng.random() < 0.35:
        given = slip(rng, given)
    if rng.random() < 0.04:
        given, family = family, given
    if rng.random() < 0.05:
        given = ""
    born: date | None = clean.date_of_birth
    if rng.random() < 0.15:
        born = transpose(rng, clean.date_of_birth)  # type: ignore[arg-type]
    elif rng.random() < 0.1:
        born = None
    died = clean.date_of_death
    if died is not None and rng.random() < 0.2:
        died = died + timedelta(days=rng.choice((-1, 1)))
    lat, lon = clean.points[0]
    point = (lat + rng.uniform(-0.003, 0.003), lon + rng.uniform(-0.004, 0.004))
    return replace(
        clean,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        nhs_number=clean.nhs_number if rng.random() < 0.4 else "",
        date_of_death=died,
        date_found=died or clean.date_found,
        points=(point,) if rng.random() < 0.8 else (),
    )


def name_pool(rng: random.Random, size: int) -> tuple[list[str], list[float]]:
    """Names with a skewed frequency (weight 1/rank, as real names have), so that namesakes happen."""
    names = sorted({demo_people.fictional_name(rng) for _ in range(size * 2)})[:size]
    rng.shuffle(names)
    return names, [1 / (rank + 1) for rank in range(len(names))]


def generate(rng: random.Random, deaths: int) -> list[tuple[int, LinkRecord]]:
    start = date(2022, 1, 1)
    given_names, given_weights = name_pool(rng, 150)
    family_names, family_weights = name_pool(rng, 300)
    records: list[tuple[int, LinkRecord]] = []
    for person in range(deaths):
        died = start + timedelta(days=rng.randint(0, 4 * 365))
        d = demo_people.death(rng, died)
        given = rng.choices(given_names, weights=given_weights)[0]
        family = rng.choices(family_names, weights=family_weights)[0]
        clean = LinkRecord(
            given_name=given,
            family_name=family,
            date_of_birth=d.born,
            nhs_number=d.nhs,
            sex=d.sex,
            date_of_death=died,
            date_found=d.found,
            points=((rng.uniform(51.3, 51.7), rng.uniform(-0.5, 0.3)),),
        )
        records.append((person, clean))
        for _ in range(rng.choice((0, 1, 1, 2))):
            records.append((person, noisy(rng, clean)))
    return records


def pairs(records: list[tuple[int, LinkRecord]]) -> list[tuple[bool, str | None, float]]:
    """(same death?, exact reason, score) for every pair within the blocking window."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for index, (_, record) in enumerate(records):
        by_day[record.death_date].append(index)  # type: ignore[index]
    scored = []
    for index, (person, record) in enumerate(records):
        day = record.death_date
        for offset in range(-linkage.DEATH_WINDOW_DAYS, linkage.DEATH_WINDOW_DAYS + 1):
            for other in by_day.get(day + timedelta(days=offset), ()):  # type: ignore[operator]
                if other <= index:
                    continue
                other_person, other_record = records[other]
                scored.append(
                    (
                        person == other_person,
                        linkage.exact_match(record, other_record),
                        linkage.score(record, other_record).total,
                    )
                )
    return scored


def line(label: str, flagged: list[bool], positives: int) -> str:
    hits = sum(flagged)
    precision = hits / len(flagged) if flagged else 1.0
    recall = hits / positives if positives else 1.0
    return f"| {label} | {len(flagged):,} | {precision:.3f} | {recall:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deaths", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records = generate(random.Random(args.seed), args.deaths)
    scored = pairs(records)
    positives = sum(same for same, _, _ in scored)
    print(
        f"{args.deaths:,} deaths, {len(records):,} reports, {len(scored):,} pairs in the ±3-day window, "
        f"{positives:,} of them the same death\n"
    )
    print("| rule | pairs flagged | precision | recall |")
    print("|---|---:|---:|---:|")
    auto = [same for same, exact, _ in scored if exact]
    print(line("automatic link (exact NHS number, or exact names and date of birth)", auto, positives))
    for threshold in THRESHOLDS:
        flagged = [same for same, exact, total in scored if exact or total >= threshold]
        marker = " (default)" if threshold == linkage.REVIEW_THRESHOLD else ""
        print(line(f"automatic link or score ≥ {threshold:g}{marker}", flagged, positives))
    queue = [same for same, exact, total in scored if not exact and total >= linkage.REVIEW_THRESHOLD]
    print(
        f"\nThe review queue alone (score ≥ {linkage.REVIEW_THRESHOLD:g}, not linked automatically): "
        f"{len(queue):,} pairs, {sum(queue):,} true duplicates ({sum(queue) / max(len(queue), 1):.1%})."
    )
    missed = [
        total for same, exact, total in scored if same and not exact and total < linkage.REVIEW_THRESHOLD
    ]
    if missed:
        print(
            f"True duplicates below the threshold: {len(missed):,}; their scores range "
            f"{min(missed):.1f} to {max(missed):.1f}."
        )


if __name__ == "__main__":
    main()
