"""PostgreSQL helpers for the test fixtures: reachability probe, throw-away schemas.

Kept free of any import from ``domain``/``api``/``projections`` so the fixtures work on their own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
CONNECT_TIMEOUT = 3


def base_url() -> str:
    """The server/database the PostgreSQL tests run against."""
    return os.environ.get("ROADMAP_TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL


def must_reach() -> bool:
    """Unreachable PostgreSQL is a failure (not a skip) when asked for explicitly or on CI."""
    explicit = bool(os.environ.get("ROADMAP_TEST_DATABASE_URL"))
    on_ci = os.environ.get("CI", "").strip().lower() == "true"
    return explicit or on_ci


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def _conninfo(url: str) -> str:
    """libpq accepts ``postgresql://`` URLs, but not our ``schema`` query parameter."""
    return urlsplit(url)._replace(query="").geturl()


@cache
def probe(url: str) -> str | None:
    """Try to connect once per URL per session: ``None`` if reachable, else the reason."""
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"PostgreSQL not reachable at {_redacted(url)} ({first_line}); "
            "set ROADMAP_TEST_DATABASE_URL to a reachable server"
        )
    return None


def create_schema(url: str) -> str:
    """Create a fresh, uniquely named schema and return its name."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(url), connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    return name


def drop_schema(url: str, name: str) -> None:
    with psycopg.connect(_conninfo(url), connect_timeout=CONNECT_TIMEOUT, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def with_schema(url: str, name: str) -> str:
    """``url`` with ``schema=<name>`` added to its query string."""
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}schema={name}"


def fresh_schema_url() -> Iterator[str]:
    """For a fixture to yield from: a fresh schema on the test server, dropped afterwards. An
    unreachable server skips the test, or fails it when `must_reach()`."""
    base = base_url()
    reason = probe(base)
    if reason is not None:
        if must_reach():
            pytest.fail(
                f"{reason} (required: ROADMAP_TEST_DATABASE_URL is set or CI=true)", pytrace=False
            )
        pytest.skip(reason)
    schema = create_schema(base)
    try:
        yield with_schema(base, schema)
    finally:
        drop_schema(base, schema)
