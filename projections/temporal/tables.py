"""The bitemporal history's tables: entries, the date segments of states, item versions."""

from __future__ import annotations

from projections.runtime.tables import Table

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
    (("roadmap_id", "recorded_to", "recorded_from"),),
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
    # Time travel joins every segment in force to its item's version row at the moment: with
    # every column it reads in the index, a lookup reads no table row (SQLite: half the join).
    lookups=(("at_moment", ("item_id", "recorded_from", "recorded_to", "version", "updated_at")),),
)

#: Each item's open spans (their states and the rows that show them) and its open version row,
#: as the item stood when it last left the projection's cache: the next event continues them
#: without reading the item's entries or folding them again, unless the head is behind.
HEADS = Table(
    "rm_item_heads",
    (
        ("item_id", "text"),
        ("kind", "text"),
        ("roadmap_id", "text"),
        ("created_at", "ts"),
        ("head", "blob"),
    ),
    ("item_id",),
)

TABLES = (ENTRIES, SEGMENTS, ITEM_VERSIONS, HEADS)
