"""The read-model tables: one per kind of item, child tables for lists, the audit trail.

Columns are declared once with a portable type; the DDL, the upserts and the value conversion
are derived from that declaration for each dialect. PostgreSQL gets real dates, timestamps and
exact `numeric`; SQLite keeps ISO text and decimal strings, so nothing is rounded on either.
Texts a column cannot hold are escaped on the way in and restored on the way out (escape.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from projections.runtime.db import Dialect
from projections.runtime.escape import dump_json, escape, load_json, unescape

TYPES: dict[str, dict[Dialect, str]] = {
    "text": {"sqlite": "TEXT", "postgres": "text"},
    "int": {"sqlite": "INTEGER", "postgres": "bigint"},
    "bool": {"sqlite": "INTEGER", "postgres": "boolean"},
    "num": {"sqlite": "TEXT", "postgres": "numeric"},
    "date": {"sqlite": "TEXT", "postgres": "date"},
    "ts": {"sqlite": "TEXT", "postgres": "timestamptz"},
    "json": {"sqlite": "TEXT", "postgres": "jsonb"},
    "blob": {"sqlite": "BLOB", "postgres": "bytea"},
}


def to_db(kind: str, value: Any, dialect: Dialect) -> Any:  # noqa: PLR0911 - one case a type
    """A plain (JSON) value as the column's type wants it."""
    if value is None:
        return None
    if kind == "json":
        return dump_json(value)
    if kind == "text" and isinstance(value, str):
        return escape(value)
    if dialect == "sqlite":
        if kind == "ts":
            # Fixed width, so that text order is time order.
            moment = datetime.fromisoformat(value).astimezone(UTC)
            return moment.isoformat(timespec="microseconds")  # years < 1000 zero-padded too
        return int(value) if kind == "bool" else value
    if kind == "num":
        return Decimal(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "ts":
        return datetime.fromisoformat(value)
    return value


def from_db(kind: str, value: Any) -> Any:  # noqa: PLR0911 - one case a type
    """A column value back as plain JSON."""
    if value is None:
        return None
    if kind == "json":
        # PostgreSQL's jsonb arrives parsed, its texts restored by the read store's loader.
        return value if not isinstance(value, str) else load_json(value)
    if kind == "text" and isinstance(value, str):
        return unescape(value)
    if kind == "bool":
        return bool(value)
    if isinstance(value, Decimal):
        return str(value)
    if kind == "ts":
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    #: PostgreSQL-only statements, e.g. GiST indexes; `{name}` is the table's name.
    postgres_extra: tuple[str, ...] = ()
    #: Those of `indexes` that only readers use (with every one of `postgres_extra` and
    #: `lookups`): a rebuild fills its fresh tables without them and builds them once, before
    #: the swap, instead of keeping them up to date row by row.
    for_readers: tuple[tuple[str, ...], ...] = ()
    #: Indexes that only make reads faster, as (name, columns); the index is `{table}_{name}`.
    #: They are left out of the layout's fingerprint: adding one changes no row, so a store made
    #: earlier gets it when its runner starts, not a rebuild.
    lookups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def with_name(self, name: str) -> Table:
        return dataclasses.replace(self, name=name)

    def ddl(self, dialect: Dialect, *, readers: bool = True) -> list[str]:
        """The table and its indexes; without `readers`, only those its projection reads by."""
        lookups = self.lookups if readers else ()
        return [
            *self.layout_ddl(dialect, readers=readers),
            *(self._index(columns, name) for name, columns in lookups),
        ]

    def layout_ddl(self, dialect: Dialect, *, readers: bool = True) -> list[str]:
        """The statements that decide what the table's rows are (all but `lookups`)."""
        columns = ", ".join(f"{name} {TYPES[kind][dialect]}" for name, kind in self.columns)
        key = ", ".join(self.key)
        statements = [f"CREATE TABLE IF NOT EXISTS {self.name} ({columns}, PRIMARY KEY ({key}))"]
        statements.extend(
            self._index(index) for index in self.indexes if readers or index not in self.for_readers
        )
        if dialect == "postgres" and readers:
            statements.extend(extra.format(name=self.name) for extra in self.postgres_extra)
        return statements

    def readers_ddl(self, dialect: Dialect) -> list[str]:
        """The indexes `ddl(readers=False)` leaves out."""
        return [s for s in self.ddl(dialect) if s not in self.ddl(dialect, readers=False)]

    def _index(self, columns: tuple[str, ...], name: str | None = None) -> str:
        return (
            f"CREATE INDEX IF NOT EXISTS {self.name}_{name or '_'.join(columns)} "
            f"ON {self.name} ({', '.join(columns)})"
        )

    def upsert(self) -> str:
        names = self.column_names
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in self.key)
        return (
            f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT ({', '.join(self.key)}) DO UPDATE SET {updates}"
        )

    def insert(self) -> str:
        names = self.column_names
        return (
            f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        )

    def row(self, values: dict[str, Any], dialect: Dialect) -> tuple[Any, ...]:
        return tuple(to_db(kind, values.get(name), dialect) for name, kind in self.columns)


#: How far each projection has applied the log. `leaf_count` is no longer read or written (the
#: audit projection counts its own leaves); it stays so stores made by release 0.1 still fit.
TRACKING = Table(
    "rm_tracking", (("name", "text"), ("position", "int"), ("leaf_count", "int")), ("name",)
)

#: Projections that cannot apply an event: where each stopped, and why (runner.py).
STUCK = Table(
    "rm_stuck",
    (("name", "text"), ("position", "int"), ("error", "text"), ("since", "text")),
    ("name",),
)
