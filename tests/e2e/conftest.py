"""One app per test module and backend (each test records under its own roadmap), or per test
where a test needs its own settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg
from tests.e2e.support import Api, running, settings_for

HERE = Path(__file__).parent
#: The brief's test secret is short on purpose; PyJWT warns about it on every call.
QUIET = pytest.mark.filterwarnings(
    "ignore::jwt.warnings.InsecureKeyLengthWarning",
    "ignore:Using `httpx` with `starlette.testclient`",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(QUIET)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like `database_url`, but shared by the tests of one module."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e')}/roadmap.db"
        return
    yield from pg.fresh_schema_url()


@pytest.fixture(scope="module")
def api(module_url: str) -> Iterator[Api]:
    """The shared app; generous rate limit so the module's tests never meet it."""
    with running(settings_for(module_url, rate_limit_per_minute=1_000_000)) as shared:
        yield shared
