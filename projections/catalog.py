"""The read side as deployed: every projection, every live table, the views, ready runners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.application.service import RoadmapLedger
from projections.audit import tables as audit_tables
from projections.audit.projection import AuditProjection
from projections.audit.signing import Signer
from projections.partnership import tables as partnership_tables
from projections.partnership.projection import PartnershipProjection
from projections.partnership.views import VIEWS, create_views
from projections.runtime import rebuild as rebuilding
from projections.runtime.db import Cursor, ReadStore, in_memory
from projections.runtime.runner import Projection, Runner
from projections.runtime.tables import TRACKING, Table
from projections.temporal import tables as temporal_tables
from projections.temporal.projection import TemporalProjection


class ReadSideCatalog:
    #: Every table of the live read side, so that the reporting views always find theirs.
    tables: tuple[Table, ...] = (
        *partnership_tables.TABLES,
        *audit_tables.TABLES,
        *temporal_tables.TABLES,
        TRACKING,
    )

    def projections(
        self, app: RoadmapLedger, suffix: str = "", signer: Any = None
    ) -> list[Projection]:
        return [
            PartnershipProjection(app, suffix),
            AuditProjection(suffix, signer),
            TemporalProjection(suffix),
        ]

    def create_views(self, cursor: Cursor) -> None:
        create_views(cursor)

    def drop_views(self, cursor: Cursor) -> None:
        for view in VIEWS:
            cursor.execute(f"DROP VIEW IF EXISTS {view}")


CATALOG = ReadSideCatalog()
LIVE_TABLES = CATALOG.tables


def all_projections(
    app: RoadmapLedger, suffix: str = "", signer: Signer | None = None
) -> list[Projection]:
    return CATALOG.projections(app, suffix, signer)


def live_runner(
    app: RoadmapLedger,
    store: ReadStore,
    projections: list[Projection] | None = None,
    *,
    signer: Signer | None = None,
    batch_size: int = 1000,
) -> Runner:
    """A runner of the live read models (all of them unless `projections` are named)."""
    chosen = projections if projections is not None else all_projections(app, signer=signer)
    return Runner(app, store, chosen, catalog=CATALOG, batch_size=batch_size)


def rebuild(
    app: RoadmapLedger,
    store: ReadStore,
    name: str | None = None,
    *,
    batch_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
    database_url: str | None = None,
    processes: int = 1,
    processes_from: int = 20_000,
) -> dict[str, int]:
    """`projections.runtime.rebuild.rebuild` of this read side; with a `database_url` and more
    than one of `processes`, each projection is built in a process of its own (not for a
    memory store, which lives in this process) once the log holds `processes_from` events."""
    parallel = None
    if database_url is not None and processes > 1 and not in_memory(database_url):
        parallel = rebuilding.Parallel(
            database_url, f"{__name__}:CATALOG", processes, processes_from
        )
    return rebuilding.rebuild(
        app, store, CATALOG, name, batch_size=batch_size, progress=progress, parallel=parallel
    )
