"""Staff pages under /directory/manage/: an editor's own services and events, CSV import and export, and the
moderation queue of events the public submitted. Thin views over access.py (who) and services.py (writes)."""

from __future__ import annotations

import uuid as uuid_module

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from thrive.accounts.decorators import staff_required
from thrive.accounts.models import User
from thrive.accounts.permissions import Permission as P
from thrive.core import audit
from thrive.directory import access, csvio, services
from thrive.directory.caching import mark_private
from thrive.directory.forms import EventSubmissionForm, ModerationForm
from thrive.directory.manage_forms import ImportForm, ServiceForm
from thrive.directory.models import Event, EventStatus


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _audit_contact_shown(user: User, event: Event, reason: str) -> None:
    """The organiser's private contact is identifiable: each page that shows it is an audited read."""
    audit.record(
        action=audit.Action.READ, obj=event, user=user, organisation=event.organisation, reason=reason
    )


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200) -> HttpResponse:
    return mark_private(render(request, f"directory/manage/{template}", context, status=status))


@staff_required(P.DIRECTORY_EDIT, P.DIRECTORY_MODERATE)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    own_services = list(access.editable_services(user).order_by("name"))
    own_events = list(
        access.editable_events(user).filter(ends_at__gte=timezone.now()).order_by("starts_at")[:50]
    )
    pending = Event.objects.filter(status=EventStatus.PENDING).count() if access.can_moderate(user) else None
    return _page(
        request,
        "dashboard.jinja",
        {
            "page_title": "Directory",
            "organisations": access.editable_organisations(user),
            "services": own_services,
            "out_of_date": sum(1 for service in own_services if service.is_out_of_date),
            "events": own_events,
            "pending": pending,
        },
    )


@staff_required(P.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    user = _user(request)
    organisations = access.editable_organisations(user)
    instance = access.get_editable_service(user, slug) if slug else None
    if request.method == "POST":
        form = ServiceForm(request.POST, instance=instance, organisations=organisations)
        if form.is_valid():
            service = services.save_service(user=user, form=form)
            messages.success(request, f"Saved {service.name}.")
            return HttpResponseRedirect(reverse("directory:manage"))
    else:
        initial: dict[str, object] = {"last_verified": timezone.localdate()}
        if instance is None and organisations:
            initial["organisation"] = organisations[0].pk
        form = ServiceForm(instance=instance, organisations=organisations, initial=initial)
    return _page(
        request,
        "service_form.jinja",
        {
            "page_title": f"Edit {instance.name}" if instance else "Add a service",
            "form": form,
            "service": instance,
        },
    )


@staff_required(P.DIRECTORY_EDIT)
def services_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selected = list(access.editable_services(user).prefetch_related("areas").order_by("name"))
    response = HttpResponse(
        csvio.export_csv(user=user, services=selected), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="services-{timezone.localdate():%Y-%m-%d}.csv"'
    return mark_private(response)


@staff_required(P.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def services_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = csvio.import_csv(
            user=user,
            organisations=access.editable_organisations(user),
            data=form.cleaned_data["file"].read(),
        )
        if not result.errors:
            messages.success(request, f"Imported: {result.created} services added, {result.updated} updated.")
            return HttpResponseRedirect(reverse("directory:manage"))
    return _page(
        request,
        "import.jinja",
        {
            "page_title": "Import services",
            "form": form,
            "result": result,
            "columns": csvio.COLUMNS,
        },
        status=400 if result and result.errors else 200,
    )


@staff_required(P.DIRECTORY_EDIT)
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, uuid: uuid_module.UUID | None = None) -> HttpResponse:
    user = _user(request)
    organisations = access.editable_organisations(user)
    instance = access.get_editable_event(user, uuid) if uuid else None
    if request.method == "POST":
        form = EventSubmissionForm(request.POST, instance=instance)
        if form.is_valid() and organisations:
            event = services.save_staff_event(
                user=user, organisation=organisations[0], form=form, can_publish=access.can_moderate(user)
            )
            messages.success(request, f"Saved {event.title} ({event.get_status_display().lower()}).")
            return HttpResponseRedirect(reverse("directory:manage"))
    else:
        initial: dict[str, object] = {
            "organiser_name": organisations[0].name if organisations else "",
            "organiser_email": user.email,
            "attendance": "in_person",
            "is_free": True,
        }
        if instance is not None:
            start, end = timezone.localtime(instance.starts_at), timezone.localtime(instance.ends_at)
            initial.update(
                {
                    "day": start.date(),
                    "start_time": start.time(),
                    "end_time": end.time(),
                    "end_day": end.date() if end.date() != start.date() else None,
                }
            )
        form = EventSubmissionForm(instance=instance, initial=initial)
    if instance is not None:
        _audit_contact_shown(user, instance, "event opened for editing (organiser contact)")
    return _page(
        request,
        "event_form.jinja",
        {
            "page_title": f"Edit {instance.title}" if instance else "Add an event",
            "form": form,
            "event": instance,
        },
    )


@staff_required(P.DIRECTORY_EDIT)
@require_POST
def event_cancel(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    event = services.cancel_event(user=_user(request), event=access.get_editable_event(_user(request), uuid))
    messages.success(request, f"Cancelled {event.title}.")
    return HttpResponseRedirect(reverse("directory:manage"))


@staff_required(P.DIRECTORY_MODERATE)
def moderation_queue(request: HttpRequest) -> HttpResponse:
    pending = list(
        Event.objects.filter(status=EventStatus.PENDING)
        .select_related("borough")
        .order_by("submitted_at")[:200]
    )
    recent = list(
        Event.objects.filter(
            status__in=[EventStatus.PUBLISHED, EventStatus.REJECTED], moderated_at__isnull=False
        )
        .select_related("moderated_by")
        .order_by("-moderated_at")[:20]
    )
    return _page(
        request, "moderation.jinja", {"page_title": "Events to check", "pending": pending, "recent": recent}
    )


@staff_required(P.DIRECTORY_MODERATE)
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    user = _user(request)
    event = access.get_moderatable_event(user, uuid)
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        publish = form.cleaned_data["decision"] == "publish"
        services.moderate_event(user=user, event=event, publish=publish, reason=form.cleaned_data["reason"])
        messages.success(request, f"{'Published' if publish else 'Rejected'}: {event.title}.")
        return HttpResponseRedirect(reverse("directory:manage-moderation"))
    _audit_contact_shown(user, event, "event opened for moderation (organiser contact)")
    return _page(
        request, "moderate.jinja", {"page_title": f"Check: {event.title}", "event": event, "form": form}
    )
