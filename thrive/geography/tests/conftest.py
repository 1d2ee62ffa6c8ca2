"""Geography test fixtures: the tiny synthetic reference directory, loaded or not, and a fresh index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from thrive.geography import lookup
from thrive.geography.loader import LoadResult, load_geography
from thrive.geography.testing import write_fixture


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    """The point index is cached per process; each test's database is different."""
    lookup.clear_cache()
    yield
    lookup.clear_cache()


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "reference")


@pytest.fixture
def tiny_geography(db: None, fixture_dir: Path) -> LoadResult:
    return load_geography(directory=fixture_dir)
