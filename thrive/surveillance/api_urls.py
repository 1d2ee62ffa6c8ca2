"""The surveillance API, included by the project under /api/v1/ (CONTRACTS.md "HTTP")."""

from django.urls import path

from thrive.surveillance import api

urlpatterns = [
    path("cases/", api.CaseListCreate.as_view(), name="api-case-list"),
    path("cases/<str:reference>/", api.CaseDetail.as_view(), name="api-case-detail"),
]
