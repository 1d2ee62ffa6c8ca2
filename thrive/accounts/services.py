"""Administrative actions on organisations, users and memberships: one transaction and an audit entry each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from thrive.accounts.models import Membership, Organisation, Team, User
from thrive.core import audit
from thrive.geography.models import Area


def save_organisation(*, form: Any, by: User) -> Organisation:
    with transaction.atomic():
        creating = form.instance.pk is None
        organisation: Organisation = form.save()
        audit.record(
            action=audit.Action.CREATE if creating else audit.Action.PERMISSION_CHANGE,
            obj=organisation,
            user=by,
            reason=f"organisation {'created' if creating else 'changed'}: {', '.join(form.changed_data) or 'no fields'}",
        )
    return organisation


def save_user(*, form: Any, by: User) -> User:
    with transaction.atomic():
        creating = form.instance.pk is None
        user: User = form.save(commit=False)
        if creating:
            user.set_unusable_password()
        user.save()
        audit.record(
            action=audit.Action.CREATE if creating else audit.Action.PERMISSION_CHANGE,
            obj=user,
            user=by,
            reason=f"user {'created' if creating else 'changed'}: {', '.join(form.changed_data) or 'no fields'}",
        )
    return user


def grant_membership(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    scope_areas: Iterable[Area] = (),
    team: Team | None = None,
    by: User | None,
) -> Membership:
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            user=user, organisation=organisation, role=role, defaults={"team": team, "is_active": True}
        )
        membership.scope_areas.set(list(scope_areas))
        audit.record(
            action=audit.Action.PERMISSION_CHANGE,
            obj=membership,
            user=by,
            organisation=organisation,
            role=role,
            reason=f"{user.email} given the {membership.role_label} role in {organisation.name} "
            f"with scope {', '.join(a.code for a in membership.scope_areas.all()) or 'none'}",
        )
    return membership


def end_membership(*, membership: Membership, by: User) -> None:
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record(
            action=audit.Action.PERMISSION_CHANGE,
            obj=membership,
            user=by,
            organisation=membership.organisation,
            role=membership.role,
            reason=f"{membership.user.email} no longer {membership.role_label}",
        )
