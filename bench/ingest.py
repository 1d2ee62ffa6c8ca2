"""Benchmark: agency systems reporting deaths through `POST /api/v1/cases/`, many at once, on a
production-like server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thrive_bench_ingest .venv/bin/python bench/ingest.py \
        [--prepare] [--clients 20] [--seconds 30] [--workers 4] [--threads 4] [--consent 0.6]

Starts, on 127.0.0.1 with production settings (debug off; see bench/settings.py; encryption keys derived from
the database's address, so cases from earlier runs stay readable for linkage), gunicorn
(`--workers` x `--threads`), the django-tasks database workers (notifications; the rest) and the outbox
sweep, as scripts/serve.sh does,
with a local SMTP server standing in for email. The database in DATABASE_URL must hold the geography and the
demo accounts (`--prepare`: migrate, load-geography and demo-data for accounts; create an empty database
first).

Each of `--clients` threads posts new reports one after another for `--seconds` after `--warm-up` seconds
(the first report in each worker process builds its point-in-area index): a death at a random point in inner
London on a random day of the last two years, a new person each time (so each report opens a case and is
scored against the cases that died within three days of it), with a next of kin who consents to a referral
in `--consent` of reports. Each request carries an Idempotency-Key. Prints the
number of reports, errors, throughput and p50/p95/p99 latency.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path and its public.py would hide the `public` package that
# aiosmtpd needs: import the bench's helpers as `bench.*` instead.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
from bench.public import BIN, free_port, production_env, thrive  # noqa: E402


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(0 if check == 11 else check)


def stable_keys(database: str) -> dict[str, str]:
    """Keys derived from the database's address, the same on every run: each new report is scored against the
    cases of earlier runs, which must stay readable. Only for this bench's synthetic data."""
    seed = hashlib.sha256(f"thrive-bench-ingest:{database}".encode()).digest()
    return {
        "THRIVE_ENCRYPTION_KEYS": base64.urlsafe_b64encode(seed).decode(),
        "THRIVE_BLIND_INDEX_KEY": hashlib.sha256(seed).hexdigest(),
    }


def name(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3)).title()


def body(rng: random.Random, consent: float) -> dict[str, Any]:
    given, family = (name(rng) for _ in range(2))
    found = datetime.date.today() - datetime.timedelta(days=rng.randint(1, 730))
    return {
        "reporting_reference": f"BENCH-{uuid.uuid4().hex[:10]}",
        "date_found": str(found), "date_of_death": str(found - datetime.timedelta(days=rng.choice((0, 1)))),
        "deceased": {"given_name": given, "family_name": family,
                     "date_of_birth": f"19{rng.randint(40, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                     "nhs_number": nhs_number(rng), "sex": rng.choice(["male", "male", "male", "female"]),
                     "ethnicity": rng.choice("ABCHJKMN"), "employment_status": "employed"},
        "incident": {"location": {"lat": round(rng.uniform(51.46, 51.56), 5),
                                  "lon": round(rng.uniform(-0.2, 0.0), 5)},
                     "location_type": "home", "method_group": "other", "substances": ["alcohol"]},
        "circumstances": ["recent_crisis"],
        "narrative": "Synthetic report sent by the ingest benchmark.",
        "next_of_kin": [{"name": f"Kin {family}", "relationship": "parent", "phone": "07700900123",
                         "borough": "E09000030", "language": "English",
                         "consent_to_referral": "yes" if rng.random() < consent else "no"}],
    }  # fmt: skip


