"""Time travel at size: state queries from the bitemporal segments against a full replay.

A roadmap of N events over M items (default 1,000,000 over 5,000) is bulk-loaded on each backend
(PostgreSQL, SQLite) and its temporal projection built (or `--store` names stores loaded earlier,
so that a million events are loaded once); then state queries at random (as_of, effective_on)
points are timed as `GET /roadmaps/{id}/state` makes them (the answer's JSON text), and in the
same run the naive reference (`RoadmapLedger.get_state`, replaying every event up to the point)
is timed at a few of the same points, and both answers are compared.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
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
from bench.workload import Workload, generate
from domain.application.records import plain_state
from domain.application.service import RoadmapLedger
from projections.catalog import live_runner
from projections.runtime.db import ReadStore
from projections.temporal import timetravel
from projections.temporal.projection import TemporalProjection

TARGET_P50_MS = 50.0
TARGET_P99_MS = 250.0
TARGET_SPEEDUP = 20.0


def _points(rnd: random.Random, first: datetime, last: datetime, n: int) -> list[tuple[Any, Any]]:
    span = (last - first).total_seconds()
    points: list[tuple[Any, Any]] = []
    for _ in range(n):
        as_of = first + timedelta(seconds=rnd.uniform(0, span)) if rnd.random() < 0.8 else None
        top = (as_of or last).date()
        day = date(2016, 1, 1) + timedelta(days=rnd.randrange((top - date(2016, 1, 1)).days + 1))
        points.append((as_of, day if rnd.random() < 0.8 else None))
    return points


def _recorded_at(app: RoadmapLedger, position: int) -> datetime:
    (stored,) = app.recorder.select_notifications(position, 1)
    return datetime.fromisoformat(plain_state(stored.state)["timestamp"])


def _kept(app: RoadmapLedger, items: int) -> Workload:
    """The workload a store loaded by an earlier run holds (one roadmap, its items)."""
    position = app.position()
    return Workload(
        app.roadmap_ids()[0], position, items, _recorded_at(app, 1), _recorded_at(app, position)
    )


@contextmanager
def _store(backend: str, url: str, kept: str | None) -> Iterator[str]:
    if kept is not None:
        yield kept
        return
    with fresh_store(backend, url) as database:
        yield database


def run(  # noqa: PLR0917 - one setting an argument
    backend: str,
    events: int,
    items: int,
    queries: int,
    references: int,
    url: str,
    kept: str | None = None,
) -> dict[str, Any]:
    rnd = random.Random(7)
    with _store(backend, url, kept) as database:
        app = RoadmapLedger(database)
        store = ReadStore(database)
        try:
            started = time.perf_counter()
            load = generate(app, events, items) if kept is None else _kept(app, items)
            loaded = time.perf_counter() - started
            # The state query reads the temporal projection's tables only.
            runner = live_runner(app, store, [TemporalProjection()], batch_size=5000)
            runner.setup()
            started = time.perf_counter()
            runner.catch_up()
            projected = time.perf_counter() - started
            roadmap = str(load.roadmap_id)
            position = app.position()
            points = _points(rnd, load.first_recorded, load.last_recorded, queries)
            fast: list[float] = []
            sizes: list[int] = []
            for as_of, day in points:
                # What `GET /roadmaps/{id}/state` does: the answer's JSON text, sent as is.
                t = time.perf_counter()
                text = timetravel.state_json(
                    store, roadmap, as_of=as_of, effective_on=day, position=position
                )
                fast.append(time.perf_counter() - t)
                answer = json.loads(text) if text is not None else {}
                sizes.append(sum(len(v) for v in answer.values() if isinstance(v, list)))
            slow: list[float] = []
            mismatches = 0
            for as_of, day in points[:references]:
                t = time.perf_counter()
                reference = app.get_state(load.roadmap_id, as_of=as_of, effective_on=day)
                slow.append(time.perf_counter() - t)
                found = timetravel.state_at(
                    store, roadmap, as_of=as_of, effective_on=day, position=position
                )
                if reference != found:
                    mismatches += 1
        finally:
            store.close()
            app.close()
    p50 = quantile_ms(fast, 0.5)
    p99 = quantile_ms(fast, 0.99)
    reference_p50 = quantile_ms(slow, 0.5)
    return {
        "events": load.events,
        "items": items,
        "kept_store": kept is not None,
        "load_seconds": loaded,
        "projection_seconds": projected,
        "queries": len(fast),
        "items_per_answer_p50": sorted(sizes)[len(sizes) // 2],
        "query_p50_ms": p50,
        "query_p99_ms": p99,
        "reference_queries": len(slow),
        "reference_p50_ms": reference_p50,
        "speedup_p50": reference_p50 / p50,
        "mismatches": mismatches,
        "targets": {
            "query_p50_ms": TARGET_P50_MS,
            "query_p99_ms": TARGET_P99_MS,
            "speedup": TARGET_SPEEDUP,
        },
        "passed": p50 < TARGET_P50_MS
        and p99 < TARGET_P99_MS
        and reference_p50 / p50 >= TARGET_SPEEDUP
        and not mismatches,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench timetravel", description=__doc__)
    # Issue 13's size: a million events; the roadmap keeps the 5,000 items it had at 100,000
    # (release 0.2's figure), so that what grows is the log, not the answer (--items to vary).
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--references", type=int, default=2, help="replays timed (slow: minutes each at 1M)"
    )
    parser.add_argument("--backends", type=backends_argument, default="postgres,sqlite")
    parser.add_argument("--postgres-url", default=postgres_url_default())
    parser.add_argument(
        "--store",
        action="append",
        default=[],
        metavar="URL",
        help="a store loaded earlier (its one backend; repeatable): measured without loading "
        "again, after catching its temporal projection up; --events is then what it holds",
    )
    args = parser.parse_args(argv)
    kept = {("sqlite" if u.startswith("sqlite") else "postgres"): u for u in args.store}
    results = {
        backend: run(
            backend,
            args.events,
            args.items,
            args.queries,
            args.references,
            args.postgres_url,
            kept.get(backend),
        )
        for backend in (list(kept) if kept else args.backends)
    }
    rows = [("what", "value", "target")]
    for backend, result in results.items():
        rows += [
            (f"{backend}: events / items", f"{result['events']:,} / {result['items']:,}", ""),
            ("  items per answer (p50)", f"{result['items_per_answer_p50']:,}", ""),
            ("  state query p50", f"{result['query_p50_ms']:.1f} ms", f"< {TARGET_P50_MS:.0f} ms"),
            ("  state query p99", f"{result['query_p99_ms']:.1f} ms", f"< {TARGET_P99_MS:.0f} ms"),
            ("  replay reference p50", f"{result['reference_p50_ms']:.0f} ms", ""),
            (
                "  speed-up (p50)",
                f"{result['speedup_p50']:.0f}x",
                f">= {TARGET_SPEEDUP:.0f}x",
            ),
            ("  answers differing from replay", str(result["mismatches"]), "0"),
            ("  result", "pass" if result["passed"] else "FAIL", ""),
        ]
    print(render(rows))
    command = " ".join(["python -m bench timetravel", *(sys.argv[1:] if argv is None else argv)])
    passed = all(r["passed"] for r in results.values())
    report = {
        "command": command,
        "machine": machine(args.postgres_url),
        "backends": results,
        "passed": passed,
    }
    path = write("timetravel", report)
    print(f"written to {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
