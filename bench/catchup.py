"""A cold catch-up (or a rebuild) in its own process, so that its peak memory is its own.

`python -m bench.catchup DATABASE_URL [--limit N] [--only NAME,...] [--rebuild]` applies the log
to fresh read models (with `--rebuild`: rebuilds them beside the live ones and swaps them in, as
`roadmap projections rebuild` does) and prints one JSON line: events, seconds, events/s, the
worker's CPU seconds and its peak RSS in MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Sequence

from domain.application.service import RoadmapLedger
from projections.catalog import all_projections, live_runner, rebuild
from projections.runtime.db import ReadStore


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catchup")
    parser.add_argument("database_url")
    parser.add_argument("--limit", type=int, default=0, help="stop at this position (0: the end)")
    parser.add_argument("--only", default="", help="comma-separated projection names")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true", help="time `projections rebuild`")
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes of the rebuild, one a projection (as `projections rebuild`)",
    )
    args = parser.parse_args(argv)
    app = RoadmapLedger(args.database_url)
    store = ReadStore(args.database_url)
    started = time.perf_counter()
    cpu_started = time.process_time()
    if args.rebuild:
        rebuild(app, store, database_url=args.database_url, processes=args.processes)
        applied = app.position()
    else:
        projections = all_projections(app)
        if args.only:
            projections = [p for p in projections if p.name in args.only.split(",")]
        runner = live_runner(app, store, projections, batch_size=args.batch)
        runner.setup()
        started = time.perf_counter()
        cpu_started = time.process_time()
        applied = 0
        while not args.limit or runner.position < args.limit:
            step = runner.run_once()
            if step == 0:
                break
            applied += step
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "events": applied,
                "seconds": seconds,
                "events_per_s": applied / seconds,
                # The worker's own CPU (the database's is not in it): less shaken by a loaded
                # machine than the wall clock.
                "worker_cpu_seconds": cpu,
                "peak_rss_mib": peak,
            }
        )
    )
    store.close()
    app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
