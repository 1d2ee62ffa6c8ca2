"""`thrive timeseries`: EARS C1-C3, Farrington or Noufaily on a counts file, as R `surveillance` would."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.detection.timeseries.request import ALL_OPTIONS, METHODS, RequestError, build_request, run_request


class Command(BaseCommand):
    help = (
        "Run a time-series detector on FILE.csv (series_id,week_index,count; weeks 1, 2, 3, ... per series) "
        "for the weeks FROM:TO. farrington presets Farrington 1996 (b 3, w 3, alpha 0.01, delta); noufaily "
        "presets Noufaily 2012 (b 3, w 3, 10 periods, 26 past weeks left out, alpha 0.01, nbPlugin). "
        "Results equal R surveillance 1.20.3; NA is printed as null."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Checked in handle(), not by argparse, so every mistake exits with status 2 and a plain message.
        parser.add_argument("--method", help=" | ".join(METHODS))
        parser.add_argument("--counts", metavar="FILE.csv", help="columns series_id, week_index, count")
        parser.add_argument("--evaluate", metavar="FROM:TO", help="inclusive range of week indexes")
        for name in ALL_OPTIONS:
            parser.add_argument(f"--{name}", dest=_dest(name), metavar="VALUE")
        parser.add_argument("--json", action="store_true", help='print {"results": [...]} as JSON')

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request = build_request(
                options["method"],
                options["counts"],
                options["evaluate"],
                {name: options[_dest(name)] for name in ALL_OPTIONS},
            )
            series_ids, result = run_request(request)
        except RequestError as error:
            raise CommandError(str(error), returncode=2) from None
        rows = list(result.rows(series_ids))
        if options["json"]:
            self.stdout.write(json.dumps({"results": rows}))
            return
        self.stdout.write("series_id\tweek_index\tobserved\tupperbound\texpected\talarm")
        for row in rows:
            self.stdout.write("\t".join("NA" if value is None else str(value) for value in row.values()))


def _dest(name: str) -> str:
    return "opt_" + name.replace("-", "_")
