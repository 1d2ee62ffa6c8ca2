"""Recording what an agency says about a death: one service for the API, the web form and the CSV import.

`submit_report` runs in one transaction: it links the report to an existing case when it must (same NHS
number, or same names and date of birth), otherwise opens a case with the year's next reference; refreshes
the case; queues possible duplicates; writes the outbox rows that notify the area's agencies; records
the bereaved and their consent (sending `consent_recorded`, so a referral is made in the same transaction);
and audits. The outbox delivers after commit (a task is queued as it commits; the sweep is the fallback).

Concurrent reports must not queue behind each other: the reference comes from a sequence on PostgreSQL, which
holds no lock (`references.py`), and the audit entries (the report's, and the referral's made in the same
transaction) are appended as the transaction ends (`audit.appended_at_commit`), so the audit chain's head is
locked only for the commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import ApiKey, Organisation, User
from thrive.core import audit
from thrive.core.crypto import DataSubject
from thrive.geography.models import Area, AreaLevel
from thrive.surveillance import codes, folding, linkage, matching, notify, references, report_data
from thrive.surveillance.models import AgencyReport, Case, CaseOrganisation, NextOfKin
from thrive.surveillance.signals import consent_recorded


@dataclass
class Submission:
    case: Case
    report: AgencyReport
    linked: bool
    possible_duplicates: list[tuple[Case, linkage.Score]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def new_subject() -> DataSubject:
    return DataSubject.objects.create_subject()


def next_reference(year: int) -> str:
    """`RTSS-YYYY-NNNNN`: the year's next number (see `references.py`)."""
    return references.take(year)


def submit_report(
    *,
    body: dict[str, Any],
    organisation: Organisation,
    via: str,
    user: User | None = None,
    api_key: ApiKey | None = None,
    case: Case | None = None,
    is_example: bool = False,
) -> Submission:
    """Record one agency's report: to `case` when given (PATCH, "add your report"), else linked or new."""
    flat = report_data.flatten(body)
    nhs_idx, name_idx = matching.indexes(flat)
    with transaction.atomic(), audit.appended_at_commit():
        link: str = AgencyReport.Link.ADDED
        linked = case is not None
        if case is None:
            found = matching.exact_link(flat)
            if found is not None:
                case, link = found
                linked = True
        created = case is None
        if case is None:
            case = Case(
                reference=next_reference(timezone.localdate().year),
                subject=new_subject(),
                date_found=body["date_found"],
                first_reported_by=organisation,
                is_example=is_example,
            )
            link = AgencyReport.Link.NEW
        else:
            case = Case.objects.select_for_update().get(pk=case.pk)
        report = AgencyReport(
            case=case,
            subject=case.subject,
            organisation=organisation,
            submitted_by=user,
            api_key=api_key,
            via=via,
            link=link,
            reporting_reference=body.get("reporting_reference", "")[:100],
            data=flat,
            fields=sorted(flat),
            nhs_index=nhs_idx,
            name_dob_index=name_idx,
        )
        if created:
            # A new case is folded from this report before its first save, so it is saved once (each save of
            # a case has work queued after commit: detection's).
            flags, substance_rows = folding.fold_reports(case, [report])
            case.save(force_insert=True)
            report.save(force_insert=True)
            case.substances.set(substance_rows)
        else:
            report.save(force_insert=True)
        CaseOrganisation.objects.bulk_create(
            [
                CaseOrganisation(
                    case=case, organisation=organisation, relation=CaseOrganisation.Relation.REPORTED
                )
            ],
            ignore_conflicts=True,
        )
        if not created:
            flags = folding.refresh_case(case)
        duplicates = matching.queue_duplicates(case) if created else []
        notify.notify_agencies(case, by_organisation=organisation, created=created)
        add_next_of_kin(
            case=case,
            report=report,
            entries=body.get("next_of_kin", []),
            organisation=organisation,
            user=user,
        )
        audit.record(
            action=audit.Action.CREATE if created else audit.Action.UPDATE,
            obj=case,
            user=user,
            organisation=organisation,
            reason=f"agency report {report.pk} via {via}"
            + (f" ({report.get_link_display()})" if linked else ""),
            summary=f"fields: {', '.join(report.fields)}",
        )
    return Submission(case=case, report=report, linked=linked, possible_duplicates=duplicates, flags=flags)


