"""Benchmark: from a police report with consent to the referral in the bereavement service's inbox and at its
webhook receiver, with concurrent reporters, on a production-like server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thrive_bench .venv/bin/python bench/referral_latency.py \
        [--prepare] [--reporters 20] [--reports 10] [--workers 4] [--threads 4] [--task-workers 2] \
        [--poll 0.1]

Starts, on 127.0.0.1 with production settings (debug off, fresh random keys; see bench/settings.py): gunicorn
(`--workers` x `--threads`), `--task-workers` django-tasks database workers for the notifications queue,
one for the default queue, the outbox sweep and the escalation loop, as scripts/serve.sh does, with a local SMTP server for the duty email and an HTTPS webhook receiver (a
self-signed certificate the task workers are told to trust) for the service's own system. The database in
DATABASE_URL must hold the geography and the demo accounts (`--prepare`: migrate, load-geography, demo-data
for accounts; create an empty database first).

Each of `--reporters` threads posts `--reports` case reports (`POST /api/v1/cases/`, a death in Tower Hamlets
with a parent who consents) one after another. The clock starts as a report is sent. "In the inbox": the first
time the referral shows in the bereavement worker's inbox rows (the page the live inbox polls), polled every
`--poll` seconds with the worker's signed-in session and, as the page does, the version of the rows last seen
(unchanged rows answer 204), so the figure includes up to one polling interval.
"At the webhook": the first delivery the receiver accepts. Prints p50/p95/p99 of both and of the report call
itself; the target (DESIGN.md) is p95 under 2 s for both.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import hashlib
import http.client
import ipaddress
import json
import multiprocessing
import os
import random
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path, and its public.py would hide the `public` package
# that aiosmtpd (the SMTP stand-in) needs: import the bench's helpers as `bench.*` instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
from bench.public import BIN, free_port, production_env, thrive  # noqa: E402

TARGET_P95 = 2.0
LOOPBACK = "127.0.0.1"
EAST = "example-bereavement-east"
WORKER = "worker@bereavement-east.example.org"
SECRET = "bench-webhook-secret"
SETTINGS = (
    "from bench.settings import *  # noqa: F403\n"
    "ROOT_URLCONF = 'thrive.referrals.tests.urls'  # the project's routes, with any not yet mounted added\n"
)


def stable_keys(database: str) -> dict[str, str]:
    """Keys derived from the database's address: each run must read what earlier runs encrypted (the new case
    is matched against the old ones), and the bench's cases are synthetic, so the keys guard nothing."""
    digest = hashlib.sha256(f"thrive-bench-referrals:{database}".encode()).digest()
    return {
        "THRIVE_ENCRYPTION_KEYS": base64.urlsafe_b64encode(digest).decode(),
        "THRIVE_BLIND_INDEX_KEY": hashlib.sha256(digest).hexdigest(),
    }


def certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, so the webhook goes over HTTPS as production requires."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class Receiver:
    """The service's case system: HTTPS, checks the signature, notes when each referral's delivery arrives.
    Runs in its own process with the SMTP stand-in (`stand_ins`), as the service's system and the mail server
    are other machines: in the bench's process their answers would wait on the reporting threads."""

    def __init__(self, cert: Path, key: Path, report: Callable[[tuple[str, int, float]], None]) -> None:
        from thrive.core.notifications import signing

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the base class's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrived = time.time()
                if signing.verify(SECRET, self.headers.get(signing.SIGNATURE_HEADER, ""), body):
                    document = json.loads(body)
                    if document.get("kind") == "referral.new":
                        report(("arrived", int(document["payload"]["referral_id"]), arrived))
                else:
                    report(("bad", 0, arrived))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/thrive"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def stand_ins(cert: Path, key: Path, pipe: Connection) -> None:
    """The child process: the webhook receiver and the SMTP server; sends their addresses, then arrivals."""
    from thrive.core.testing.standins import SmtpStandin

    lock = threading.Lock()

    def report(event: tuple[str, int, float]) -> None:
        with lock:
            pipe.send(event)

    smtp = SmtpStandin().start()
    receiver = Receiver(cert, key, report)
    pipe.send((receiver.url, smtp.url))
    with contextlib.suppress(EOFError):
        pipe.recv()  # until the bench says stop (or goes away)
    smtp.stop()


