"""Open Referral UK routes, included by thrive/api_urls.py under /api/v1/ (no trailing slash, as in the
standard)."""

from django.urls import path

from thrive.directory import api

urlpatterns = [
    path("oruk/services", api.ServiceListView.as_view(), name="oruk-services"),
    path("oruk/services/<str:id>", api.ServiceDetailView.as_view(), name="oruk-service"),
]
