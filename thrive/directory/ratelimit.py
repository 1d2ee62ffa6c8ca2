"""Per-address limits on public writes, counted in the shared cache (Redis in production).

The address is hashed with the secret key before it becomes a cache key, so the cache never holds it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

EVENT_SUBMISSIONS_PER_HOUR = 10
WINDOW_SECONDS = 3600


def _key(request: HttpRequest, bucket: str) -> str:
    address = str(request.META.get("REMOTE_ADDR", ""))
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{bucket}:{address}".encode()).hexdigest()[:32]
    return f"directory:rate:{bucket}:{digest}"


def allow(request: HttpRequest, bucket: str, limit: int, window: int = WINDOW_SECONDS) -> bool:
    """Counts this request; False once the address has made more than `limit` in the window."""
    key = _key(request, bucket)
    if cache.add(key, 1, window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return True
    return count <= limit