class Arrivals:
    """The bench's side of the stand-ins: the first arrival of each referral's webhook, by referral id."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.arrivals: dict[int, float] = {}
        self.bad = 0
        self.pipe, child = multiprocessing.get_context("spawn").Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=stand_ins, args=(cert, key, child), daemon=True
        )
        self.process.start()
        self.url, self.smtp_url = self.pipe.recv()
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                kind, referral, at = self.pipe.recv()
            except (EOFError, OSError):
                return
            if kind == "arrived":
                self.arrivals.setdefault(referral, at)
            else:
                self.bad += 1

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(10)


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(0 if check == 11 else check)


def report(rng: random.Random) -> dict[str, Any]:
    syllables = ["ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vu"]
    given, family = ("".join(rng.sample(syllables, 3)).title() for _ in range(2))
    # Deaths spread over two years, as London's (about two a day) are: linkage compares each new report with
    # the cases within days of it, and a bench where every death fell on one day would measure only that.
    died = datetime.date.today() - datetime.timedelta(days=rng.randint(1, 730))
    born = died - datetime.timedelta(days=rng.randint(18 * 365, 80 * 365))
    return {
        "reporting_reference": f"BENCH-{uuid.uuid4().hex[:10]}", "date_found": died.isoformat(),
        "date_of_death": died.isoformat(),
        "deceased": {"given_name": given, "family_name": family, "date_of_birth": born.isoformat(),
                     "nhs_number": nhs_number(rng), "sex": "male", "ethnicity": "A",
                     "employment_status": "employed"},
        "incident": {"location": {"lat": 51.5155, "lon": -0.0722}, "location_type": "home",
                     "method_group": "other"},
        "next_of_kin": [{"name": f"Kin {given} {family}", "relationship": "parent", "phone": "07700900123",
                         "borough": "E09000030", "language": "English", "consent_to_referral": "yes"}],
    }  # fmt: skip


def request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def prepare_data(receiver: Arrivals) -> tuple[str, str, int]:
    """The police key, the worker's signed-in session cookie, and the newest referral id before the run."""
    from django.db import connection
    from django.test import Client

    from thrive.accounts.apikeys import create_api_key
    from thrive.accounts.models import Organisation, User
    from thrive.accounts.testing import sign_in
    from thrive.referrals.models import Referral

    if connection.vendor == "postgresql":
        # Production runs autovacuum; a bench database run again and again, on a server without it, would
        # otherwise measure the dead rows of earlier runs (the task queue's index above all).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    Organisation.objects.filter(slug=EAST).update(webhook_url=receiver.url, webhook_secret=SECRET)
    police = Organisation.objects.get(slug="example-police")
    _, key = create_api_key(organisation=police, name=f"bench-{uuid.uuid4().hex[:6]}", scopes=["cases:write"])
    client = sign_in(Client(), User.objects.get(email=WORKER))
    last = Referral.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return key, client.cookies["sessionid"].value, last


