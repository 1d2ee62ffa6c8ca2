"""Top-level routes. Each app owns its own `urls.py`; the API lives under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from thrive.core import views as core_views

handler403 = "thrive.core.views.forbidden"
handler404 = "thrive.core.views.not_found"
handler500 = "thrive.core.views.server_error"

urlpatterns = [
    path("", include("thrive.directory.urls")),
    path("accounts/", include("thrive.accounts.urls")),
    path("staff/notifications/", include("thrive.core.notifications.urls")),
    path("staff/", include("thrive.core.urls")),
    path("areas/", include("thrive.geography.urls")),
    path("surveillance/", include("thrive.surveillance.urls")),
    path("referrals/", include("thrive.referrals.urls")),
    path("outcomes/", include("thrive.outcomes.urls")),
    path("detection/", include("thrive.detection.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", core_views.api_docs, name="api-docs"),
    path("api/v1/", include("thrive.api_urls")),
    path("healthz", core_views.health, name="health"),
]
