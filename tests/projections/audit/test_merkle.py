"""RFC 9162 Merkle trees (issue 6): `projections.audit.merkle` against our own reading of the RFC.

Everything the module computes — the stored perfect subtrees, roots, inclusion and consistency
paths — is compared with brute force over all leaves, for every tree size up to 70; every proof
is checked by the module's verifiers and by the verifiers written here from §2.1.3.2 and §2.1.4.2,
and tampered proofs are refused by both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import cache

import pytest

from projections.audit import merkle

SIZES = range(1, 71)
Fetch = Callable[[Iterable[tuple[int, int]]], dict[tuple[int, int], bytes]]


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


#: The leaves' hashes: SHA-256(0x00 ‖ data) of 70 distinct entries.
LEAVES = tuple(sha256(b"\x00" + f"entry {n}".encode()) for n in range(max(SIZES)))


def interior(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def mth(start: int, end: int) -> bytes:
    """RFC 9162 §2.1.1: MTH(D[start:end]) by recursion over the leaves."""
    n = end - start
    if n == 0:
        return sha256(b"")
    if n == 1:
        return LEAVES[start]
    k = largest_power_of_two_below(n)
    return interior(mth(start, start + k), mth(start + k, end))


def rfc_path(m: int, start: int, end: int) -> list[bytes]:
    """§2.1.3.1: PATH(m, D[start:end]), m relative to start."""
    n = end - start
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return [*rfc_path(m, start, start + k), mth(start + k, end)]
    return [*rfc_path(m - k, start + k, end), mth(start, start + k)]


def rfc_subproof(m: int, start: int, end: int, complete: bool) -> list[bytes]:
    """§2.1.4.1: SUBPROOF(m, D[start:end], b)."""
    n = end - start
    if m == n:
        return [] if complete else [mth(start, end)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*rfc_subproof(m, start, start + k, complete), mth(start + k, end)]
    return [*rfc_subproof(m - k, start + k, end, False), mth(start, start + k)]


def rfc_proof(m: int, n: int) -> list[bytes]:
    return [] if m == n else rfc_subproof(m, 0, n, True)


def check_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """§2.1.3.2, step by step."""
    if index >= size:  # 1
        return False
    fn, sn = index, size - 1  # 2
    r = leaf  # 3
    for p in path:  # 4
        if sn == 0:  # 4a
            return False
        if fn % 2 == 1 or fn == sn:  # 4b
            r = interior(p, r)  # 4b1
            if fn % 2 == 0:  # 4b2: right-shift until LSB(fn) is set or fn is 0
                while fn != 0 and fn % 2 == 0:
                    fn, sn = fn // 2, sn // 2
        else:
            r = interior(r, p)
        fn, sn = fn // 2, sn // 2  # 4c
    return sn == 0 and r == root  # 5


def check_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]
) -> bool:
    """§2.1.4.2, step by step (first == second: an empty proof and the same root)."""
    if first == second:
        return not path and first_root == second_root
    if not 0 < first < second or not path:  # 1
        return False
    proof = list(path)
    if first & (first - 1) == 0:  # 2: first is an exact power of 2
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1  # 3
    while fn % 2 == 1:  # 4
        fn, sn = fn // 2, sn // 2
    fr = sr = proof[0]  # 5
    for c in proof[1:]:  # 6
        if sn == 0:  # 6a
            return False
        if fn % 2 == 1 or fn == sn:  # 6b
            fr, sr = interior(c, fr), interior(c, sr)  # 6b1
            if fn % 2 == 0:  # 6b2
                while fn != 0 and fn % 2 == 0:
                    fn, sn = fn // 2, sn // 2
        else:
            sr = interior(sr, c)
        fn, sn = fn // 2, sn // 2  # 6c
    return fr == first_root and sr == second_root and sn == 0  # 7


def stored_tree(size: int) -> dict[tuple[int, int], bytes]:
    """The nodes `Frontier` stores while appending `size` leaves."""
    frontier = merkle.Frontier(0, [])
    nodes: dict[tuple[int, int], bytes] = {}
    for leaf in LEAVES[:size]:
        for level, index, value in frontier.append(leaf):
            assert (level, index) not in nodes, "a node was stored twice"
            nodes[(level, index)] = value
    return nodes


def fetcher(nodes: dict[tuple[int, int], bytes]) -> Fetch:
    def fetch(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {key: nodes[key] for key in keys}

    return fetch


NODES = stored_tree(max(SIZES))
FETCH = fetcher(NODES)


def flipped(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


# --- the stored tree ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_frontier_stores_every_perfect_subtree_and_knows_the_root(size: int) -> None:
    nodes = stored_tree(size)
    expected = {
        (level, index): mth(index << level, (index + 1) << level)
        for level in range(size.bit_length())
        for index in range(size >> level)
    }
    assert nodes == expected

    frontier = merkle.Frontier(0, [])
    for n, leaf in enumerate(LEAVES[:size], start=1):
        frontier.append(leaf)
        assert frontier.size == n
        assert frontier.root() == mth(0, n)
        keys = merkle.Frontier.keys(n)
        assert [(level, expected[(level, index)]) for level, index in keys] == frontier.nodes

    resumed = merkle.Frontier(
        size, [(lv, nodes[(lv, ix)]) for lv, ix in merkle.Frontier.keys(size)]
    )
    assert resumed.root() == mth(0, size)


@pytest.mark.parametrize("size", SIZES)
def test_pushing_leaves_folds_the_tree_that_appending_them_does(size: int) -> None:
    appended, pushed = merkle.Frontier(0, []), merkle.Frontier(0, [])
    for leaf in LEAVES[:size]:
        appended.append(leaf)
        pushed.push(leaf)
        assert pushed == appended
    assert pushed.root() == mth(0, size)


def test_the_empty_tree_hashes_the_empty_string() -> None:
    assert merkle.Frontier(0, []).root() == sha256(b"")
    assert merkle.root_of(0, FETCH) == sha256(b"")


@pytest.mark.parametrize("size", SIZES)
def test_root_of_every_size(size: int) -> None:
    assert merkle.root_of(size, FETCH) == mth(0, size)


# --- inclusion ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_every_inclusion_proof_is_the_rfc_path_and_verifies(size: int) -> None:
    root = mth(0, size)
    for index in range(size):
        leaf = LEAVES[index]
        path = merkle.inclusion_path(index, size, FETCH)
        assert path == rfc_path(index, 0, size), index
        assert merkle.verify_inclusion(leaf, index, size, path, root), index
        assert check_inclusion(leaf, index, size, path, root), index


@pytest.mark.parametrize("size", SIZES)
def test_tampered_inclusion_proofs_are_refused(size: int) -> None:
    root = mth(0, size)
    verifiers = (merkle.verify_inclusion, check_inclusion)
    for index in range(size):
        leaf = LEAVES[index]
        path = merkle.inclusion_path(index, size, FETCH)
        tampered: list[tuple[bytes, int, int, list[bytes], bytes]] = [
            (flipped(leaf), index, size, path, root),
            (leaf, index, size, path, flipped(root)),
            (leaf, index, size, [*path, LEAVES[0]], root),
            (leaf, size, size, path, root),  # an index outside the tree
        ]
        tampered += [
            (leaf, index, size, [*path[:n], flipped(p), *path[n + 1 :]], root)
            for n, p in enumerate(path)
        ]
        if path:
            tampered.append((leaf, index, size, path[:-1], root))
        if len(path) > 1:
            tampered.append((leaf, index, size, path[::-1], root))
        if index + 1 < size:
            tampered.append((leaf, index + 1, size, path, root))
        for case in tampered:
            for verify in verifiers:
                assert not verify(*case), (verify.__name__, index, size)


# --- consistency -------------------------------------------------------------------------------


@pytest.mark.parametrize("second", SIZES)
def test_every_consistency_proof_is_the_rfc_proof_and_verifies(second: int) -> None:
    second_root = mth(0, second)
    for first in range(1, second + 1):
        first_root = mth(0, first)
        path = merkle.consistency_path(first, second, FETCH)
        assert path == rfc_proof(first, second), first
        assert merkle.verify_consistency(first, second, first_root, second_root, path), first
        assert check_consistency(first, second, first_root, second_root, path), first


@pytest.mark.parametrize("second", SIZES)
def test_tampered_consistency_proofs_are_refused(second: int) -> None:
    second_root = mth(0, second)
    verifiers = (merkle.verify_consistency, check_consistency)
    for first in range(1, second + 1):
        first_root = mth(0, first)
        path = merkle.consistency_path(first, second, FETCH)
        tampered: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
            (first, second, flipped(first_root), second_root, path),
            (first, second, first_root, flipped(second_root), path),
        ]
        tampered += [
            (first, second, first_root, second_root, [*path[:n], flipped(p), *path[n + 1 :]])
            for n, p in enumerate(path)
        ]
        if path:
            tampered.append((first, second, first_root, second_root, path[:-1]))
            tampered.append((first, second, first_root, second_root, [*path, LEAVES[1]]))
        if first < second:
            tampered.append((second, first, second_root, first_root, path))  # sizes swapped
            # A proof for another size does not prove this one.
            tampered.append((first, second - 1, first_root, mth(0, second - 1), path))
        for case in tampered:
            for verify in verifiers:
                assert not verify(*case), (verify.__name__, first, second)
