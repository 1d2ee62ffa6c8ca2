"""`thrive demo-users --json`: each demonstration account's email, password, TOTP secret, role and organisation."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from thrive.accounts.demo import demo_accounts_json


class Command(BaseCommand):
    help = "List the demonstration accounts so a tester can sign in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print JSON (the only format)")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_accounts_json()
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['role']:<20} {row['email']:<42} {row['password']}  TOTP {row['totp_secret']}"
            )
