"""Settings for bench/public.py's server: Thrive's own, with the bench-only bare view added to the routes.

Static files come straight from the finders (no collectstatic step): the bench measures the dynamic pages, and
the page HTML is the same apart from the static files' names. `BENCH_PAGE_CACHE_SECONDS` (when set)
overrides the public page cache, so the bench can also measure the search with the cache off.
"""

import os

from thrive.settings import *  # noqa: F403
from thrive.settings import STORAGES

ROOT_URLCONF = "bench.bare_urls"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
if "BENCH_PAGE_CACHE_SECONDS" in os.environ:
    THRIVE_PUBLIC_PAGE_CACHE_SECONDS = int(os.environ["BENCH_PAGE_CACHE_SECONDS"])
