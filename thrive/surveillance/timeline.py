"""A case's chronological picture: agency reports, status changes, merges and whatever other apps add.

Other apps contribute without this app importing them: `register(source)` with a function from a case to
entries (the referrals app adds referrals, detection adds alerts). A source sees the case only after the view
has checked access, and must itself return only what that viewer may see (it is given the viewer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from thrive.surveillance import codes
from thrive.surveillance.models import AgencyReport, Case, CaseMerge, StatusChange


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # report, status, merge, referral, alert...
    title: str
    detail: str = ""
    link: str = ""


Source = Callable[[Case, Any], list[Entry]]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def entries(case: Case, viewer: Any, *, identifiable: bool) -> list[Entry]:
    found: list[Entry] = []
    for report in AgencyReport.objects.filter(case=case).select_related("organisation"):
        found.append(
            Entry(
                report.submitted_at,
                "report",
                f"Report from {report.organisation.name}",
                f"{report.get_via_display()}; {report.get_link_display().lower()}; "
                f"{len(report.fields)} fields",
            )
        )
    for change in StatusChange.objects.filter(case=case).select_related("organisation"):
        detail = change.reason if identifiable else ""
        if change.conclusion:
            detail = f"Conclusion: {codes.label(codes.Conclusion, change.conclusion)}. {detail}".strip()
        found.append(
            Entry(change.at, "status", f"Status: {codes.label(codes.Status, change.to_status)}", detail)
        )
    for merge in CaseMerge.objects.filter(survivor=case).select_related("duplicate"):
        found.append(
            Entry(
                merge.at,
                "merge",
                f"{merge.duplicate.reference} merged into this case",
                merge.reason if identifiable else "",
            )
        )
        if merge.undone_at:
            found.append(
                Entry(
                    merge.undone_at,
                    "merge",
                    f"Merge of {merge.duplicate.reference} undone",
                    merge.undo_reason if identifiable else "",
                )
            )
    for source in _SOURCES:
        found.extend(source(case, viewer))
    found.sort(key=lambda e: e.at)
    return found
