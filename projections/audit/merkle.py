"""RFC 9162 Merkle tree hashing, proofs and their verification.

The tree is stored as its perfect subtrees: node (level, index) is the hash of leaves
[index·2^level, (index+1)·2^level). Appending a leaf creates at most log₂ n nodes, and every
root, inclusion path and consistency path of RFC 9162 decomposes into such perfect subtrees.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

NodeKey = tuple[int, int]
#: Fetches stored perfect-subtree hashes by (level, index).
Fetch = Callable[[Iterable[NodeKey]], dict[NodeKey, bytes]]


def leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


@dataclass
class Frontier:
    """The perfect subtrees along the right edge of a tree of `size` leaves, largest first."""

    size: int
    nodes: list[tuple[int, bytes]]

    @staticmethod
    def keys(size: int) -> list[NodeKey]:
        keys, start = [], 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                keys.append((level, start >> level))
                start += 1 << level
        return keys

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Adds a leaf; answers the new stored nodes as (level, index, hash)."""
        index = self.size
        created = [(0, index, leaf_hash)]
        level, value = 0, leaf_hash
        while self.nodes and self.nodes[-1][0] == level:
            _, left = self.nodes.pop()
            value = node(left, value)
            level += 1
            created.append((level, index >> level, value))
        self.nodes.append((level, value))
        self.size += 1
        return created

    def push(self, leaf_hash: bytes) -> None:
        """`append` without answering the new nodes (verifying folds a million of them)."""
        nodes, level, value = self.nodes, 0, leaf_hash
        while nodes and nodes[-1][0] == level:
            value = node(nodes.pop()[1], value)
            level += 1
        nodes.append((level, value))
        self.size += 1

    def root(self) -> bytes:
        if not self.nodes:
            return hashlib.sha256(b"").digest()
        value = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            value = node(left, value)
        return value


def _ranges_of(start: int, n: int, out: list[NodeKey]) -> None:
    """The perfect subtrees whose hashes make MTH(D[start:start+n])."""
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        out.append((level, start >> level))
        return
    k = split(n)
    _ranges_of(start, k, out)
    _ranges_of(start + k, n - k, out)


def _mth(start: int, n: int, nodes: dict[NodeKey, bytes]) -> bytes:
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return nodes[(level, start >> level)]
    k = split(n)
    return node(_mth(start, k, nodes), _mth(start + k, n - k, nodes))


def _inclusion_ranges(m: int, start: int, n: int) -> list[tuple[int, int]]:
    """RFC 9162 2.1.3.1 PATH(m, D[start:start+n]) as (start, size) subtree ranges, leaf first."""
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return [*_inclusion_ranges(m, start, k), (start + k, n - k)]
    return [*_inclusion_ranges(m - k, start + k, n - k), (start, k)]


def _consistency_ranges(m: int, start: int, n: int, whole: bool) -> list[tuple[int, int]]:
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[start:start+n], b) as subtree ranges."""
    if m == n:
        return [] if whole else [(start, n)]
    k = split(n)
    if m <= k:
        return [*_consistency_ranges(m, start, k, whole), (start + k, n - k)]
    return [*_consistency_ranges(m - k, start + k, n - k, False), (start, k)]


def _keys(ranges: list[tuple[int, int]]) -> list[NodeKey]:
    keys: list[NodeKey] = []
    for start, n in ranges:
        _ranges_of(start, n, keys)
    return keys


def _hashes(ranges: list[tuple[int, int]], fetch: Fetch) -> list[bytes]:
    nodes = fetch(_keys(ranges))
    return [_mth(start, n, nodes) for start, n in ranges]


def keys_needed(
    *,
    root: int = 0,
    inclusion: tuple[int, int] | None = None,
    consistency: tuple[int, int] | None = None,
) -> list[NodeKey]:
    """Every stored node a root, an inclusion path and a consistency path will read."""
    ranges = [(0, root)] if root else []
    if inclusion is not None:
        ranges += _inclusion_ranges(inclusion[0], 0, inclusion[1])
    if consistency is not None and consistency[0] not in (0, consistency[1]):
        first, second = consistency
        ranges += [(0, first), *_consistency_ranges(first, 0, second, True)]
    return _keys(ranges)


def root_of(size: int, fetch: Fetch) -> bytes:
    if size == 0:
        return hashlib.sha256(b"").digest()
    return _hashes([(0, size)], fetch)[0]


def inclusion_path(index: int, size: int, fetch: Fetch) -> list[bytes]:
    return _hashes(_inclusion_ranges(index, 0, size), fetch)


def consistency_path(first: int, second: int, fetch: Fetch) -> list[bytes]:
    if first in (0, second):
        return []
    return _hashes(_consistency_ranges(first, 0, second, True), fetch)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, path: list[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]
) -> bool:
    """RFC 9162 2.1.4.2."""
    if first > second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path
    if not path:
        return False
    proof = list(path)
    if first & (first - 1) == 0:
        proof.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
