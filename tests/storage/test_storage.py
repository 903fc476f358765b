"""Storage: an append-only event table on PostgreSQL, a durable SQLite file, database URLs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from psycopg import sql
from pydantic import ValidationError

from api.settings import Settings
from domain.application.service import RoadmapLedger
from domain.model.roadmap import Roadmap
from domain.storage import persistence_env
from tests.factories import adopt_france_canada

# --- PostgreSQL: the event table is append-only -------------------------------------------


@pytest.fixture
def pg_app(postgres_url: str) -> Iterator[RoadmapLedger]:
    app = RoadmapLedger(postgres_url)
    yield app
    app.close()


def _connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(urlsplit(url)._replace(query="").geturl(), autocommit=True)


CHANGES = {
    "UPDATE": "UPDATE {table} SET topic = 'forged:Event' WHERE originator_version = 1",
    "DELETE": "DELETE FROM {table}",
    "TRUNCATE": "TRUNCATE {table}",
}


@pytest.mark.parametrize("statement", CHANGES)
def test_postgres_event_table_refuses_changes(
    pg_app: RoadmapLedger, postgres_url: str, statement: str
) -> None:
    adopt_france_canada(pg_app)
    (schema,) = parse_qs(urlsplit(postgres_url).query)["schema"]
    table = sql.Identifier(schema, pg_app.recorder.events_table_name)  # type: ignore[attr-defined]
    select = sql.SQL("SELECT originator_id, originator_version, topic, state FROM {table}")
    with _connect(postgres_url) as conn:
        before = conn.execute(select.format(table=table)).fetchall()
        assert len(before) == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(sql.SQL(CHANGES[statement]).format(table=table))
        assert conn.execute(select.format(table=table)).fetchall() == before
    assert pg_app.get_item(Roadmap, before[0][0]).version == 1


# --- SQLite: write-ahead log, synchronous=FULL on every pooled connection ------------------


@pytest.fixture
def sqlite_app(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoadmapLedger]:
    """The app on a SQLite build whose connections default to synchronous=NORMAL (1)."""
    connect = sqlite3.connect

    def lax_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(*args, **kwargs)
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    monkeypatch.setattr(sqlite3, "connect", lax_connect)
    app = RoadmapLedger(sqlite_url)
    yield app
    app.close()


@pytest.fixture
def memory_app() -> Iterator[RoadmapLedger]:
    app = RoadmapLedger("sqlite:///:memory:")
    yield app
    app.close()


def test_sqlite_file_is_in_wal_mode_with_full_sync(
    sqlite_app: RoadmapLedger, sqlite_url: str
) -> None:
    adopt_france_canada(sqlite_app)
    with sqlite3.connect(Path(sqlite_url.removeprefix("sqlite:///"))) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA synchronous").fetchone() == (1,)  # what the build gives
    pool = sqlite_app.recorder.datastore.pool  # type: ignore[attr-defined]
    connections = [pool.get_connection() for _ in range(3)]  # three distinct connections
    try:
        assert len({id(c) for c in connections}) == 3
        for connection in connections:
            cursor = connection.cursor()
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    finally:
        for connection in connections:
            pool.put_connection(connection)


def test_sqlite_in_memory_works_across_threads(memory_app: RoadmapLedger) -> None:
    roadmap = adopt_france_canada(memory_app).id
    with ThreadPoolExecutor(4) as pool:
        versions = list(pool.map(lambda _: memory_app.get_item(Roadmap, roadmap).version, range(8)))
    assert versions == [1] * 8


# --- database URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "dbname"),
    [
        ("sqlite:///roadmap.db", "roadmap.db"),
        ("sqlite:///data/roadmap.db", "data/roadmap.db"),
        ("sqlite:////var/lib/roadmap/roadmap.db", "/var/lib/roadmap/roadmap.db"),
        ("sqlite:///my%20roadmap.db", "my roadmap.db"),
    ],
)
def test_sqlite_urls(url: str, dbname: str) -> None:
    assert persistence_env(url) == {
        "PERSISTENCE_MODULE": "domain.storage.sqlite:Factory",
        "SQLITE_DBNAME": dbname,
        "SQLITE_LOCK_TIMEOUT": "30",
    }


def test_sqlite_memory_urls_are_shared_and_distinct() -> None:
    first = persistence_env("sqlite:///:memory:")["SQLITE_DBNAME"]
    second = persistence_env("sqlite:///:memory:")["SQLITE_DBNAME"]
    assert first.startswith("file:roadmap-")
    assert first.endswith("?mode=memory&cache=shared")
    assert first != second


def test_postgres_url_with_everything() -> None:
    env = persistence_env("postgresql://alice:s%40cret@db.example.org:5433/roadmap?schema=ledger")
    assert env["PERSISTENCE_MODULE"] == "domain.storage.postgres:Factory"
    assert {k: env[k] for k in env if k.startswith("POSTGRES_") and "POOL" not in k} == {
        "POSTGRES_DBNAME": "roadmap",
        "POSTGRES_HOST": "db.example.org",
        "POSTGRES_PORT": "5433",
        "POSTGRES_USER": "alice",
        "POSTGRES_PASSWORD": "s@cret",
        "POSTGRES_SCHEMA": "ledger",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        "POSTGRES_LOCK_TIMEOUT": "10",
    }


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_url_defaults(scheme: str) -> None:
    env = persistence_env(f"{scheme}://127.0.0.1/test")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("postgres", "")
    assert (env["POSTGRES_PORT"], env["POSTGRES_SCHEMA"]) == ("5432", "public")
    assert env["POSTGRES_POOL_SIZE"] == "10"


BAD_URLS = [
    ("sqlite:///", "needs a file path"),
    ("sqlite://roadmap.db", "unsupported scheme"),
    ("mysql://root@localhost/roadmap", "unsupported scheme"),
    ("roadmap.db", "unsupported scheme"),
    ("postgresql://db.example.org", "needs a host and a dbname"),
    ("postgresql:///roadmap", "needs a host and a dbname"),
    ("postgresql://alice@db.example.org:port/roadmap", "port"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_bad_urls_are_refused_clearly(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        persistence_env(url)
    assert str(raised.value).startswith("ROADMAP_DATABASE_URL")


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_settings_refuse_a_bad_database_url(
    monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    monkeypatch.setenv("ROADMAP_DATABASE_URL", url)
    with pytest.raises(ValidationError, match="ROADMAP_DATABASE_URL") as raised:
        Settings()
    assert raised.value.errors()[0]["loc"] == ("database_url",)


def test_settings_read_a_good_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://alice@127.0.0.1:5432/roadmap?schema=ledger"
    monkeypatch.setenv("ROADMAP_DATABASE_URL", url)
    assert Settings().database_url == url
    monkeypatch.delenv("ROADMAP_DATABASE_URL")
    assert Settings().database_url == "sqlite:///roadmap.db"
