"""gunicorn settings shared by scripts/serve.sh and the benches (`--config python:thrive.gunicorn_conf`).

A worker takes a connection only when one of its threads is free for it (`worker_connections` = `threads`).
Otherwise each worker accepts whatever reaches it first and queues it behind its own busy threads, while
another worker may be idle: under load that made a report wait over two seconds now and then (a referral's
arrival in the inbox with it). Waiting in the shared listen queue instead, the next free thread of any worker
takes the oldest request. Keep-alive is off, as it needs connection slots beyond the threads; the reverse proxy
in front (docs/operations.md) keeps its own connections to browsers.
"""

from __future__ import annotations

from typing import Any

keepalive = 0


def on_starting(server: Any) -> None:
    server.cfg.set("worker_connections", server.cfg.threads)


def post_worker_init(worker: Any) -> None:
    from thrive.core.warmup import warm_up

    warm_up()
