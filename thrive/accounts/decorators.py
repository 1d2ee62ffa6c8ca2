"""Staff page guards: signed in, second factor verified, holding the permission the page needs."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from thrive.accounts.permissions import Permission

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
REAUTH_SESSION_KEY = "thrive_reauth_at"


def is_verified(user: Any) -> bool:
    """django-otp attaches `is_verified` to the request's user at run time; anything else is unverified."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def _to(name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


def staff_required(*permissions: Permission) -> Callable[[View], View]:
    """The user must be signed in with two factors and hold at least one of `permissions` (any, if none given)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return _to("login", request)
            if not is_verified(user):
                return _to("two-factor", request)
            if permissions and not any(user.can(p) for p in permissions):
                raise PermissionDenied("Your role does not give you access to this page.")
            return view(request, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTH_SESSION_KEY, 0)
    return bool(at) and time.time() - float(at) < settings.REAUTH_SECONDS


def mark_authenticated_now(request: HttpRequest) -> None:
    request.session[REAUTH_SESSION_KEY] = time.time()


def reauth_required(view: View) -> View:
    """Sensitive actions ask for the password and a fresh code again unless the user did so recently."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not recently_authenticated(request):
            return _to("reauthenticate", request)
        return view(request, *args, **kwargs)

    return guarded  # type: ignore[return-value]
