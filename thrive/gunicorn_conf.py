"""gunicorn settings shared by scripts/serve.sh and the benches (`--config python:thrive.gunicorn_conf`)."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from thrive.core.warmup import warm_up

    warm_up()
