"""The audit trail's tables: one entry a leaf, the Merkle tree's nodes, the signed heads.

The projection rebuilds only the entries and the tree (`AuditProjection.tables`). What was
signed — heads, checkpoints, witnesses' cosignatures — and the log's origin are the record of
what auditors were shown: a rebuild never drops them, and an origin never changes.
"""

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
    for_readers=(("roadmap_id", "position"),),
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

#: The log's identity: one row, `origin`, chosen once per store (ROADMAP_LOG_ORIGIN or generated).
IDENTITY = Table("rm_log_identity", (("name", "text"), ("value", "text")), ("name",))
#: C2SP checkpoints, signed beside the JSON heads (heads signed before checkpoints existed, as
#: release 0.1's, have none): the signed note without cosignatures.
CHECKPOINTS = Table("rm_checkpoints", (("tree_size", "int"), ("note", "text")), ("tree_size",))
#: Witnesses' cosignature lines, each checked against the witness's key before it was stored.
COSIGNATURES = Table(
    "rm_cosignatures",
    (
        ("tree_size", "int"),
        ("witness", "text"),
        ("key_id", "text"),
        ("cosigned_at", "int"),
        ("line", "text"),
    ),
    ("tree_size", "witness", "key_id"),
    (("witness", "key_id", "tree_size"),),
)

TABLES = (AUDIT, MERKLE, TREE_HEADS, IDENTITY, CHECKPOINTS, COSIGNATURES)
