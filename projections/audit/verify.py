"""`roadmap verify`: recompute every leaf from the stored events and check every signed head.

Nothing is trusted but the events themselves and the signing key: the audit table, the stored
tree, the heads and the checkpoints may all have been edited by someone with write access to the
database. Memory stays constant: events, audit rows, heads and checkpoints are read a page at a
time. Nothing is written: tables the read side never made are read as empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.application.service import RoadmapLedger
from projections.audit import recompute
from projections.audit.checkpoints import ORIGIN
from projections.audit.merkle import Frontier
from projections.audit.notes import Checkpoint, Note, NoteError, VerifierKey
from projections.audit.recompute import Leaf, default_workers
from projections.audit.signing import signature_valid
from projections.audit.tables import AUDIT, CHECKPOINTS, IDENTITY, TREE_HEADS
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
    checkpoints: int = 0
    #: The root recomputed from the events (hex), when they were all read.
    root: str | None = None
    #: The size of the saved checkpoint the log was found consistent with (`--since`).
    since: int | None = None

    def line(self) -> str:
        if self.ok:
            line = (
                f"intact: {self.events} events, {self.heads} signed tree heads and "
                f"{self.checkpoints} checkpoints verified"
            )
            if self.covered < self.events:
                line += (
                    f"; the last {self.events - self.covered} events are not yet under a signed "
                    "head (the projections have not reached them)"
                )
            return line
        where = f" at position {self.position}" if self.position is not None else ""
        leaf = f" (leaf {self.leaf_index})" if self.leaf_index is not None else ""
        return f"ALTERED{where}{leaf}: {self.problem}"


class SavedCheckpointError(ValueError):
    """The checkpoint an auditor saved is not one this log's key signed: nothing to compare."""


def existing_tables(store: ReadStore) -> set[str]:
    """The tables of the store, found without creating any."""
    with store.transaction() as cursor:
        if store.dialect == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        return {str(row[0]) for row in cursor.fetchall()}


def _pages(store: ReadStore, sql: str, present: bool) -> Iterator[tuple[Any, ...]]:
    """Rows of `sql` (which takes the last key and a limit) in key order, a page at a time."""
    after = -1
    while present:
        with store.transaction() as cursor:
            cursor.execute(sql, [after, PAGE])
            rows = [tuple(r) for r in cursor.fetchall()]
        yield from rows
        if len(rows) < PAGE:
            return
        after = int(rows[-1][0])


def stored_origin(store: ReadStore, tables: set[str]) -> str | None:
    if IDENTITY.name not in tables:
        return None
    with store.transaction() as cursor:
        cursor.execute(f"SELECT value FROM {IDENTITY.name} WHERE name = ?", [ORIGIN])
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def verify(
    app: RoadmapLedger,
    store: ReadStore,
    public_key: Ed25519PublicKey,
    progress: Callable[[int], None] | None = None,
    *,
    log_key: VerifierKey | None = None,
    since: Note | None = None,
    workers: int | None = None,
) -> Verdict:
    """Checks the log against its audit trail, its heads, its checkpoints and `since`.

    Checkpoints are checked against `log_key` (by default the public key under the store's
    origin); `since` is a checkpoint the auditor saved earlier, which today's log must extend
    (SavedCheckpointError if this log's key did not sign it). Leaves are recomputed in
    `workers` processes (default: ROADMAP_VERIFY_WORKERS, else one per core).
    """
    tables = existing_tables(store)
    origin = stored_origin(store, tables)
    audit = (
        (int(r[0]), int(r[1]), str(r[2]))
        for r in _pages(
            store,
            f"SELECT leaf_index, position, hash FROM {AUDIT.name} "
            "WHERE leaf_index > ? ORDER BY leaf_index LIMIT ?",
            AUDIT.name in tables,
        )
    )
    names = ", ".join(TREE_HEADS.column_names)
    heads = (
        dict(zip(TREE_HEADS.column_names, r, strict=True))
        for r in _pages(
            store,
            f"SELECT {names} FROM {TREE_HEADS.name} WHERE tree_size > ? ORDER BY tree_size LIMIT ?",
            TREE_HEADS.name in tables,
        )
    )
    notes = _pages(
        store,
        f"SELECT tree_size, note FROM {CHECKPOINTS.name} WHERE tree_size > ? "
        "ORDER BY tree_size LIMIT ?",
        CHECKPOINTS.name in tables,
    )
    checks = _Checks(public_key, log_key, origin)
    if since is not None:
        checks.saved(since)
    workers = default_workers() if workers is None else workers
    with closing(recompute.leaves(app, workers)) as leaves:
        return _Walk(leaves, audit, heads, notes, checks).run(progress)


