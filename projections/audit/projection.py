"""The audit trail: every event in global order, its leaf index and hash, and the Merkle tree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from domain.model.kinds import kind_name_of
from projections.audit.checkpoints import sign_checkpoint
from projections.audit.leaf import StoredLeaves
from projections.audit.merkle import Frontier, NodeKey
from projections.audit.signing import Signer
from projections.audit.summary import summarize
from projections.audit.tables import AUDIT, MERKLE, TREE_HEADS
from projections.runtime.cache import ItemCache
from projections.runtime.db import Cursor, Dialect, among, insert_many
from projections.runtime.runner import Recorded
from projections.runtime.tables import Table, from_db


def utc_now() -> datetime:
    return datetime.now(UTC)


def fetch_nodes(cursor: Cursor, table: Table, keys: Iterable[NodeKey]) -> dict[NodeKey, bytes]:
    wanted = sorted(set(keys))
    found: dict[NodeKey, bytes] = {}
    for start in range(0, len(wanted), 200):
        chunk = wanted[start : start + 200]
        where = " OR ".join("(level = ? AND idx = ?)" for _ in chunk)
        cursor.execute(
            f"SELECT level, idx, hash FROM {table.name} WHERE {where}",
            [v for key in chunk for v in key],
        )
        found.update({(int(r[0]), int(r[1])): bytes.fromhex(r[2]) for r in cursor.fetchall()})
    return found


def leaf_count(cursor: Cursor, audit: Table = AUDIT) -> int:
    """The tree's size: one leaf an entry, indexed from 0 (an index answers it at once)."""
    cursor.execute(f"SELECT MAX(leaf_index) FROM {audit.name}")
    row = cursor.fetchone()
    return 0 if row is None or row[0] is None else int(row[0]) + 1


class AuditProjection:
    name = "audit"
    base_tables: tuple[Table, ...] = (AUDIT, MERKLE)

    def __init__(
        self,
        suffix: str = "",
        signer: Signer | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """With a `signer` (the live runner), a signed tree head follows every batch."""
        self.audit = AUDIT.with_name(AUDIT.name + suffix)
        self.merkle = MERKLE.with_name(MERKLE.name + suffix)
        self.tables: tuple[Table, ...] = (self.audit, self.merkle)
        self.signer = signer
        self.clock = clock
        self.leaves = StoredLeaves()
        #: The tree's right edge after the last batch, and the roadmap of recent streams: a
        #: live batch of a few events then reads nothing back. Forgotten when a batch rolls
        #: back or another runner moved the position.
        self.frontier: Frontier | None = None
        self.roadmaps: ItemCache[str] = ItemCache(20_000)

    def forget(self) -> None:
        self.frontier = None
        self.roadmaps.clear()

    def apply(self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]) -> None:
        """Appends the batch's entries and leaves, then signs the new tree head."""
        roadmaps = self._roadmaps_of(cursor, dialect, events)
        frontier = self.frontier
        if frontier is None:
            leaves = leaf_count(cursor, self.audit)
            keys = Frontier.keys(leaves)
            nodes = fetch_nodes(cursor, self.merkle, keys)
            frontier = Frontier(leaves, [(level, nodes[(level, idx)]) for level, idx in keys])
        # Unusable until this batch commits: a failure below leaves it half-appended.
        self.frontier = None
        leaves = frontier.size
        rows: list[tuple[Any, ...]] = []
        tree: list[tuple[int, int, str]] = []
        for offset, (position, event, stored) in enumerate(events):
            fields, digest = self.leaves.leaf(stored)
            stream_id = fields["stream_id"]
            kind = kind_name_of(event)
            if fields["stream_version"] == 1:
                roadmaps[stream_id] = str(fields["data"].get("roadmap_id", stream_id))
            row = {
                **fields,
                "position": position,
                "leaf_index": leaves + offset,
                "item_kind": kind,
                "roadmap_id": roadmaps.get(stream_id),
                "effective_year": int(fields["effective_on"][:4]),
                "summary": summarize(
                    kind,
                    fields["event_type"],
                    fields["data"],
                    fields["actor"],
                    fields["actor_party"],
                ),
                "hash": digest,
            }
            rows.append(self.audit.row(row, dialect))
            tree.extend((lv, ix, h.hex()) for lv, ix, h in frontier.append(bytes.fromhex(digest)))
        insert_many(cursor, dialect, self.audit, rows)
        insert_many(cursor, dialect, self.merkle, tree)
        if rows:
            self._sign(cursor, frontier)
        for stream_id, roadmap in roadmaps.items():
            if roadmap is not None:
                self.roadmaps.put(stream_id, roadmap)
        self.frontier = frontier

    def _sign(self, cursor: Cursor, frontier: Frontier) -> None:
        """The new size signed twice with one key: the JSON head (release 0.1's format, which
        its auditors check) and the C2SP checkpoint (which transparency tools check)."""
        if self.signer is None:
            return
        root = frontier.root()
        head: dict[str, Any] = {
            "tree_size": frontier.size,
            "root_hash": root.hex(),
            "signed_at": self.clock().isoformat(),
            "key_id": self.signer.key_id,
        }
        head["signature"] = self.signer.sign(head)
        cursor.execute(
            f"{TREE_HEADS.insert()} ON CONFLICT (tree_size) DO NOTHING",
            [head[name] for name in TREE_HEADS.column_names],
        )
        sign_checkpoint(cursor, self.signer, frontier.size, root)

    def _roadmaps_of(
        self, cursor: Cursor, dialect: Dialect, events: Sequence[Recorded]
    ) -> dict[str, str]:
        """The roadmap of each stream that began before this batch, from its first entry."""
        found: dict[str, str] = {}
        earlier = []
        for stream_id in sorted(
            {str(e.originator_id) for _, e, _ in events}
            - {str(e.originator_id) for _, e, _ in events if e.originator_version == 1}
        ):
            known = self.roadmaps.get(stream_id)
            if known is None:
                earlier.append(stream_id)
            else:
                found[stream_id] = known
        for start in range(0, len(earlier), 500):
            chunk = earlier[start : start + 500]
            where, params = among(dialect, "stream_id", chunk)
            cursor.execute(
                f"SELECT stream_id, roadmap_id FROM {self.audit.name} "
                f"WHERE stream_version = 1 AND {where}",
                params,
            )
            found.update({row[0]: from_db("text", row[1]) for row in cursor.fetchall()})
        return found