def cpu_seconds(roots: list[int]) -> float:
    """CPU time used so far by these processes and their descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    if not roots:  # the database server: every PostgreSQL process
        roots = [pid for pid in parents if _command(pid).startswith("postgres")]
    family, grew = set(roots), True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    return sum(ticks.get(pid, 0) for pid in family) / os.sysconf("SC_CLK_TCK")


def _command(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
    return ""


def cpu_by_role(roles: dict[str, list[int]]) -> dict[str, float]:
    return {role: cpu_seconds(pids) for role, pids in roles.items()}


def settle(roots: list[int], *, idle_share: float = 0.1, limit: float = 90) -> None:
    """Wait until the server and workers have finished starting (imports, the point-lookup index): the figures
    are for a platform that is up, not one still booting on the same two cores as the reporters."""
    deadline = time.time() + limit
    before = cpu_seconds(roots)
    while time.time() < deadline:
        time.sleep(1)
        now = cpu_seconds(roots)
        if now - before < idle_share:
            return
        before = now
    print("the server and workers were still busy after starting; measuring anyway")


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return f"p50 {at(0.5):6.3f} s   p95 {at(0.95):6.3f} s   p99 {at(0.99):6.3f} s   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=20, help="concurrent reporting clients")
    parser.add_argument("--reports", type=int, default=10, help="reports each reporter sends")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--task-workers",
        type=int,
        default=2,
        help="django-tasks database workers for the notifications queue (scripts/serve.sh runs 2)",
    )
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between inbox polls")
    parser.add_argument(
        "--prepare", action="store_true", help="migrate, load the geography and demo accounts"
    )
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith("postgres"):
        print("DATABASE_URL is not PostgreSQL: the target is for PostgreSQL (production's database).")
    if args.prepare:
        demo = {**os.environ, "THRIVE_DEMO": "1"}
        thrive("migrate", "--noinput", "-v0", env=demo)
        thrive("load-geography", env=demo)
        thrive("demo-data", "--only", "accounts", env=demo)

    work = Path(tempfile.mkdtemp(prefix="thrive-bench-referrals-"))
    (work / "bench_referral_settings.py").write_text(SETTINGS)
    sys.path.insert(0, str(work))
    cert, key_file = certificate(work)
    receiver = Arrivals(cert, key_file)
    env = {**production_env(), **stable_keys(os.environ.get("DATABASE_URL", ""))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench_referral_settings", "PYTHONPATH": f"{ROOT}{os.pathsep}{work}",
        "THRIVE_EMAIL_URL": receiver.smtp_url, "REQUESTS_CA_BUNDLE": str(cert),
        "THRIVE_SITE_URL": "https://127.0.0.1",
    })  # fmt: skip
    setup_django(env)
    police_key, session, last_before = prepare_data(receiver)

    port = free_port()
    commands = [
        [str(BIN / "gunicorn"), "thrive.wsgi:application", "--config", "python:thrive.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--workers",
         str(args.workers), "--threads", str(args.threads), "--timeout", "60", "--log-level", "warning"],
        *([str(BIN / "thrive"), "db_worker", "--queue-name", "notifications", "--interval", "0.1",
           "--no-reload", "--no-startup-delay", "--skip-checks", "-v", "0"] for _ in range(args.task_workers)),
        [str(BIN / "thrive"), "db_worker", "--queue-name", "default", "--interval", "0.5", "--no-reload",
         "--no-startup-delay", "--skip-checks", "-v", "0"],
        [str(BIN / "thrive"), "outbox", "--skip-checks", "deliver", "--loop", "--interval", "2", "--grace", "5"],
        [str(BIN / "thrive"), "referrals", "--skip-checks", "escalate", "--loop", "--interval", "300"],
    ]  # fmt: skip
    log = (work / "server.log").open("w")
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log) for command in commands]
    print(f"Server and worker output: {work / 'server.log'}")
    try:
        for _ in range(120):
            try:
                if request(port, "GET", "/healthz", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("the server did not start")
        settle([process.pid for process in processes])
        web, notifications, others = (
            processes[0],
            processes[1 : 1 + args.task_workers],
            processes[1 + args.task_workers :],
        )
        roles = {
            "web": [web.pid], "notification workers": [p.pid for p in notifications],
            "other workers": [p.pid for p in others], "PostgreSQL": [],
        }  # fmt: skip
        run(args, port, police_key, session, last_before, receiver, roles)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        receiver.stop()


def run(
    args: argparse.Namespace,
    port: int,
    key: str,
    session: str,
    last_before: int,
    receiver: Arrivals,
    roles: dict[str, list[int]],
) -> None:
    from thrive.referrals.models import Referral

    sent: dict[str, tuple[float, float]] = {}  # case reference → (sent at, answered at)
    seen: dict[int, float] = {}
    polls: list[float] = []  # how long each inbox poll took to answer
    stop = threading.Event()

    def poll() -> None:
        # As the page's HTMX does: send the version of the rows last shown; 204 means nothing has changed.
        cookie = {"Cookie": f"sessionid={session}"}
        version = ""
        while not stop.is_set():
            asked = time.time()
            status, html = request(
                port, "GET", f"/referrals/inbox/rows/?show=open&page=1&v={version}", cookie
            )
            now = time.time()
            polls.append(now - asked)
            if status not in (200, 204):
                raise SystemExit(f"the inbox answered {status}")
            if status == 200:
                version = (re.findall(r"[?&;]v=([0-9a-f]+)", html) or [""])[0]
                for pk in re.findall(r"BR-(\d{6,})", html):
                    if int(pk) > last_before:
                        seen.setdefault(int(pk), now)
            stop.wait(args.poll)

    def reporter(index: int, count: int = args.reports) -> None:
        rng = random.Random(f"{index}:{uuid.uuid4()}")
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        for _ in range(count):
            body = json.dumps(report(rng)).encode()
            started = time.time()
            once = {**headers, "Idempotency-Key": str(uuid.uuid4())}
            status, answer = request(port, "POST", "/api/v1/cases/", once, body)
            if status != 201:
                raise SystemExit(f"a report answered {status}: {answer[:200]}")
            sent[json.loads(answer)["reference"]] = (started, time.time())

    # Warm up: each server process loads the boundaries for point lookups on its first report.
    with ThreadPoolExecutor(args.workers * args.threads) as pool:
        list(pool.map(lambda i: reporter(i, count=1), range(args.workers * args.threads)))
    warmed = Referral.objects.order_by("-pk").values_list("pk", flat=True).first() or last_before
    last_before = max(last_before, warmed)
    sent.clear()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    print(
        f"{args.reporters} reporters x {args.reports} reports; gunicorn {args.workers}x{args.threads}, "
        f"{args.task_workers} task worker(s); inbox polled every {args.poll} s"
    )
    began, cpu_before = time.time(), cpu_by_role(roles)
    with ThreadPoolExecutor(args.reporters) as pool:
        list(pool.map(reporter, range(args.reporters)))
    elapsed = time.time() - began
    expected = args.reporters * args.reports
    deadline = time.time() + 60
    while (
        time.time() < deadline
        and min(
            len([pk for pk in seen if pk > last_before]),
            len([pk for pk in list(receiver.arrivals) if pk > last_before]),
        )
        < expected
    ):
        time.sleep(0.2)
    stop.set()
    poller.join()
    cpu = {role: spent - cpu_before[role] for role, spent in cpu_by_role(roles).items()}
    cases = dict(
        Referral.objects.filter(pk__gt=last_before).values_list("pk", "next_of_kin__case__reference")
    )
    inbox = [seen[pk] - sent[ref][0] for pk, ref in cases.items() if pk in seen and ref in sent]
    webhook = [receiver.arrivals[pk] - sent[ref][0] for pk, ref in cases.items()
               if pk in receiver.arrivals and ref in sent]  # fmt: skip
    calls = [answered - started for started, answered in sent.values()]
    # After the report's answer (the commit): the delivery pipeline alone, without the report's own time.
    after_inbox = [seen[pk] - sent[ref][1] for pk, ref in cases.items() if pk in seen and ref in sent]
    after_webhook = [receiver.arrivals[pk] - sent[ref][1] for pk, ref in cases.items()
                     if pk in receiver.arrivals and ref in sent]  # fmt: skip
    print(
        f"reports sent: {len(sent)} in {elapsed:.1f} s ({len(sent) / elapsed:.1f}/s); "
        f"referrals made: {len(cases)}"
    )
    print(f"report call        {percentiles(calls)}")
    print(f"in the inbox       {percentiles(inbox) if inbox else 'none seen'}")
    print(f"at the webhook     {percentiles(webhook) if webhook else 'none arrived'}")
    print(f"  inbox after the answer    {percentiles(after_inbox) if after_inbox else '-'}")
    print(f"  webhook after the answer  {percentiles(after_webhook) if after_webhook else '-'}")
    print(f"  inbox poll answered in    {percentiles(polls) if polls else '-'}")
    per_report = ", ".join(f"{role} {spent / max(len(sent), 1) * 1000:.0f} ms" for role, spent in cpu.items())
    print(f"CPU per report (with the inbox polls): {per_report}")
    if receiver.bad:
        print(f"webhook requests with a bad signature: {receiver.bad}")
    complete = len(inbox) == len(webhook) == expected
    p95 = [
        sorted(values)[min(len(values) - 1, int(0.95 * len(values)))] for values in (inbox, webhook) if values
    ]
    met = complete and all(value < TARGET_P95 for value in p95)
    print(("Target met" if met else "Target NOT met") + f": p95 under {TARGET_P95:.0f} s for every referral.")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
