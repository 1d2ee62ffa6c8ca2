"""Writing years of demo history quickly: the same folding as the service (`folding.apply_current`), but
places resolved from in-memory tables (points in one vectorised lookup) and rows written with `bulk_create`.

Only for the demo's past cases: nothing is notified, no referral is started and nothing is audited one by one
(the demo command is the single recorded act). Encrypted fields encrypt in `bulk_create` as in `save`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from django.db import transaction

from thrive.accounts.models import Organisation
from thrive.core.crypto import DataSubject
from thrive.core.crypto import keys as crypto_keys
from thrive.geography import lookup
from thrive.geography.models import Area, AreaLevel, LsoaLink
from thrive.surveillance import folding, matching, notify, places, references, report_data, substances
from thrive.surveillance.models import (
    AgencyReport,
    Case,
    CaseOrganisation,
    NextOfKin,
    StatusChange,
    Substance,
)

BATCH = 500


class AreaTable:
    """Every area in memory, with each 2011 LSOA's best-matching 2021 LSOA."""

    def __init__(self) -> None:
        self.by_id = {a.pk: a for a in Area.objects.defer("boundary", "imd_domains")}
        self.by_code: dict[tuple[str, str], Area] = {(a.level, a.code): a for a in self.by_id.values()}
        self.lsoa21_of: dict[int, int] = {}
        best: dict[int, float] = {}
        for lsoa11, lsoa21, share in LsoaLink.objects.values_list(
            "lsoa11_id", "lsoa21_id", "share_of_lsoa11"
        ):
            if share > best.get(lsoa11, -1.0):
                best[lsoa11], self.lsoa21_of[lsoa11] = share, lsoa21

    def home(self, code: str) -> places.Where:
        lsoa11 = self.by_code.get((AreaLevel.LSOA11, code))
        if lsoa11 is None:
            borough = self.by_code.get((AreaLevel.BOROUGH, code))
            ics = self.by_id.get(borough.ics_id) if borough is not None and borough.ics_id else None
            return places.Where(areas={**dict.fromkeys(places.LEVELS), "borough": borough, "ics": ics})
        lsoa21 = self.by_id.get(self.lsoa21_of.get(lsoa11.pk, -1))
        return places.Where(
            areas={
                "lsoa11": lsoa11,
                "lsoa21": lsoa21,
                "msoa21": self.by_id.get(lsoa21.parent_id or -1) if lsoa21 else None,
                "borough": self.by_id.get(lsoa11.borough_id or -1),
                "ics": self.by_id.get(lsoa11.ics_id or -1),
            }
        )

    def points(self, points: list[tuple[float, float]]) -> list[places.Where]:
        if not points:
            return []
        lats, lons = zip(*points, strict=True)
        try:
            found = lookup.locate_many(np.array(lats), np.array(lons))
        except lookup.GeographyNotLoaded:
            return [
                places.Where(areas=dict.fromkeys(places.LEVELS), lat=lat, lon=lon, flag="not_located")
                for lat, lon in points
            ]
        result = []
        for i, (lat, lon) in enumerate(points):
            areas = {level: self.by_id.get(int(getattr(found, level)[i])) for level in places.LEVELS}
            result.append(
                places.Where(
                    areas=areas,
                    lat=lat,
                    lon=lon,
                    flag="" if areas["borough"] is not None else "outside_region",
                )
            )
        return result


@dataclass
class PastCase:
    """One past death to write: its agencies' reports (organisation, time, flat data) and its lifecycle."""

    police: Organisation
    reports: list[tuple[Organisation, datetime, dict[str, Any], str]]
    next_of_kin: list[dict[str, Any]]
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    status: str = "suspected"
    conclusion: str = ""
    inquest_date: date | None = None


def new_subjects(count: int) -> list[DataSubject]:
    """Data subjects with fresh keys, made in bulk (as `DataSubject.objects.create_subject` makes one)."""
    master = crypto_keys.current_master_key()
    made = []
    for _ in range(count):
        subject_id = uuid.uuid4()
        data_key = crypto_keys.new_data_key()
        made.append(
            DataSubject(
                id=subject_id,
                master_key_id=master.key_id,
                wrapped_key=crypto_keys.wrap_data_key(data_key, subject_id=subject_id, master=master),
            )
        )
        crypto_keys.remember_data_key(subject_id, data_key)
    DataSubject.objects.bulk_create(made, batch_size=BATCH)
    return made


class References:
    """`RTSS-YYYY-NNNNN` numbers taken in memory, after any already given, and reserved at the end so that the
    live service's next numbers (`references.take`) come after them."""

    def __init__(self) -> None:
        self.last: dict[int, int] = {}

    def take(self, year: int) -> str:
        if year not in self.last:
            self.last[year] = references.last_taken(year)
        self.last[year] += 1
        return references.format_reference(year, self.last[year])

    def save(self) -> None:
        for year, last in self.last.items():
            references.reserve(year, last)


