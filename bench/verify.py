"""`roadmap verify` throughput and proof latency at a million leaves.

N events (default 1,000,000) are bulk-loaded on each backend (PostgreSQL, SQLite) and the audit
projection (leaves, Merkle tree, signed heads) built; then the whole record is verified (every
leaf recomputed from the stored events, every head checked), against a raw baseline in the same
run (read the log a page at a time and SHA-256 each stored record: the least a verifier does),
with the verifier's peak RSS growth; and inclusion and consistency proofs are timed at random
points of the full tree.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    backends_argument,
    fresh_store,
    machine,
    postgres_url_default,
    quantile_ms,
    render,
    write,
)
from bench.workload import generate
from domain.application.service import RoadmapLedger
from projections.audit import merkle, proofs
from projections.audit.projection import AuditProjection
from projections.audit.signing import Signer
from projections.audit.verify import verify
from projections.catalog import live_runner
from projections.runtime.db import ReadStore

TARGET_RATE = 50_000.0
TARGET_P99_MS = 10.0


def raw_read_and_hash(app: RoadmapLedger) -> float:
    """Events/s of reading the log a page at a time and hashing each stored record."""
    started = time.perf_counter()
    total = 0
    for notification in app.notifications():
        hashlib.sha256(notification.state).digest()
        total += 1
    return total / (time.perf_counter() - started)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(backend: str, events: int, items: int, samples: int, url: str) -> dict[str, Any]:
    rnd = random.Random(9162)
    signer = Signer.from_file(Path(tempfile.mkdtemp()) / "key.pem")
    with fresh_store(backend, url) as database:
        app = RoadmapLedger(database)
        store = ReadStore(database)
        try:
            generate(app, events, items)
            runner = live_runner(app, store, [AuditProjection(signer=signer)], batch_size=5000)
            runner.setup()
            started = time.perf_counter()
            runner.catch_up()
            projected = time.perf_counter() - started
            size = proofs.tree_size(store)
            raw = raw_read_and_hash(app)
            rss_before = _peak_rss_mib()
            started = time.perf_counter()
            verdict = verify(app, store, signer.public)
            verified = time.perf_counter() - started
            rss_growth = _peak_rss_mib() - rss_before
            head = proofs.tree_head(store)
            assert head is not None  # noqa: S101 - the projection signs one per batch
            root = bytes.fromhex(head["root_hash"])
            inclusion: list[float] = []
            consistency: list[float] = []
            valid = True
            for _ in range(samples):
                index = rnd.randrange(size)
                t = time.perf_counter()
                proof = proofs.inclusion(store, index, size)
                inclusion.append(time.perf_counter() - t)
                path = [bytes.fromhex(p) for p in proof["path"]]
                leaf = bytes.fromhex(proof["leaf_hash"])
                valid &= merkle.verify_inclusion(leaf, index, size, path, root)
                first = rnd.randrange(1, size + 1)
                t = time.perf_counter()
                proof = proofs.consistency(store, first, size)
                consistency.append(time.perf_counter() - t)
                path = [bytes.fromhex(p) for p in proof["path"]]
                old = bytes.fromhex(proof["first_root_hash"])
                valid &= merkle.verify_consistency(first, size, old, root, path)
        finally:
            store.close()
            app.close()
    rate = verdict.events / verified
    p99 = max(quantile_ms(inclusion, 0.99), quantile_ms(consistency, 0.99))
    return {
        "events": verdict.events,
        "heads_checked": verdict.heads,
        "intact": verdict.ok,
        "projection_seconds": projected,
        "verify_seconds": verified,
        "verify_events_per_s": rate,
        "raw_read_and_hash_events_per_s": raw,
        "ratio": rate / raw,
        "verify_peak_rss_growth_mib": rss_growth,
        "inclusion_p50_ms": quantile_ms(inclusion, 0.5),
        "inclusion_p99_ms": quantile_ms(inclusion, 0.99),
        "consistency_p50_ms": quantile_ms(consistency, 0.5),
        "consistency_p99_ms": quantile_ms(consistency, 0.99),
        "proofs_valid": valid,
        "targets": {"verify_events_per_s": TARGET_RATE, "proof_p99_ms": TARGET_P99_MS},
        "passed": verdict.ok and valid and rate >= TARGET_RATE and p99 < TARGET_P99_MS,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench verify", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=500, help="proofs of each kind timed")
    parser.add_argument("--backends", type=backends_argument, default="postgres,sqlite")
    parser.add_argument("--postgres-url", default=postgres_url_default())
    parser.add_argument("--output", type=Path, default=None, help="instead of results/verify.json")
    args = parser.parse_args(argv)
    results = {
        backend: run(backend, args.events, args.items, args.samples, args.postgres_url)
        for backend in args.backends
    }
    rows = [("what", "value", "target")]
    for backend, result in results.items():
        rows += [
            (f"{backend}: events verified", f"{result['events']:,}", ""),
            (
                "  raw read + SHA-256",
                f"{result['raw_read_and_hash_events_per_s']:,.0f} ev/s",
                "",
            ),
            (
                "  verify",
                f"{result['verify_events_per_s']:,.0f} ev/s ({result['ratio']:.2f}x)",
                f">= {TARGET_RATE:,.0f} ev/s",
            ),
            (
                "  verifier peak RSS growth",
                f"{result['verify_peak_rss_growth_mib']:.0f} MiB",
                "constant",
            ),
            (
                "  inclusion proof p50/p99",
                f"{result['inclusion_p50_ms']:.2f} / {result['inclusion_p99_ms']:.2f} ms",
                f"p99 < {TARGET_P99_MS:.0f} ms",
            ),
            (
                "  consistency proof p50/p99",
                f"{result['consistency_p50_ms']:.2f} / {result['consistency_p99_ms']:.2f} ms",
                f"p99 < {TARGET_P99_MS:.0f} ms",
            ),
            (
                "  record intact, proofs valid",
                f"{result['intact']}, {result['proofs_valid']}",
                "True, True",
            ),
            ("  result", "pass" if result["passed"] else "FAIL", ""),
        ]
    print(render(rows))
    command = " ".join(["python -m bench verify", *(sys.argv[1:] if argv is None else argv)])
    passed = all(r["passed"] for r in results.values())
    report = {
        "command": command,
        "machine": machine(args.postgres_url),
        "backends": results,
        "passed": passed,
    }
    path = write("verify", report, args.output)
    print(f"written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
