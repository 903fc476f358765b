"""Where events live: the embedded SQLite file or PostgreSQL, chosen by ROADMAP_DATABASE_URL."""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import uuid4

from domain.storage.availability import (
    Availability,
    Failure,
    StoreFullError,
    StoreUnavailableError,
    availability_of,
    describe,
    failure_of,
)
from domain.storage.recorder import IdempotencyRecord, LedgerRecorder
from domain.storage.topics import register_moved_modules, topics_of

register_moved_modules()

__all__ = [
    "Availability",
    "Dialect",
    "Failure",
    "IdempotencyRecord",
    "LedgerRecorder",
    "StoreFullError",
    "StoreUnavailableError",
    "availability_for",
    "availability_of",
    "describe",
    "dialect_of",
    "failure_of",
    "in_memory",
    "persistence_env",
    "sqlite_path",
    "topics_of",
]


#: The SQL dialect of a store, which the read side writes its tables in.
Dialect = Literal["sqlite", "postgres"]


def dialect_of(database_url: str) -> Dialect:
    if database_url.startswith("sqlite:///"):
        return "sqlite"
    if database_url.startswith(("postgresql://", "postgres://")):
        return "postgres"
    msg = f"ROADMAP_DATABASE_URL: unsupported scheme in {database_url!r}"
    raise ValueError(msg)


def in_memory(database_url: str) -> bool:
    """A store that lives in this process (`sqlite:///:memory:`): no other process opens it."""
    return (
        database_url.startswith("sqlite:///")
        and unquote(database_url.removeprefix("sqlite:///")) == ":memory:"
    )


def sqlite_path(database_url: str) -> str:
    """`sqlite:///roadmap.db` → `roadmap.db`; `sqlite:////abs/x.db` → `/abs/x.db`."""
    path = unquote(database_url.removeprefix("sqlite:///"))
    if not path:
        msg = "ROADMAP_DATABASE_URL: sqlite:/// needs a file path, e.g. sqlite:///roadmap.db"
        raise ValueError(msg)
    if path == ":memory:":
        # A plain :memory: database vanishes between pooled connections.
        return f"file:roadmap-{uuid4().hex}?mode=memory&cache=shared"
    return path


def persistence_env(database_url: str) -> dict[str, str]:
    """The eventsourcing library's settings for a database URL."""
    if database_url.startswith("sqlite:///"):
        return {
            "PERSISTENCE_MODULE": "domain.storage.sqlite:Factory",
            "SQLITE_DBNAME": sqlite_path(database_url),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    if database_url.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(database_url)
        query = parse_qs(parts.query)
        dbname = parts.path.lstrip("/")
        try:
            port = parts.port or 5432
        except ValueError:
            msg = "ROADMAP_DATABASE_URL: the port of postgresql://user@host:port/dbname is a number"
            raise ValueError(msg) from None
        if not dbname or not parts.hostname:
            msg = (
                "ROADMAP_DATABASE_URL: postgresql://user@host:port/dbname needs a host and a dbname"
            )
            raise ValueError(msg)
        return {
            "PERSISTENCE_MODULE": "domain.storage.postgres:Factory",
            "POSTGRES_DBNAME": unquote(dbname),
            "POSTGRES_HOST": parts.hostname,
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
            "POSTGRES_POOL_SIZE": query.get("pool_size", ["10"])[0],
            "POSTGRES_MAX_OVERFLOW": "10",
            # Seconds a new connection may take. (The library also takes it as the wait for a
            # pooled connection; postgres.py shortens that wait and asks, when it runs out,
            # whether the database is there at all: see availability.py.)
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "10",
        }
    msg = f"ROADMAP_DATABASE_URL: unsupported scheme in {database_url!r}"
    raise ValueError(msg)


def availability_for(database_url: str) -> Availability:
    """The one Availability of the database at `database_url` in this process."""
    env = persistence_env(database_url)
    if "SQLITE_DBNAME" in env:
        return availability_of(f"sqlite:{env['SQLITE_DBNAME']}")
    from domain.storage.postgres import availability_for as postgres  # noqa: PLC0415 - psycopg

    return postgres(env)
