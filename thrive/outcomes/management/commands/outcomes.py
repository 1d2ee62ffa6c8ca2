"""`thrive outcomes reminders [--today YYYY-MM-DD]`, `thrive outcomes review-interval SERVICE_LINE DAYS` and
`thrive outcomes refresh-summaries [--measure KEY]`.

`reminders` tells each team's clinicians, once, about every review (and end assessment) that has fallen due:
run it daily (cron, or beside the task worker). Each reminder's idempotency key names its episode, measure,
timepoint and due date, so running it twice, or twice at once, sends nothing twice. `review-interval` sets a
service line's review interval (the defaults are in `thrive.outcomes.config` and docs/outcomes.md).
`refresh-summaries` recomputes the episode summaries the dashboards count (`EpisodeOutcome`) under the change
methods now configured: run it after changing `OUTCOMES_RELIABLE_CHANGE` or `OUTCOMES_CHANGE_METHODS`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from thrive.core import audit
from thrive.outcomes import summary, worklist
from thrive.outcomes.codes import ServiceLine, Status
from thrive.outcomes.measures import keys as measure_keys
from thrive.outcomes.models import Assessment, Episode, ReviewInterval


class Command(BaseCommand):
    help = "Outcome measures housekeeping: review reminders, review intervals and episode summaries."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        reminders = actions.add_parser("reminders", help="remind clinicians of reviews that have fallen due")
        reminders.add_argument("--today", default="", help="the day to check as, YYYY-MM-DD (default: today)")
        interval = actions.add_parser("review-interval", help="set a service line's review interval")
        interval.add_argument("service_line", choices=ServiceLine.values)
        interval.add_argument("days", type=int)
        refresh = actions.add_parser(
            "refresh-summaries", help="recompute episode summaries under the change methods now configured"
        )
        refresh.add_argument("--measure", choices=measure_keys(), help="only this measure (default: all)")

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
        if options["action"] == "refresh-summaries":
            self._refresh_summaries(options["measure"])
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

    def _refresh_summaries(self, measure: str | None) -> None:
        completed = Assessment.objects.filter(status=Status.COMPLETED)
        if measure:
            completed = completed.filter(measure=measure)
        pairs = completed.values_list("episode_id", "measure").distinct().order_by("episode_id", "measure")
        episodes = Episode.objects.select_related("patient__borough", "team__borough")
        refreshed, current = 0, None
        for episode_id, key in pairs.iterator(chunk_size=2000):
            if current is None or current.pk != episode_id:
                current = episodes.get(pk=episode_id)
            summary.refresh(current, key)
            refreshed += 1
        audit.record(
            action=audit.Action.UPDATE,
            object_type="outcomes.episodeoutcome",
            object_id=measure or "all",
            summary=f"{refreshed} episode summaries recomputed under the configured change methods",
        )
        self.stdout.write(f"{refreshed} episode summar{'y' if refreshed == 1 else 'ies'} recomputed")
