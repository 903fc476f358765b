"""The backend fixtures themselves: each URL must point at a fresh, usable, isolated store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

from tests import pg


def _schema_of(url: str) -> str:
    (schema,) = parse_qs(urlsplit(url).query)["schema"]
    return schema


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    schema = _schema_of(url)
    conninfo = urlsplit(url)._replace(query="").geturl()
    return psycopg.connect(conninfo, connect_timeout=3, options=f"-c search_path={schema}")


def test_database_url_is_usable(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        assert database_url.startswith("sqlite:///")
        path = Path(database_url.removeprefix("sqlite:///"))
        assert path.is_absolute()
        assert path.parent.is_dir()
        assert not path.exists()  # fresh: the application creates the file
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE probe (x INTEGER)")
        assert path.is_file()
        return

    assert database_url.startswith("postgresql://")
    schema = _schema_of(database_url)
    assert re.fullmatch(r"t_[0-9a-f]{12}", schema)
    with _connect(database_url) as conn:
        row = conn.execute("SELECT current_schemas(false)").fetchone()
        assert row is not None
        assert row[0] == [schema]  # only existing schemas are listed
        exists = conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
        assert exists == (1,)
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchone()
        assert tables == (0,)  # fresh
        conn.execute("CREATE TABLE probe (x integer)")
        where = conn.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe'"
            " AND table_schema = %s",
            (schema,),
        ).fetchone()
        assert where == (schema,)


def test_both_backends_at_once(sqlite_url: str, postgres_url: str) -> None:
    assert sqlite_url.startswith("sqlite:///")
    assert postgres_url.startswith("postgresql://")
    with _connect(postgres_url) as conn:
        row = conn.execute("SELECT current_schema()").fetchone()
        assert row == (_schema_of(postgres_url),)


def test_schema_is_dropped_after_use(postgres_url: str) -> None:
    base = pg.base_url()
    name = pg.create_schema(base)
    assert name != _schema_of(postgres_url)
    pg.drop_schema(base, name)
    with _connect(postgres_url) as conn:
        gone = conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (name,)
        ).fetchone()
        assert gone is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql://u@h/db?schema=t_x"),
        ("postgresql://u@h/db?sslmode=disable", "postgresql://u@h/db?sslmode=disable&schema=t_x"),
    ],
    ids=["no-query", "with-query"],
)
def test_with_schema(url: str, expected: str) -> None:
    assert pg.with_schema(url, "t_x") == expected
