"""`thrive load-postcodes FILE`: load an ONS Postcode Directory CSV (all or nothing)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.geography.lookup import GeographyNotLoaded
from thrive.geography.postcodes import PostcodeFileError, load_postcodes


class Command(BaseCommand):
    help = (
        "Load postcodes from a CSV in the ONS Postcode Directory layout (needs pcds, lat, long; uses doterm, "
        "oslaua, lsoa11 and lsoa21 when present). Terminated postcodes are not loaded; missing areas are "
        "found from the point. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the ONSPD CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(f"[{time.monotonic() - started:5.1f}s] {message}")

        try:
            result = load_postcodes(path=Path(options["file"]), progress=progress)
        except (PostcodeFileError, GeographyNotLoaded) as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from None
        message = (
            result.summary() if result.changed else f"Already up to date: nothing changed. {result.summary()}"
        )
        self.stdout.write(self.style.SUCCESS(f"{message} ({time.monotonic() - started:.1f}s)"))
