"""Signals other apps listen to. Sent inside the transaction that records the change, so a receiver's own
writes (the referrals app creates the referral) commit or roll back with it: nothing is lost if a process
crashes."""

from __future__ import annotations

from django.dispatch import Signal

# Sent when a next of kin's consent to a bereavement referral is recorded or changes: at creation (API, web
# form, CSV import), by PATCH, or on the case page. Arguments: sender (the NextOfKin class), next_of_kin,
# case, by_user (a User or None for an API key or import), by_organisation.
consent_recorded = Signal()
