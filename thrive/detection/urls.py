"""Detection pages, mounted by the project at /detection/. Every name here has a rule in `access.ACCESS`."""

from django.urls import path

from thrive.detection import views

app_name = "detection"

urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("alerts/<str:reference>/", views.alert_detail, name="alert-detail"),
    path("alerts/<str:reference>/map.json", views.alert_map, name="alert-map"),
    path("alerts/<str:reference>/status/", views.alert_status, name="alert-status"),
    path("alerts/<str:reference>/assign/", views.alert_assign, name="alert-assign"),
    path("alerts/<str:reference>/notes/", views.alert_note, name="alert-note"),
    path("alerts/<str:reference>/actions/", views.alert_action, name="alert-action"),
    path(
        "alerts/<str:reference>/actions/<int:action_id>/done/",
        views.alert_action_done,
        name="alert-action-done",
    ),
    path("runs/", views.run_list, name="run-list"),
    path("parameters/", views.parameters, name="parameters"),
]
