"""`thrive referrals escalate [--loop] [--interval S] [--now ISO]`: escalate referrals past their
first-contact target.

Run it every few minutes (cron, or `--loop` beside the task worker). Each overdue referral is escalated once,
to the service's managers and the area's surveillance leads, so running it often or twice at once is safe.
`--now` rehearses a moment other than the present (an operator checking what tomorrow would escalate; tests).
"""

from __future__ import annotations

import datetime
import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from thrive.referrals import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Bereavement referral housekeeping: escalate missed first-contact targets."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        escalate = actions.add_parser("escalate", help="escalate referrals past their first-contact target")
        escalate.add_argument("--loop", action="store_true", help="keep checking until stopped")
        escalate.add_argument(
            "--interval", type=float, default=300.0, help="seconds between checks (default 300)"
        )
        escalate.add_argument("--now", default="", help="the moment to check as, ISO 8601 (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = self._moment(options["now"])
        stopping = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.set()

        if options["loop"]:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            try:
                escalated = services.escalate_overdue(now=now)
            except DatabaseError:
                if not options["loop"]:
                    raise
                logger.exception("Escalation check failed; trying again at the next interval")
                escalated = []
            if escalated or not options["loop"]:
                names = ", ".join(r.reference for r in escalated)
                self.stdout.write(f"Escalated {len(escalated)} referral(s){': ' + names if names else ''}")
            # Waiting on the event, not sleeping: a stop signal ends the wait at once (a sleep would run on).
            if not options["loop"] or stopping.wait(options["interval"]):
                return
            close_old_connections()  # a long-running process must not keep a dead or stale connection

    def _moment(self, text: str) -> datetime.datetime | None:
        if not text:
            return None
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--now: '{text}' is not an ISO 8601 date and time") from exc
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
