"""`thrive rotate-keys`: rewrap every data key under the current master key.

To rotate: generate a key (`thrive rotate-keys --new-key`), put it first in THRIVE_ENCRYPTION_KEYS keeping the
old ones after it, restart, run `thrive rotate-keys`, then remove the keys it reports as no longer in use.
Only data keys are rewrapped; encrypted values are not touched (see docs/adr/0003-envelope-encryption.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.core.crypto import keys
from thrive.core.crypto.services import master_key_usage, rotate_keys


class Command(BaseCommand):
    help = "Rewrap every data key under the current (first) master key of THRIVE_ENCRYPTION_KEYS. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="data keys per transaction")
        parser.add_argument("--dry-run", action="store_true", help="report what would be rewrapped and stop")
        parser.add_argument("--new-key", action="store_true", help="print a new random master key and stop")

    def handle(self, *args: Any, batch_size: int, dry_run: bool, new_key: bool, **options: Any) -> None:
        if new_key:
            self.stdout.write(keys.generate_master_key())
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            current = keys.current_master_key()
            configured = [key.key_id for key in keys.master_keys()]
        except keys.MasterKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Current master key: {current.key_id} (configured: {', '.join(configured)})")
        before = master_key_usage()
        pending = sum(n for key_id, n in before.items() if key_id != current.key_id)
        self.stdout.write(f"{pending} data key(s) to rewrap; by master key now: {self._usage(before)}")
        if dry_run:
            return
        try:
            result = rotate_keys(batch_size=batch_size, progress=self._progress)
        except keys.CryptoError as exc:
            raise CommandError(
                f"Rotation stopped (run it again once fixed; finished batches stay done): {exc}"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Rewrapped {result.rewrapped} data key(s) under master key {result.current_key_id}."
            )
        )
        self.stdout.write(f"Live data keys by master key: {self._usage(result.in_use)}")
        retired = [
            key_id for key_id in configured if key_id not in result.in_use and key_id != current.key_id
        ]
        if retired:
            self.stdout.write(
                f"No longer needed, may be removed from THRIVE_ENCRYPTION_KEYS: {', '.join(retired)}"
            )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"  rewrapped {done} of {total}")

    @staticmethod
    def _usage(usage: dict[str, int]) -> str:
        return ", ".join(f"{key_id}: {n}" for key_id, n in usage.items()) or "none"