class _Checks:
    """What each signed size is checked against: the key, the log's name, the saved checkpoint."""

    def __init__(
        self, public_key: Ed25519PublicKey, log_key: VerifierKey | None, origin: str | None
    ) -> None:
        self.public_key = public_key
        self.log_key = log_key
        self.origin = log_key.name if log_key is not None else origin
        self.since: Checkpoint | None = None

    def key(self, origin: str) -> VerifierKey:
        """The log's verifier key; without a stored origin, the first checkpoint's names it."""
        if self.log_key is None:
            self.origin = self.origin or origin
            self.log_key = VerifierKey.of(self.origin, self.public_key)
        return self.log_key

    def saved(self, note: Note) -> None:
        try:
            checkpoint = Checkpoint.parse(note.text)
        except NoteError as error:
            raise SavedCheckpointError(
                f"the saved checkpoint is not a checkpoint: {error}"
            ) from None
        key = self.key(checkpoint.origin)
        if checkpoint.origin != key.name or not note.signed_by(key):
            msg = (
                f"the saved checkpoint (log {checkpoint.origin!r}, {checkpoint.size} leaves) is "
                f"not signed by this log's key {key.text()}"
            )
            raise SavedCheckpointError(msg)
        self.since = checkpoint

    def head(self, head: dict[str, Any], frontier: Frontier) -> str | None:
        if not signature_valid(self.public_key, head):
            return f"the signature of the tree head at size {head['tree_size']} is not valid"
        if head["root_hash"] != frontier.root().hex():
            return (
                f"the log's root at size {head['tree_size']} differs from the signed tree head: "
                "an event up to there was altered, inserted, deleted or reordered"
            )
        return None

    def checkpoint(self, text: str, frontier: Frontier) -> str | None:
        size = frontier.size
        try:
            note = Note.parse(text)
            checkpoint = Checkpoint.parse(note.text)
        except NoteError as error:
            return f"the checkpoint at size {size} is malformed: {error}"
        key = self.key(checkpoint.origin)
        if checkpoint.origin != key.name:
            return (
                f"the checkpoint at size {size} names the log {checkpoint.origin!r}, "
                f"not {key.name!r}"
            )
        if not note.signed_by(key):
            return f"the signature of the checkpoint at size {size} is not valid"
        if checkpoint.size != size or checkpoint.root != frontier.root():
            return (
                f"the log's root at size {size} differs from the signed checkpoint: an event up "
                "to there was altered, inserted, deleted or reordered"
            )
        return None

    def saved_root(self, frontier: Frontier) -> str | None:
        if self.since is None or self.since.size != frontier.size:
            return None
        if self.since.root != frontier.root():
            return (
                f"the log's root at size {frontier.size} differs from the checkpoint you saved: "
                "an event up to there was altered, inserted, deleted or reordered since"
            )
        return None


@dataclass
class _Walk:
    """One pass over the log: each event's leaf against the audit trail, each signed size
    against what was signed at it."""

    leaves: Iterator[Leaf]
    audit: Iterator[tuple[int, int, str]]
    heads: Iterator[dict[str, Any]]
    notes: Iterator[tuple[Any, ...]]
    checks: _Checks
    frontier: Frontier = field(default_factory=lambda: Frontier(0, []))
    heads_checked: int = 0
    checkpoints_checked: int = 0
    covered: int = 0

    def run(self, progress: Callable[[int], None] | None) -> Verdict:
        head, note = next(self.heads, None), next(self.notes, None)
        due = self._due(head, note)
        for position, digest, unreadable in self.leaves:
            index = self.frontier.size
            if digest is None:
                return self._altered(f"event cannot be read: {unreadable}", position, index)
            row = next(self.audit, None)
            if row is not None and (row[1] != position or row[2] != digest):
                problem = (
                    f"the event at leaf {index} (position {position}) hashes to "
                    f"{digest[:16]}…, the audit trail recorded {row[2][:16]}… for position {row[1]}"
                )
                # A deleted event shows as the next one in its place: name the earlier position.
                return self._altered(problem, min(row[1], position), index)
            self.frontier.push(bytes.fromhex(digest))
            size = index + 1
            if size in due:
                wrong = self.checks.saved_root(self.frontier)
                while wrong is None and head is not None and int(head["tree_size"]) == size:
                    wrong = self.checks.head(head, self.frontier)
                    self.heads_checked += wrong is None
                    self.covered = size
                    head = next(self.heads, None)
                while wrong is None and note is not None and int(note[0]) == size:
                    wrong = self.checks.checkpoint(str(note[1]), self.frontier)
                    self.checkpoints_checked += wrong is None
                    note = next(self.notes, None)
                if wrong is not None:
                    return self._altered(wrong, position, index, size)
                due = self._due(head, note)
            if progress is not None and size % 10_000 == 0:
                progress(size)
        return self._end(head, note)

    def _due(self, head: dict[str, Any] | None, note: tuple[Any, ...] | None) -> set[int]:
        """The sizes at which something signed is next checked (the rest of the leaves are only
        hashed and folded)."""
        since = self.checks.since
        return {
            int(head["tree_size"]) if head is not None else -1,
            int(note[0]) if note is not None else -1,
            since.size if since is not None else -1,
        }

    def _altered(
        self, problem: str, position: int | None, leaf: int, events: int | None = None
    ) -> Verdict:
        return Verdict(
            False,
            self.frontier.size if events is None else events,
            self.heads_checked,
            problem,
            position,
            leaf,
            checkpoints=self.checkpoints_checked,
        )

    def _end(self, head: dict[str, Any] | None, note: tuple[Any, ...] | None) -> Verdict:
        size = self.frontier.size
        leftover = next(self.audit, None)
        if leftover is not None:
            problem = (
                f"the audit trail records an event at position {leftover[1]} (leaf "
                f"{leftover[0]}) that the log no longer holds: events were deleted"
            )
            return self._altered(problem, leftover[1], leftover[0])
        since = self.checks.since
        for what, signed in (
            ("signed head", None if head is None else int(head["tree_size"])),
            ("checkpoint", None if note is None else int(note[0])),
            ("checkpoint you saved", None if since is None else since.size),
        ):
            if signed is not None and signed > size:
                problem = (
                    f"a {what} covers {signed} leaves but the log holds {size} events: "
                    "events were deleted"
                )
                return self._altered(problem, None, size)
        return Verdict(
            True,
            size,
            self.heads_checked,
            covered=self.covered,
            checkpoints=self.checkpoints_checked,
            root=self.frontier.root().hex(),
            since=None if since is None else since.size,
        )
