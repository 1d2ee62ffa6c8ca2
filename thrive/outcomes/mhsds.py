"""MHSDS-style CSV: one row per item per completed assessment, coded with the item's SNOMED CT code.

The columns follow the Mental Health Services Data Set's coded scored assessment tables (MHS606/MHS607) by
name where one exists (`LocalPatientId`, `ServiceRequestId`, `CodedAssToolType`, `PersScore`,
`AssToolCompDate`), with Thrive's own columns after them for what MHSDS keeps elsewhere. Pseudonymous: the
trust's local identifier, never the NHS number. Drafts are never exported. `ProblemType` carries HoNOS item 8's
problem type (A to J) on that item's row, when one was recorded; it is empty on every other row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from thrive.outcomes.codes import Status
from thrive.outcomes.measures import get as get_measure
from thrive.outcomes.models import Assessment

SNOMED = "http://snomed.info/sct"
COLUMNS = (
    "LocalPatientId",
    "OrgIdProv",
    "ServiceRequestId",
    "CodedAssToolType",
    "CodeSystem",
    "PersScore",
    "AssToolCompDate",
    "AssessmentId",
    "Measure",
    "ItemNumber",
    "ItemName",
    "Timepoint",
    "Mode",
    "ServiceLine",
    "Team",
    "Amended",
    "ProblemType",
)
CODE_SYSTEMS = {SNOMED: "SNOMED CT", "http://loinc.org": "LOINC"}
CHUNK = 2000


def export_queryset(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return (
        assessments.filter(status=Status.COMPLETED)
        .select_related("patient", "episode__team__organisation")
        .order_by("assessed_on", "pk")
    )


def rows(assessments: Iterable[Assessment], amended_ids: set[int]) -> Iterator[list[str]]:
    for assessment in assessments:
        measure = get_measure(assessment.measure)
        team = assessment.episode.team
        for item in measure.items:
            value = assessment.answers.get(str(item.number))
            if value is None:
                continue
            yield [
                assessment.patient.local_id,
                team.organisation.ods_code,
                str(assessment.episode_id),
                item.code or "",
                CODE_SYSTEMS.get(item.code_system or "", ""),
                str(value),
                assessment.assessed_on.isoformat(),
                str(assessment.public_id),
                assessment.measure,
                str(item.number),
                item.title,
                assessment.timepoint,
                assessment.mode,
                team.service_line,
                team.name,
                "Y" if assessment.pk in amended_ids else "N",
                str(assessment.answers.get(item.detail.link_id) or "") if item.detail else "",
            ]


def stream(assessments: QuerySet[Assessment]) -> Iterator[str]:
    """The CSV text, a chunk of assessments at a time (an export of a whole trust never sits in memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    chunk: list[Assessment] = []
    for assessment in export_queryset(assessments).iterator(chunk_size=CHUNK):
        chunk.append(assessment)
        if len(chunk) == CHUNK:
            writer.writerows(rows(chunk, _amended(chunk)))
            yield _drain(buffer)
            chunk = []
    writer.writerows(rows(chunk, _amended(chunk)))
    yield _drain(buffer)


def _amended(chunk: list[Assessment]) -> set[int]:
    if not chunk:
        return set()
    ids = [a.pk for a in chunk]
    return set(Assessment.objects.filter(pk__in=ids, amendments__isnull=False).values_list("pk", flat=True))


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
