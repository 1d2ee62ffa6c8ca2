"""`thrive geography summary [--json]`: what geography is loaded."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thrive.geography.summary import geography_summary


class Command(BaseCommand):
    help = "Report on the loaded geography."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        summary = subcommands.add_parser("summary", help="area counts by level and the total population")
        summary.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = geography_summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        for level, count in summary["counts"].items():
            self.stdout.write(f"{level:>8}: {count:,}")
        self.stdout.write(f"population: {summary['population']:,}")
