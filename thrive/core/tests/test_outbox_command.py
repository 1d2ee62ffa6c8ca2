"""`thrive outbox` as an operator uses it: the plain status report, requeuing named deliveries, refusing an
ambiguous requeue, and the delivery loop riding out a database outage and stopping cleanly on SIGTERM."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from thrive.accounts.models import User
from thrive.core import notifications
from thrive.core.management.commands import outbox as command
from thrive.core.models import Delivery, Notification, OutboxMessage
from thrive.core.notifications import outbox

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def send(to: Any, key: str) -> OutboxMessage:
    return notifications.send(
        to=to,
        kind="referral.new",
        payload={"reference": "R-0001", "link": "/staff/referrals/1/"},
        idempotency_key=key,
    )


def run(*args: str, verbosity: int = 1) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


@pytest.fixture
def worker() -> User:
    return User.objects.create_user("worker@example.org", "a long enough password", full_name="Worker")


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """`deliver --loop` installs its own SIGTERM and SIGINT handlers: put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_status_in_plain_text_lists_each_channel(worker: User) -> None:
    send(notifications.to_user(worker, email=False), "in-app")
    run("deliver")
    send(notifications.to_email("duty@example.org"), "email")
    lines = run("status").splitlines()
    assert lines[:2] == ["email: pending 1", "in_app: sent 1"]
    assert lines[2].startswith("in flight 0; oldest due ") and lines[2].endswith(" s")


def test_deliver_reports_what_it_attempted_only_when_asked(worker: User) -> None:
    send(notifications.to_user(worker, email=False), "first")
    assert run("deliver") == ""
    assert Notification.objects.filter(user=worker).count() == 1
    send(notifications.to_user(worker, email=False), "second")
    assert run("deliver", verbosity=2) == "attempted 1 deliveries\n"
    assert run("deliver", verbosity=2) == "", "nothing left to attempt"
    assert Notification.objects.filter(user=worker).count() == 2


@pytest.mark.parametrize("args", [(), ("--dead", "00000000-0000-0000-0000-000000000000")])
def test_requeue_needs_either_ids_or_dead_but_not_both(args: tuple[str, ...]) -> None:
    send(notifications.to_email("a@example.org"), "dead")
    Delivery.objects.update(status=Status.DEAD, attempts=8)
    with pytest.raises(CommandError, match=r"Name delivery ids or give --dead \(not both\)"):
        run("requeue", *args)
    assert Delivery.objects.get().status == Status.DEAD


def test_requeue_by_id_touches_only_the_named_deliveries() -> None:
    send(notifications.to_email("a@example.org"), "a")
    send(notifications.to_email("b@example.org"), "b")
    Delivery.objects.update(status=Status.DEAD, attempts=8, last_error="HTTP 500")
    chosen, other = Delivery.objects.order_by("pk")
    assert run("requeue", str(chosen.uuid), "--reason", "address fixed") == "Requeued 1 deliveries\n"
    chosen.refresh_from_db()
    other.refresh_from_db()
    assert (chosen.status, chosen.attempts) == (Status.PENDING, 0)
    assert (other.status, other.attempts) == (Status.DEAD, 8)


def test_a_single_sweep_does_not_hide_a_database_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**kwargs: Any) -> int:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(outbox, "deliver_due", broken)
    with pytest.raises(DatabaseError, match="database is locked"):
        run("deliver")


def test_the_loop_rides_out_a_database_error_and_stops_on_sigterm(
    worker: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, signal_handlers: None
) -> None:
    send(notifications.to_user(worker, email=False), "looped")
    real_deliver_due = outbox.deliver_due
    calls: list[str] = []

    def flaky(**kwargs: Any) -> int:
        calls.append("sweep")
        if len(calls) == 1:
            raise DatabaseError("server closed the connection unexpectedly")
        return real_deliver_due(**kwargs)

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # an operator stops the worker while it waits

    refreshed: list[bool] = []
    monkeypatch.setattr(outbox, "deliver_due", flaky)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=sleep))
    monkeypatch.setattr(command, "close_old_connections", lambda: refreshed.append(True))
    with caplog.at_level(logging.ERROR, logger=command.logger.name):
        out = run("deliver", "--loop", "--interval", "0.5", verbosity=2)
    assert calls == ["sweep", "sweep"], "after SIGTERM the loop ends without another sweep"
    assert sleeps == [0.5, 0.5] and refreshed == [True]
    assert "Outbox sweep failed; trying again" in caplog.text
    assert out == "attempted 1 deliveries\n"
    assert Notification.objects.filter(user=worker).count() == 1


def test_the_loop_finishes_its_sweep_when_stopped_during_one(
    worker: User, monkeypatch: pytest.MonkeyPatch, signal_handlers: None
) -> None:
    send(notifications.to_user(worker, email=False), "stopped")
    real_deliver_due = outbox.deliver_due

    def stopped_mid_sweep(**kwargs: Any) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        return real_deliver_due(**kwargs)

    monkeypatch.setattr(outbox, "deliver_due", stopped_mid_sweep)
    monkeypatch.setattr(command, "time", SimpleNamespace(sleep=lambda seconds: pytest.fail("slept")))
    run("deliver", "--loop")
    assert Delivery.objects.get().status == Status.SENT
