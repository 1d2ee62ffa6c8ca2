"""Public Find-support pages (no login)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/home.jinja", {"page_title": "Find mental health support in London"})
