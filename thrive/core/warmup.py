"""Load, before a web process takes its first request, what that request would otherwise load while someone
waits: every route's module and the point-lookup index each case report uses (a second or two of work).

Called from gunicorn's `post_worker_init` hook (thrive/gunicorn_conf.py), so a new worker joins only when
ready and the others serve meanwhile."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connections
from django.urls import get_resolver

logger = logging.getLogger(__name__)


def warm_up() -> None:
    """Never stops a worker from starting: a database that is not ready only means a slower first report."""
    get_resolver().url_patterns  # noqa: B018  (importing every app's views is the point)
    from thrive.geography.lookup import GeographyNotLoaded, area_index

    try:
        area_index()
    except GeographyNotLoaded:
        logger.info("No boundaries loaded yet; the point-lookup index is built on first use")
    except DatabaseError:
        logger.warning(
            "Could not build the point-lookup index at start; it is built on first use", exc_info=True
        )
    finally:
        # Requests run on the worker's threads, each with its own connection: this thread's is not needed.
        connections.close_all()
