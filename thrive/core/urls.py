from django.urls import path

from thrive.core import views

urlpatterns = [
    path("", views.staff_home, name="staff-home"),
    path("audit/", views.audit_log, name="audit-log"),
]
