"""`Idempotency-Key` for API writes: the same key and body get the first answer; the same key with another
body gets 409. Keys belong to an organisation (two agencies may pick the same key without colliding).

The record is written in the same transaction as the write it answers for, so a crash leaves neither; two
concurrent requests with one key meet at the unique constraint, and the loser returns the winner's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.response import Response

from thrive.accounts.models import Organisation
from thrive.core import audit
from thrive.surveillance.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
CONFLICT = {
    "errors": {
        "Idempotency-Key": [
            "This Idempotency-Key was already used with a different request body. "
            "Use a new key for a new request."
        ]
    }
}


def body_hash(method: str, path: str, data: Any) -> str:
    canonical = json.dumps(
        {"method": method, "path": path, "body": data}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.body_hash != digest:
        return Response(CONFLICT, status=status.HTTP_409_CONFLICT)
    response = Response(record.response, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(*, request: Any, organisation: Organisation, handler: Callable[[], Response]) -> Response:
    """Run `handler` once per (organisation, key); without a key it simply runs."""
    key = request.META.get(HEADER, "").strip()
    if not key:
        return handler()
    if len(key) > 200:
        return Response(
            {"errors": {"Idempotency-Key": ["Use a key of at most 200 characters."]}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    digest = body_hash(request.method, request.path, request.data)
    existing = IdempotencyRecord.objects.filter(organisation=organisation, key=key).first()
    if existing is not None:
        return _replay(existing, digest)
    try:
        # Audit entries made by the handler are appended last, just before the commit (see `audit`).
        with transaction.atomic(), audit.appended_at_commit():
            response = handler()
            if response.status_code < 500 and response.status_code not in (400, 404, 409):
                IdempotencyRecord.objects.create(
                    organisation=organisation,
                    key=key,
                    method=request.method,
                    path=request.path[:200],
                    body_hash=digest,
                    status_code=response.status_code,
                    response=response.data,
                )
            return response
    except IntegrityError:
        existing = IdempotencyRecord.objects.filter(organisation=organisation, key=key).first()
        if existing is None:
            raise
        return _replay(existing, digest)
