"""`thrive standins`: local SMTP, GOV.UK Notify and webhook stand-ins for the demo and the benchmarks.

Prints the settings that point Thrive at them, then logs each message they receive until stopped.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from thrive.core.testing.standins import NotifyStandin, SmtpStandin, WebhookReceiver


class Command(BaseCommand):
    help = "Run local stand-ins for SMTP, GOV.UK Notify and an agency webhook receiver on 127.0.0.1."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--smtp-port", type=int, default=2525)
        parser.add_argument("--notify-port", type=int, default=8026)
        parser.add_argument("--webhook-port", type=int, default=8027)
        parser.add_argument(
            "--webhook-secret",
            default="standin-webhook-secret",
            help="the secret the receiver checks signatures with (set it on the organisation)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd narrates each SMTP command
        lock = threading.Lock()

        def log(event: str, details: dict[str, Any]) -> None:
            with lock:
                self.stdout.write(f"{event} {json.dumps(details, sort_keys=True)}")
                self.stdout.flush()

        smtp = SmtpStandin(port=options["smtp_port"], listener=log).start()
        notify = NotifyStandin(port=options["notify_port"], listener=log).start()
        webhook = WebhookReceiver(
            options["webhook_secret"], port=options["webhook_port"], listener=log
        ).start()
        self.stdout.write(
            json.dumps(
                {
                    "THRIVE_EMAIL_URL": smtp.url,
                    "THRIVE_NOTIFY_BASE_URL": notify.url,
                    "THRIVE_NOTIFY_API_KEY": notify.api_key,
                    "webhook_url": f"{webhook.url}/thrive",
                    "webhook_secret": webhook.secret,
                    "received": {"notify": f"{notify.url}/received", "webhook": f"{webhook.url}/received"},
                },
                indent=2,
            )
        )
        self.stdout.flush()
        stopped = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            stopped.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        stopped.wait()
        for standin in (webhook, notify, smtp):
            standin.stop()
