"""The patient's one-time link: the questionnaire and a thank-you, nothing else, with no sign-in.

Rate-limited per address (hashed before it reaches the cache), with a tighter limit on links that do not open,
so tokens cannot be guessed at speed. A used, expired, altered or someone else's link gets a plain message and
saves nothing. Pages are never cached (the token is in the address), and the site's same-origin referrer
policy keeps the address from other sites (the pages link nowhere else anyway).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from thrive.directory.ratelimit import allow
from thrive.outcomes import config, links, services
from thrive.outcomes.forms import QuestionnaireForm, show_refusal
from thrive.outcomes.measures import get as get_measure

REQUESTS_PER_WINDOW = 60
FAILURES_PER_WINDOW = 10
WINDOW_SECONDS = 600
REFUSED_STATUS = {
    links.LinkProblem.INVALID: 404,
    links.LinkProblem.WRONG_PATIENT: 404,
    links.LinkProblem.USED: 410,
    links.LinkProblem.EXPIRED: 410,
}


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "outcomes/link_problem.jinja",
        {
            "page_title": "Please wait",
            "message": "Too many attempts from this connection. Please wait a few "
            "minutes and try the link again.",
        },
        status=429,
    )


@require_http_methods(["GET", "POST"])
def link_page(request: HttpRequest, token: str) -> HttpResponse:
    if not allow(request, "outcomes-link", REQUESTS_PER_WINDOW, WINDOW_SECONDS):
        return _too_many(request)
    try:
        link = links.open_link(token)
    except links.LinkRefused as refused:
        if not allow(request, "outcomes-link-failures", FAILURES_PER_WINDOW, WINDOW_SECONDS):
            return _too_many(request)
        return _page(
            request,
            "outcomes/link_problem.jinja",
            {"page_title": "This link cannot be used", "message": str(refused)},
            status=REFUSED_STATUS[refused.problem],
        )
    measure = get_measure(link.measure)
    form = QuestionnaireForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            links.complete_link(token=token, answers=form.answers())
        except links.LinkRefused as refused:
            return _page(
                request,
                "outcomes/link_problem.jinja",
                {"page_title": "This link cannot be used", "message": str(refused)},
                status=REFUSED_STATUS[refused.problem],
            )
        except services.Refused as refused:
            show_refusal(form, refused)
        else:
            return HttpResponseRedirect(reverse("outcomes:link-done"))
    return _page(
        request,
        "outcomes/link.jinja",
        {
            "page_title": config.short_title(measure.key),
            "form": form,
            "measure": measure,
            "expires": link.expires_at,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def link_done(request: HttpRequest) -> HttpResponse:
    return _page(request, "outcomes/link_done.jinja", {"page_title": "Thank you"})
