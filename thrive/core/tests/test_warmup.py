"""A new web worker loads its routes and the point-lookup index before its first request, and starts even
when it cannot."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from thrive import gunicorn_conf
from thrive.core import warmup
from thrive.geography import lookup


def test_the_gunicorn_hook_warms_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append("warmed"))
    gunicorn_conf.post_worker_init(worker=object())
    assert calls == ["warmed"]


def test_warm_up_builds_the_index_and_loads_every_route(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []

    class Resolver:
        @property
        def url_patterns(self) -> list[Any]:
            loaded.append("routes")  # resolving the patterns imports every app's views
            return []

    monkeypatch.setattr(warmup, "get_resolver", Resolver)
    monkeypatch.setattr(lookup, "area_index", lambda: loaded.append("index"))
    warmup.warm_up()
    assert loaded == ["routes", "index"]


@pytest.mark.parametrize("failure", [lookup.GeographyNotLoaded(), OperationalError("the server is starting")])
def test_a_worker_starts_without_its_index(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, failure: Exception
) -> None:
    def fail() -> Any:
        raise failure

    monkeypatch.setattr(lookup, "area_index", fail)
    warmup.warm_up()  # does not raise
    assert "built on first use" in caplog.text
