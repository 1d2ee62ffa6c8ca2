"""`THRIVE_EMAIL_URL` → a Django email connection.

Forms: `console://`, `smtp://[user:password@]host[:port][?tls=true|ssl=true&timeout=20]`, `smtps://...`
(implicit TLS), `file:///directory`, `locmem://` and `dummy://` (tests). A bad value raises
ImproperlyConfigured naming the variable. `parse_email_url` imports nothing from Django's email machinery, so
settings can call it to fail fast; `EmailUrlBackend` lets all of Django's mail (password resets too) follow
the same URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
DEFAULT_TIMEOUT = 20


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    options: dict[str, Any] = field(default_factory=dict)


def _flag(query: dict[str, list[str]], name: str, url: str) -> bool:
    raw = query.get(name, ["false"])[-1].lower()
    if raw not in TRUE | FALSE:
        raise ImproperlyConfigured(f"THRIVE_EMAIL_URL: {name} must be true or false in {url!r}")
    return raw in TRUE


def parse_email_url(url: str) -> EmailConfig:
    if not url:
        raise ImproperlyConfigured(
            "THRIVE_EMAIL_URL is not set (for example smtp://mail.example.org:587?tls=true)"
        )
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ImproperlyConfigured(
            f"THRIVE_EMAIL_URL: unknown scheme {scheme!r}; use one of {', '.join(BACKENDS)}"
        )
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("THRIVE_EMAIL_URL: file:// needs a directory, as in file:///var/mail")
        return EmailConfig(BACKENDS[scheme], {"file_path": unquote(parts.path)})
    if scheme not in ("smtp", "smtps"):
        return EmailConfig(BACKENDS[scheme])
    if not parts.hostname:
        raise ImproperlyConfigured(f"THRIVE_EMAIL_URL: {url!r} names no host")
    query = parse_qs(parts.query)
    unknown = set(query) - {"tls", "ssl", "timeout"}
    if unknown:
        raise ImproperlyConfigured(f"THRIVE_EMAIL_URL: unknown option(s) {', '.join(sorted(unknown))}")
    use_ssl = scheme == "smtps" or _flag(query, "ssl", url)
    use_tls = _flag(query, "tls", url)
    if use_ssl and use_tls:
        raise ImproperlyConfigured("THRIVE_EMAIL_URL: choose tls (STARTTLS) or ssl (implicit TLS), not both")
    try:
        port = parts.port or (465 if use_ssl else 25)
        timeout = int(query.get("timeout", [str(DEFAULT_TIMEOUT)])[-1])
    except ValueError as exc:
        raise ImproperlyConfigured(f"THRIVE_EMAIL_URL: bad port or timeout in {url!r}") from exc
    return EmailConfig(
        BACKENDS[scheme],
        {
            "host": parts.hostname,
            "port": port,
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": use_tls,
            "use_ssl": use_ssl,
            "timeout": timeout,
        },
    )


def email_connection(url: str | None = None, *, fail_silently: bool = False) -> Any:
    """A Django email connection for `url` (default: settings.EMAIL_URL)."""
    from django.conf import settings
    from django.core.mail import get_connection

    config = parse_email_url(settings.EMAIL_URL if url is None else url)
    return get_connection(config.backend, fail_silently=fail_silently, **config.options)


class EmailUrlBackend(BaseEmailBackend):
    """A Django EMAIL_BACKEND that sends through whatever THRIVE_EMAIL_URL names."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        self.connection = email_connection(fail_silently=fail_silently)

    def open(self) -> Any:
        return self.connection.open()

    def close(self) -> None:
        self.connection.close()

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        return int(self.connection.send_messages(email_messages) or 0)
