"""`python -m bench [NAME] [ARGS...]`: run every benchmark, or the one named, with its arguments."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from bench import api, append, projections, servers, sizes, timetravel, verify

BENCHMARKS: dict[str, Callable[[Sequence[str] | None], int]] = {
    "append": append.main,
    "api": api.main,
    "projections": projections.main,
    "servers": servers.main,
    "sizes": sizes.main,
    "timetravel": timetravel.main,
    "verify": verify.main,
}
USAGE = """usage: python -m bench [NAME] [ARGS...]

Runs every benchmark (with ARGS), or only NAME. Benchmarks:
  append   events/s through the application facade vs raw single-row transactions
           (PostgreSQL and SQLite); writes bench/results/append.json
  api      requests/s, p50/p99 of commands and reads from concurrent HTTP clients against
           `roadmap serve` on PostgreSQL, vs the facade rate; writes bench/results/api.json

  servers  the same app and load under uvicorn, granian and gunicorn (those installed), in
           alternated rounds; writes bench/results/servers.json
  projections  cold catch-up of the read models vs a raw page-and-upsert loop; worker RSS;
           read-your-writes latency; writes bench/results/projections.json
  timetravel   state queries at random as_of/effective_on vs the replay reference;
           writes bench/results/timetravel.json
  sizes    bytes per event of the event table and every read model (PostgreSQL);
           writes bench/results/sizes.json
  verify   `roadmap verify` throughput and proof latency; writes bench/results/verify.json

`python -m bench NAME --help` describes a benchmark's arguments."""


def main(argv: Sequence[str]) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if argv and not argv[0].startswith("-"):
        name, *rest = argv
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}\n\n{USAGE}", file=sys.stderr)
            return 2
        return BENCHMARKS[name](rest)
    status = 0
    for run in BENCHMARKS.values():
        status = max(status, run(list(argv)))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
