"""Read-side catch-up at a million events, against a raw page-and-upsert loop in the same run.

N events (default 1,000,000) are bulk-loaded on PostgreSQL; then:
- raw baseline: SELECT the log in pages of 1,000 and executemany-UPSERT one row per event (its
  stream, version and state) — what any read model must at least do;
- cold catch-up of the projections in a worker process of its own (`bench.catchup`), for every
  projection and for the partnership + audit pair, with each worker's peak RSS; the RSS is also
  taken after the first 100,000 events, to show it stays flat as the log grows;
- read-your-writes: a command, then a read with `min_position` (in-process runner), p50 and p99.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from bench.common import (
    conninfo,
    fresh_schema,
    machine,
    postgres_url_default,
    quantile_ms,
    render,
    with_schema,
    write,
)
from bench.workload import ACTORS, generate
from domain.application.service import RoadmapLedger
from domain.model.pledge import Pledge
from domain.model.values import Quantity
from projections.catalog import LIVE_TABLES, live_runner
from projections.partnership.queries import ReadModels
from projections.runtime.db import ReadStore
from projections.runtime.lease import lease_for

TARGET_RATIO = 0.5
TARGET_RATE = 25_000.0
TARGET_RYW_P99_MS = 50.0


def raw_baseline(url: str, schema: str) -> float:
    """Events/s of reading the log in pages and upserting one row per event."""
    names = {"schema": sql.Identifier(schema), "raw": sql.Identifier("raw_items")}
    with psycopg.connect(conninfo(url)) as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {schema}.{raw} (stream_id uuid PRIMARY KEY, version bigint, "
                "state bytea)"
            ).format(**names)
        )
        conn.commit()
        select = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, state "
            "FROM {schema}.roadmapledger_events WHERE notification_id > %s "
            "ORDER BY notification_id LIMIT 1000"
        ).format(**names)
        upsert = sql.SQL(
            "INSERT INTO {schema}.{raw} VALUES (%s, %s, %s) ON CONFLICT (stream_id) "
            "DO UPDATE SET version = excluded.version, state = excluded.state"
        ).format(**names)
        started = time.perf_counter()
        last, total = 0, 0
        while True:
            rows = conn.execute(select, [last]).fetchall()
            if not rows:
                break
            with conn.cursor() as cursor:
                cursor.executemany(upsert, [(r[1], r[2], r[3]) for r in rows])
            conn.commit()
            last, total = rows[-1][0], total + len(rows)
        return total / (time.perf_counter() - started)


def catch_up(url: str, *, limit: int = 0, only: str = "") -> dict[str, Any]:
    """A cold catch-up in a worker process of its own; its figures and peak RSS."""
    reset(url)
    command = [sys.executable, "-m", "bench.catchup", url, "--limit", str(limit)]
    if only:
        command += ["--only", only]
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def reset(url: str) -> None:
    """Empties the read models, so the next catch-up starts cold."""
    store = ReadStore(url)
    try:
        with store.transaction(write=True) as cursor:
            for table in LIVE_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table.name} CASCADE")
    finally:
        store.close()


def read_your_writes(url: str, samples: int) -> list[float]:
    """Seconds from a command's answer to a read that reflects it."""
    rnd = random.Random(3)
    app = RoadmapLedger(url)
    store = ReadStore(url)
    runner = live_runner(app, store)
    runner.setup()
    lease = lease_for(url)
    thread = threading.Thread(target=runner.run_forever, args=(lease,), daemon=True)
    thread.start()
    try:
        models = ReadModels(store, runner)
        models.wait_for(app.position(), 600)
        pledges = [
            UUID(str(n.originator_id))
            for n in app.recorder.select_notifications(1, 2000)
            if n.topic.endswith("Pledge.Made")
        ]
        waits: list[float] = []
        for _ in range(samples):
            pledge_id = rnd.choice(pledges)
            pledge = app.get_item(Pledge, pledge_id)
            actor = ACTORS[pledge.state.party]
            delivered = Quantity(pledge.state.delivered.amount + Decimal(1), "personnel")
            result = app.report_pledge_progress(actor, pledge_id, delivered=delivered)
            started = time.perf_counter()
            models.wait_for(result.position, 10)
            models.item("pledges", str(pledge_id))
            waits.append(time.perf_counter() - started)
        return waits
    finally:
        runner.stop()
        thread.join(10)
        lease.close()
        store.close()
        app.close()


