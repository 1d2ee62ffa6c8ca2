"""API keys: created with allowed scopes only, shown once and stored hashed, expiring and revocable."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from thrive.accounts.apikeys import authenticate_key, hash_key
from thrive.accounts.models import ApiKey
from thrive.accounts.testing import Personas

pytestmark = pytest.mark.django_db


def create(*args: str) -> str:
    out = StringIO()
    call_command("apikey", "create", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_key_is_printed_alone_on_the_last_line_and_stored_hashed(personas: Personas) -> None:
    raw = create(
        "--organisation", "example-police", "--name", "case system", "--scopes", "cases:read,cases:write"
    )
    key = ApiKey.objects.get()
    assert raw.startswith("thr_") and " " not in raw
    assert key.key_hash == hash_key(raw) and raw not in str(ApiKey.objects.values().get())
    assert authenticate_key(raw) == key


def test_scope_the_organisation_may_not_hold_is_refused(personas: Personas) -> None:
    with pytest.raises(CommandError, match="may not hold the scope cases:read") as raised:
        create("--organisation", "example-bereavement-east", "--name", "x", "--scopes", "cases:read")
    assert raised.value.returncode == 2
    assert not ApiKey.objects.exists()


def test_unknown_organisation_and_scope(personas: Personas) -> None:
    with pytest.raises(CommandError, match="No organisation"):
        create("--organisation", "nope", "--name", "x", "--scopes", "cases:read")
    with pytest.raises(CommandError, match="Unknown scope"):
        create("--organisation", "example-police", "--name", "x", "--scopes", "cases:delete")


def test_expired_and_revoked_keys_get_401(personas: Personas) -> None:
    raw = create("--organisation", "example-police", "--name", "x", "--scopes", "cases:read")
    key = ApiKey.objects.get()
    client = Client()
    assert client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert authenticate_key(raw) is None
    ApiKey.objects.filter(pk=key.pk).update(expires_at=None)
    call_command("apikey", "revoke", key.prefix, stdout=StringIO())
    assert authenticate_key(raw) is None
