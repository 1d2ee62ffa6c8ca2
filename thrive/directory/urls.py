"""Find support: public pages at the site root, staff pages under /directory/manage/ (see access.py)."""

from django.urls import path

from thrive.directory import event_views, manage_views, selfcheck, views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("find-support/", views.find_support, name="find-support"),
    path("find-support/services/<slug:slug>/", views.service_detail, name="service"),
    path("find-support/boroughs/<str:code>.geojson", views.borough_boundary, name="borough-boundary"),
    path("events/", event_views.event_list, name="events"),
    path("events/past/", event_views.event_archive, name="events-archive"),
    path("events/feed.ics", event_views.event_feed, name="events-feed"),
    path("events/submit/", event_views.submit_event, name="event-submit"),
    path("events/submit/thank-you/", event_views.event_submitted, name="event-submitted"),
    path("events/campaigns/<slug:slug>/", event_views.campaign, name="campaign"),
    path("events/<uuid:uuid>/", event_views.event_detail, name="event"),
    path("events/<uuid:uuid>.ics", event_views.event_ics, name="event-ics"),
    path("self-check/<str:key>/", selfcheck.self_check, name="self-check"),
    path("directory/manage/", manage_views.dashboard, name="manage"),
    path("directory/manage/services/new/", manage_views.service_edit, name="manage-service-new"),
    path("directory/manage/services/import/", manage_views.services_import, name="manage-services-import"),
    path("directory/manage/services/export.csv", manage_views.services_export, name="manage-services-export"),
    path("directory/manage/services/<slug:slug>/", manage_views.service_edit, name="manage-service-edit"),
    path("directory/manage/events/new/", manage_views.event_edit, name="manage-event-new"),
    path("directory/manage/events/<uuid:uuid>/", manage_views.event_edit, name="manage-event-edit"),
    path(
        "directory/manage/events/<uuid:uuid>/cancel/", manage_views.event_cancel, name="manage-event-cancel"
    ),
    path("directory/manage/moderation/", manage_views.moderation_queue, name="manage-moderation"),
    path("directory/manage/moderation/<uuid:uuid>/", manage_views.moderate, name="manage-moderate"),
]
