"""The possible-duplicates queue: merge two cases of the same death (audited, reversible) or dismiss the pair.

A merge moves the duplicate's agency reports, bereaved people and agency links to the surviving case, marks
the duplicate `merged` (pointing at the survivor) and remembers exactly what moved, so `undo_merge` can put it
all back. Reports keep their own data keys, so nothing is re-encrypted either way.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import Organisation, User
from thrive.core import audit
from thrive.surveillance import codes, folding, notify
from thrive.surveillance.models import (
    AgencyReport,
    Case,
    CaseMerge,
    CaseOrganisation,
    DuplicateCandidate,
    NextOfKin,
    StatusChange,
)


class MergeRefused(ValueError):
    pass


def merge_cases(
    *, survivor: Case, duplicate: Case, by: User, organisation: Organisation, reason: str
) -> CaseMerge:
    if survivor.pk == duplicate.pk:
        raise MergeRefused("A case cannot be merged into itself.")
    if not reason.strip():
        raise MergeRefused("Give a reason for the merge.")
    with transaction.atomic():
        locked = {
            c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[survivor.pk, duplicate.pk])
        }
        survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
        if codes.Status.MERGED in (survivor.status, duplicate.status):
            raise MergeRefused("One of these cases has already been merged.")
        reports = list(duplicate.reports.values_list("pk", flat=True))
        people = list(duplicate.next_of_kin.values_list("pk", flat=True))
        AgencyReport.objects.filter(pk__in=reports, original_case__isnull=True).update(
            original_case=duplicate
        )
        AgencyReport.objects.filter(pk__in=reports).update(case=survivor)
        NextOfKin.objects.filter(pk__in=people, original_case__isnull=True).update(original_case=duplicate)
        NextOfKin.objects.filter(pk__in=people).update(case=survivor)
        added = []
        for link in duplicate.organisations.all():
            made, created = CaseOrganisation.objects.get_or_create(
                case=survivor, organisation_id=link.organisation_id, relation=link.relation
            )
            if created:
                added.append(made.pk)
        record = CaseMerge.objects.create(
            survivor=survivor,
            duplicate=duplicate,
            moved_reports=reports,
            moved_next_of_kin=people,
            added_links=added,
            reason=reason.strip(),
            by=by,
        )
        StatusChange.objects.create(
            case=duplicate,
            from_status=duplicate.status,
            to_status=codes.Status.MERGED,
            reason=f"Merged into {survivor.reference}: {reason.strip()}",
            by=by,
            organisation=organisation,
        )
        duplicate.status = codes.Status.MERGED
        duplicate.merged_into = survivor
        duplicate.updated_at = timezone.now()
        duplicate.save(update_fields=["status", "merged_into", "updated_at"])
        folding.refresh_case(survivor)
        _decide_pairs(survivor, duplicate, DuplicateCandidate.State.MERGED, by, reason)
        audit.record(
            action=audit.Action.MERGE,
            obj=survivor,
            user=by,
            organisation=organisation,
            reason=reason.strip(),
            summary=f"{duplicate.reference} merged into {survivor.reference}: {len(reports)} reports, "
            f"{len(people)} next of kin moved",
        )
        notify.notify_agencies(survivor, by_organisation=organisation, created=False)
    return record


def undo_merge(*, merge: CaseMerge, by: User, organisation: Organisation, reason: str) -> CaseMerge:
    if merge.undone_at is not None:
        raise MergeRefused("This merge has already been undone.")
    if not reason.strip():
        raise MergeRefused("Give a reason for undoing the merge.")
    with transaction.atomic():
        merge = CaseMerge.objects.select_for_update().get(pk=merge.pk)
        survivor = Case.objects.select_for_update().get(pk=merge.survivor_id)
        duplicate = Case.objects.select_for_update().get(pk=merge.duplicate_id)
        AgencyReport.objects.filter(pk__in=merge.moved_reports).update(case=duplicate)
        AgencyReport.objects.filter(pk__in=merge.moved_reports, original_case=duplicate).update(
            original_case=None
        )
        NextOfKin.objects.filter(pk__in=merge.moved_next_of_kin).update(case=duplicate)
        NextOfKin.objects.filter(pk__in=merge.moved_next_of_kin, original_case=duplicate).update(
            original_case=None
        )
        CaseOrganisation.objects.filter(pk__in=merge.added_links).delete()
        previous = (
            StatusChange.objects.filter(case=duplicate, to_status=codes.Status.MERGED)
            .order_by("-at", "-id")
            .values_list("from_status", flat=True)
            .first()
        )
        restored = previous or codes.Status.SUSPECTED
        StatusChange.objects.create(
            case=duplicate,
            from_status=codes.Status.MERGED,
            to_status=restored,
            reason=f"Merge into {survivor.reference} undone: {reason.strip()}",
            by=by,
            organisation=organisation,
        )
        duplicate.status = restored
        duplicate.merged_into = None
        duplicate.save(update_fields=["status", "merged_into"])
        folding.refresh_case(survivor)
        folding.refresh_case(duplicate)
        merge.undone_at = timezone.now()
        merge.undone_by = by
        merge.undo_reason = reason.strip()
        merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
        DuplicateCandidate.objects.filter(
            case_a_id__in=[survivor.pk, duplicate.pk], case_b_id__in=[survivor.pk, duplicate.pk]
        ).update(state=DuplicateCandidate.State.OPEN, decided_by=None, decided_at=None, reason="")
        audit.record(
            action=audit.Action.MERGE,
            obj=survivor,
            user=by,
            organisation=organisation,
            reason=reason.strip(),
            summary=f"merge of {duplicate.reference} into {survivor.reference} undone",
        )
    return merge


def dismiss(*, candidate: DuplicateCandidate, by: User, organisation: Organisation, reason: str) -> None:
    if not reason.strip():
        raise MergeRefused("Say why these are not the same death.")
    with transaction.atomic():
        candidate.state = DuplicateCandidate.State.DISMISSED
        candidate.decided_by = by
        candidate.decided_at = timezone.now()
        candidate.reason = reason.strip()
        candidate.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        audit.record(
            action=audit.Action.UPDATE,
            obj=candidate,
            user=by,
            organisation=organisation,
            reason=reason.strip(),
            summary=f"{candidate.case_a.reference} and {candidate.case_b.reference} are not duplicates",
        )


def _decide_pairs(survivor: Case, duplicate: Case, state: str, by: User, reason: str) -> None:
    pair = [survivor.pk, duplicate.pk]
    DuplicateCandidate.objects.filter(case_a_id__in=pair, case_b_id__in=pair).update(
        state=state, decided_by=by, decided_at=timezone.now(), reason=reason.strip()
    )
