"""Every staff user must complete two-factor authentication before using any signed-in page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from thrive.accounts.decorators import is_verified

OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz")


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        request.membership_label = ""  # type: ignore[attr-defined]
        if user.is_authenticated:
            if not is_verified(user) and request.path.startswith(("/staff/", "/areas/", "/surveillance/")):
                return HttpResponseRedirect(f"{reverse('two-factor')}?next={request.path}")
            memberships = user.active_memberships()
            if memberships:
                first = memberships[0]
                request.membership_label = f"{first.role_label}, {first.organisation.name}"  # type: ignore[attr-defined]
        return self.get_response(request)
