"""The project's routes with the outcomes pages and API mounted where the project mounts them (/outcomes/ and
/api/v1/): used only while the project's own urls do not include them."""

from django.urls import NoReverseMatch, include, path, reverse

from thrive.urls import handler403, handler404, handler500
from thrive.urls import urlpatterns as project_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def _mounted(name: str) -> bool:
    try:
        reverse(name, urlconf="thrive.urls")
    except NoReverseMatch:
        return False
    return True


MOUNTS = (
    ("outcomes:worklist", path("outcomes/", include("thrive.outcomes.urls"))),
    ("api-outcomes-assessment-list", path("api/v1/", include("thrive.outcomes.api_urls"))),
)
urlpatterns = [mount for name, mount in MOUNTS if not _mounted(name)] + list(project_patterns)
