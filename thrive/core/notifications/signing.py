"""Webhook signatures: `X-Thrive-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

The timestamp is signed with the body, so a receiver that checks both the signature and that `t` is recent
(five minutes by default) refuses forged and replayed requests. Receivers should also keep the
`Idempotency-Key` of each request they have accepted and answer a repeat with 2xx without acting on it again:
after a crash Thrive sends a message again rather than risk losing it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Thrive-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The header value for `body`."""
    moment = int(time.time()) if timestamp is None else timestamp
    return f"t={moment},v1={signature(secret, body, moment)}"


def verify(
    secret: str, header: str, body: bytes, *, tolerance: int = TOLERANCE_SECONDS, now: float | None = None
) -> bool:
    """True when `header` signs `body` with `secret` and its timestamp is within `tolerance` seconds of
    now."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
