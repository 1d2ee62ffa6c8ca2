"""Referral pages, mounted by the project at /referrals/ (namespace "referrals")."""

from django.urls import path

from thrive.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox/rows/", views.inbox_rows, name="inbox-rows"),
    path("worklist/", views.worklist, name="worklist"),
    path("figures/", views.figures_page, name="figures"),
    path("unrouted/", views.unrouted, name="unrouted"),
    path("unrouted/<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