def run(events: int, items: int, samples: int, url: str) -> dict[str, Any]:
    with fresh_schema(url) as schema:
        database = with_schema(url, schema)
        app = RoadmapLedger(database)
        try:
            started = time.perf_counter()
            generate(app, events, items)
            load_rate = events / (time.perf_counter() - started)
        finally:
            app.close()
        raw = raw_baseline(url, schema)
        early = catch_up(database, limit=min(100_000, events))
        pair = catch_up(database, only="partnership,audit")
        full = catch_up(database)
        waits = read_your_writes(database, samples)
    p99 = quantile_ms(waits, 0.99)
    return {
        "events": events,
        "items": items,
        "load_events_per_s": load_rate,
        "raw_events_per_s": raw,
        "catch_up_all": full,
        "catch_up_partnership_audit": pair,
        "catch_up_first_100k": early,
        "ratio_all": full["events_per_s"] / raw,
        "ratio_partnership_audit": pair["events_per_s"] / raw,
        "rss_first_100k_mib": early["peak_rss_mib"],
        "rss_full_mib": full["peak_rss_mib"],
        "read_your_writes_p50_ms": quantile_ms(waits, 0.5),
        "read_your_writes_p99_ms": p99,
        "targets": {
            "ratio": TARGET_RATIO,
            "events_per_s": TARGET_RATE,
            "read_your_writes_p99_ms": TARGET_RYW_P99_MS,
        },
        "passed": full["events_per_s"] >= max(TARGET_RATE, TARGET_RATIO * raw)
        and p99 < TARGET_RYW_P99_MS,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench projections", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=200, help="read-your-writes samples")
    parser.add_argument("--postgres-url", default=postgres_url_default())
    args = parser.parse_args(argv)
    r = run(args.events, args.items, args.samples, args.postgres_url)
    rate = f">= {TARGET_RATE:,.0f} and >= {TARGET_RATIO}x raw"
    rows = [
        ("what", "value", "target"),
        ("events / items", f"{r['events']:,} / {r['items']:,}", ""),
        ("raw page + upsert", f"{r['raw_events_per_s']:,.0f} ev/s", ""),
        (
            "catch-up, all projections",
            f"{r['catch_up_all']['events_per_s']:,.0f} ev/s ({r['ratio_all']:.2f}x)",
            rate,
        ),
        (
            "catch-up, partnership + audit",
            f"{r['catch_up_partnership_audit']['events_per_s']:,.0f} ev/s "
            f"({r['ratio_partnership_audit']:.2f}x)",
            "",
        ),
        (
            "worker peak RSS, first 100k / all",
            f"{r['rss_first_100k_mib']:.0f} / {r['rss_full_mib']:.0f} MiB",
            "flat",
        ),
        (
            "read-your-writes p50 / p99",
            f"{r['read_your_writes_p50_ms']:.1f} / {r['read_your_writes_p99_ms']:.1f} ms",
            f"p99 < {TARGET_RYW_P99_MS:.0f} ms",
        ),
        ("result", "pass" if r["passed"] else "FAIL", ""),
    ]
    print(render(rows))
    command = " ".join(["python -m bench projections", *(sys.argv[1:] if argv is None else argv)])
    path = write("projections", {"command": command, "machine": machine(args.postgres_url), **r})
    print(f"written to {path}")
    return 0 if r["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
