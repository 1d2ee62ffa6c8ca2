"""A worker killed after it claims a message and before it records delivery: the message is delivered again
and the receiver sees it once. Real worker processes (`thrive outbox deliver --loop`) share a scratch database
with this test: a SQLite file or a PostgreSQL database, whichever the suite runs on, so both are covered.

The kill is real (SIGKILL). The stand-in receiver is told to hold its answer, so the worker is caught
mid-request: the receiver has acted on the message, the worker has not recorded it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import IO, Any
from urllib.parse import quote

import pytest
from django.db import connection

from thrive.core.testing.standins import WebhookReceiver

SECRET = "crash-test-secret"
LEASE_SECONDS = "2"
SEND = """
import json
from django.db import transaction
from thrive.core import notifications
p = json.loads({params!r})
with transaction.atomic():
    for n in range(p["count"]):
        notifications.send(to=notifications.to_webhook(p["url"], p["secret"]), kind="referral.new",
                           payload={{"reference": f"{{p['prefix']}}-{{n}}", "link": "/staff/referrals/1/"}},
                           idempotency_key=f"{{p['prefix']}}-{{n}}")
"""
# Only what the outbox needs (core and its dependencies, the task queue): quicker than every app's migrations.
MIGRATE = """
from django.core.management import call_command
call_command("migrate", "core", verbosity=0)
call_command("migrate", "django_tasks_database", verbosity=0)
"""
STATE = """
SELECT d.uuid, d.status, d.attempts, d.claimed_until IS NOT NULL FROM core_delivery d
JOIN core_outboxmessage m ON m.id = d.message_id WHERE m.idempotency_key LIKE %s ORDER BY d.id
"""


def _environment(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "THRIVE_TESTING": "1"}


def _thrive(database_url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "thrive.manage", *args],
        env=_environment(database_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of the suite's kind that other processes can open, as a DATABASE_URL."""
    if connection.vendor != "postgresql":
        url = f"sqlite:///{tmp_path_factory.mktemp('outbox') / 'outbox.sqlite3'}"
        _thrive(url, "shell", "-c", MIGRATE)
        yield url
        return
    import psycopg

    given = connection.settings_dict
    name = f"thrive_outbox_crash_{os.getpid()}"
    params = {
        "host": given["HOST"] or "127.0.0.1",
        "port": given["PORT"] or 5432,
        "user": given["USER"],
        "password": given["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(given["USER"]) + (f":{quote(given['PASSWORD'])}" if given["PASSWORD"] else "")
    url = f"postgres://{credentials}@{params['host']}:{params['port']}/{name}"
    try:
        _thrive(url, "shell", "-c", MIGRATE)
        yield url
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _send(database_url: str, receiver: WebhookReceiver, prefix: str, count: int) -> None:
    params = json.dumps({"url": f"{receiver.url}/thrive", "secret": SECRET, "prefix": prefix, "count": count})
    _thrive(database_url, "shell", "-c", SEND.format(params=params))


def _deliveries(database_url: str, prefix: str) -> list[dict[str, Any]]:
    """Read the scratch database directly (quicker than starting Django in another process)."""
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            rows = db.execute(STATE.replace("%s", "?"), (f"{prefix}-%",)).fetchall()
    else:
        import psycopg

        with psycopg.connect(database_url) as db:
            rows = db.execute(STATE, (f"{prefix}-%",)).fetchall()
    return [
        {"uuid": str(uuid.UUID(str(key))), "status": status, "attempts": attempts, "claimed": bool(claimed)}
        for key, status, attempts, claimed in rows
    ]


def _worker(database_url: str, log: IO[bytes], *options: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "thrive.manage", "outbox", "deliver", "--lease", LEASE_SECONDS, *options]
    return subprocess.Popen(command, env=_environment(database_url), stdout=subprocess.DEVNULL, stderr=log)


def _settle(database_url: str, prefix: str, deadline: float) -> list[dict[str, Any]]:
    while True:
        rows = _deliveries(database_url, prefix)
        if all(row["status"] == "sent" for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def test_killed_worker_message_is_delivered_again_and_seen_once(scratch: str) -> None:
    with WebhookReceiver(SECRET) as receiver, tempfile.TemporaryFile() as log:
        _send(scratch, receiver, "crash", 1)
        receiver.hold()
        first = _worker(scratch, log, "--loop", "--interval", "0.2")
        try:
            arrived = receiver.wait_for(1, timeout=120)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert arrived, "the first worker never sent the message"
        (claimed,) = _deliveries(scratch, "crash")
        assert claimed["status"] == "pending" and claimed["attempts"] == 1 and claimed["claimed"]
        receiver.release()

        second = _worker(scratch, log, "--loop", "--interval", "0.2")
        try:
            assert receiver.wait_for(2, timeout=120), "the message was not delivered again"
            (delivered,) = _settle(scratch, "crash", time.monotonic() + 120)
        finally:
            second.terminate()
            second.wait(timeout=60)
        log.seek(0)
        problems = log.read().decode(errors="replace")

    assert delivered["status"] == "sent" and delivered["attempts"] == 2, problems
    assert len(receiver.received) == 2
    assert all(r.signature_valid and r.idempotency_key == claimed["uuid"] for r in receiver.received)
    assert list(receiver.seen) == [claimed["uuid"]]


def test_two_workers_deliver_every_message_once(scratch: str) -> None:
    with WebhookReceiver(SECRET) as receiver, tempfile.TemporaryFile() as log:
        _send(scratch, receiver, "many", 30)
        workers = [_worker(scratch, log, "--batch", "3") for _ in range(2)]
        codes = [worker.wait(timeout=300) for worker in workers]
        log.seek(0)
        problems = log.read().decode(errors="replace")
    assert codes == [0, 0], problems
    rows = _deliveries(scratch, "many")
    assert len(rows) == 30 and all(row["status"] == "sent" and row["attempts"] == 1 for row in rows)
    assert len(receiver.received) == 30 and len(receiver.seen) == 30
