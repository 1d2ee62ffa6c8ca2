from django.urls import path

from thrive.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
]