def write(past: list[PastCase], *, trusts: dict[int, Organisation]) -> int:
    """Write the past cases (in date order) with everything around them; returns how many."""
    table = AreaTable()
    folded = [report_data.fold([flat for _, _, flat, _ in p.reports]) for p in past]
    wanted = [(i, f["incident.location"]) for i, f in enumerate(folded) if f.get("incident.location")]
    located = dict(
        zip(
            [i for i, _ in wanted],
            table.points([(float(pt["lat"]), float(pt["lon"])) for _, pt in wanted]),
            strict=True,
        )
    )
    vocabulary = {
        s.name: s
        for s in substances.substances_for(
            sorted({name for f in folded for name in substances.normalise(f.get("incident.substances", []))})
        )
    }
    numbers = References()
    notified: dict[
        tuple[int | None, int | None], list[Organisation]
    ] = {}  # agencies told, by the two boroughs
    written = 0
    with transaction.atomic():
        # In chunks, so that each chunk's data keys stay in the process's key cache while its rows encrypt.
        for start in range(0, len(past), BATCH):
            chunk = range(start, min(start + BATCH, len(past)))
            subjects = iter(new_subjects(sum(1 + len(past[i].next_of_kin) for i in chunk)))
            cases: list[Case] = []
            substance_names: list[list[str]] = []
            for i in chunk:
                p, current = past[i], folded[i]
                first_at = p.reports[0][1]
                case = Case(
                    reference=numbers.take(first_at.year),
                    subject=next(subjects),
                    date_found=first_at.date(),
                    first_reported_by=p.police,
                    created_at=first_at,
                    updated_at=p.reports[-1][1],
                    is_example=True,
                    status=p.status,
                    conclusion=p.conclusion,
                    inquest_date=p.inquest_date,
                )
                home = table.home(current.get("deceased.residence_area", ""))
                scene = located.get(i) or table.home(current.get("incident.area_code", ""))
                borough = home.areas.get("borough")
                trust = (
                    trusts.get(borough.pk)
                    if borough is not None and current.get("mental_health_trust")
                    else None
                )
                flags = folding.apply_current(case, current, home=home, scene=scene, trust=trust)
                names = substances.normalise(current.get("incident.substances", []))
                case.flags = flags + (["new_substance"] if any(vocabulary[n].is_new for n in names) else [])
                substance_names.append(names)
                cases.append(case)
            Case.objects.bulk_create(cases)
            _write_around([past[i] for i in chunk], cases, subjects, vocabulary, substance_names, notified)
            written += len(cases)
        numbers.save()
    return written


def _write_around(
    past: list[PastCase],
    cases: list[Case],
    subjects: Iterator[DataSubject],
    vocabulary: dict[str, Substance],
    substance_names: list[list[str]],
    notified: dict[tuple[int | None, int | None], list[Organisation]],
) -> None:
    reports: list[AgencyReport] = []
    links: list[CaseOrganisation] = []
    people: list[NextOfKin] = []
    changes: list[StatusChange] = []
    substance_rows: list[Any] = []
    through = Case.substances.through
    for p, case, names in zip(past, cases, substance_names, strict=True):
        for organisation, at, flat, link in p.reports:
            nhs_idx, name_idx = matching.indexes(flat)
            reports.append(
                AgencyReport(
                    case=case,
                    subject=case.subject,
                    organisation=organisation,
                    via="api",
                    link=link,
                    data=flat,
                    fields=sorted(flat),
                    nhs_index=nhs_idx,
                    name_dob_index=name_idx,
                    submitted_at=at,
                    reporting_reference=f"DEMO-{case.reference}-{len(reports)}",
                )
            )
        reporters = {organisation.pk for organisation, *_ in p.reports}
        links += [CaseOrganisation(case=case, organisation_id=pk, relation="reported") for pk in reporters]
        key = (case.residence_borough_id, case.incident_borough_id)
        if key not in notified:
            notified[key] = notify.organisations_for(case)
        links += [
            CaseOrganisation(case=case, organisation=o, relation="notified")
            for o in notified[key]
            if o.pk not in reporters
        ]
        for entry in p.next_of_kin:
            people.append(
                NextOfKin(
                    case=case,
                    subject=next(subjects),
                    name=entry["name"],
                    relationship=entry["relationship"],
                    phone=entry.get("phone", ""),
                    email=entry.get("email", ""),
                    language=entry.get("language", ""),
                    interpreter_needed=bool(entry.get("interpreter_needed")),
                    consent_to_referral=entry["consent_to_referral"],
                    added_by_organisation=p.police,
                    consent_recorded_at=p.reports[0][1]
                    if entry["consent_to_referral"] != "not_asked"
                    else None,
                    consent_recorded_by_organisation=p.police
                    if entry["consent_to_referral"] != "not_asked"
                    else None,
                    created_at=p.reports[0][1],
                )
            )
        changes += [StatusChange(case=case, **change) for change in p.status_changes]
        substance_rows += [through(case_id=case.pk, substance_id=vocabulary[n].pk) for n in names]
    AgencyReport.objects.bulk_create(reports, batch_size=BATCH)
    CaseOrganisation.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
    NextOfKin.objects.bulk_create(people, batch_size=BATCH)
    StatusChange.objects.bulk_create(changes, batch_size=BATCH)
    through.objects.bulk_create(substance_rows, batch_size=BATCH, ignore_conflicts=True)
