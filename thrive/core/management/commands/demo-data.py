"""`thrive demo-data [--seed N]`: every app's synthetic demonstration data, deterministic for a seed, idempotent."""

from __future__ import annotations

import importlib
import random
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.core.models import DemoMarker
from thrive.core.site import DEMO_CACHE_KEY

# Order matters: organisations and accounts first, then what refers to them.
GENERATORS = ("accounts", "directory", "surveillance", "referrals", "detection", "outcomes", "insights")


class Command(BaseCommand):
    help = (
        "Generate synthetic demonstration data (fictional organisations, people, cases, outcomes, services)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--only", default="", help="comma-separated apps to generate (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.DEMO_MODE or settings.TESTING):
            raise CommandError("Demonstration data is only for the demo: set THRIVE_DEMO=1.", returncode=2)
        from thrive.geography.models import Area

        if not Area.objects.exists():
            raise CommandError("Load the geography first: thrive load-geography", returncode=2)
        only = {name.strip() for name in options["only"].split(",") if name.strip()}
        seed = options["seed"]
        for app in GENERATORS:
            if only and app not in only:
                continue
            try:
                module = importlib.import_module(f"thrive.{app}.demo")
            except ModuleNotFoundError as missing:
                if missing.name != f"thrive.{app}.demo":
                    raise
                continue
            started = time.monotonic()
            rng = random.Random(f"{seed}:{app}")
            summary = module.generate(rng=rng, seed=seed, stdout=self.stdout)
            self.stdout.write(f"{app}: {summary or 'done'} ({time.monotonic() - started:.1f} s)")
        DemoMarker.objects.get_or_create(seed=seed)
        cache.delete(DEMO_CACHE_KEY)
        self.stdout.write(self.style.SUCCESS("Demonstration data ready."))
