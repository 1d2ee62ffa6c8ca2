"""Creating, checking and revoking API keys. A key is shown once; only its SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from thrive.accounts.models import ApiKey, Organisation, User
from thrive.accounts.permissions import API_SCOPES, OrganisationType
from thrive.core import audit

KEY_PREFIX = "thr_"


class ApiKeyRefused(ValueError):
    """The request for a key cannot be met (an unknown scope, or one the organisation may not hold)."""


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def allowed_scopes(organisation: Organisation) -> list[str]:
    kind = OrganisationType(organisation.type)
    return [scope for scope, kinds in API_SCOPES.items() if kind in kinds]


def create_api_key(
    *,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    expires_days: int | None = 365,
    created_by: User | None = None,
) -> tuple[ApiKey, str]:
    """Returns the stored key and the raw key, which is never stored and must be shown once."""
    if not name.strip():
        raise ApiKeyRefused("Give the key a name.")
    if not scopes:
        raise ApiKeyRefused("Give the key at least one scope.")
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown:
        raise ApiKeyRefused(f"Unknown scope {', '.join(unknown)}; scopes are {', '.join(API_SCOPES)}.")
    refused = [s for s in scopes if s not in allowed_scopes(organisation)]
    if refused:
        raise ApiKeyRefused(
            f"{organisation.name} ({organisation.type_label.lower()}) may not hold the scope "
            f"{', '.join(refused)}. It may hold: {', '.join(allowed_scopes(organisation)) or 'none'}."
        )
    if expires_days is not None and expires_days < 1:
        raise ApiKeyRefused("A key must expire at least one day from now.")
    secret = secrets.token_urlsafe(32)
    # A prefix like "-AbC..." would read as an option to `thrive apikey revoke PREFIX`.
    while secret.startswith("-"):
        secret = secrets.token_urlsafe(32)
    prefix = secret[:8]
    raw = f"{KEY_PREFIX}{secret}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            organisation=organisation,
            name=name.strip(),
            prefix=prefix,
            key_hash=hash_key(raw),
            scopes=sorted(set(scopes)),
            expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
            created_by=created_by,
        )
        audit.record(
            action=audit.Action.PERMISSION_CHANGE,
            obj=key,
            user=created_by,
            organisation=organisation,
            reason=f"API key '{key.name}' created with scopes {', '.join(key.scopes)}",
        )
    return key, raw


def authenticate_key(raw: str) -> ApiKey | None:
    if not raw.startswith(KEY_PREFIX):
        return None
    key = ApiKey.objects.select_related("organisation").filter(key_hash=hash_key(raw)).first()
    if key is None or not key.is_usable():
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def revoke_api_key(*, key: ApiKey, by: User | None) -> None:
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit.record(
                action=audit.Action.PERMISSION_CHANGE,
                obj=key,
                user=by,
                organisation=key.organisation,
                reason=f"API key '{key.name}' revoked",
            )
