"""Sign in with email and password, then a TOTP code (enrolment forced at first sign-in), and sign out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from thrive.accounts import twofactor
from thrive.accounts.decorators import is_verified, mark_authenticated_now
from thrive.accounts.forms import LoginForm, ReauthForm, TokenForm
from thrive.accounts.models import User
from thrive.core import audit

MAX_CODE_FAILURES = 5
CODE_FAILURES_KEY = "thrive_code_failures"


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(request, "accounts/locked_out.jinja", {"page_title": "Account locked"}, status=429)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and is_verified(request.user):
        return HttpResponseRedirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is not None:
        login(request, form.user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[CODE_FAILURES_KEY] = 0
        target = "two-factor" if twofactor.confirmed_totp(form.user) else "two-factor-setup"
        nxt = _safe_next(request, settings.LOGIN_REDIRECT_URL)
        return HttpResponseRedirect(f"{reverse(target)}?next={nxt}")
    return render(
        request,
        "accounts/login.jinja",
        {"form": form, "page_title": "Sign in", "next": _safe_next(request, "")},
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _code_failed(request: HttpRequest, form: TokenForm) -> HttpResponse | None:
    """Counts wrong codes; after too many the session ends, as a wrong password would lock the account."""
    failures = int(request.session.get(CODE_FAILURES_KEY, 0)) + 1
    request.session[CODE_FAILURES_KEY] = failures
    audit.record(
        action=audit.Action.FAILED_LOGIN,
        user=_user(request),
        obj=_user(request),
        reason="wrong two-factor code",
    )
    if failures >= MAX_CODE_FAILURES:
        logout(request)
        return HttpResponseRedirect(reverse("login") + "?reason=codes")
    form.add_error("code", "The security code is not right. Check your authenticator app and try again")
    return None


@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("login"))
    user = _user(request)
    if twofactor.confirmed_totp(user) is None:
        return HttpResponseRedirect(reverse("two-factor-setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            mark_authenticated_now(request)
            request.session[CODE_FAILURES_KEY] = 0
            audit.record(action=audit.Action.LOGIN, user=user, obj=user, reason="signed in with two factors")
            return HttpResponseRedirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
        ended = _code_failed(request, form)
        if ended is not None:
            return ended
    return render(
        request,
        "accounts/two_factor.jinja",
        {"form": form, "page_title": "Enter your security code", "next": _safe_next(request, "")},
    )


@require_http_methods(["GET", "POST"])
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("login"))
    user = _user(request)
    if twofactor.confirmed_totp(user) is not None and not is_verified(request.user):
        return HttpResponseRedirect(reverse("two-factor"))
    device = twofactor.pending_totp(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(user, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            mark_authenticated_now(request)
            audit.record(
                action=audit.Action.PERMISSION_CHANGE,
                user=user,
                obj=user,
                reason="enrolled an authenticator app",
            )
            return render(
                request,
                "accounts/recovery_codes.jinja",
                {
                    "codes": codes,
                    "page_title": "Save your recovery codes",
                    "next": _safe_next(request, settings.LOGIN_REDIRECT_URL),
                },
            )
        ended = _code_failed(request, form)
        if ended is not None:
            return ended
    return render(
        request,
        "accounts/two_factor_setup.jinja",
        {
            "form": form,
            "page_title": "Set up two-factor authentication",
            "secret": twofactor.base32_secret(device),
            "qr": twofactor.qr_svg(twofactor.provisioning_uri(device)),
            "next": _safe_next(request, ""),
        },
    )


@require_http_methods(["GET", "POST"])
def reauthenticate_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("login"))
    user = _user(request)
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "The password is not right")
        elif twofactor.verify_code(user, form.cleaned_data["code"]) is None:
            ended = _code_failed(request, form)
            if ended is not None:
                return ended
        else:
            mark_authenticated_now(request)
            return HttpResponseRedirect(_safe_next(request, settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "accounts/reauthenticate.jinja",
        {"form": form, "page_title": "Confirm it is you", "next": _safe_next(request, "")},
    )


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.user.is_authenticated:
            audit.record(action=audit.Action.LOGOUT, user=_user(request), obj=_user(request))
        logout(request)
        return HttpResponseRedirect(reverse("login") + "?reason=signed-out")
    return render(request, "accounts/logout.jinja", {"page_title": "Sign out"})
