"""`thrive detect`: detection runs from the command line (CONTRACTS.md: `thrive detect --all` is the nightly
run).

thrive detect --all [--date 2026-11-23] [--json]   the nightly run, every detector, every region
thrive detect --incremental                         an incremental run now (no Poisson scan)
thrive detect --schedule                            queue the nightly run through the task framework
thrive detect --reproduce ALERT-00001               re-run an alert's detector on its run's snapshot
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.detection import runs, schedule
from thrive.detection.models import Alert, DetectionRun


class Command(BaseCommand):
    help = (
        "Run detection: the nightly run over every detector (--all), an incremental run, or a reproduction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--all", action="store_true", help="the nightly run: every detector, every region")
        what.add_argument("--incremental", action="store_true", help="an incremental run (no Poisson scan)")
        what.add_argument("--schedule", action="store_true", help="queue the nightly run (task framework)")
        what.add_argument("--reproduce", metavar="ALERT", help="re-run an alert's detector on its snapshot")
        parser.add_argument("--date", help="analysis date (default today), e.g. 2026-11-23")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reproduce"]:
            self._reproduce(options["reproduce"], as_json=options["json"])
            return
        if options["schedule"]:
            for region in runs.regions():
                due = schedule.ensure_nightly(region)
                self.stdout.write(
                    f"{region.name}: nightly run queued for {due:%Y-%m-%d %H:%M %Z}"
                    if due
                    else f"{region.name}: the task backend cannot defer; run `thrive detect --all` from cron"
                )
            return
        analysis_date = self._date(options["date"])
        if not runs.regions():
            raise CommandError("No region is loaded: run `thrive load-geography` first.")
        kind = DetectionRun.Kind.NIGHTLY if options["all"] else DetectionRun.Kind.INCREMENTAL
        reports = runs.run_all(kind=kind, analysis_date=analysis_date)
        for report in reports:
            if options["json"]:
                self.stdout.write(json.dumps(report.as_json(), default=str))
            else:
                run = report.run
                self.stdout.write(
                    f"{run.region.name}: {run.get_kind_display()} run {run.pk} for {run.analysis_date}, "
                    f"{run.case_count} cases, {run.seconds:.1f} s; raised {len(report.raised)} "
                    f"({', '.join(report.raised) or 'none'}), updated {len(report.updated)}"
                )
                for name, item in run.summary.items():
                    notes = "; ".join(item["notes"])
                    line = f"  {name}: {item['signals']} signal(s), {run.timings.get(name, 0):.2f} s"
                    self.stdout.write(line + (f" ({notes})" if notes else ""))
        if any(r.run.status == DetectionRun.Status.FAILED for r in reports):
            raise CommandError("A detector failed: see the run's summary.", returncode=1)

    def _date(self, text: str | None) -> dt.date | None:
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--date {text!r} is not a date like 2026-11-23") from None

    def _reproduce(self, reference: str, *, as_json: bool) -> None:
        alert = Alert.objects.select_related("run", "run__region").filter(reference=reference).first()
        if alert is None:
            raise CommandError(f"No alert {reference}")
        try:
            signals = runs.reproduce(alert)
        except ValueError as error:
            raise CommandError(str(error)) from None
        linked = set(alert.case_links.values_list("case_id", flat=True))
        found = [s for s in signals if s.kind == alert.kind and set(s.case_ids) & linked]
        same = [s for s in found if s.statistic == alert.statistic and s.observed == alert.observed]
        result = {
            "alert": alert.reference,
            "run": alert.run_id,
            "snapshot_digest": alert.snapshot_digest,
            "reproduced": bool(same),
            "statistic": alert.statistic,
            "reproduced_statistic": found[0].statistic if found else None,
        }
        if as_json:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(
                f"{alert.reference}: {'reproduced' if same else 'NOT reproduced'} from run {alert.run_id} "
                f"(statistic {alert.statistic}, re-run {result['reproduced_statistic']})"
            )
        if not same:
            raise CommandError(
                "The detector did not give the same result on the stored snapshot", returncode=1
            )
