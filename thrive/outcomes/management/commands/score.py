"""`thrive score MEASURE --json`: score one completed measure read as JSON on standard input."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.outcomes import measures


class Command(BaseCommand):
    help = (
        "Score a completed outcome measure. Standard input holds the answers as JSON, item number to answer: "
        '{"1": 5, "2": 4, ...}; DIALOG help requests as "help": [3, 7]; HoNOS 9 = not known.'
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("measure", help=f"one of {', '.join(measures.keys())}")
        parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin: TextIO = options.get("stdin") or sys.stdin
        try:
            measure = measures.get(options["measure"])
        except measures.UnknownMeasureError as error:
            raise CommandError(str(error), returncode=2) from None
        try:
            answers = json.loads(stdin.read())
        except json.JSONDecodeError as error:
            raise CommandError(f"Standard input is not valid JSON: {error}", returncode=2) from None
        if not isinstance(answers, dict):
            raise CommandError(
                'Standard input must be one JSON object of item number to answer, such as {"1": 5, "2": 4}.',
                returncode=2,
            )
        try:
            scores = measure.score(answers)
        except measures.MeasureValidationError as error:
            raise CommandError(str(error), returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(scores))
        else:
            for name, value in scores.items():
                self.stdout.write(f"{name}: {value}")
