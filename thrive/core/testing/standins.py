"""Local stand-ins for the services Thrive talks to: an SMTP server, GOV.UK Notify and an agency's webhook
receiver.

Each runs in a thread on 127.0.0.1 (port 0 picks a free port), so tests, the demo and the benchmarks exercise
the real client code (Django's SMTP backend, the official Notify client, `requests`) with only the far end
local. `thrive standins` runs all three from the console.

The webhook receiver behaves as receivers should: it checks the signature and its timestamp, and it acts on
each Idempotency-Key once, answering a repeat with 200 (`received` lists every request, `seen` each key once).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

from thrive.core.notifications import signing

Listener = Callable[[str, dict[str, Any]], None]
LOOPBACK = "127.0.0.1"


class _HTTPStandin:
    """A threaded HTTP server whose requests are answered by the subclass's `handle(method, path, headers,
    body) -> (status, json document)`."""

    def __init__(self, *, host: str = LOOPBACK, port: int = 0, listener: Listener | None = None) -> None:
        self.host, self.port = host, port
        self.listener = listener
        self.lock = threading.Condition()
        self._failures: list[int] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _respond(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, document = standin.handle(self.command, self.path, self.headers, body)
                data = json.dumps(document).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the sender has gone (or was killed)
                    self.close_connection = True

            do_GET = do_POST = _respond

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                return None

        server = ThreadingHTTPServer((self.host, self.port), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """Answer the next `count` requests with `status` (an outage, a rate limit, a bad request)."""
        with self.lock:
            self._failures.extend([status] * count)

    def _take_failure(self) -> int | None:
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def _notify(self, event: str, details: dict[str, Any]) -> None:
        if self.listener is not None:
            self.listener(event, details)

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any]:
        raise NotImplementedError


@dataclass
class WebhookRequest:
    idempotency_key: str
    signature_valid: bool
    document: dict[str, Any]
    headers: dict[str, str]
    received_at: float = field(default_factory=time.time)


class WebhookReceiver(_HTTPStandin):
    """An agency system receiving Thrive's signed webhooks, de-duplicating by Idempotency-Key."""

    def __init__(self, secret: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.secret = secret
        self.received: list[WebhookRequest] = []
        self.seen: dict[str, WebhookRequest] = {}
        self._released = threading.Event()
        self._released.set()

    def hold(self) -> None:
        """Accept requests but do not answer until `release()`: the sender is left waiting mid-request."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def stop(self) -> None:
        self.release()
        super().stop()

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        """Wait until `count` requests have arrived (repeats included)."""
        with self.lock:
            return self.lock.wait_for(lambda: len(self.received) >= count, timeout)

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any]:
        if method == "GET":
            with self.lock:
                return 200, [
                    {
                        "idempotency_key": r.idempotency_key,
                        "received_at": r.received_at,
                        "document": r.document,
                    }
                    for r in self.seen.values()
                ]
        key = headers.get("Idempotency-Key", "")
        valid = bool(self.secret) and signing.verify(
            self.secret, headers.get(signing.SIGNATURE_HEADER, ""), body
        )
        try:
            document = json.loads(body)
        except ValueError:
            return 400, {"error": "the body is not JSON"}
        request = WebhookRequest(key, valid, document, dict(headers.items()))
        failure = self._take_failure()
        with self.lock:
            self.received.append(request)
            duplicate = key in self.seen
            if failure is None and valid and key and not duplicate:
                self.seen[key] = request
            self.lock.notify_all()
        self._notify(
            "webhook",
            {
                "idempotency_key": key,
                "kind": document.get("kind"),
                "duplicate": duplicate,
                "signature_valid": valid,
            },
        )
        self._released.wait()
        if failure is not None:
            return failure, {"error": "stand-in failure"}
        if not valid:
            return 401, {"error": "bad signature"}
        if not key:
            return 400, {"error": "Idempotency-Key is required"}
        return 200, {"duplicate": duplicate}


class NotifyStandin(_HTTPStandin):
    """The part of the GOV.UK Notify API Thrive uses (POST /v2/notifications/email), checking the client's
    JWT."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.api_key = f"thrive_standin-{self.service_id}-{self.secret}"
        self.emails: list[dict[str, Any]] = []

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any]:
        if method == "GET" and path == "/received":
            with self.lock:
                return 200, list(self.emails)
        if method != "POST" or path != "/v2/notifications/email":
            return 404, _notify_error(404, "ResourceNotFound", "Not found")
        token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        try:
            if get_token_issuer(token) != self.service_id:
                return 403, _notify_error(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, self.secret)
        except TokenError as exc:
            return 403, _notify_error(403, "AuthError", exc.message)
        failure = self._take_failure()
        if failure is not None:
            return failure, _notify_error(failure, "StandinError", "stand-in failure")
        try:
            request = json.loads(body)
        except ValueError:
            return 400, _notify_error(400, "ValidationError", "The body is not JSON")
        missing = [name for name in ("email_address", "template_id") if not request.get(name)]
        if missing or "@" not in str(request.get("email_address", "")):
            return 400, _notify_error(
                400, "ValidationError", f"{(missing or ['email_address'])[0]} is invalid"
            )
        notification_id = str(uuid.uuid4())
        personalisation = request.get("personalisation") or {}
        record = {
            "id": notification_id,
            "email_address": request["email_address"],
            "template_id": request["template_id"],
            "personalisation": personalisation,
            "reference": request.get("reference"),
        }
        with self.lock:
            self.emails.append(record)
            self.lock.notify_all()
        self._notify("notify", {"id": notification_id, "reference": record["reference"]})
        return 201, {
            "id": notification_id,
            "reference": record["reference"],
            "content": {
                "subject": personalisation.get("subject", ""),
                "body": personalisation.get("body", ""),
                "from_email": "thrive@notifications.service.gov.uk",
            },
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {
                "id": request["template_id"],
                "version": 1,
                "uri": f"{self.url}/v2/template/{request['template_id']}",
            },
        }


def _notify_error(status: int, error: str, message: str) -> dict[str, Any]:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Asked for port 0: learn which one the system chose before aiosmtpd connects to check it is up.
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpStandin:
    """An aiosmtpd SMTP server keeping what it receives (`messages`, parsed, with `envelopes` of
    recipients)."""

    def __init__(self, *, host: str = LOOPBACK, port: int = 0, listener: Listener | None = None) -> None:
        self.listener = listener
        self.messages: list[EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.lock = threading.Condition()
        self._controller = _Controller(self, hostname=host, port=port)

    @property
    def url(self) -> str:
        return f"smtp://{self._controller.hostname}:{self._controller.port}"

    def start(self) -> SmtpStandin:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append(list(envelope.rcpt_tos))
            self.lock.notify_all()
        if self.listener is not None:
            self.listener("smtp", {"to": list(envelope.rcpt_tos), "subject": message["subject"]})
        return "250 Message accepted for delivery"
