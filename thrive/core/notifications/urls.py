"""Mounted by the project at /staff/notifications/."""

from django.urls import path

from thrive.core.notifications import views

urlpatterns = [
    path("", views.inbox, name="notifications-inbox"),
    path("badge/", views.badge, name="notifications-badge"),
]
