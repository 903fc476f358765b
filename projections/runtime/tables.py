"""The read-model tables: one per kind of item, child tables for lists, the audit trail.

Columns are declared once with a portable type; the DDL, the upserts and the value conversion
are derived from that declaration for each dialect. PostgreSQL gets real dates, timestamps and
exact `numeric`; SQLite keeps ISO text and decimal strings, so nothing is rounded on either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from projections.runtime.db import Dialect

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
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if dialect == "sqlite":
        if kind == "ts":
            # Fixed width, so that text order is time order.
            moment = datetime.fromisoformat(value).astimezone(UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
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
        return value if not isinstance(value, str) else json.loads(value)
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

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def with_name(self, name: str) -> Table:
        return Table(name, self.columns, self.key, self.indexes, self.postgres_extra)

    def ddl(self, dialect: Dialect) -> list[str]:
        columns = ", ".join(f"{name} {TYPES[kind][dialect]}" for name, kind in self.columns)
        key = ", ".join(self.key)
        statements = [f"CREATE TABLE IF NOT EXISTS {self.name} ({columns}, PRIMARY KEY ({key}))"]
        statements.extend(
            f"CREATE INDEX IF NOT EXISTS {self.name}_{'_'.join(index)} "
            f"ON {self.name} ({', '.join(index)})"
            for index in self.indexes
        )
        if dialect == "postgres":
            statements.extend(extra.format(name=self.name) for extra in self.postgres_extra)
        return statements

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


_ITEM = (
    ("id", "text"),
    ("roadmap_id", "text"),
    ("version", "int"),
    ("void", "bool"),
    ("recorded_at", "ts"),
    ("updated_at", "ts"),
    ("effective_on", "date"),
    ("public", "json"),
    ("state", "blob"),
)

ROADMAPS = Table(
    "rm_roadmaps",
    (*_ITEM, ("title", "text"), ("parties", "json"), ("adopted_on", "date"), ("summary", "text")),
    ("id",),
)
PLEDGES = Table(
    "rm_pledges",
    (
        *_ITEM,
        ("party", "text"),
        ("title", "text"),
        ("kind", "text"),
        ("status", "text"),
        ("amount", "num"),
        ("unit", "text"),
        ("delivered", "num"),
        ("beneficiary", "text"),
        ("due_on", "date"),
        ("made_on", "date"),
    ),
    ("id",),
    (("roadmap_id",),),
)
CONSULTATIONS = Table(
    "rm_consultations",
    (
        *_ITEM,
        ("kind", "text"),
        ("title", "text"),
        ("status", "text"),
        ("host_party", "text"),
        ("location", "text"),
        ("starts_on", "date"),
        ("ends_on", "date"),
        ("summary", "text"),
    ),
    ("id",),
    (("roadmap_id",),),
)
DECISIONS = Table(
    "rm_decisions",
    (
        *_ITEM,
        ("consultation_id", "text"),
        ("text", "text"),
        ("status", "text"),
        ("recorded_by", "text"),
    ),
    ("id",),
    (("roadmap_id",), ("consultation_id",)),
)
EXCHANGES = Table(
    "rm_exchanges",
    (
        *_ITEM,
        ("category", "text"),
        ("from_party", "text"),
        ("to_party", "text"),
        ("participants", "int"),
        ("starts_on", "date"),
        ("ends_on", "date"),
        ("title", "text"),
        ("status", "text"),
    ),
    ("id",),
    (("roadmap_id",),),
)
REFORMS = Table(
    "rm_reform_proposals",
    (*_ITEM, ("title", "text"), ("forum", "text"), ("summary", "text"), ("status", "text")),
    ("id",),
    (("roadmap_id",),),
)
PRIORITIES = Table(
    "rm_priorities",
    (("roadmap_id", "text"), ("code", "text"), ("title", "text"), ("ord", "int")),
    ("roadmap_id", "code"),
)
ITEM_PRIORITIES = Table(
    "rm_item_priorities",
    (("item_id", "text"), ("code", "text"), ("item_kind", "text")),
    ("item_id", "code"),
    (("code",),),
)
MEMBERS = Table(
    "rm_item_parties",
    (("item_id", "text"), ("role", "text"), ("party", "text")),
    ("item_id", "role", "party"),
)
AUDIT = Table(
    "rm_audit",
    (
        ("position", "int"),
        ("leaf_index", "int"),
        ("stream_id", "text"),
        ("stream_version", "int"),
        ("event_type", "text"),
        ("item_kind", "text"),
        ("roadmap_id", "text"),
        ("recorded_at", "ts"),
        ("effective_on", "date"),
        ("effective_year", "int"),
        ("actor", "text"),
        ("actor_party", "text"),
        ("summary", "text"),
        ("data", "json"),
        ("hash", "text"),
    ),
    ("position",),
    (("leaf_index",), ("stream_id", "stream_version"), ("roadmap_id", "position")),
)
MERKLE = Table("rm_merkle", (("level", "int"), ("idx", "int"), ("hash", "text")), ("level", "idx"))
TREE_HEADS = Table(
    "rm_tree_heads",
    (
        ("tree_size", "int"),
        ("root_hash", "text"),
        ("signed_at", "text"),
        ("key_id", "text"),
        ("signature", "text"),
    ),
    ("tree_size",),
)
TRACKING = Table(
    "rm_tracking", (("name", "text"), ("position", "int"), ("leaf_count", "int")), ("name",)
)

ENTRIES = Table(
    "rm_entries",
    (("item_id", "text"), ("version", "int"), ("entry", "blob")),
    ("item_id", "version"),
)
SEGMENTS = Table(
    "rm_segments",
    (
        ("item_id", "text"),
        ("recorded_from", "ts"),
        ("effective_from", "date"),
        ("recorded_to", "ts"),
        ("effective_to", "date"),
        ("kind", "text"),
        ("roadmap_id", "text"),
        ("created_at", "ts"),
        ("void", "bool"),
        ("public", "json"),
    ),
    ("item_id", "recorded_from", "effective_from"),
    (("roadmap_id", "recorded_to", "recorded_from"), ("item_id", "recorded_to")),
    (
        "CREATE INDEX IF NOT EXISTS {name}_periods ON {name} USING gist ("
        "tstzrange(recorded_from, recorded_to, '[)'), "
        "daterange(effective_from, effective_to, '[)'))",
    ),
)
ITEM_VERSIONS = Table(
    "rm_item_versions",
    (
        ("item_id", "text"),
        ("recorded_from", "ts"),
        ("recorded_to", "ts"),
        ("version", "int"),
        ("updated_at", "ts"),
    ),
    ("item_id", "recorded_from"),
    (("item_id", "recorded_to"),),
    (
        "CREATE INDEX IF NOT EXISTS {name}_periods ON {name} USING gist ("
        "tstzrange(recorded_from, recorded_to, '[)'))",
    ),
)

ITEM_TABLES = (ROADMAPS, PLEDGES, CONSULTATIONS, DECISIONS, EXCHANGES, REFORMS)

#: Every table of the live read side, so that the reporting views always find theirs.
LIVE_TABLES = (
    *ITEM_TABLES,
    PRIORITIES,
    ITEM_PRIORITIES,
    MEMBERS,
    AUDIT,
    MERKLE,
    TREE_HEADS,
    ENTRIES,
    SEGMENTS,
    ITEM_VERSIONS,
    TRACKING,
)
