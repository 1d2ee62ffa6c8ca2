"""The project's routes with this app mounted where the project mounts it (/surveillance/, /api/v1/cases/):
used by the tests only while the project's own urls do not yet include the app."""

from django.urls import include, path

from thrive.urls import handler403, handler404, handler500, urlpatterns as project_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("surveillance/", include("thrive.surveillance.urls")),
    path("api/v1/", include("thrive.surveillance.api_urls")),
    *project_patterns,
]
