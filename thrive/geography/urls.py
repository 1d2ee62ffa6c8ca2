"""Staff area pages, mounted at /areas/."""

from django.urls import path

from thrive.geography import views

app_name = "geography"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:level>/<slug:code>/", views.area, name="area"),
    path("<slug:level>/<slug:code>/geojson", views.geojson, name="geojson"),
]
