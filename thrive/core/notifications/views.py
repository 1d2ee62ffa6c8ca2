"""The in-app inbox (list, mark read) and the header badge fragment HTMX polls every 10 seconds."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from thrive.accounts.decorators import staff_required
from thrive.core.notification_models import Notification

PAGE_SIZE = 25
STOP_POLLING = 286  # HTMX stops an `every` trigger on this status


@staff_required()
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _mark_read(request)
    mine = Notification.objects.filter(user=request.user)  # type: ignore[misc]
    page = Paginator(mine.only("id", "title", "body", "link", "created_at", "read_at"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/inbox.jinja",
        {
            "page_title": "Notifications",
            "page": page,
            "unread": mine.filter(read_at__isnull=True).count(),
            "tz": timezone.get_current_timezone(),
        },
    )


def _mark_read(request: HttpRequest) -> HttpResponseRedirect:
    """`read=<id>` or `read=all`; then to `next` (one of our own pages) or back to the inbox."""
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)  # type: ignore[misc]
    which = request.POST.get("read", "")
    if which == "all":
        unread.update(read_at=timezone.now())
    elif which.isdigit():
        unread.filter(pk=int(which)).update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(reverse("notifications-inbox"))


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count. A poll is not activity: it must not keep an idle session alive, so the session is not
    saved (and with it, not extended). Signed out, it answers "stop polling"."""
    request.session.save = _leave_session_alone  # type: ignore[method-assign]
    user = request.user
    if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]
        return HttpResponse(status=STOP_POLLING)
    count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    response = render(request, "notifications/badge.jinja", {"count": count})
    response["Cache-Control"] = "no-store"
    return response


def _leave_session_alone(must_create: bool = False) -> None:
    return None
