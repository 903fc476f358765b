"""Read-side catch-up at a million events, against a raw page-and-upsert loop in the same run.

N events (default 1,000,000) are bulk-loaded on each backend (PostgreSQL, SQLite); then, on each:
- raw baseline: read the log in pages of 1,000 and upsert one row per event (its stream, version
  and state), a transaction a page — what any read model must at least do;
- cold catch-up of every projection in a worker process of its own (`bench.catchup`), with its
  peak RSS; the RSS is also taken after the first tenth of the log (at most 100,000 events), to
  show it stays flat as the log grows; with `--each`, each projection alone too;
- `projections rebuild` of every projection beside the live ones, timed, in its own process;
- read-your-writes: a command, then a read with `min_position` (in-process runner), p50 and p99,
  while W other clients (threads of another process, default 16) write all the time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from bench.common import (
    backends_argument,
    fresh_store,
    machine,
    postgres_url_default,
    quantile_ms,
    raw_page_and_upsert,
    render,
    write,
)
from bench.workload import ACTORS, generate
from bench.writers import write_until
from domain.application.service import RoadmapLedger
from domain.model.pledge import Pledge
from domain.model.values import Quantity
from projections.catalog import LIVE_TABLES, live_runner
from projections.partnership.queries import ReadModels
from projections.runtime.db import ReadStore
from projections.runtime.lease import lease_for

TARGET_RATIO = 0.5
TARGET_RATE = {"postgres": 25_000.0, "sqlite": 10_000.0}
TARGET_RYW_P99_MS = 50.0
PROJECTIONS = ("partnership", "audit", "temporal")


def catch_up(url: str, *, limit: int = 0, only: str = "", rebuild: bool = False) -> dict[str, Any]:
    """A cold catch-up (or a rebuild) in a worker process of its own; its figures and RSS."""
    if not rebuild:
        reset(url)
    command = [sys.executable, "-m", "bench.catchup", url, "--limit", str(limit)]
    if only:
        command += ["--only", only]
    if rebuild:
        command.append("--rebuild")
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _said(backend: str, what: str, figures: Any) -> Any:
    """Each figure as it comes, on stderr: a run stopped halfway (a million events take an
    hour on both backends) keeps what it measured."""
    print(f"{backend}: {what}: {json.dumps(figures)}", file=sys.stderr, flush=True)
    return figures


def reset(url: str) -> None:
    """Empties the read models, so the next catch-up starts cold."""
    store = ReadStore(url)
    try:
        with store.transaction(write=True) as cursor:
            for table in LIVE_TABLES:
                cascade = " CASCADE" if store.dialect == "postgres" else ""
                cursor.execute(f"DROP TABLE IF EXISTS {table.name}{cascade}")
    finally:
        store.close()


def read_your_writes(url: str, samples: int, writers: int) -> list[float]:
    """Seconds from a command's answer to a read that reflects it, while `writers` clients of
    another process write all the time."""
    rnd = random.Random(3)
    app = RoadmapLedger(url)
    store = ReadStore(url)
    runner = live_runner(app, store)
    runner.setup()
    lease = lease_for(url)
    thread = threading.Thread(target=runner.run_forever, args=(lease,), daemon=True)
    thread.start()
    context = multiprocessing.get_context("spawn")
    stopping, started = context.Event(), context.Event()
    load: Any = None
    try:
        models = ReadModels(store, runner)
        models.wait_for(app.position(), 3600)
        pledges = [
            UUID(str(n.originator_id))
            for n in app.recorder.select_notifications(1, 5000)
            if n.topic.endswith("Pledge.Made")
        ]
        # The writers' pledges are theirs alone: a measured command never loses a race.
        mine, theirs = pledges[: len(pledges) // 4], pledges[len(pledges) // 4 :]
        if writers:
            shares = [theirs[n::writers] for n in range(writers)]
            load = context.Process(target=write_until, args=(url, shares, stopping, started))
            load.start()
            started.wait(120)
            time.sleep(1.0)  # the writers' first commands are under way
        waits: list[float] = []
        for _ in range(samples):
            pledge_id = rnd.choice(mine)
            pledge = app.get_item(Pledge, pledge_id)
            actor = ACTORS[pledge.state.party]
            delivered = Quantity(pledge.state.delivered.amount + Decimal(1), "personnel")
            result = app.report_pledge_progress(actor, pledge_id, delivered=delivered)
            began = time.perf_counter()
            models.wait_for(result.position, 10)
            models.item("pledges", str(pledge_id))
            waits.append(time.perf_counter() - began)
        return waits
    finally:
        stopping.set()
        if load is not None:
            load.join(60)
        runner.stop()
        thread.join(10)
        lease.close()
        store.close()
        app.close()


def run_backend(
    backend: str,
    url: str,
    *,
    events: int,
    items: int,
    samples: int,
    writers: int,
    each: bool,
    rebuild: bool,
) -> dict[str, Any]:
    with fresh_store(backend, url) as database:
        app = RoadmapLedger(database)
        try:
            started = time.perf_counter()
            generate(app, events, items)
            load_rate = events / (time.perf_counter() - started)
        finally:
            app.close()
        _said(backend, "load events/s", load_rate)
        raw = _said(backend, "raw events/s", raw_page_and_upsert(database))
        early = _said(
            backend, "first tenth", catch_up(database, limit=min(100_000, max(events // 10, 1)))
        )
        alone = {
            name: _said(backend, name, catch_up(database, only=name))
            for name in (PROJECTIONS if each else ())
        }
        full = _said(backend, "catch-up", catch_up(database))
        rebuilt = _said(backend, "rebuild", catch_up(database, rebuild=True)) if rebuild else None
        waits = read_your_writes(database, samples, writers)
    p99 = quantile_ms(waits, 0.99)
    rate = full["events_per_s"]
    return {
        "load_events_per_s": load_rate,
        "raw_events_per_s": raw,
        "catch_up_all": full,
        "ratio_all": rate / raw,
        "catch_up_each": {
            name: {**figures, "ratio": figures["events_per_s"] / raw}
            for name, figures in alone.items()
        },
        "catch_up_first_tenth": early,
        "rss_first_tenth_mib": early["peak_rss_mib"],
        "rss_full_mib": full["peak_rss_mib"],
        "rebuild": rebuilt,
        "read_your_writes_writers": writers,
        "read_your_writes_p50_ms": quantile_ms(waits, 0.5),
        "read_your_writes_p99_ms": p99,
        "targets": {
            "ratio": TARGET_RATIO,
            "events_per_s": TARGET_RATE[backend],
            "read_your_writes_p99_ms": TARGET_RYW_P99_MS,
        },
        "passed": rate >= max(TARGET_RATE[backend], TARGET_RATIO * raw) and p99 < TARGET_RYW_P99_MS,
    }


def _rows(backend: str, r: dict[str, Any]) -> list[tuple[str, str, str]]:
    goal = f">= {r['targets']['events_per_s']:,.0f} and >= {TARGET_RATIO}x raw"
    rows = [
        (f"{backend}: raw page + upsert", f"{r['raw_events_per_s']:,.0f} ev/s", ""),
        (
            "  catch-up, all projections",
            f"{r['catch_up_all']['events_per_s']:,.0f} ev/s ({r['ratio_all']:.2f}x)",
            goal,
        ),
    ]
    rows += [
        (f"  catch-up, {name} alone", f"{f['events_per_s']:,.0f} ev/s ({f['ratio']:.2f}x)", "")
        for name, f in r["catch_up_each"].items()
    ]
    rows.append(
        (
            "  worker peak RSS, first tenth / all",
            f"{r['rss_first_tenth_mib']:.0f} / {r['rss_full_mib']:.0f} MiB",
            "flat",
        )
    )
    if r["rebuild"] is not None:
        rebuilt = r["rebuild"]
        rows.append(
            (
                "  projections rebuild (all)",
                f"{rebuilt['seconds']:,.1f} s ({rebuilt['events_per_s']:,.0f} ev/s)",
                "",
            )
        )
    rows += [
        (
            f"  read-your-writes p50 / p99, {r['read_your_writes_writers']} writers",
            f"{r['read_your_writes_p50_ms']:.1f} / {r['read_your_writes_p99_ms']:.1f} ms",
            f"p99 < {TARGET_RYW_P99_MS:.0f} ms",
        ),
        ("  result", "pass" if r["passed"] else "FAIL", ""),
    ]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench projections", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=200, help="read-your-writes samples")
    parser.add_argument("--writers", type=int, default=16, help="clients writing meanwhile")
    parser.add_argument("--backends", type=backends_argument, default="postgres,sqlite")
    parser.add_argument("--each", action="store_true", help="also each projection alone")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the timed rebuild")
    parser.add_argument("--postgres-url", default=postgres_url_default())
    args = parser.parse_args(argv)
    results = {
        backend: run_backend(
            backend,
            args.postgres_url,
            events=args.events,
            items=args.items,
            samples=args.samples,
            writers=args.writers,
            each=args.each,
            rebuild=not args.no_rebuild,
        )
        for backend in args.backends
    }
    rows: list[tuple[str, str, str]] = [
        ("what", "value", "target"),
        ("events / items", f"{args.events:,} / {args.items:,}", ""),
    ]
    for backend, r in results.items():
        rows += _rows(backend, r)
    print(render(rows))
    command = " ".join(["python -m bench projections", *(sys.argv[1:] if argv is None else argv)])
    passed = all(r["passed"] for r in results.values())
    report = {
        "command": command,
        "machine": machine(args.postgres_url),
        "events": args.events,
        "items": args.items,
        "backends": results,
        "passed": passed,
    }
    path = write("projections", report)
    print(f"written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
