"""Outcomes pages, mounted by the project at /outcomes/ (namespace "outcomes"), the patient's links too."""

from django.urls import path

from thrive.outcomes import dashboard_views, link_views, session_views, tablet, views

app_name = "outcomes"

urlpatterns = [
    path("", views.worklist_page, name="worklist"),
    path("patients/new/", views.patient_new, name="patient-new"),
    path("patients/<int:pk>/", views.patient_page, name="patient"),
    path("patients/<int:pk>/episodes/new/", views.episode_new, name="episode-new"),
    path("episodes/<int:pk>/end/", views.episode_end, name="episode-end"),
    path("episodes/<int:pk>/assess/<slug:measure>/", views.capture, name="capture"),
    path("episodes/<int:pk>/link/", views.link_new, name="link-new"),
    path("episodes/<int:pk>/dialog-plus/", session_views.session_new, name="session-new"),
    path("assessments/<uuid:public_id>/", views.assessment_page, name="assessment"),
    path("assessments/<uuid:public_id>/edit/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<uuid:public_id>/amend/", views.assessment_amend, name="assessment-amend"),
    path("assessments/<uuid:public_id>/fhir/", views.assessment_fhir, name="assessment-fhir"),
    path("sessions/<int:pk>/", session_views.session_page, name="session"),
    path("sessions/<int:pk>/review/", session_views.session_review, name="session-review"),
    path("sessions/<int:pk>/domains/", session_views.session_domains, name="session-domains"),
    path("sessions/<int:pk>/domains/<int:item>/", session_views.session_domain, name="session-domain"),
    path("sessions/<int:pk>/finish/", session_views.session_finish, name="session-finish"),
    path("tablet/start/", tablet.tablet_start, name="tablet-start"),
    path("tablet/", tablet.tablet, name="tablet"),
    path("tablet/done/", tablet.tablet_done, name="tablet-done"),
    path("tablet/return/", tablet.tablet_return, name="tablet-return"),
    path("q/done/", link_views.link_done, name="link-done"),
    path("q/<str:token>/", link_views.link_page, name="link"),
    path("dashboard/", dashboard_views.dashboard_page, name="dashboard"),
    path("dashboard/mhsds.csv", dashboard_views.mhsds_export, name="mhsds-export"),
]
