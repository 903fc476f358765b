"""Backend fixtures shared by every test: one test body, run on SQLite and on PostgreSQL; and
the ledger on such a store, for the modules that need nothing more.

Environment:
- ``ROADMAP_TEST_DATABASE_URL`` — PostgreSQL server for the tests
  (default ``postgresql://postgres@127.0.0.1:5432/test``). Each test gets its own schema,
  passed as ``?schema=t_<hex>`` in the URL and dropped afterwards.
- Unreachable PostgreSQL skips the postgres tests, unless ``ROADMAP_TEST_DATABASE_URL`` is set
  or ``CI=true``: then they fail.
- ``HYPOTHESIS_PROFILE`` — ``dev`` (default), ``ci`` or ``thorough``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from domain.application.service import RoadmapLedger
from tests import pg

# Local key files go to a scratch folder of the run, never into the working tree; tests that
# need their own set these variables themselves.
_KEYS = Path(tempfile.mkdtemp(prefix="roadmap-tests-"))
os.environ.setdefault("ROADMAP_SIGNING_KEY_FILE", str(_KEYS / "signing-key.pem"))
os.environ.setdefault("ROADMAP_SECRET_FILE", str(_KEYS / "secret"))

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

BACKENDS = ("sqlite", "postgres")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that touches PostgreSQL, so ``-m "not postgres"`` deselects it."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres_param = callspec is not None and "postgres" in callspec.id.split("-")
        uses_postgres_url = "postgres_url" in getattr(item, "fixturenames", ())
        if on_postgres_param or uses_postgres_url:
            item.add_marker(pytest.mark.postgres)


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/roadmap.db"


def _postgres_url() -> Iterator[str]:
    yield from pg.fresh_schema_url()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """``ROADMAP_DATABASE_URL`` for a fresh, empty store on each backend."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
    else:
        yield from _postgres_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite store, for tests that need both backends at once."""
    return _sqlite_url(tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, for tests that need both backends at once."""
    yield from _postgres_url()


@pytest.fixture
def app(database_url: str) -> Iterator[RoadmapLedger]:
    """The ledger on `database_url` (each backend), closed after the test. Modules that need
    other settings (a clock, more retries) define their own."""
    ledger = RoadmapLedger(database_url)
    yield ledger
    ledger.close()
