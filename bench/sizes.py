"""Bytes per event: the event table, its indexes and every read model, on a fresh schema.

Records `--events` commands through the facade (`make_pledge`, one event each), catches every
projection up, then reads `pg_table_size` and `pg_indexes_size` of each table of the schema.
Writes bench/results/sizes.json; docs/scale-out.md projects these figures to 100 M events.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from bench import append
from bench.common import conninfo, fresh_schema, machine, postgres_url_default, with_schema, write
from projections.catalog import all_projections, live_runner
from projections.runtime.db import ReadStore

SIZES = """SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %s AND c.relkind = 'r'
ORDER BY pg_table_size(c.oid) + pg_indexes_size(c.oid) DESC"""


def run(events: int, url: str) -> dict[str, Any]:
    with fresh_schema(url) as schema:
        facade = append.Facade(with_schema(url, schema))
        store = ReadStore(with_schema(url, schema))
        try:
            started = time.perf_counter()
            for _ in range(events):
                facade.append()
            written = time.perf_counter() - started
            runner = live_runner(facade.app, store, all_projections(facade.app))
            runner.setup()
            started = time.perf_counter()
            runner.catch_up()
            caught_up = time.perf_counter() - started
            recorded = facade.app.position()
        finally:
            store.close()
            facade.app.close()
        with psycopg.connect(conninfo(url)) as conn:
            rows = conn.execute(SIZES, [schema]).fetchall()
            table = f'"{schema}".roadmapledger_events'
            state = conn.execute(f"SELECT avg(length(state)) FROM {table}").fetchone()
    return {
        "events": recorded,
        "write_events_per_s": round(recorded / written, 1),
        "catch_up_events_per_s": round(recorded / caught_up, 1),
        "avg_state_bytes": round(float(state[0]), 1) if state else None,
        "tables": {
            name: {
                "table_bytes": size,
                "index_bytes": indexes,
                "bytes_per_event": round((size + indexes) / recorded, 1),
            }
            for name, size, indexes in rows
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sizes", description=__doc__)
    parser.add_argument("--events", type=int, default=3000, help="events recorded (3000)")
    parser.add_argument("--output", type=Path, default=None, help="bench/results/sizes.json")
    parser.add_argument("--postgres-url", default=postgres_url_default())
    args = parser.parse_args(argv)
    result = run(args.events, args.postgres_url)
    for name, size in result["tables"].items():
        print(f"{name:28} {size['bytes_per_event']:10,.1f} bytes/event")
    report = {"command": "python -m bench sizes", "machine": machine(args.postgres_url), **result}
    print(f"\nwritten to {write('sizes', report, args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
