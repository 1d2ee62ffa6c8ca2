"""The project's routes with what the referral tests need mounted where the project mounts it (/referrals/,
/surveillance/, /staff/notifications/, /api/v1/): used only while the project's own urls do not include them.
"""

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
    ("referrals:inbox", path("referrals/", include("thrive.referrals.urls"))),
    ("api-referral-list", path("api/v1/", include("thrive.referrals.api_urls"))),
    ("surveillance:case-list", path("surveillance/", include("thrive.surveillance.urls"))),
    ("api-case-list", path("api/v1/", include("thrive.surveillance.api_urls"))),
    ("notifications-inbox", path("staff/notifications/", include("thrive.core.notifications.urls"))),
)
urlpatterns = [mount for name, mount in MOUNTS if not _mounted(name)] + list(project_patterns)
