"""The outbox: send() in the caller's transaction, recipients, kinds, claims, leases, retries, the inbox."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from thrive.accounts.models import Membership, Organisation, User
from thrive.accounts.permissions import OrganisationType
from thrive.core import notifications
from thrive.core.models import AuditEntry, Delivery, Notification, OutboxMessage
from thrive.core.notifications import outbox
from thrive.core.notifications.channels import email_text

pytestmark = pytest.mark.django_db
Status, Channel = Delivery.Status, Delivery.Channel
PAYLOAD = {"reference": "R-0001", "link": "/staff/referrals/1/"}


def make_org(slug: str = "example-bereavement", **fields: Any) -> Organisation:
    return Organisation.objects.create(
        name=f"{slug} (fictional)", slug=slug, type=OrganisationType.BEREAVEMENT_SERVICE, **fields
    )


def make_user(
    email: str, org: Organisation | None = None, role: str = "bereavement_worker", **fields: Any
) -> User:
    user = User.objects.create_user(email, "a long enough password", full_name=email.split("@")[0], **fields)
    if org is not None:
        Membership.objects.create(user=user, organisation=org, role=role)
    return user


def send_referral(to: Any, key: str = "referral.new:1", **payload: Any) -> OutboxMessage:
    return notifications.send(to=to, kind="referral.new", payload={**PAYLOAD, **payload}, idempotency_key=key)


# --- send(): the caller's transaction --------------------------------------------------------------


def test_send_commits_with_the_callers_transaction(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = send_referral(notifications.to_user(user))
    assert len(callbacks) == 1
    assert {d.channel for d in message.deliveries.all()} == {Channel.IN_APP, Channel.EMAIL}
    assert message.title == "New bereavement referral" and "R-0001" in message.body
    # An urgent kind: its quick channels first, then the rest (the email).
    quick, rest = DBTaskResult.objects.order_by("-priority", "enqueued_at")
    assert {quick.task_path, rest.task_path} == {"thrive.core.notifications.tasks.deliver_messages"}
    assert quick.args_kwargs == {"args": [[message.pk], ["in_app", "webhook"]], "kwargs": {}}
    assert rest.args_kwargs == {"args": [[message.pk]], "kwargs": {}}


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user("worker@example.org")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_referral(notifications.to_user(user))
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboxMessage.objects.exists() and not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_same_idempotency_key_is_a_no_op(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = send_referral(notifications.to_user(user))
        again = send_referral(notifications.to_user(user), reference="R-9999")
    assert again.pk == first.pk and "R-0001" in again.body
    assert OutboxMessage.objects.count() == 1 and Delivery.objects.count() == 2
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent writers (SQLite serialises them)"
)
def test_a_race_for_one_key_makes_one_message_and_leaves_the_loser_usable() -> None:
    """B inserts the key before A commits and blocks on the unique index; A commits; B gets A's message and
    its own transaction carries on."""
    results: dict[str, OutboxMessage] = {}
    a_has_sent = threading.Event()

    def first() -> None:
        with transaction.atomic():
            results["a"] = send_referral(notifications.to_email("a@example.org"), key="race")
            a_has_sent.set()
            deadline = time.monotonic() + 60
            with connection.cursor() as cursor:
                while time.monotonic() < deadline:  # wait until B is blocked on our uncommitted row
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                    if cursor.fetchone()[0]:
                        break
                    time.sleep(0.05)
        connection.close()

    def second() -> None:
        a_has_sent.wait(60)
        with transaction.atomic():
            results["b"] = send_referral(notifications.to_email("a@example.org"), key="race")
            results["b2"] = send_referral(notifications.to_email("a@example.org"), key="after the race")
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results["a"].pk == results["b"].pk
    assert OutboxMessage.objects.count() == 2 and Delivery.objects.count() == 2


def test_a_lost_enqueue_is_picked_up_by_the_sweep(django_capture_on_commit_callbacks: Any) -> None:
    """The process dies between commit and enqueue: the on-commit hook never runs; the sweep delivers."""
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        send_referral(notifications.to_user(user, email=False))
    assert not DBTaskResult.objects.exists()
    call_command("outbox", "deliver", stdout=StringIO())
    assert Notification.objects.get(user=user).title == "New bereavement referral"


def test_the_task_delivers_its_messages() -> None:
    from thrive.core.notifications.tasks import deliver_messages

    user = make_user("worker@example.org")
    message = send_referral(notifications.to_user(user, email=False))
    other = send_referral(notifications.to_user(user, email=False), key="other")
    assert deliver_messages.call([message.pk]) == 1
    assert Delivery.objects.get(message=message).status == Status.SENT
    assert Delivery.objects.get(message=other).status == Status.PENDING
    assert deliver_messages.call([message.pk]) == 0


def test_a_task_queued_before_the_upgrade_still_delivers() -> None:
    from thrive.core.notifications.tasks import deliver_message

    user = make_user("worker@example.org")
    message = send_referral(notifications.to_user(user, email=False))
    assert deliver_message.call(message.pk) == 1
    assert deliver_message.call(message.pk) == 0


def test_urgent_kinds_go_first_on_the_notifications_queue(django_capture_on_commit_callbacks: Any) -> None:
    """A new referral's delivery is queued ahead of the rest, on the queue its own worker serves."""
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        routine = notifications.send(
            to=notifications.to_user(user), kind="case.created", payload=PAYLOAD, idempotency_key="routine"
        )
        urgent = send_referral(notifications.to_user(user))
    tasks = list(DBTaskResult.objects.all())
    assert {task.queue_name for task in tasks} == {"notifications"}
    # One transaction's messages share two tasks: the urgent ones' quick channels first, then all the rest.
    first, rest = sorted(tasks, key=lambda task: -task.priority)
    assert first.priority > rest.priority
    assert first.args_kwargs["args"] == [[urgent.pk], ["in_app", "webhook"]]
    assert rest.args_kwargs["args"] == [[routine.pk, urgent.pk]]


