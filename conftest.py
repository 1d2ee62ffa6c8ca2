"""Project-wide test setup: no network but loopback, personas, signed-in clients."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from thrive.accounts.testing import Personas, make_personas, sign_in

_real_connect = socket.socket.connect
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`THRIVE_DATABASE_TESTS_ONLY=1` keeps only the tests that touch the database (the PostgreSQL pass of CI:
    pure statistics and scoring tests do not depend on the database, and already ran on the SQLite pass)."""
    if os.environ.get("THRIVE_DATABASE_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_db else drop).append(item)
    items[:] = keep
    config.hook.pytest_deselected(items=drop)


def _loopback_only(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            allowed = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = False
        if not allowed:
            raise OSError(f"Tests may not use the network: connection to {host} refused")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def no_network() -> Iterator[None]:
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def fresh_point_index() -> Iterator[None]:
    """The point-lookup index is cached per process; a rolled-back test database must not leave it stale."""
    from thrive.geography.lookup import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def steady_demo_flag(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo banner's flag is cached for 30 s, so whether a request queried it depended on the clock (a
    constant-queries test failed on a slow machine). In tests it starts known (a test database has no demo data;
    `thrive demo-data` forgets it) and is kept until the test ends."""
    from django.core.cache import cache

    from thrive.core import site

    monkeypatch.setattr(site, "DEMO_CACHE_SECONDS", None)
    cache.set(site.DEMO_CACHE_KEY, False, None)
    yield
    cache.delete(site.DEMO_CACHE_KEY)


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def client_for(db: None) -> Callable[..., Client]:
    """`client_for(user)`: a test client signed in with two factors."""

    def make(user: Any, *, verified: bool = True) -> Client:
        return sign_in(Client(), user, verified=verified)

    return make