def _borough(code: str) -> Area | None:
    if not code:
        return None
    return Area.objects.filter(level=AreaLevel.BOROUGH, code=code).defer("boundary", "imd_domains").first()


def add_next_of_kin(
    *,
    case: Case,
    report: AgencyReport | None,
    entries: list[dict[str, Any]],
    organisation: Organisation,
    user: User | None,
    announce: bool = True,
) -> list[NextOfKin]:
    """Create the bereaved people given with a report, each with their own data key. Must run in a
    transaction. `announce=False` records consent without sending `consent_recorded`: only for loading history
    (the demo's past years), where a referral must not be started today for a death years ago."""
    made = []
    for entry in entries:
        if entry.get("id"):  # an existing bereaved person on this case: only their consent can change here
            existing = case.next_of_kin.get(pk=entry["id"])
            if entry.get("consent_to_referral"):
                record_consent(
                    next_of_kin=existing,
                    consent=entry["consent_to_referral"],
                    by_user=user,
                    by_organisation=organisation,
                )
            continue
        consent = entry.get("consent_to_referral") or codes.Consent.NOT_ASKED
        person = NextOfKin.objects.create(
            case=case,
            report=report,
            subject=new_subject(),
            name=entry["name"],
            relationship=entry["relationship"],
            phone=entry.get("phone", ""),
            email=entry.get("email", ""),
            address=entry.get("address", ""),
            postcode=entry.get("postcode", ""),
            borough=_borough(entry.get("borough", "")),
            language=entry.get("language", ""),
            interpreter_needed=bool(entry.get("interpreter_needed")),
            safety_concerns=entry.get("safety_concerns", ""),
            support_wanted=entry.get("support_wanted", ""),
            consent_to_referral=consent,
            added_by_organisation=organisation,
            consent_recorded_at=timezone.now() if consent != codes.Consent.NOT_ASKED else None,
            consent_recorded_by=user if consent != codes.Consent.NOT_ASKED else None,
            consent_recorded_by_organisation=organisation if consent != codes.Consent.NOT_ASKED else None,
        )
        made.append(person)
        if announce and consent != codes.Consent.NOT_ASKED:
            consent_recorded.send(
                sender=NextOfKin, next_of_kin=person, case=case, by_user=user, by_organisation=organisation
            )
    return made


def record_consent(
    *,
    next_of_kin: NextOfKin,
    consent: str,
    by_user: User | None,
    by_organisation: Organisation,
    reason: str = "",
) -> NextOfKin:
    """Record or change a bereaved person's consent to a referral; the signal goes in the same transaction
    (which, on "yes", makes the referral: its audit entry is appended with this one, just before the commit)."""
    with transaction.atomic(), audit.appended_at_commit():
        person = (
            NextOfKin.objects.select_for_update().select_related("case", "subject").get(pk=next_of_kin.pk)
        )
        if person.consent_to_referral == consent:
            return person
        before = person.consent_to_referral
        person.consent_to_referral = consent
        person.consent_recorded_at = timezone.now()
        person.consent_recorded_by = by_user
        person.consent_recorded_by_organisation = by_organisation
        person.save(
            update_fields=[
                "consent_to_referral",
                "consent_recorded_at",
                "consent_recorded_by",
                "consent_recorded_by_organisation",
            ]
        )
        audit.record(
            action=audit.Action.UPDATE,
            obj=person,
            user=by_user,
            organisation=by_organisation,
            reason=reason or "consent to a bereavement referral recorded",
            summary=f"consent {before} → {consent} on {person.case.reference}",
        )
        consent_recorded.send(
            sender=NextOfKin,
            next_of_kin=person,
            case=person.case,
            by_user=by_user,
            by_organisation=by_organisation,
        )
    return person
