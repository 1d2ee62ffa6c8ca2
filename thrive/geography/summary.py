"""What geography is loaded: counts by level and the total population (`thrive geography summary`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from thrive.geography.models import Area, AreaLevel


def geography_summary() -> dict[str, Any]:
    """`{"counts": {level: n, ...}, "population": N}`, the population being the sum over boroughs."""
    counts = dict(Area.objects.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    population = Area.objects.filter(level=AreaLevel.BOROUGH).aggregate(total=Sum("population"))["total"]
    return {
        "counts": {level: counts.get(level, 0) for level in AreaLevel.values},
        "population": population or 0,
    }
