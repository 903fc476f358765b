"""The audit trail's tables: one entry a leaf, the Merkle tree's nodes, the signed heads."""

from __future__ import annotations

from projections.runtime.tables import Table

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

TABLES = (AUDIT, MERKLE, TREE_HEADS)
