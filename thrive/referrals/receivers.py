"""Connects the referrals app to the surveillance app's `consent_recorded` signal.

The signal is sent inside the transaction that records consent, so the referral (and the outbox rows that
announce it) commit with the consent or not at all: a crash at any point loses nothing and makes nothing
twice. Imported by `thrive.referrals.models`, so it is connected whenever the app is loaded.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from thrive.surveillance.signals import consent_recorded


@receiver(consent_recorded, dispatch_uid="thrive.referrals.consent_recorded")
def consent_changed(
    sender: Any, *, next_of_kin: Any, case: Any, by_user: Any, by_organisation: Any, **_: Any
) -> None:
    from thrive.referrals import services  # the services import models that are still loading at import time

    services.on_consent(next_of_kin=next_of_kin, case=case, by_user=by_user, by_organisation=by_organisation)
