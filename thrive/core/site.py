"""Site-wide content: the national crisis lines (the one real content), ONS attribution and the demo banner."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class CrisisLine:
    name: str
    how: str
    detail: str


CRISIS_LINES = (
    CrisisLine("Emergency", "Call 999", "If a life is at risk now, or you cannot keep yourself safe."),
    CrisisLine("NHS 111", "Call 111, option 2", "Urgent mental health help from the NHS, day and night."),
    CrisisLine("Samaritans", "Call 116 123", "Free, any time, to talk about anything that is troubling you."),
    CrisisLine("Shout", "Text SHOUT to 85258", "Free, confidential text support, any time."),
)

REFERENCE_ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0.",
    "Contains OS data © Crown copyright and database right 2022.",
    "English Indices of Deprivation 2019 © Crown copyright, Ministry of Housing, Communities and Local "
    "Government, OGL v3.0.",
)


def crisis_lines() -> tuple[CrisisLine, ...]:
    return CRISIS_LINES


def reference_attribution() -> tuple[str, ...]:
    return REFERENCE_ATTRIBUTION


DEMO_CACHE_KEY = "thrive:demo-data-loaded"
DEMO_CACHE_SECONDS: int | None = 30


def demo_data_loaded() -> bool:
    """Whether synthetic demonstration data is loaded (cached briefly: it is on every page)."""
    cached = cache.get(DEMO_CACHE_KEY)
    if cached is None:
        from thrive.core.models import DemoMarker

        cached = DemoMarker.objects.exists()
        cache.set(DEMO_CACHE_KEY, cached, DEMO_CACHE_SECONDS)
    return bool(cached)
