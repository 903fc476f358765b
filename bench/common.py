"""What every benchmark shares: fresh PostgreSQL schemas, machine facts, tables, results."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from psycopg import sql

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
RESULTS = Path(__file__).parent / "results"


def postgres_url_default() -> str:
    return os.environ.get("ROADMAP_TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL


def conninfo(url: str) -> str:
    return urlsplit(url)._replace(query="").geturl()


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"]
    return parts._replace(query=urlencode([*query, ("schema", schema)])).geturl()


@contextmanager
def fresh_schema(url: str, keep: bool = False) -> Iterator[str]:
    """A new schema for one run, dropped at the end unless `keep`."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(conninfo(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        if not keep:
            with psycopg.connect(conninfo(url), autocommit=True, connect_timeout=5) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )


def postgres_facts(url: str) -> dict[str, str]:
    with psycopg.connect(conninfo(url), connect_timeout=5) as conn:
        facts: dict[str, str] = {}
        for name in ("server_version", "fsync", "synchronous_commit", "wal_sync_method"):
            row = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
            facts[name] = str(row[0]) if row else "?"
        return facts


def machine(postgres_url: str | None) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "eventsourcing": version("eventsourcing"),
        "psycopg": version("psycopg"),
        "sqlite": sqlite3.sqlite_version,
    }
    if postgres_url is not None:
        facts["postgres"] = postgres_facts(postgres_url)
    return facts


def quantile_ms(seconds: Sequence[float], q: float) -> float:
    """The q-quantile of latencies given in seconds, in milliseconds."""
    if len(seconds) == 1:
        return seconds[0] * 1000
    return statistics.quantiles(seconds, n=100, method="inclusive")[round(q * 100) - 1] * 1000


def render(rows: Sequence[Sequence[str]]) -> str:
    """A plain text table; the first row is the header, the first column left-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def write(name: str, report: dict[str, Any], output: Path | None = None) -> Path:
    path = output or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **report,
    }
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


BACKENDS = ("postgres", "sqlite")


def backends_argument(text: str) -> list[str]:
    """`--backends postgres,sqlite`: the backends a read-side benchmark runs on, in order."""
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in BACKENDS]
    if unknown or not chosen:
        msg = f"backends are {', '.join(BACKENDS)}; got {text!r}"
        raise ValueError(msg)
    return chosen


@contextmanager
def fresh_store(backend: str, postgres_url: str) -> Iterator[str]:
    """The URL of an empty store on `backend`: a new PostgreSQL schema, or a new SQLite file."""
    if backend == "postgres":
        with fresh_schema(postgres_url) as schema:
            yield with_schema(postgres_url, schema)
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        yield f"sqlite:///{folder}/roadmap.db"


def raw_page_and_upsert(database_url: str) -> float:
    """Events/s of the least any read model does: read the log a page of 1,000 events at a
    time and upsert one row per event (its stream, version and state), a transaction a page."""
    if database_url.startswith("sqlite:///"):
        return _raw_sqlite(database_url.removeprefix("sqlite:///"))
    parts = urlsplit(database_url)
    schema = dict(parse_qsl(parts.query))["schema"]
    names = {"schema": sql.Identifier(schema), "raw": sql.Identifier("raw_items")}
    with psycopg.connect(conninfo(database_url)) as conn:
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
        seconds = time.perf_counter() - started
        conn.execute(sql.SQL("DROP TABLE {schema}.{raw}").format(**names))
        conn.commit()
        return total / seconds


def _raw_sqlite(path: str) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(
            "CREATE TABLE raw_items (stream_id TEXT PRIMARY KEY, version INTEGER, state BLOB)"
        )
        started = time.perf_counter()
        last, total = 0, 0
        while True:
            rows = conn.execute(
                "SELECT rowid, originator_id, originator_version, state FROM stored_events "
                "WHERE rowid > ? ORDER BY rowid LIMIT 1000",
                [last],
            ).fetchall()
            if not rows:
                break
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT INTO raw_items VALUES (?, ?, ?) ON CONFLICT (stream_id) "
                "DO UPDATE SET version = excluded.version, state = excluded.state",
                [(r[1], r[2], r[3]) for r in rows],
            )
            conn.execute("COMMIT")
            last, total = rows[-1][0], total + len(rows)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE raw_items")
        return total / seconds
    finally:
        conn.close()