def post(port: int, key: str, payload: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", "/api/v1/cases/", body=payload, headers={
            "Host": "127.0.0.1", "Authorization": f"Bearer {key}", "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4())})  # fmt: skip
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drive(port: int, key: str, clients: int, seconds: float, consent: float, warm_up: float) -> None:
    results: list[tuple[float, int, float]] = []  # (sent at, status, latency)
    lock = threading.Lock()
    began = time.perf_counter()
    stop_at = began + warm_up + seconds

    def client(index: int) -> None:
        rng = random.Random(f"{index}:{uuid.uuid4()}")
        while time.perf_counter() < stop_at:
            sent = time.perf_counter()
            status, latency = post(port, key, json.dumps(body(rng, consent)).encode())
            with lock:
                results.append((sent - began, status, latency))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    measured = [(status, latency) for at, status, latency in results if at >= warm_up]
    window = max(max((at for at, _, _ in results), default=0) - warm_up, 1e-9)
    good = sorted(latency for status, latency in measured if status == 201)
    errors = len(measured) - len(good)
    print(f"{clients} clients for {seconds:.0f} s (after {warm_up:.0f} s warm-up)")
    print(f"reports: {len(measured)}   errors: {errors}   throughput: {len(good) / window:.1f} reports/s")
    if good:
        print(
            f"latency  p50 {percentile(good, 0.5):.3f} s   p95 {percentile(good, 0.95):.3f} s   "
            f"p99 {percentile(good, 0.99):.3f} s   max {good[-1]:.3f} s"
        )
    if errors:
        codes = sorted({status for status, _ in measured if status != 201})
        print(f"error statuses: {codes}")
    sys.exit(1 if errors or not good else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent reporting clients")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to drive them (after warm-up)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=20.0,
        help="seconds of load before measuring (each worker builds its geography index first)",
    )
    parser.add_argument(
        "--consent", type=float, default=0.6, help="share of reports with consent to a referral"
    )
    parser.add_argument(
        "--prepare", action="store_true", help="migrate, load the geography and demo accounts"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "DATABASE_URL is not PostgreSQL: the figures that count are on PostgreSQL, production's database."
        )
    if args.prepare:
        demo = {**os.environ, "THRIVE_DEMO": "1"}
        thrive("migrate", "--noinput", "-v0", env=demo)
        thrive("load-geography", env=demo)
        thrive("demo-data", "--only", "accounts", env=demo)

    from thrive.core.testing.standins import SmtpStandin

    smtp = SmtpStandin().start()
    env = production_env()
    env.update(stable_keys(os.environ.get("DATABASE_URL", "")))
    env["THRIVE_EMAIL_URL"] = smtp.url
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    from thrive.accounts.apikeys import create_api_key
    from thrive.accounts.models import Organisation

    if connection.vendor == "postgresql":
        # Production runs autovacuum; a bench database run again and again, on a server without it, would
        # otherwise measure the dead rows of earlier runs.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    police = Organisation.objects.get(slug="example-police")
    _, key = create_api_key(organisation=police, name=f"bench-{uuid.uuid4().hex[:6]}", scopes=["cases:write"])
    port = free_port()
    commands = [
        [str(BIN / "gunicorn"), "thrive.wsgi:application", "--config", "python:thrive.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--workers",
         str(args.workers), "--threads", str(args.threads), "--timeout", "120", "--log-level", "warning"],
        *([str(BIN / "thrive"), "db_worker", "--queue-name", "notifications", "--interval", "0.1",
           "--no-reload", "--no-startup-delay", "--skip-checks", "-v", "0"] for _ in range(2)),
        [str(BIN / "thrive"), "db_worker", "--queue-name", "default", "--interval", "0.5", "--no-reload",
         "--no-startup-delay", "--skip-checks", "-v", "0"],
        [str(BIN / "thrive"), "outbox", "--skip-checks", "deliver", "--loop", "--interval", "2", "--grace", "5"],
    ]  # fmt: skip
    processes = [subprocess.Popen(command, cwd=ROOT, env=env) for command in commands]
    try:
        for _ in range(240):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            sys.exit("the server did not start")
        drive(port, key, args.clients, args.seconds, args.consent, args.warm_up)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        smtp.stop()


if __name__ == "__main__":
    main()
