"""Bench-only routes: the site's own, plus a bare Django view to compare the find-support search with.

Used only by bench/public.py (through bench/settings.py); never part of the site.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from thrive import urls as site


def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: the same middleware, no template, no database."""
    return HttpResponse("ok", content_type="text/plain")


handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site.urlpatterns]
