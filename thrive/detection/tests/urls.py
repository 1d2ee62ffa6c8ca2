"""The project's routes with detection's mounted at /detection/ (unless the project already mounts them)."""

from django.urls import URLResolver, include, path

from thrive.urls import handler403, handler404, handler500
from thrive.urls import urlpatterns as project

mounted = any(isinstance(p, URLResolver) and p.namespace == "detection" for p in project)
urlpatterns = [*project] + ([] if mounted else [path("detection/", include("thrive.detection.urls"))])
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
