"""Every app's API routes, gathered under /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("", include("thrive.surveillance.api_urls")),
    path("", include("thrive.referrals.api_urls")),
    path("", include("thrive.directory.api_urls")),
    path("", include("thrive.outcomes.api_urls")),
]
