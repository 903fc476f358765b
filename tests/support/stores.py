"""Stores for the read-side tests: another empty one per hypothesis example, the ledger and its
read store opened together, a signer, a projection runner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from domain.application.service import RoadmapLedger
from projections.audit.signing import Signer
from projections.catalog import all_projections, live_runner
from projections.runtime.db import ReadStore
from projections.runtime.runner import Runner
from tests import pg


def on_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


@contextmanager
def fresh_url(database_url: str, tmp_path: Path, name: str) -> Iterator[str]:
    """Another empty store on the backend of `database_url` (one per hypothesis example)."""
    if not on_postgres(database_url):
        yield f"sqlite:///{tmp_path}/{name}.db"
        return
    base = pg.base_url()
    schema = pg.create_schema(base)
    try:
        yield pg.with_schema(base, schema) + "&pool_size=2"
    finally:
        pg.drop_schema(base, schema)


@contextmanager
def opened(url: str, *, pool_size: int = 2) -> Iterator[tuple[RoadmapLedger, ReadStore]]:
    app = RoadmapLedger(url)
    store = ReadStore(url, pool_size=pool_size)
    try:
        yield app, store
    finally:
        store.close()
        app.close()


def signer_in(directory: Path) -> Signer:
    return Signer.from_file(directory / "signing-key.pem")


def runner_for(
    app: RoadmapLedger, store: ReadStore, signer: Signer | None = None, batch_size: int = 1000
) -> Runner:
    runner = live_runner(app, store, all_projections(app, signer=signer), batch_size=batch_size)
    runner.setup()
    return runner
