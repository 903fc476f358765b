"""Append throughput: commands through the application facade against raw single-row commits.

Both run in the same process, interleaved in rounds so that a noisy machine slows both alike:
the facade records one `make_pledge` a command (load the roadmap, check the rules, save one event
with the table lock and NOTIFY), the baseline inserts one row of the same shape and the same state
bytes a transaction with raw psycopg / sqlite3. Prints events/s and the ratio, and writes
bench/results/append.json with the machine's facts.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from bench.common import (
    RESULTS,
    conninfo,
    fresh_schema,
    machine,
    postgres_url_default,
    quantile_ms,
    render,
    with_schema,
    write,
)
from domain.application.service import RoadmapLedger
from domain.model.texts import english
from domain.model.values import Actor, PledgeKind, Priority, Quantity, Role

DEFAULT_OUTPUT = RESULTS / "append.json"
#: The issue's target: the facade at no less than this share of the raw single-row rate.
TARGETS = {"postgres": 0.25}
OFFICIAL = Actor("bench-ca", "CA", frozenset({Role.OFFICIAL}))
PRIORITY = Priority("operations-support", english("Support for peacekeeping operations"))
RAW_TABLE = "raw_events"


@dataclass(frozen=True)
class Result:
    backend: str
    events: int
    raw_events_per_s: float
    facade_events_per_s: float
    ratio: float
    target: float | None
    passed: bool | None
    raw_p50_ms: float
    raw_p99_ms: float
    facade_p50_ms: float
    facade_p99_ms: float


class Facade:
    """`make_pledge` on one roadmap: one command, one event, one transaction."""

    def __init__(self, database_url: str) -> None:
        self.app = RoadmapLedger(database_url)
        self.roadmap_id = self.app.adopt_roadmap(
            OFFICIAL,
            title="Benchmark roadmap",
            parties=["FR", "CA"],
            adopted_on=date(2016, 10, 13),
            priorities=[PRIORITY],
        ).id
        self.count = 0

    def append(self) -> None:
        self.count += 1
        self.app.make_pledge(
            OFFICIAL,
            self.roadmap_id,
            party="CA",
            title=f"Benchmark pledge {self.count}",
            kind=PledgeKind.PERSONNEL,
            quantity=Quantity(Decimal(10), "personnel"),
            priorities=[PRIORITY.code],
        )

    def sample(self) -> tuple[str, bytes]:
        """The topic and stored state of a real pledge event, for the baseline's rows."""
        (notification,) = self.app.recorder.select_notifications(self.app.position(), 1)
        return notification.topic, notification.state


def _timed(step: Callable[[], None], n: int, latencies: list[float]) -> float:
    started = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        step()
        latencies.append(time.perf_counter() - t)
    return time.perf_counter() - started


