"""Caching for the public pages: HTTP headers for browsers and proxies, and a server-side page cache.

The same few searches (a borough, a type) are asked again and again, so an anonymous GET is rendered once and
kept in the shared cache (Redis in production) for `THRIVE_PUBLIC_PAGE_CACHE_SECONDS` (default 300, 0 turns
it off). Any service, event or campaign save bumps a content version, and a page rendered under an older
version is not served. Each process also keeps the pages it served in Django's own local-memory cache for
LOCAL_SECONDS, so a hot page costs no round trip at all; a change made in another process reaches it within
those seconds (in the same process, at once). Each response still gets its own CSP nonce: a cached copy holds
a placeholder where the nonce was. Signed-in staff never share a cached page (their header differs).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

View = TypeVar("View", bound=Callable[..., HttpResponse])
VERSION_KEY = "directory:content-version"
NONCE_PLACEHOLDER = b"__THRIVE_CSP_NONCE__"
DEFAULT_MAX_AGE = 300
LOCAL_SECONDS = 5
# Django's local-memory cache, per process: hot pages for LOCAL_SECONDS, and reference data such as the list
# of boroughs (places.py) for longer. Cleared whenever this process changes directory content.
local = LocMemCache("thrive-directory", {"TIMEOUT": LOCAL_SECONDS, "OPTIONS": {"MAX_ENTRIES": 500}})


def page_cache_seconds() -> int:
    return int(getattr(settings, "THRIVE_PUBLIC_PAGE_CACHE_SECONDS", DEFAULT_MAX_AGE))


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def bump_content_version() -> None:
    """Called whenever published content may have changed, so no cached page outlives it."""
    local.clear()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def _key(request: HttpRequest) -> str:
    query = sorted((k, v) for k, values in request.GET.lists() for v in values)
    raw = f"{request.path}?{query!r}|{request.headers.get('HX-Request', '')}"
    return f"directory:page:v2:{hashlib.sha256(raw.encode()).hexdigest()}"  # v2: bytes


def mark_private(response: HttpResponse) -> HttpResponse:
    """Pages with a person's answers or a form token: never stored by a browser cache or a proxy."""
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    return response


def _cached(key: str) -> tuple[int, tuple[bytes, str] | None]:
    """(the current content version, the page if one rendered under it is cached)."""
    page = local.get(key)
    if page is not None:
        return 0, page
    found = cache.get_many([VERSION_KEY, key])  # one round trip for both
    version = found.get(VERSION_KEY) or content_version()
    shared = found.get(key)
    if shared is not None and shared[0] == version:
        local.set(key, shared[1:])
        return version, shared[1:]
    return version, None


def public_page(max_age: int = DEFAULT_MAX_AGE) -> Callable[[View], View]:
    """Cache-Control public for anonymous GETs (private for staff), with the server-side page cache."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, max_age=0)
                return response
            seconds = page_cache_seconds()
            key = _key(request) if seconds > 0 else ""
            version, page = _cached(key) if key else (0, None)
            if page is not None:
                content, content_type = page
                nonce = str(getattr(request, "csp_nonce", "")).encode()
                response = HttpResponse(content.replace(NONCE_PLACEHOLDER, nonce), content_type=content_type)
            else:
                response = view(request, *args, **kwargs)
                if key and response.status_code == 200 and not response.streaming and not response.cookies:
                    _store(request, response, key, version, seconds)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=max_age)
                patch_vary_headers(response, ["Cookie"])
            return response

        return wrapped  # type: ignore[return-value]

    return decorate


def _store(request: HttpRequest, response: HttpResponse, key: str, version: int, seconds: int) -> None:
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str):
        content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)
    cache.set(key, (version, content, response["Content-Type"]), seconds)
    local.set(key, (content, response["Content-Type"]))
