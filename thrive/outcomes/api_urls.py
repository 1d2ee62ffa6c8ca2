"""The outcomes API, included by the project under /api/v1/ (CONTRACTS.md "HTTP")."""

from django.urls import path

from thrive.outcomes import api

urlpatterns = [
    path("outcomes/patients/", api.PatientListCreate.as_view(), name="api-outcomes-patient-list"),
    path("outcomes/episodes/", api.EpisodeListCreate.as_view(), name="api-outcomes-episode-list"),
    path("outcomes/episodes/<int:pk>/", api.EpisodeDetail.as_view(), name="api-outcomes-episode-detail"),
    path("outcomes/assessments/", api.AssessmentListCreate.as_view(), name="api-outcomes-assessment-list"),
    path(
        "outcomes/assessments/<uuid:public_id>/",
        api.AssessmentDetail.as_view(),
        name="api-outcomes-assessment-detail",
    ),
    path(
        "outcomes/assessments/<uuid:public_id>/fhir/",
        api.AssessmentFhir.as_view(),
        name="api-outcomes-assessment-fhir",
    ),
    path("outcomes/questionnaire-responses/", api.FhirImport.as_view(), name="api-outcomes-fhir-import"),
    path(
        "outcomes/questionnaires/<slug:key>/",
        api.QuestionnaireDetail.as_view(),
        name="api-outcomes-questionnaire",
    ),
]
