"""Linkage against the database: exact links through the blind indexes, and scored candidates for the queue.

Blocking keeps it cheap: only cases whose death (or, when unknown, finding) is within ±3 days are scored, plus
any case sharing the NHS number. The scoring itself is `thrive.surveillance.linkage`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q

from thrive.core.crypto import keys as crypto_keys
from thrive.core.crypto import name_dob_index, nhs_number_index
from thrive.surveillance import codes, linkage
from thrive.surveillance.models import AgencyReport, Case, DuplicateCandidate


def indexes(flat: dict[str, Any]) -> tuple[str, str]:
    """(NHS number index, names-and-date-of-birth index) of a flat report; empty where not given."""
    nhs = flat.get("deceased.nhs_number", "")
    given, family, born = (
        flat.get(f"deceased.{k}", "") for k in ("given_name", "family_name", "date_of_birth")
    )
    return (
        nhs_number_index(nhs) if nhs else "",
        name_dob_index(given, family, born) if given and family and born else "",
    )


def _live(case: Case) -> Case:
    """Follow merges to the case that now stands for this death."""
    seen = set()
    while case.status == codes.Status.MERGED and case.merged_into_id and case.pk not in seen:
        seen.add(case.pk)
        case = Case.objects.select_related("subject").get(pk=case.merged_into_id)
    return case


def exact_link(flat: dict[str, Any]) -> tuple[Case, str] | None:
    """The existing case this report must join (same NHS number, or same names and date of birth), and why.

    One narrow query finds the earlier reports sharing either index; a case is loaded only when there is one
    (most reports are of a death not reported before, and a wide query was planned for nothing)."""
    nhs_idx, name_idx = indexes(flat)
    shared = Q(nhs_index=nhs_idx) if nhs_idx else Q()
    if name_idx:
        shared |= Q(name_dob_index=name_idx)
    if not shared:
        return None
    earlier = list(
        AgencyReport.objects.filter(shared)
        .exclude(case__status=codes.Status.WITHDRAWN)
        .order_by("submitted_at", "pk")
        .values_list("case_id", "nhs_index")
    )
    by_nhs = [case_id for case_id, index in earlier if nhs_idx and index == nhs_idx]
    if by_nhs:
        return _live(_case(by_nhs[0])), AgencyReport.Link.NHS_NUMBER
    nhs = flat.get("deceased.nhs_number", "")
    for case_id, _ in earlier:  # the rest share the names and date of birth
        case = _live(_case(case_id))
        if nhs and case.nhs_number and case.nhs_number != nhs:
            continue  # a different NHS number: a namesake, not the same person
        return case, AgencyReport.Link.NAME_AND_DOB
    return None


def _case(pk: int) -> Case:
    return Case.objects.select_related("subject").get(pk=pk)


def record_for_case(case: Case) -> linkage.LinkRecord:
    points = []
    if case.incident_point:
        points.append((float(case.incident_point["lat"]), float(case.incident_point["lon"])))
    elif case.incident_lat is not None and case.incident_lon is not None:
        points.append((case.incident_lat, case.incident_lon))
    home = case.residence_lsoa11
    if home is not None and home.centroid_lat is not None:
        points.append((home.centroid_lat, home.centroid_lon))
    return linkage.LinkRecord(
        given_name=case.given_name,
        family_name=case.family_name,
        date_of_birth=case.date_of_birth,
        nhs_number=case.nhs_number,
        sex=case.sex,
        date_of_death=case.date_of_death,
        date_found=case.date_found,
        points=tuple(points),
    )


def candidates(case: Case) -> list[Case]:
    """Live cases within the death window of this one, or sharing an NHS number with any of its reports."""
    died = case.date_of_death or case.date_found
    window = timedelta(days=linkage.DEATH_WINDOW_DAYS)
    near = Q(date_of_death__range=(died - window, died + window)) | Q(
        date_of_death__isnull=True, date_found__range=(died - window, died + window)
    )
    # The ids of the cases sharing an NHS number, looked up first: as a subquery of the case query below,
    # PostgreSQL could not combine it with the date indexes and scanned every case for each report.
    own = case.reports.exclude(nhs_index="").values("nhs_index")
    sharing = set(AgencyReport.objects.filter(nhs_index__in=own).values_list("case_id", flat=True))
    if sharing:
        near |= Q(pk__in=sorted(sharing))
    found = list(
        Case.objects.filter(near)
        .exclude(pk=case.pk)
        .exclude(status=codes.Status.MERGED)
        .select_related("subject", "residence_lsoa11")
        .defer("residence_lsoa11__boundary", "residence_lsoa11__imd_domains")
    )
    crypto_keys.prime_data_keys(c.subject for c in found)  # their names are read next: no query per case
    return found


def queue_duplicates(case: Case) -> list[tuple[Case, linkage.Score]]:
    """Score the case against its candidates; pairs at or above the review threshold join the queue."""
    mine = record_for_case(case)
    found = []
    for other in candidates(case):
        result = linkage.score(mine, record_for_case(other))
        if not linkage.needs_review(result):
            continue
        a, b = sorted((case, other), key=lambda c: c.pk)
        DuplicateCandidate.objects.update_or_create(
            case_a=a,
            case_b=b,
            defaults={"score": result.total, "components": result.components},
            create_defaults={"score": result.total, "components": result.components},
        )
        found.append((other, result))
    found.sort(key=lambda pair: -pair[1].total)
    return found
