"""Surveillance pages, mounted by the project at /surveillance/. Every name here needs a rule in
`access.PAGES`."""

from django.urls import path

from thrive.surveillance import csv_views, duplicate_views, report_views, views

app_name = "surveillance"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("cases/search/", views.case_search, name="case-search"),
    path("cases/export.csv", csv_views.case_export, name="case-export"),
    path("cases/<str:reference>/", views.case_detail, name="case-detail"),
    path("cases/<str:reference>/status/", views.case_status, name="case-status"),
    path("cases/<str:reference>/next-of-kin/<int:person_id>/consent/", views.nok_consent, name="nok-consent"),
    path("cases/<str:reference>/add-report/", report_views.case_add_report, name="case-add-report"),
    path("report/", report_views.report_start, name="report-start"),
    path("report/<int:draft_id>/check/", report_views.report_check, name="report-check"),
    path("report/<int:draft_id>/discard/", report_views.report_discard, name="report-discard"),
    path("report/<int:draft_id>/<slug:step>/", report_views.report_step, name="report-step"),
    path("import/", csv_views.csv_import, name="csv-import"),
    path("import/template.csv", csv_views.csv_template, name="csv-template"),
    path("map/boroughs.geojson", views.boroughs_geojson, name="boroughs-geojson"),
    path("duplicates/", duplicate_views.duplicate_list, name="duplicate-list"),
    path("duplicates/<int:pair_id>/", duplicate_views.duplicate_compare, name="duplicate-compare"),
    path("merges/<int:merge_id>/undo/", duplicate_views.merge_undo, name="merge-undo"),
    path("break-glass/", views.break_glass, name="break-glass"),
]
