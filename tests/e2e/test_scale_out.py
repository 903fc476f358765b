"""Scale-out on one PostgreSQL: two `roadmap serve` processes and two `roadmap worker`s (one holds
the projection lease, the other stands by), SIGKILLs under load.

Writer threads send commands to both servers in turn (the crash test's writers: a unique
Idempotency-Key each, an unanswered command sent again with the same key to the other server).
Under that load one server and the worker holding the lease are killed with SIGKILL; the standby
must take the lease over, and the server is restarted on its port while the writers go on.

Afterwards:
- every command that got a 2xx is in the log exactly once, as its answer names it, and nothing
  unanswered was recorded;
- once the surviving worker has caught up: one audit leaf per event, the Merkle roots and
  signed heads verify, and every read model (partnership, audit, temporal) equals row for row
  the same rebuilt from zero.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from domain.storage import persistence_env
from projections.audit.verify import verify
from tests.e2e.servers import ServerProcess
from tests.e2e.support import CA, FR, TEST_SECRET
from tests.e2e.writers import Writing, assert_recorded_once, logged, seed, token
from tests.support.readmodels import (
    assert_audit_complete,
    assert_equals_rebuild,
    wait_until_projected,
)
from tests.support.stores import opened, signer_in
from tests.support.worker import Worker

pytestmark = pytest.mark.postgres

WRITERS = 4
#: Seconds of load before the kills, with one server down, and after the restart.
BEFORE, DOWN, AFTER = (0.8, 1.6), (0.3, 0.8), (0.8, 1.6)
START_TIMEOUT = 60.0
#: Seconds the standby may take to hold the lease once the holder's session is gone.
TAKEOVER = 30.0


class Workers:
    """Two `roadmap worker`s on one store, told apart in PostgreSQL by their application name."""

    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.directory = directory
        self.running: dict[str, Worker] = {}

    def start(self, name: str) -> Worker:
        worker = Worker(self.url, self.directory, {"PGAPPNAME": name})
        self.running[name] = worker
        worker.wait_started()
        return worker

    def holder(self) -> str | None:
        """The application name of the session that holds the projection lease, if any."""
        env = persistence_env(self.url)
        key = f"{env['POSTGRES_SCHEMA']}:roadmap-projections"  # as projections/runtime/lease.py
        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
        ) as connection:
            row: Any = connection.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.database = ("
                "   SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND (l.classid::bigint << 32 | l.objid::bigint) = hashtext(%s)::bigint",
                [key],
            ).fetchone()
        return None if row is None else str(row[0])

    def wait_for_holder(self, among: set[str], timeout: float = TAKEOVER) -> str:
        deadline = time.monotonic() + timeout
        while (holder := self.holder()) not in among:
            assert time.monotonic() < deadline, f"no worker of {among} holds the lease: {holder}"
            time.sleep(0.05)
        assert holder is not None
        return holder

    def stop(self) -> None:
        for worker in self.running.values():
            worker.stop()


@pytest.fixture
def servers(postgres_url: str, tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Two `roadmap serve` processes on two ports, without projections of their own."""
    signer_in(tmp_path)  # one signing key for all, made before any process would make its own
    processes = [
        ServerProcess(
            {
                "ROADMAP_DATABASE_URL": postgres_url,
                "ROADMAP_SECRET": TEST_SECRET,
                "ROADMAP_RATE_LIMIT_PER_MINUTE": "1000000",
                "ROADMAP_PROJECTIONS_IN_PROCESS": "false",
                "ROADMAP_SIGNING_KEY_FILE": str(tmp_path / "signing-key.pem"),
            }
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            process.launch()
        for process in processes:
            process.wait_ready(START_TIMEOUT)
        yield processes
    finally:
        for process in processes:
            process.close()


def test_a_server_and_the_lease_holder_killed_under_load(
    servers: list[ServerProcess], postgres_url: str, tmp_path: Path
) -> None:
    seed_ = random.randrange(2**32)
    rng = random.Random(seed_)
    context = f"random seed {seed_}"
    workers = Workers(postgres_url, tmp_path)
    try:
        workers.start("worker-a")
        assert workers.wait_for_holder({"worker-a"}) == "worker-a"
        workers.start("worker-b")  # the standby

        canadian = token(CA, postgres_url)
        roadmap_id, writers = seed(servers[0].url, token(FR, postgres_url), canadian, WRITERS)
        writing = Writing(writers, [s.url for s in servers], roadmap_id, canadian)
        writing.start()
        try:
            time.sleep(rng.uniform(*BEFORE))
            servers[0].kill()
            workers.running["worker-a"].kill()
            time.sleep(rng.uniform(*DOWN))
            servers[0].start(START_TIMEOUT)
            assert workers.wait_for_holder({"worker-b"}) == "worker-b", context
            time.sleep(rng.uniform(*AFTER))
        finally:
            writing.stop()

        answered = [a for w in writers for a in w.answered]
        assert any(a.unanswered for a in answered), f"no command was cut off ({context})"
        assert {a.command.key for a in answered if a.unanswered} < {
            a.command.key for a in answered
        }, context  # and most were not
        events, _ = logged(postgres_url)
        assert_recorded_once(writers, events, context)

        with opened(postgres_url) as (app, store):
            wait_until_projected(app, store)
            assert workers.holder() == "worker-b", context
            workers.stop()  # the rebuild below replaces the tables under any runner
            assert_audit_complete(app, store)
            verdict = verify(app, store, signer_in(tmp_path).public)
            assert verdict.ok, f"{verdict.line()} ({context})"
            assert_equals_rebuild(app, store)
    finally:
        workers.stop()
