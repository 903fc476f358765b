"""Tree heads, RFC 9162 proofs and tlog-proof bundles served from the stored perfect subtrees."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.audit import merkle
from projections.audit.bundles import ProofBundle
from projections.audit.leaf import LEAF_FIELDS, leaf_bytes
from projections.audit.notes import Checkpoint, Note
from projections.audit.projection import fetch_nodes, leaf_count
from projections.audit.tables import AUDIT, MERKLE, TREE_HEADS
from projections.runtime.db import Cursor, ReadStore
from projections.runtime.tables import from_db


class ProofRangeError(ValueError):
    """A proof was asked for sizes or indexes the tree does not have."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def tree_size(store: ReadStore) -> int:
    with store.transaction() as cursor:
        return _size(cursor)


def tree_head(store: ReadStore, size: int | None = None) -> dict[str, Any] | None:
    """The latest signed head, or the one signed at `size` leaves."""
    names = TREE_HEADS.column_names
    query = f"SELECT {', '.join(names)} FROM {TREE_HEADS.name} "
    with store.transaction() as cursor:
        if size is None:
            cursor.execute(query + "ORDER BY tree_size DESC LIMIT 1")
        else:
            cursor.execute(query + "WHERE tree_size = ?", [size])
        row = cursor.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def tree_heads(store: ReadStore, after: int = 0, limit: int = 1000) -> list[dict[str, Any]]:
    names = TREE_HEADS.column_names
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT {', '.join(names)} FROM {TREE_HEADS.name} "
            "WHERE tree_size > ? ORDER BY tree_size LIMIT ?",
            [after, limit],
        )
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _size(cursor: Cursor) -> int:
    return leaf_count(cursor)


def _check_size(current: int, size: int, field: str) -> None:
    if not 1 <= size <= current:
        msg = f"{field} must be between 1 and the current tree size {current}"
        raise ProofRangeError(msg, field)


def inclusion(store: ReadStore, leaf_index: int, size: int) -> dict[str, Any]:
    """One transaction, one read of the stored nodes."""
    with store.transaction() as cursor:
        _check_size(_size(cursor), size, "tree_size")
        if not 0 <= leaf_index < size:
            raise ProofRangeError(f"leaf_index must be below tree_size {size}", "leaf_index")
        cursor.execute(f"SELECT hash FROM {AUDIT.name} WHERE leaf_index = ?", [leaf_index])
        leaf_hash = cursor.fetchone()[0]
        keys = merkle.keys_needed(root=size, inclusion=(leaf_index, size))
        nodes = fetch_nodes(cursor, MERKLE, keys)
    return {
        "leaf_index": leaf_index,
        "tree_size": size,
        "leaf_hash": leaf_hash,
        "path": [p.hex() for p in merkle.inclusion_path(leaf_index, size, _known(nodes))],
        "root_hash": merkle.root_of(size, _known(nodes)).hex(),
    }


def consistency(store: ReadStore, first: int, second: int) -> dict[str, Any]:
    with store.transaction() as cursor:
        _check_size(_size(cursor), second, "second")
        if not 1 <= first <= second:
            raise ProofRangeError(f"first must be between 1 and second ({second})", "first")
        keys = merkle.keys_needed(root=second, consistency=(first, second))
        nodes = fetch_nodes(cursor, MERKLE, [*keys, *merkle.keys_needed(root=first)])
    known = _known(nodes)
    return {
        "first": first,
        "second": second,
        "path": [p.hex() for p in merkle.consistency_path(first, second, known)],
        "first_root_hash": merkle.root_of(first, known).hex(),
        "second_root_hash": merkle.root_of(second, known).hex(),
    }


def bundle(store: ReadStore, leaf_index: int, checkpoint: Note) -> str:
    """The tlog-proof@v1 bundle of one leaf against a signed checkpoint (cosignatures kept)."""
    size = Checkpoint.parse(checkpoint.text).size
    if not 0 <= leaf_index < size:
        raise ProofRangeError(f"leaf_index must be below tree_size {size}", "leaf_index")
    kinds = dict(AUDIT.columns)
    with store.transaction() as cursor:
        cursor.execute(
            f"SELECT hash, {', '.join(LEAF_FIELDS)} FROM {AUDIT.name} WHERE leaf_index = ?",
            [leaf_index],
        )
        stored_hash, *values = cursor.fetchone()
        nodes = fetch_nodes(cursor, MERKLE, merkle.keys_needed(inclusion=(leaf_index, size)))
    fields = {
        name: from_db(kinds[name], value) for name, value in zip(LEAF_FIELDS, values, strict=True)
    }
    extra = leaf_bytes(fields)
    if merkle.leaf(extra).hex() != stored_hash:
        # Served anyway it would fail every check; the audit trail needs a rebuild first.
        msg = f"the audit entry of leaf {leaf_index} no longer hashes to its stored leaf hash"
        raise RuntimeError(msg)
    path = merkle.inclusion_path(leaf_index, size, _known(nodes))
    return ProofBundle(leaf_index, tuple(path), checkpoint, extra).text()


def _known(nodes: dict[merkle.NodeKey, bytes]) -> merkle.Fetch:
    """A fetch over nodes read already: a missing node is a damaged tree, not a new query."""

    def fetch(keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
        return {key: nodes[key] for key in keys}

    return fetch
