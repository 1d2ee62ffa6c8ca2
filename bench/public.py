"""Benchmark of the public find-support search against a bare Django view on the same production-like server.

    DATABASE_URL=postgres://... .venv/bin/python bench/public.py [--requests 3000] [--concurrency 4]
        [--workers 2] [--prepare] [--no-cache-run]

Starts gunicorn on 127.0.0.1 with production settings (debug off, fresh random keys, Redis for the cache when
REDIS_URL is set; see bench/settings.py) on the database in DATABASE_URL, which must hold the geography and
the demo directory (`--prepare` loads them: migrate, load-geography, demo-data). It then sends, over loopback
only, the same number of requests to the bare view (`/bench/bare/`, from bench/bare_urls.py) and to the search
by borough (`/find-support/?borough=<code>`, cycling through all 33 boroughs), in alternating rounds, and
prints both request rates, their ratio and the p50/p99 latencies. Targets (DESIGN.md): the search sustains at
least half the bare rate, with p99 under 200 ms. `--no-cache-run` also measures the search with the public
page cache turned off (a second server), for information.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TARGET_RATIO, TARGET_P99_MS = 0.5, 200.0


def production_env(*, page_cache: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("THRIVE_") or k == "THRIVE_REFERENCE_DATA"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
            "THRIVE_SECRET_KEY": secrets.token_urlsafe(48),
            "THRIVE_ALLOWED_HOSTS": "127.0.0.1",
            "THRIVE_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "THRIVE_BLIND_INDEX_KEY": secrets.token_urlsafe(32),
            "THRIVE_LOG_LEVEL": "WARNING",
        }
    )
    if page_cache is not None:
        env["BENCH_PAGE_CACHE_SECONDS"] = str(page_cache)
    return env


def thrive(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "thrive"), *args], check=True, cwd=ROOT, env=env)


def prepare() -> None:
    demo = {**os.environ, "THRIVE_DEMO": "1"}
    thrive("migrate", "--noinput", "-v0", env=demo)
    thrive("load-geography", env=demo)
    thrive("demo-data", "--only", "accounts,directory", env=demo)


def borough_codes(env: dict[str, str]) -> list[str]:
    script = (
        "import django; django.setup(); from thrive.geography.models import Area; "
        "from thrive.directory.models import Service; "
        "print(Service.objects.count()); "
        "codes = Area.objects.filter(level='borough').order_by('code').values_list('code', flat=True); "
        "print(' '.join(codes))"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", script], check=True, cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout.split("\n")
    if int(out[0]) == 0 or not out[1].strip():
        sys.exit(
            "The database has no boroughs or no services: run with --prepare (or thrive load-geography "
            "and thrive demo-data) first."
        )
    return out[1].split()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "thrive.wsgi:application",
            "--config",
            "python:thrive.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(120):
        try:
            status = get(port, "/bench/bare/")[0]
            if status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not start")


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def _batch(job: tuple[int, list[str]]) -> list[tuple[int, float]]:
    port, paths = job
    return [get(port, path) for path in paths]


def run(port: int, paths: list[str], concurrency: int) -> tuple[float, list[float]]:
    """Sends `paths` from `concurrency` client processes; returns (requests per second, latencies)."""
    jobs = [(port, paths[i::concurrency]) for i in range(concurrency)]
    with Pool(concurrency) as pool:
        started = time.perf_counter()
        results = pool.map(_batch, jobs)
        elapsed = time.perf_counter() - started
    statuses = [status for batch in results for status, _ in batch]
    bad = [status for status in statuses if status != 200]
    if bad:
        sys.exit(f"{len(bad)} requests failed (status {sorted(set(bad))}): is the server healthy?")
    return len(paths) / elapsed, [latency for batch in results for _, latency in batch]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def measure(
    env: dict[str, str], codes: list[str], args: argparse.Namespace
) -> dict[str, tuple[float, list[float]]]:
    server, port = start_server(env, args.workers)
    try:
        searches = [f"/find-support/?borough={codes[i % len(codes)]}" for i in range(args.requests)]
        bare = ["/bench/bare/"] * args.requests
        for path in [searches[0], bare[0]] * (args.workers * 3):  # warm up: templates compiled in each worker
            get(port, path)
        run(
            port, searches[: len(codes) * 2] + bare[:200], args.concurrency
        )  # and every borough's page cached
        totals: dict[str, tuple[float, list[float]]] = {"bare": (0.0, []), "search": (0.0, [])}
        for _ in range(args.rounds):
            for name, paths in (("bare", bare), ("search", searches)):
                rate, latencies = run(port, paths, args.concurrency)
                total_rate, all_latencies = totals[name]
                totals[name] = (total_rate + rate / args.rounds, all_latencies + latencies)
        return totals
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per endpoint per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--prepare", action="store_true", help="migrate and load the geography and demo data")
    parser.add_argument("--no-cache-run", action="store_true", help="also measure with the page cache off")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        print("DATABASE_URL is not set: using the embedded SQLite database (production uses PostgreSQL).")
    if args.prepare:
        prepare()
    env = production_env()
    codes = borough_codes(env)
    database = os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1]
    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory (per worker)"
    print(f"Server: gunicorn, {args.workers} sync workers, 127.0.0.1; database {database}; cache {cache}")
    print(f"Load: {args.concurrency} client processes, {args.rounds} rounds of {args.requests} requests each")
    totals = measure(env, codes, args)
    bare_rate, bare_latency = totals["bare"]
    search_rate, search_latency = totals["search"]
    ratio = search_rate / bare_rate
    p99 = percentile(search_latency, 0.99)
    print(
        f"bare view         {bare_rate:8.1f} req/s   p50 {percentile(bare_latency, 0.5):6.1f} ms   "
        f"p99 {percentile(bare_latency, 0.99):6.1f} ms"
    )
    print(
        f"find-support      {search_rate:8.1f} req/s   p50 {percentile(search_latency, 0.5):6.1f} ms   "
        f"p99 {p99:6.1f} ms"
    )
    print(
        f"ratio search/bare {ratio:8.2f}  (target >= {TARGET_RATIO})   search p99 {p99:.1f} ms "
        f"(target < {TARGET_P99_MS:.0f} ms)"
    )
    if args.no_cache_run:
        uncached = measure(production_env(page_cache=0), codes, args)
        rate, latency = uncached["search"]
        print(
            f"find-support, page cache off: {rate:8.1f} req/s (ratio {rate / uncached['bare'][0]:.2f}), "
            f"p99 {percentile(latency, 0.99):.1f} ms"
        )
    met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
    print("Targets met." if met else "Targets NOT met.")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
