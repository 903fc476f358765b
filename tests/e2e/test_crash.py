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
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest

from api.auth import mint_token
from domain.application.service import RoadmapLedger
from tests.e2e.servers import ServerProcess
from tests.e2e.support import (
    AUDITOR,
    CA,
    FR,
    TEST_SECRET,
    Who,
    pledge_body,
    roadmap_body,
    settings_for,
)

pytestmark = pytest.mark.postgres

WRITERS = 4
KILLS = 4
#: Seconds the server runs between two kills, and stays down after one.
UPTIME = (0.4, 1.5)
DOWNTIME = (0.0, 0.3)
#: A writer gives up on a command after this long without an answer: the test fails.
PATIENCE = 60.0
#: Seconds a start may take: two processes set the store up one after the other.
START_TIMEOUT = 90.0
RETRY_PAUSE = 0.05


@dataclass(frozen=True)
class Command:
    kind: str  # "creation" or "revision"
    path: str
    body: dict[str, Any]
    key: str

    @property
    def title(self) -> str:
        title: str = self.body["title"]
        return title


@dataclass(frozen=True)
class Answered:
    command: Command
    status: int
    id: str
    version: int
    replayed: bool
    #: Attempts without an answer before this one (the server was killed or down).
    unanswered: int


@dataclass
class Writer:
    number: int
    pledge_id: str
    answered: list[Answered] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    gave_up: list[Command] = field(default_factory=list)


class Client:
    """Signs as one official, on its own connection."""

    def __init__(self, url: str, token: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10.0)
        self.auth = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(path, json=body, headers={**self.auth, **(headers or {})})

    def close(self) -> None:
        self.http.close()


def token(who: Who, url: str) -> str:
    return mint_token(settings_for(url), subject=who.sub, party=who.party, roles=list(who.roles))


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


def send(client: Client, command: Command, stop_by: float) -> Answered | str | None:
    """Until answered: the answer, the refusal (any other status), or None past `stop_by`."""
    unanswered = 0
    while time.monotonic() < stop_by:
        try:
            answer = client.post(command.path, command.body, {"Idempotency-Key": command.key})
        except httpx.TransportError:  # killed under the request, or down: same key again
            unanswered += 1
            time.sleep(RETRY_PAUSE)
            continue
        if answer.status_code in (200, 201):
            body = answer.json()
            return Answered(
                command,
                answer.status_code,
                body["id"],
                body["version"],
                answer.headers.get("Idempotent-Replayed") == "true",
                unanswered,
            )
        return f"{command.kind} {command.key}: {answer.status_code} {answer.text}"
    return None


def write(writer: Writer, client: Client, roadmap_id: str, stop: threading.Event) -> None:
    """Commands back to back until `stop`; the last one is always seen through to its answer."""
    n = 0
    try:
        while not stop.is_set():
            n += 1
            title = f"crash test: writer {writer.number}, command {n}"
            if n % 2:
                command = Command(
                    "creation",
                    f"/roadmaps/{roadmap_id}/pledges",
                    pledge_body(title=title),
                    f"crash-{writer.number}-{n}",
                )
            else:
                command = Command(
                    "revision",
                    f"/pledges/{writer.pledge_id}/revisions",
                    {"title": title, "reason": "crash test"},
                    f"crash-{writer.number}-{n}",
                )
            outcome = send(client, command, time.monotonic() + PATIENCE)
            if isinstance(outcome, Answered):
                writer.answered.append(outcome)
            elif isinstance(outcome, str):
                writer.refused.append(outcome)
            else:
                writer.gave_up.append(command)
                return
    finally:
        client.close()


def seed(url: str, french: str, canadian: str) -> tuple[str, list[Writer]]:
    """A roadmap, and a pledge for each writer to revise."""
    setup = Client(url, french)
    try:
        roadmap = setup.post("/roadmaps", roadmap_body())
    finally:
        setup.close()
    assert roadmap.status_code == 201, roadmap.text
    roadmap_id: str = roadmap.json()["id"]
    setup = Client(url, canadian)
    writers = []
    try:
        for number in range(WRITERS):
            path = f"/roadmaps/{roadmap_id}/pledges"
            made = setup.post(path, pledge_body(title=f"writer {number}"))
            assert made.status_code == 201, made.text
            writers.append(Writer(number, made.json()["id"]))
    finally:
        setup.close()
    return roadmap_id, writers


def write_through_kills(
    server: ServerProcess, writers: list[Writer], roadmap_id: str, token: str, rng: random.Random
) -> None:
    """The writers run while the server is killed and restarted `KILLS` times."""
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=write,
            args=(w, Client(server.url, token), roadmap_id, stop),
            name=f"writer-{w.number}",
        )
        for w in writers
    ]
    for thread in threads:
        thread.start()
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(*UPTIME))
            server.kill()
            time.sleep(rng.uniform(*DOWNTIME))
            server.start(timeout=START_TIMEOUT)
        time.sleep(rng.uniform(*UPTIME))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=PATIENCE + 10)
    assert not any(thread.is_alive() for thread in threads)


def logged(url: str) -> tuple[list[Any], int]:
    """Every event of the log, decoded, and the log's head."""
    ledger = RoadmapLedger(url)
    try:
        return [ledger.mapper.to_domain_event(n) for n in ledger.notifications()], ledger.position()
    finally:
        ledger.close()


def test_sigkill_loses_and_duplicates_nothing(server: ServerProcess, postgres_url: str) -> None:
    seed_ = random.randrange(2**32)
    context = f"random seed {seed_}"
    canadian = token(CA, postgres_url)
    roadmap_id, writers = seed(server.url, token(FR, postgres_url), canadian)

    write_through_kills(server, writers, roadmap_id, canadian, random.Random(seed_))

    assert server.starts == KILLS + 1
    assert [r for w in writers for r in w.refused] == [], context
    assert [c for w in writers for c in w.gave_up] == [], context
    answered = [a for w in writers for a in w.answered]
    assert any(a.unanswered for a in answered), f"no command was in flight at a kill ({context})"

    events, head = logged(postgres_url)
    ours = [e for e in events if str(getattr(e, "title", "")).startswith("crash test: ")]
    duplicated = {title: n for title, n in Counter(str(e.title) for e in ours).items() if n > 1}
    assert duplicated == {}, context
    assert len(ours) == len(answered), context  # nothing recorded that was not answered
    by_title = {str(e.title): e for e in ours}
    for a in answered:
        event = by_title.get(a.command.title)
        assert event is not None, f"{a} is not in the log ({context})"
        assert (str(event.originator_id), event.originator_version) == (a.id, a.version), context

    with httpx.Client(base_url=server.url, timeout=30.0) as reader:
        auditor = {"Authorization": f"Bearer {token(AUDITOR, postgres_url)}"}
        for w in writers:
            pledge = UUID(w.pledge_id)
            versions = [e.originator_version for e in events if e.originator_id == pledge]
            revisions = [a for a in w.answered if a.command.kind == "revision"]
            assert versions == list(range(1, len(revisions) + 2)), context
            read = reader.get(
                f"/pledges/{w.pledge_id}", params={"min_position": str(head)}, headers=auditor
            )
            assert read.status_code == 200, read.text
            assert read.json()["version"] == len(versions), context
            if revisions:
                assert read.json()["title"] == revisions[-1].command.title, context
