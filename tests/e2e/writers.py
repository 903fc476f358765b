"""Writer threads that send commands over HTTP through server kills, and the check that every
answered command is in the log exactly once.

Each command has a unique Idempotency-Key and a unique title: pledges made under one roadmap, and
revisions of a pledge of the writer's own. A command that gets no answer (its server died under
it, or was down) is sent again with the same key and body, to the next server of the list, until
one answers. Used by the crash test (one server) and the scale-out test (two, on one store).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx

from api.auth import mint_token
from domain.application.service import RoadmapLedger
from tests.e2e.support import Who, pledge_body, roadmap_body, settings_for

#: Every command's title starts so: the log's other events (the seed) are told apart by it.
TITLE = "crash test: "
#: A writer gives up on a command after this long without an answer: the test fails.
PATIENCE = 60.0
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


def send(
    clients: Sequence[Client], command: Command, stop_by: float, first: int = 0
) -> Answered | str | None:
    """Until answered: the answer, the refusal (any other status), or None past `stop_by`.

    Starts with `clients[first]`; each attempt left unanswered moves on to the next client.
    """
    unanswered = 0
    while time.monotonic() < stop_by:
        client = clients[(first + unanswered) % len(clients)]
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


def write(
    writer: Writer, clients: Sequence[Client], roadmap_id: str, stop: threading.Event
) -> None:
    """Commands back to back until `stop`, each to the next client in turn; the last one is
    always seen through to its answer."""
    n = 0
    try:
        while not stop.is_set():
            n += 1
            title = f"{TITLE}writer {writer.number}, command {n}"
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
            outcome = send(clients, command, time.monotonic() + PATIENCE, first=n + writer.number)
            if isinstance(outcome, Answered):
                writer.answered.append(outcome)
            elif isinstance(outcome, str):
                writer.refused.append(outcome)
            else:
                writer.gave_up.append(command)
                return
    finally:
        for client in clients:
            client.close()


def seed(url: str, french: str, canadian: str, writers: int) -> tuple[str, list[Writer]]:
    """A roadmap, and a pledge for each writer to revise."""
    setup = Client(url, french)
    try:
        roadmap = setup.post("/roadmaps", roadmap_body())
    finally:
        setup.close()
    assert roadmap.status_code == 201, roadmap.text
    roadmap_id: str = roadmap.json()["id"]
    setup = Client(url, canadian)
    made_for = []
    try:
        for number in range(writers):
            path = f"/roadmaps/{roadmap_id}/pledges"
            made = setup.post(path, pledge_body(title=f"writer {number}"))
            assert made.status_code == 201, made.text
            made_for.append(Writer(number, made.json()["id"]))
    finally:
        setup.close()
    return roadmap_id, made_for


class Writing:
    """The writers' threads, each with a client per server URL, from `start()` to `stop()`."""

    def __init__(
        self, writers: list[Writer], urls: Sequence[str], roadmap_id: str, token: str
    ) -> None:
        self.halt = threading.Event()
        self.threads = [
            threading.Thread(
                target=write,
                args=(w, [Client(url, token) for url in urls], roadmap_id, self.halt),
                name=f"writer-{w.number}",
            )
            for w in writers
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.halt.set()
        for thread in self.threads:
            thread.join(timeout=PATIENCE + 10)
        assert not any(thread.is_alive() for thread in self.threads)


def logged(url: str) -> tuple[list[Any], int]:
    """Every event of the log, decoded, and the log's head."""
    ledger = RoadmapLedger(url)
    try:
        return [ledger.mapper.to_domain_event(n) for n in ledger.notifications()], ledger.position()
    finally:
        ledger.close()


def assert_recorded_once(writers: list[Writer], events: list[Any], context: str) -> None:
    """Every answered command is in the log once, as the event its answer names, and nothing
    unanswered was recorded; each writer's pledge has a version per answered revision."""
    assert [r for w in writers for r in w.refused] == [], context
    assert [c for w in writers for c in w.gave_up] == [], context
    answered = [a for w in writers for a in w.answered]
    ours = [e for e in events if str(getattr(e, "title", "")).startswith(TITLE)]
    duplicated = {title: n for title, n in Counter(str(e.title) for e in ours).items() if n > 1}
    assert duplicated == {}, context
    assert len(ours) == len(answered), context  # nothing recorded that was not answered
    by_title = {str(e.title): e for e in ours}
    for a in answered:
        event = by_title.get(a.command.title)
        assert event is not None, f"{a} is not in the log ({context})"
        assert (str(event.originator_id), event.originator_version) == (a.id, a.version), context
    for w in writers:
        pledge = UUID(w.pledge_id)
        versions = [e.originator_version for e in events if e.originator_id == pledge]
        revisions = [a for a in w.answered if a.command.kind == "revision"]
        assert versions == list(range(1, len(revisions) + 2)), context
