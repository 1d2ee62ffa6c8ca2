"""The project's routes with this app mounted where the project mounts it (/surveillance/, /api/v1/cases/),
for the tests and the ingest benchmark while the project's own urls do not include the app (when they do,
this adds nothing)."""

from django.urls import URLResolver, include, path

from thrive.urls import handler403, handler404, handler500
from thrive.urls import urlpatterns as project_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def _mounted(patterns: list, namespace: str) -> bool:
    return any(
        isinstance(p, URLResolver) and (p.namespace == namespace or _mounted(p.url_patterns, namespace))
        for p in patterns
    )


urlpatterns = list(project_patterns)
if not _mounted(project_patterns, "surveillance"):
    urlpatterns = [
        path("surveillance/", include("thrive.surveillance.urls")),
        path("api/v1/", include("thrive.surveillance.api_urls")),
        *project_patterns,
    ]
