"""Crash safety: `roadmap serve` on PostgreSQL (one process, or two: `--workers 2`), SIGKILLed
at random moments under writers (every process of it at once).

Writer threads send commands without pause, each with a unique Idempotency-Key and a unique title:
pledges made under one roadmap, and revisions of a pledge of the writer's own. A command that gets
no answer (the server died under it, or was down) is retried with the same key and body until it
gets one. Meanwhile the server is killed with SIGKILL several times and restarted on the same port.

Afterwards, read straight from the log:
- every command that got a 2xx is recorded exactly once, as the event its answer names (id and
  version), and nothing else was recorded: a retry of an unanswered command never duplicates it,
  whether the first attempt was committed (the retry answers `Idempotent-Replayed`) or not;
- each writer's pledge has contiguous versions, one per answered revision;
- the read models, resumed after the crashes, show each pledge at its last version.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from uuid import UUID

import httpx
import pytest

from tests.e2e.servers import ServerProcess
from tests.e2e.support import AUDITOR, CA, FR, TEST_SECRET
from tests.e2e.writers import Writer, Writing, assert_recorded_once, logged, seed, token

pytestmark = pytest.mark.postgres

WRITERS = 4
KILLS = 4
#: Seconds the server runs between two kills, and stays down after one.
UPTIME = (0.4, 1.5)
DOWNTIME = (0.0, 0.3)
#: Seconds a start may take: two processes set the store up one after the other.
START_TIMEOUT = 90.0


@pytest.fixture(params=[1, 2], ids=["1-process", "2-processes"])
def server(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """`roadmap serve` alone, or with two processes (`--workers 2`), killed together."""
    process = ServerProcess(
        {
            "ROADMAP_DATABASE_URL": postgres_url,
            "ROADMAP_SECRET": TEST_SECRET,
            "ROADMAP_RATE_LIMIT_PER_MINUTE": "1000000",
            "ROADMAP_WORKERS": str(request.param),
        }
    )
    try:
        process.start(timeout=START_TIMEOUT)
        yield process
    finally:
        process.close()  # SIGTERM, SIGKILL if need be, whatever the test did


def write_through_kills(
    server: ServerProcess, writers: list[Writer], roadmap_id: str, token: str, rng: random.Random
) -> None:
    """The writers run while the server is killed and restarted `KILLS` times."""
    writing = Writing(writers, [server.url], roadmap_id, token)
    writing.start()
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(*UPTIME))
            server.kill()
            time.sleep(rng.uniform(*DOWNTIME))
            server.start(timeout=START_TIMEOUT)
        time.sleep(rng.uniform(*UPTIME))
    finally:
        writing.stop()


def test_sigkill_loses_and_duplicates_nothing(server: ServerProcess, postgres_url: str) -> None:
    seed_ = random.randrange(2**32)
    context = f"random seed {seed_}"
    canadian = token(CA, postgres_url)
    roadmap_id, writers = seed(server.url, token(FR, postgres_url), canadian, WRITERS)

    write_through_kills(server, writers, roadmap_id, canadian, random.Random(seed_))

    assert server.starts == KILLS + 1
    answered = [a for w in writers for a in w.answered]
    assert any(a.unanswered for a in answered), f"no command was in flight at a kill ({context})"
    events, head = logged(postgres_url)
    assert_recorded_once(writers, events, context)

    with httpx.Client(base_url=server.url, timeout=30.0) as reader:
        auditor = {"Authorization": f"Bearer {token(AUDITOR, postgres_url)}"}
        for w in writers:
            pledge = UUID(w.pledge_id)
            versions = [e.originator_version for e in events if e.originator_id == pledge]
            revisions = [a for a in w.answered if a.command.kind == "revision"]
            read = reader.get(
                f"/pledges/{w.pledge_id}", params={"min_position": str(head)}, headers=auditor
            )
            assert read.status_code == 200, read.text
            assert read.json()["version"] == len(versions), context
            if revisions:
                assert read.json()["title"] == revisions[-1].command.title, context
