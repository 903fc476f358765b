"""`roadmap verify`: recompute every leaf from the stored events and check every signed head.

Nothing is trusted but the events themselves and the signing key: the audit table, the stored
tree and the heads may all have been edited by someone with write access to the database.
Memory stays constant: events, audit rows and heads are read a page at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.application.service import RoadmapLedger
from projections.audit.leaf import StoredLeaves, leaf_hash
from projections.audit.merkle import Frontier
from projections.audit.proofs import tree_heads
from projections.audit.signing import signature_valid
from projections.audit.tables import AUDIT
from projections.runtime.db import ReadStore

PAGE = 5000


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    heads: int
    problem: str | None = None
    position: int | None = None
    leaf_index: int | None = None
    covered: int = 0

    def line(self) -> str:
        if self.ok:
            line = f"intact: {self.events} events, {self.heads} signed tree heads verified"
            if self.covered < self.events:
                line += (
                    f"; the last {self.events - self.covered} events are not yet under a signed "
                    "head (the projections have not reached them)"
                )
            return line
        where = f" at position {self.position}" if self.position is not None else ""
        leaf = f" (leaf {self.leaf_index})" if self.leaf_index is not None else ""
        return f"ALTERED{where}{leaf}: {self.problem}"


def _audit_rows(store: ReadStore) -> Iterator[tuple[int, int, str]]:
    after = -1
    while True:
        with store.transaction() as cursor:
            cursor.execute(
                f"SELECT leaf_index, position, hash FROM {AUDIT.name} "
                "WHERE leaf_index > ? ORDER BY leaf_index LIMIT ?",
                [after, PAGE],
            )
            rows = [(int(r[0]), int(r[1]), str(r[2])) for r in cursor.fetchall()]
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _heads(store: ReadStore) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        page = tree_heads(store, after, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = int(page[-1]["tree_size"])


def verify(
    app: RoadmapLedger,
    store: ReadStore,
    public_key: Ed25519PublicKey,
    progress: Callable[[int], None] | None = None,
) -> Verdict:
    frontier = Frontier(0, [])
    leaves = StoredLeaves()
    audit = _audit_rows(store)
    heads = _heads(store)
    head = next(heads, None)
    checked = covered = 0
    for notification in app.notifications():
        index = frontier.size
        try:
            digest = leaf_hash(leaves.fields(notification))
        except Exception as error:
            return Verdict(
                False, index, checked, f"event cannot be read: {error}", notification.id, index
            )
        row = next(audit, None)
        if row is not None and (row[1] != notification.id or row[2] != digest):
            problem = (
                f"the event at leaf {index} (position {notification.id}) hashes to "
                f"{digest[:16]}…, the audit trail recorded {row[2][:16]}… for position {row[1]}"
            )
            # A deleted event shows as the next one in its place: name the earlier position.
            return Verdict(False, index, checked, problem, min(row[1], notification.id), index)
        frontier.append(bytes.fromhex(digest))
        while head is not None and int(head["tree_size"]) == frontier.size:
            wrong = _check_head(head, frontier, public_key)
            if wrong is not None:
                return Verdict(False, frontier.size, checked, wrong, notification.id, index)
            checked += 1
            covered = frontier.size
            head = next(heads, None)
        if progress is not None and frontier.size % 10_000 == 0:
            progress(frontier.size)
    leftover = next(audit, None)
    if leftover is not None:
        problem = (
            f"the audit trail records an event at position {leftover[1]} (leaf {leftover[0]}) "
            f"that the log no longer holds: events were deleted"
        )
        return Verdict(False, frontier.size, checked, problem, leftover[1], leftover[0])
    if head is not None:
        problem = (
            f"a signed head covers {head['tree_size']} leaves but the log holds {frontier.size} "
            "events: events were deleted"
        )
        return Verdict(False, frontier.size, checked, problem, None, frontier.size)
    return Verdict(True, frontier.size, checked, covered=covered)


def _check_head(
    head: dict[str, Any], frontier: Frontier, public_key: Ed25519PublicKey
) -> str | None:
    if not signature_valid(public_key, head):
        return f"the signature of the tree head at size {head['tree_size']} is not valid"
    if head["root_hash"] != frontier.root().hex():
        return (
            f"the log's root at size {head['tree_size']} differs from the signed tree head: "
            "an event up to there was altered, inserted, deleted or reordered"
        )
    return None
