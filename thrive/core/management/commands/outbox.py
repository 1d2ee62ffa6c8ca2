"""`thrive outbox deliver [--loop]`, `thrive outbox status [--json]`, `thrive outbox requeue --dead|UUID...`.

`deliver --loop` is the sweep that runs beside the task worker: it delivers anything due (new messages whose
task was lost, retries whose backoff has passed, claims whose worker died). Beside task workers give it
`--grace 5`: deliveries due for less than that are left to the tasks queued for them (a sweep taking a fresh
one would only race its task, and hold it in a batch behind others). Without --loop it delivers what is due
once and exits, for cron or a one-off catch-up.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from argparse import ArgumentParser
from datetime import timedelta
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from thrive.core.notification_models import Delivery
from thrive.core.notifications import outbox

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Deliver the notification outbox, report on it, or requeue dead letters."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        deliver = actions.add_parser("deliver", help="deliver what is due")
        deliver.add_argument("--loop", action="store_true", help="keep sweeping until stopped")
        deliver.add_argument("--interval", type=float, default=2.0, help="seconds between sweeps (default 2)")
        deliver.add_argument("--batch", type=int, default=outbox.BATCH, help="deliveries claimed at a time")
        deliver.add_argument(
            "--grace",
            type=float,
            default=0.0,
            help="leave deliveries due for less than this many seconds to the task workers, which are told "
            "of each new message as it commits (default 0; scripts/serve.sh gives 5)",
        )
        deliver.add_argument(
            "--lease",
            type=float,
            default=outbox.LEASE.total_seconds(),
            help="seconds a claim lasts before another worker may take it over",
        )
        status = actions.add_parser("status", help="counts by channel and status")
        status.add_argument("--json", action="store_true")
        requeue = actions.add_parser("requeue", help="give failed or dead deliveries fresh attempts")
        requeue.add_argument("uuids", nargs="*", help="delivery ids (uuid)")
        requeue.add_argument("--dead", action="store_true", help="every dead letter")
        requeue.add_argument("--reason", default="requeued from the console")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "deliver":
            self._deliver(options)
        elif action == "status":
            report = outbox.summary()
            if options["json"]:
                self.stdout.write(json.dumps(report, sort_keys=True))
            else:
                for channel, counts in sorted(report["deliveries"].items()):
                    self.stdout.write(
                        f"{channel}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                    )
                self.stdout.write(
                    f"in flight {report['in_flight']}; oldest due {report['oldest_due_seconds']} s"
                )
        else:
            if options["dead"] == bool(options["uuids"]):
                raise CommandError("Name delivery ids or give --dead (not both)")
            chosen = (
                Delivery.objects.filter(status=Delivery.Status.DEAD)
                if options["dead"]
                else Delivery.objects.filter(uuid__in=options["uuids"])
            )
            count = outbox.requeue(deliveries=chosen, reason=options["reason"])
            self.stdout.write(f"Requeued {count} deliveries")

    def _deliver(self, options: dict[str, Any]) -> None:
        lease = timedelta(seconds=options["lease"])
        grace = timedelta(seconds=options["grace"])
        worker = outbox.worker_name()
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        if options["loop"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            try:
                attempted = outbox.deliver_due(
                    batch=options["batch"], lease=lease, worker=worker, grace=grace
                )
            except DatabaseError:
                if not options["loop"]:
                    raise
                # The database is away or busy: what was claimed is re-delivered when its lease runs out.
                logger.exception("Outbox sweep failed; trying again")
                attempted = 0
            if attempted and options["verbosity"] > 1:
                self.stdout.write(f"attempted {attempted} deliveries")
            if not options["loop"] or stopping:
                return
            time.sleep(options["interval"])
            if stopping:
                return
            close_old_connections()  # a long-running loop must not hold on to a dropped database connection
