"""`thrive load-geography [DIR]`: load ONS boundaries, population and deprivation (all or nothing)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.geography.loader import load_geography
from thrive.geography.sources import SourceError


class Command(BaseCommand):
    help = (
        "Load the region's areas (boundaries, centroids, parents), population by sex and age band and IMD "
        "deciles from DIR (default: $THRIVE_REFERENCE_DATA). Every file is checked before anything is "
        "written; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", help="the reference data directory (see its SOURCES.md)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"] or settings.REFERENCE_DATA_DIR)
        started = time.monotonic()

        def progress(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"[{time.monotonic() - started:5.1f}s] {message}")

        try:
            result = load_geography(directory=directory, progress=progress)
        except SourceError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from None
        message = result.summary() if result.changed else "Already up to date: nothing changed."
        self.stdout.write(self.style.SUCCESS(f"{message} ({time.monotonic() - started:.1f}s)"))
