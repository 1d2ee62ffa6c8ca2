"""Every app's API routes, gathered under /api/v1/."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("thrive.accounts.api_urls")),
]