def test_a_transactions_messages_are_delivered_quick_channels_first(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The shared task sends every in-app message before any email, so a slow mail server holds up no
    notification of the batch."""
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for key in ("first", "second"):
            notifications.send(
                to=notifications.to_user(user), kind="case.created", payload=PAYLOAD, idempotency_key=key
            )
    [task] = DBTaskResult.objects.all()
    claimed = outbox.claim(worker="w", message_ids=task.args_kwargs["args"][0])
    assert [d.channel for d in claimed] == [Channel.IN_APP, Channel.IN_APP, Channel.EMAIL, Channel.EMAIL]


def test_a_rolled_back_savepoint_leaves_later_messages_queued(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with contextlib.suppress(RuntimeError), transaction.atomic():
            send_referral(notifications.to_user(user), key="lost")
            raise RuntimeError("the change failed")
        kept = send_referral(notifications.to_user(user), key="kept")
    assert sorted(task.args_kwargs["args"][0] for task in DBTaskResult.objects.all()) == [
        [kept.pk],
        [kept.pk],
    ]


def test_a_messages_quick_channels_are_sent_before_email() -> None:
    org = make_org(
        duty_email="duty@example.org", webhook_url="https://agency.example.org/hook", webhook_secret="s"
    )
    make_user("worker@example.org", org)
    message = send_referral(notifications.to_organisation(org, roles=["bereavement_worker"]))
    channels = list(message.deliveries.order_by("id").values_list("channel", flat=True))
    assert channels == [Channel.IN_APP, Channel.WEBHOOK, Channel.EMAIL]


def test_the_sweep_leaves_fresh_deliveries_to_their_task(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user("worker@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        send_referral(notifications.to_user(user, email=False))
    call_command("outbox", "deliver", "--grace", "5", stdout=StringIO())
    assert Delivery.objects.get().status == Status.PENDING
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=6))
    call_command("outbox", "deliver", "--grace", "5", stdout=StringIO())
    assert Delivery.objects.get().status == Status.SENT


# --- recipients ------------------------------------------------------------------------------------


def test_organisation_fans_out_to_role_holders_duty_email_and_webhook() -> None:
    org = make_org(
        duty_email="duty@example.org", webhook_url="https://agency.example.org/hook", webhook_secret="s"
    )
    worker = make_user("worker@example.org", org)
    make_user("manager@example.org", org, role="service_manager")
    make_user("gone@example.org", org, is_active=False)
    other = make_org("example-elsewhere")
    make_user("elsewhere@example.org", other)
    message = send_referral(notifications.to_organisation(org, roles=["bereavement_worker"]))
    got = {(d.channel, d.user_id, d.address, d.organisation_id) for d in message.deliveries.all()}
    assert got == {
        (Channel.IN_APP, worker.pk, "", org.pk),
        (Channel.EMAIL, None, "duty@example.org", org.pk),
        (Channel.WEBHOOK, None, "https://agency.example.org/hook", org.pk),
    }
    assert message.recipient == "organisation example-bereavement (bereavement_worker)"


def test_recipients_combine_without_duplicates() -> None:
    org = make_org(duty_email="duty@example.org")
    worker = make_user("worker@example.org", org)
    message = send_referral(
        [
            notifications.to_organisation(org, roles=["bereavement_worker"], email=False),
            notifications.to_user(worker),
            notifications.to_email("DUTY@example.org"),
            notifications.to_email("duty@example.org"),
        ]
    )
    assert sorted((d.channel, d.address) for d in message.deliveries.all()) == [
        (Channel.EMAIL, "DUTY@example.org"),
        (Channel.EMAIL, "worker@example.org"),
        (Channel.IN_APP, ""),
    ]


def test_inactive_user_and_bad_recipients() -> None:
    gone = make_user("gone@example.org", is_active=False)
    assert send_referral(notifications.to_user(gone)).deliveries.count() == 0
    assert send_referral([], key="nobody").deliveries.count() == 0
    with pytest.raises(TypeError):
        send_referral("someone@example.org", key="k2")
    with pytest.raises(TypeError):
        send_referral([None], key="k3")
    with pytest.raises(ValueError, match="signing secret"):
        notifications.to_webhook("https://agency.example.org/hook", "")


# --- kinds and payloads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "payload", "error"),
    [
        ("no.such.kind", PAYLOAD, "Unknown message kind"),
        ("referral.new", {"link": "/x/"}, "lacks reference"),
        ("referral.new", {**PAYLOAD, "deceased": {"full_name": "A Person"}}, "deceased.full_name"),
        ("referral.new", {**PAYLOAD, "contacts": [{"phone": "07700 900000"}]}, "contacts.0.phone"),
    ],
)
def test_send_refuses_unknown_kinds_missing_and_identifying_payloads(
    kind: str, payload: Any, error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        notifications.send(
            to=notifications.to_email("a@example.org"), kind=kind, payload=payload, idempotency_key="k"
        )
    assert not OutboxMessage.objects.exists()


def test_payload_must_be_json() -> None:
    with pytest.raises(TypeError):
        send_referral(notifications.to_email("a@example.org"), when=timezone.now())


def test_every_named_kind_is_registered_and_renders_without_identifiers() -> None:
    kinds = notifications.registered_kinds()
    assert {"case.created", "referral.new", "alert.raised", "referral.escalated", "assessment.link"} <= set(
        kinds
    )
    title, body, link = kinds["assessment.link"].render(
        {"url": "https://thrive.example.org/q/abc", "expires": "1 May"}
    )
    assert link == "https://thrive.example.org/q/abc" and "1 May" in body
    with pytest.raises(ValueError, match="already registered"):
        notifications.register_kind(notifications.Kind("referral.new", title="Other", body="Other"))


def test_email_goes_through_the_email_url_with_a_link_only(settings: Any) -> None:
    settings.EMAIL_URL = "locmem://"
    settings.NOTIFY_API_KEY = ""
    message = send_referral(notifications.to_email("duty@example.org"))
    outbox.deliver_due()
    (sent,) = mail.outbox
    delivery = message.deliveries.get()
    assert sent.to == ["duty@example.org"] and sent.subject == "New bereavement referral"
    assert sent.extra_headers["X-Thrive-Delivery"] == str(delivery.uuid)
    assert sent.body == email_text(message) and delivery.status == Status.SENT


def test_email_text_is_title_body_and_absolute_link(settings: Any) -> None:
    settings.SITE_URL = "https://thrive.example.org"
    message = send_referral(notifications.to_email("a@example.org"))
    text = email_text(message)
    assert text.startswith("New bereavement referral\n")
    assert "https://thrive.example.org/staff/referrals/1/" in text and "&amp;" not in text


# --- claims, leases, retries -----------------------------------------------------------------------


def test_in_app_delivery_is_exactly_once_even_after_a_lost_lease() -> None:
    user = make_user("worker@example.org")
    send_referral(notifications.to_user(user, email=False))
    now = timezone.now()
    first = outbox.claim(worker="a", now=now)
    assert len(first) == 1 and first[0].attempts == 1
    assert outbox.claim(worker="b", now=now) == []  # still leased
    later = now + outbox.LEASE + timedelta(seconds=1)
    second = outbox.claim(worker="b", now=later)
    assert [d.pk for d in second] == [first[0].pk] and second[0].attempts == 2
    outbox.deliver(first[0])  # worker a wakes up: it no longer holds the claim, so nothing is recorded
    assert not Notification.objects.exists()
    outbox.deliver(second[0])
    outbox.deliver(second[0])
    assert Notification.objects.filter(user=user).count() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Status.SENT and delivery.claimed_until is None and delivery.sent_at is not None


def test_claim_limits_and_message_filter() -> None:
    user = make_user("worker@example.org")
    one = send_referral(notifications.to_user(user), key="one")
    send_referral(notifications.to_user(user), key="two")
    assert len(outbox.claim(worker="w", limit=3)) == 3
    assert [d.message_id for d in outbox.claim(worker="w", message_ids=[one.pk])] == []
    assert len(outbox.claim(worker="w")) == 1


def test_delivery_stops_asking_once_a_batch_comes_back_short(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task delivering its message's three deliveries claims once: a second claim would find nothing."""
    user = make_user("worker@example.org")
    for key in ("one", "two", "three"):
        send_referral(notifications.to_user(user, email=False), key=key)
    claims: list[int] = []
    real_claim = outbox.claim

    def counted(**kwargs: Any) -> list[Delivery]:
        claimed = real_claim(**kwargs)
        claims.append(len(claimed))
        return claimed

    monkeypatch.setattr(outbox, "claim", counted)
    assert outbox.deliver_due(batch=2) == 3
    assert claims == [2, 1]
    assert Notification.objects.filter(user=user).count() == 3


def test_failures_back_off_then_dead_letter(settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.RELAXED = True
    send_referral(
        notifications.to_webhook("http://127.0.0.1:9/refused", "secret")
    )  # nothing listens on port 9
    assert outbox.deliver_due() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and delivery.attempts == 1
    assert "ConnectionError" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert outbox.deliver_due() == 0  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert outbox.deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.DEAD and delivery.attempts == 2


def test_a_delivery_whose_worker_died_on_its_last_attempt_is_dead(settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 1
    send_referral(notifications.to_email("a@example.org"))
    now = timezone.now()
    assert len(outbox.claim(worker="crashes", now=now)) == 1
    assert outbox.claim(worker="next", now=now + outbox.LEASE * 2) == []
    delivery = Delivery.objects.get()
    assert delivery.status == Status.DEAD and "lost" in delivery.last_error


def test_backoff_doubles_with_jitter_up_to_an_hour() -> None:
    for attempts, base in ((1, 30), (2, 60), (3, 120), (20, 3600)):
        seconds = outbox.backoff(attempts).total_seconds()
        assert base * 0.8 <= seconds <= base


def test_requeue_dead_letters_is_audited() -> None:
    send_referral(notifications.to_email("a@example.org"))
    Delivery.objects.update(status=Status.DEAD, attempts=8, last_error="HTTP 500")
    out = StringIO()
    call_command("outbox", "requeue", "--dead", "--reason", "receiver fixed", stdout=out)
    assert "Requeued 1" in out.getvalue()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.PENDING and delivery.attempts == 0
    assert AuditEntry.objects.filter(object_type="core.delivery", reason="receiver fixed").exists()


def test_status_command_reports_counts() -> None:
    user = make_user("worker@example.org")
    send_referral(notifications.to_user(user))
    outbox.deliver_due()
    out = StringIO()
    call_command("outbox", "status", "--json", stdout=out)
    assert '"in_app": {"sent": 1}' in out.getvalue()


# --- the inbox and the badge -----------------------------------------------------------------------


@pytest.fixture
def inbox_user(client_for: Callable[..., Client]) -> tuple[User, Client]:
    user = make_user("worker@example.org")
    for n in range(3):
        send_referral(notifications.to_user(user, email=False), key=f"k{n}", reference=f"R-{n}")
    send_referral(notifications.to_user(make_user("other@example.org"), email=False), key="other")
    outbox.deliver_due()
    return user, client_for(user)


def test_inbox_lists_only_my_notifications(
    inbox_user: tuple[User, Client], django_assert_max_num_queries: Any
) -> None:
    user, client = inbox_user
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications-inbox")).content.decode()
    assert page.count("New bereavement referral") == 3 and "R-2" in page
    assert "You have 3 unread notifications" in page


def test_inbox_query_count_does_not_grow_with_notifications(inbox_user: tuple[User, Client]) -> None:
    user, client = inbox_user
    client.get(reverse("notifications-inbox"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications-inbox"))
    for n in range(10):
        send_referral(notifications.to_user(user, email=False), key=f"more{n}")
    outbox.deliver_due()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications-inbox"))
    assert len(many) == len(few)


def test_mark_one_and_all_read(inbox_user: tuple[User, Client]) -> None:
    user, client = inbox_user
    first = Notification.objects.filter(user=user).last()
    assert first is not None
    response = client.post(reverse("notifications-inbox"), {"read": first.pk, "next": first.link})
    assert response.status_code == 302 and response["Location"] == "/staff/referrals/1/"
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 2
    response = client.post(
        reverse("notifications-inbox"), {"read": "all", "next": "https://evil.example.org/"}
    )
    assert response["Location"] == reverse("notifications-inbox")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.exclude(user=user).filter(read_at__isnull=True).count() == 1


def test_someone_elses_notification_cannot_be_marked(inbox_user: tuple[User, Client]) -> None:
    user, client = inbox_user
    theirs = Notification.objects.exclude(user=user).get()
    client.post(reverse("notifications-inbox"), {"read": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_badge_shows_unread_count(inbox_user: tuple[User, Client]) -> None:
    user, client = inbox_user
    response = client.get(reverse("notifications-badge"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and '<span class="thrive-badge">3</span>' in body
    assert response["Cache-Control"] == "no-store"
    Notification.objects.update(read_at=timezone.now())
    assert "thrive-badge" not in client.get(reverse("notifications-badge")).content.decode()


def test_badge_poll_does_not_keep_the_session_alive(inbox_user: tuple[User, Client]) -> None:
    user, client = inbox_user
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    client.get(reverse("notifications-badge"))
    assert Session.objects.get(session_key=key).expire_date == before
    client.get(reverse("notifications-inbox"))  # a real page view is activity
    assert Session.objects.get(session_key=key).expire_date > before


def test_badge_signed_out_stops_polling_and_inbox_needs_sign_in() -> None:
    assert Client().get(reverse("notifications-badge")).status_code == 286
    response = Client().get(reverse("notifications-inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_header_badge_snippet_polls_every_ten_seconds() -> None:
    html = render_to_string("notifications/header_badge.jinja").strip()
    assert html.startswith("Notifications<span") and 'hx-get="/staff/notifications/badge/"' in html
    assert 'hx-trigger="load, every 10s"' in html and 'hx-swap="innerHTML"' in html
