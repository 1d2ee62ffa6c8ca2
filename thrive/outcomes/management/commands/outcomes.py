"""`thrive outcomes reminders [--today YYYY-MM-DD]` and `thrive outcomes review-interval SERVICE_LINE DAYS`.

`reminders` tells each team's clinicians, once, about every review (and end assessment) that has fallen due:
run it daily (cron, or beside the task worker). Each reminder's idempotency key names its episode, measure,
timepoint and due date, so running it twice, or twice at once, sends nothing twice. `review-interval` sets a
service line's review interval (the defaults are in `thrive.outcomes.config` and docs/outcomes.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from thrive.core import audit
from thrive.outcomes import worklist
from thrive.outcomes.codes import ServiceLine
from thrive.outcomes.models import ReviewInterval


class Command(BaseCommand):
    help = "Outcome measures housekeeping: review reminders and review intervals."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        reminders = actions.add_parser("reminders", help="remind clinicians of reviews that have fallen due")
        reminders.add_argument("--today", default="", help="the day to check as, YYYY-MM-DD (default: today)")
        interval = actions.add_parser("review-interval", help="set a service line's review interval")
        interval.add_argument("service_line", choices=ServiceLine.values)
        interval.add_argument("days", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reminders":
            today = timezone.localdate()
            if options["today"]:
                try:
                    today = datetime.date.fromisoformat(options["today"])
                except ValueError:
                    raise CommandError("--today must be a date as YYYY-MM-DD", returncode=2) from None
            sent = worklist.send_review_reminders(today=today)
            self.stdout.write(f"{sent} reminder(s) queued")
            return
        days = options["days"]
        if not 7 <= days <= 730:
            raise CommandError("A review interval is from 7 to 730 days.", returncode=2)
        ReviewInterval.objects.update_or_create(
            service_line=options["service_line"], defaults={"days": days, "updated_at": timezone.now()}
        )
        audit.record(
            action=audit.Action.UPDATE,
            object_type="outcomes.reviewinterval",
            object_id=options["service_line"],
            summary=f"review interval set to {days} days",
        )
        self.stdout.write(f"{ServiceLine(options['service_line']).label}: reviews every {days} days")
