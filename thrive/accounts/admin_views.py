"""The platform's own administration pages: organisations, users, memberships and scopes, API keys."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from thrive.accounts.apikeys import ApiKeyRefused, create_api_key, revoke_api_key
from thrive.accounts.decorators import reauth_required, staff_required
from thrive.accounts.forms import ApiKeyForm, MembershipForm, OrganisationForm, UserForm
from thrive.accounts.models import ApiKey, Membership, Organisation, User
from thrive.accounts.permissions import Permission as P
from thrive.accounts.services import end_membership, grant_membership, save_organisation, save_user


def _admin(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required(P.ADMIN_USERS, P.ADMIN_ORGANISATIONS)
def admin_home(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.all()
    users = User.objects.prefetch_related("memberships__organisation").order_by("full_name")
    return render(
        request,
        "accounts/admin_home.jinja",
        {"page_title": "Administration", "organisations": organisations, "users": users},
    )


@staff_required(P.ADMIN_ORGANISATIONS)
@reauth_required
def organisation_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug) if slug else None
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        saved = save_organisation(form=form, by=_admin(request))
        messages.success(request, f"{saved.name} saved")
        return HttpResponseRedirect(reverse("admin-home"))
    return render(
        request,
        "accounts/admin_form.jinja",
        {"form": form, "page_title": organisation.name if organisation else "New organisation"},
    )


@staff_required(P.ADMIN_USERS)
@reauth_required
def user_edit(request: HttpRequest, user_id: int | None = None) -> HttpResponse:
    subject = get_object_or_404(User, pk=user_id) if user_id else None
    form = UserForm(request.POST or None, instance=subject)
    if request.method == "POST" and form.is_valid():
        saved = save_user(form=form, by=_admin(request))
        messages.success(request, f"{saved.full_name} saved")
        return HttpResponseRedirect(reverse("admin-user", args=[saved.pk]))
    memberships = subject.memberships.select_related("organisation", "team") if subject else []
    return render(
        request,
        "accounts/admin_user.jinja",
        {
            "form": form,
            "subject": subject,
            "memberships": memberships,
            "page_title": subject.full_name if subject else "New user",
        },
    )


@staff_required(P.ADMIN_USERS)
@reauth_required
def membership_new(request: HttpRequest, user_id: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=user_id)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grant_membership(
            user=subject,
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
            scope_areas=form.cleaned_data["scope_areas"],
            team=form.cleaned_data["team"],
            by=_admin(request),
        )
        messages.success(request, "Role given")
        return HttpResponseRedirect(reverse("admin-user", args=[subject.pk]))
    return render(
        request, "accounts/admin_form.jinja", {"form": form, "page_title": f"Give {subject} a role"}
    )


@staff_required(P.ADMIN_USERS)
@reauth_required
@require_POST
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id)
    end_membership(membership=membership, by=_admin(request))
    messages.success(request, "Role removed")
    return HttpResponseRedirect(reverse("admin-user", args=[membership.user_id]))


@staff_required(P.ADMIN_API_KEYS)
@reauth_required
def api_keys(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    form = ApiKeyForm(request.POST or None)
    raw_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, raw_key = create_api_key(
                organisation=organisation,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_days=form.cleaned_data["expires_days"],
                created_by=_admin(request),
            )
        except ApiKeyRefused as refusal:
            form.add_error("scopes", str(refusal))
    keys = ApiKey.objects.filter(organisation=organisation)
    return render(
        request,
        "accounts/admin_keys.jinja",
        {
            "form": form,
            "organisation": organisation,
            "keys": keys,
            "raw_key": raw_key,
            "page_title": f"API keys for {organisation.name}",
        },
    )


@staff_required(P.ADMIN_API_KEYS)
@reauth_required
@require_POST
def revoke_key(request: HttpRequest, key_id: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=key_id)
    revoke_api_key(key=key, by=_admin(request))
    messages.success(request, f"Key {key.name} revoked")
    return HttpResponseRedirect(reverse("admin-api-keys", args=[key.organisation.slug]))
