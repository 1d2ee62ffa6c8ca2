"""`thrive scan`: SaTScan's space-time permutation or Poisson scan on CSV files (see docs/scan.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.detection.scan.request import RequestError, run_request


class Command(BaseCommand):
    help = (
        "Scan for high-rate clusters as SaTScan 10.3.2 does: the space-time permutation model, or the "
        "discrete Poisson model (space-time with --max-temporal-days, purely spatial without it). "
        "CASES.csv has location_id,count,date; COORDS.csv location_id,lat,lon (or location_id,x,y in km); "
        "POP.csv location_id,population. P-values are Monte Carlo ranks, rank / (replications + 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Values are checked in handle(), not by argparse, so every mistake exits 2 with a plain message.
        parser.add_argument("--model", help="space-time-permutation | poisson")
        parser.add_argument("--cases", metavar="CASES.csv", help="columns location_id,count,date")
        parser.add_argument(
            "--coordinates", metavar="COORDS.csv", help="location_id,lat,lon or location_id,x,y"
        )
        parser.add_argument("--population", metavar="POP.csv", help="location_id,population (poisson only)")
        parser.add_argument("--coordinates-type", help="latlong | cartesian (x, y in km)")
        parser.add_argument("--start", metavar="DATE", help="first day of the study period (ISO date)")
        parser.add_argument("--end", metavar="DATE", help="last day of the study period (ISO date)")
        parser.add_argument("--max-radius-km", metavar="R", help="largest circle radius (default: no limit)")
        parser.add_argument(
            "--max-spatial-fraction",
            metavar="F",
            help="largest share of the population at risk, <= 0.5 (0.5)",
        )
        parser.add_argument(
            "--max-temporal-days",
            metavar="D",
            help="longest window; needed for space-time scans, omit for a purely spatial poisson scan",
        )
        parser.add_argument("--time-aggregation-days", metavar="N", help="interval length in days (1)")
        timing = parser.add_mutually_exclusive_group()
        timing.add_argument("--prospective", action="store_true", help="only windows ending on --end")
        timing.add_argument("--retrospective", action="store_true", help="every window (the default)")
        parser.add_argument("--replications", metavar="R", help="Monte Carlo replications (999)")
        parser.add_argument("--seed", metavar="S", help="random seed (12345678)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_request(options)
        except RequestError as error:
            raise CommandError(str(error), returncode=2) from None
        document = result.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(document, indent=2))
            return
        self.stdout.write(f"{document['locations']} locations, {document['cases']} cases")
        for cluster in document["clusters"]:
            self.stdout.write(
                f"{cluster['rank']}. {len(cluster['location_ids'])} location(s) around "
                f"{cluster['location_ids'][0]}, {cluster['start']} to {cluster['end']}: "
                f"observed {cluster['observed']}, expected {cluster['expected']:.2f}, "
                f"LLR {cluster['llr']:.6f}, p {cluster['p_value']}"
            )
