"""Failed sign-ins are audited (successful ones are audited once the second factor is verified)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from thrive.core import audit


@receiver(user_login_failed)
def audit_failed_login(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    email = str(credentials.get("username", ""))[:254]
    audit.record(
        action=audit.Action.FAILED_LOGIN,
        object_type="accounts.user",
        object_id=email,
        reason="wrong email address or password",
    )
