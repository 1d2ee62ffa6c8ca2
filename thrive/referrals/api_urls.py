"""The referrals API, included by the project under /api/v1/ (CONTRACTS.md "HTTP")."""

from django.urls import path

from thrive.referrals import api

urlpatterns = [
    path("referrals/", api.ReferralList.as_view(), name="api-referral-list"),
    path("referrals/<int:pk>/", api.ReferralDetail.as_view(), name="api-referral-detail"),
]
