"""`thrive audit verify`: exit 0 when the hash chain is intact; otherwise non-zero and the first bad entry's id."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.core import audit


class Command(BaseCommand):
    help = "Verify the audit log's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain and report the first bad entry")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"Audit log broken at entry {result.first_bad_id}: {result.problem} "
                f"({result.checked} entries before it are intact).",
                returncode=1,
            )
        self.stdout.write(f"Audit log intact: {result.checked} entries verified.")
