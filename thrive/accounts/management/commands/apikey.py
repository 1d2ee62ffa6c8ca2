"""`thrive apikey create --organisation SLUG --name NAME --scopes S1,S2 [--expires-days N]`: prints the key alone on
the last line; `thrive apikey revoke PREFIX`; `thrive apikey list --organisation SLUG`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thrive.accounts.apikeys import ApiKeyRefused, create_api_key, revoke_api_key
from thrive.accounts.models import ApiKey, Organisation


class Command(BaseCommand):
    help = "Create, list or revoke API keys for agency systems."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("--organisation", required=True, help="the organisation's slug")
        create.add_argument("--name", required=True)
        create.add_argument("--scopes", required=True, help="comma-separated, e.g. cases:read,cases:write")
        create.add_argument("--expires-days", type=int, default=365)
        listing = sub.add_parser("list", help="list an organisation's keys")
        listing.add_argument("--organisation", required=True)
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            key = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if key is None:
                raise CommandError(f"No API key has the prefix {options['prefix']!r}.", returncode=2)
            revoke_api_key(key=key, by=None)
            self.stdout.write(f"Revoked {key}")
            return
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {options['organisation']!r}.", returncode=2)
        if action == "list":
            for key in ApiKey.objects.filter(organisation=organisation):
                state = "revoked" if key.revoked_at else ("expired" if not key.is_usable() else "active")
                self.stdout.write(f"{key.prefix}\t{key.name}\t{','.join(key.scopes)}\t{state}")
            return
        scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
        try:
            key, raw = create_api_key(
                organisation=organisation,
                name=options["name"],
                scopes=scopes,
                expires_days=options["expires_days"],
            )
        except ApiKeyRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from refusal
        self.stdout.write(
            f"API key '{key.name}' for {organisation.name}, scopes {', '.join(key.scopes)}, "
            f"expires {key.expires_at:%Y-%m-%d}. Shown once:"
            if key.expires_at
            else "Shown once:"
        )
        self.stdout.write(raw)