def measure(
    backend: str,
    events: int,
    rounds: int,
    facade: Facade,
    raw_insert: Callable[[], None],
) -> Result:
    facade.append()  # warm both paths up, untimed
    raw_insert()
    raw_time = facade_time = 0.0
    raw_lat: list[float] = []
    facade_lat: list[float] = []
    per_round = [events // rounds + (1 if i < events % rounds else 0) for i in range(rounds)]
    for n in per_round:
        raw_time += _timed(raw_insert, n, raw_lat)
        facade_time += _timed(facade.append, n, facade_lat)
    raw_rate, facade_rate = events / raw_time, events / facade_time
    ratio = facade_rate / raw_rate
    target = TARGETS.get(backend)
    return Result(
        backend=backend,
        events=events,
        raw_events_per_s=round(raw_rate, 1),
        facade_events_per_s=round(facade_rate, 1),
        ratio=round(ratio, 3),
        target=target,
        passed=None if target is None else ratio >= target,
        raw_p50_ms=quantile_ms(raw_lat, 0.5),
        raw_p99_ms=quantile_ms(raw_lat, 0.99),
        facade_p50_ms=quantile_ms(facade_lat, 0.5),
        facade_p99_ms=quantile_ms(facade_lat, 0.99),
    )


# --- SQLite -------------------------------------------------------------------------------


@contextmanager
def _sqlite_raw(path: Path, topic: str, state: bytes) -> Iterator[Callable[[], None]]:
    """The recorder's table, WAL and synchronous=FULL like the ledger; BEGIN/INSERT/COMMIT."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            f"CREATE TABLE {RAW_TABLE} (originator_id TEXT, originator_version INTEGER, "
            "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
        )
        insert = f"INSERT INTO {RAW_TABLE} VALUES (?,?,?,?)"

        def raw_insert() -> None:
            conn.execute("BEGIN")
            conn.execute(insert, (uuid.uuid4().hex, 1, topic, state))
            conn.execute("COMMIT")

        yield raw_insert
    finally:
        conn.close()


def run_sqlite(events: int, rounds: int) -> Result:
    with tempfile.TemporaryDirectory(prefix="bench-append-") as folder:
        facade = Facade(f"sqlite:///{folder}/facade.db")
        try:
            facade.append()
            topic, state = facade.sample()
            with _sqlite_raw(Path(folder) / "raw.db", topic, state) as raw_insert:
                return measure("sqlite", events, rounds, facade, raw_insert)
        finally:
            facade.app.close()


# --- PostgreSQL ---------------------------------------------------------------------------


@contextmanager
def _postgres_raw(url: str, schema: str, topic: str, state: bytes) -> Iterator[Callable[[], None]]:
    """The library's table shape (bigserial position, unique index); INSERT + COMMIT a row."""
    conn = psycopg.connect(conninfo(url), connect_timeout=5)
    names = {"schema": sql.Identifier(schema), "table": sql.Identifier(RAW_TABLE)}
    try:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {schema}.{table} (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            ).format(**names)
        )
        conn.execute(
            sql.SQL("CREATE UNIQUE INDEX ON {schema}.{table} (notification_id)").format(**names)
        )
        conn.commit()
        insert = sql.SQL("INSERT INTO {schema}.{table} VALUES (%s, %s, %s, %s)").format(**names)

        def raw_insert() -> None:
            conn.execute(insert, (uuid.uuid4(), 1, topic, state))
            conn.commit()

        yield raw_insert
    finally:
        conn.close()


def run_postgres(events: int, rounds: int, url: str) -> Result:
    with fresh_schema(url) as schema:
        facade = Facade(with_schema(url, schema))
        try:
            facade.append()
            topic, state = facade.sample()
            with _postgres_raw(url, schema, topic, state) as raw_insert:
                return measure("postgres", events, rounds, facade, raw_insert)
        finally:
            facade.app.close()


def table(results: Sequence[Result]) -> str:
    rows = [("backend", "raw ev/s", "facade ev/s", "ratio", "target", "result")]
    for r in results:
        target = "-" if r.target is None else f">= {r.target:.2f}"
        verdict = "-" if r.passed is None else ("pass" if r.passed else "FAIL")
        rows.append(
            (
                r.backend,
                f"{r.raw_events_per_s:,.0f}",
                f"{r.facade_events_per_s:,.0f}",
                f"{r.ratio:.2f}",
                target,
                verdict,
            )
        )
    return render(rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench append",
        description="Append N events through the facade and as raw single-row transactions.",
    )
    parser.add_argument("--events", type=int, default=2000, help="events per backend (2000)")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved rounds (4)")
    parser.add_argument(
        "--postgres-url",
        default=postgres_url_default(),
        help="server to measure on; a fresh schema is made and dropped "
        "(default: ROADMAP_TEST_DATABASE_URL or %(default)s)",
    )
    parser.add_argument("--skip-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results (%(default)s)"
    )
    args = parser.parse_args(argv)
    if args.events < 1 or args.rounds < 1 or args.rounds > args.events:
        parser.error("--events and --rounds must be positive, with no more rounds than events")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    postgres_url = None if args.skip_postgres else args.postgres_url
    results = [run_sqlite(args.events, args.rounds)]
    if postgres_url is not None:
        results.append(run_postgres(args.events, args.rounds, postgres_url))
    report = {
        "command": " ".join(["python -m bench append", *(sys.argv[1:] if argv is None else argv)]),
        "events": args.events,
        "rounds": args.rounds,
        "facade_command": "RoadmapLedger.make_pledge (one event a command)",
        "raw_baseline": "one INSERT + COMMIT a row, same table shape and state bytes",
        "machine": machine(postgres_url),
        "results": [asdict(r) for r in results],
    }
    write("append", report, args.output)
    print(table(results))
    print(f"\nwritten to {args.output}")
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
