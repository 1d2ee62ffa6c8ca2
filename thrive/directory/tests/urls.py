"""The site's routes with the Open Referral UK API under /api/v1/ (for tests run before thrive/api_urls.py
includes thrive.directory.api_urls; afterwards it is the site's own urlconf unchanged)."""

from django.urls import NoReverseMatch, get_resolver, include, path

from thrive.urls import urlpatterns as site_patterns

try:
    get_resolver("thrive.urls").reverse("oruk-services")
    urlpatterns = list(site_patterns)
except NoReverseMatch:
    urlpatterns = [path("api/v1/", include("thrive.directory.api_urls")), *site_patterns]
