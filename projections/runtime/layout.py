"""Read models built by an earlier release, in a shape this release no longer writes, are
rebuilt from the log when a runner starts: never read or extended half-old.

Each projection's layout — its `version` (what its rows mean) and the DDL of its tables — is kept
as a fingerprint. A store made before fingerprints were kept has none: its tables are compared
column by column instead, so a read model that still fits is adopted, not rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from projections.runtime.db import Cursor, Dialect
from projections.runtime.tables import TRACKING, Table

LAYOUTS = Table("rm_layouts", (("name", "text"), ("fingerprint", "text")), ("name",))

logger = logging.getLogger("projections")


def fingerprint(projection: Any, dialect: Dialect) -> str:
    version = getattr(projection, "version", 1)
    ddl = [statement for table in projection.base_tables for statement in table.layout_ddl(dialect)]
    return hashlib.sha256("\n".join([str(version), *ddl]).encode()).hexdigest()


def _columns(cursor: Cursor, dialect: Dialect, table: str) -> list[str]:
    if dialect == "sqlite":
        cursor.execute(f"PRAGMA table_info({table})")
        return [row[1] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def is_stale(cursor: Cursor, dialect: Dialect, projection: Any, key: str) -> bool:
    """Whether the projection's tables hold rows of another layout than this release's."""
    cursor.execute(f"SELECT fingerprint FROM {LAYOUTS.name} WHERE name = ?", [key])
    row = cursor.fetchone()
    if row is not None:
        return bool(row[0] != fingerprint(projection, dialect))
    cursor.execute(f"SELECT position FROM {TRACKING.name} WHERE name = ?", [key])
    tracked = cursor.fetchone()
    if tracked is None or not tracked[0]:
        return False  # nothing built yet
    if getattr(projection, "version", 1) != 1:
        return True  # layouts before fingerprints were all version 1
    return any(
        set(_columns(cursor, dialect, live.name)) != set(base.column_names)
        for base, live in zip(projection.base_tables, projection.tables, strict=True)
    )


def reset(cursor: Cursor, projection: Any, key: str) -> None:
    """Drops the projection's tables and tracking: the runner builds it again from zero."""
    logger.warning(
        "projection %s: its tables were built by a release with another layout; "
        "rebuilding it from the log",
        key,
    )
    for table in projection.tables:
        cursor.execute(f"DROP TABLE IF EXISTS {table.name}")
    cursor.execute(f"DELETE FROM {TRACKING.name} WHERE name = ?", [key])
    projection.forget()


def record(cursor: Cursor, dialect: Dialect, projection: Any, key: str) -> None:
    cursor.execute(
        f"INSERT INTO {LAYOUTS.name} (name, fingerprint) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET fingerprint = excluded.fingerprint",
        [key, fingerprint(projection, dialect)],
    )
