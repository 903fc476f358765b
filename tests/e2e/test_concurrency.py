"""Concurrent requests through a real server (uvicorn on loopback, the app's own thread pool).

- Twenty identical requests at once, with one Idempotency-Key: one event, twenty identical answers.
- Twenty writers at once on one pledge, without keys: each ends 2xx or 409, the pledge's versions
  are contiguous, and every 2xx answer is the event at the version it names (no lost update).

Twenty threads wait on a barrier, then each sends its request on its own connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest

from domain.application.service import RoadmapLedger
from tests.e2e.servers import serving
from tests.e2e.support import (
    AUDITOR,
    CA,
    Api,
    Who,
    adopt,
    make_pledge,
    pledge_body,
    running,
    settings_for,
)

WRITERS = 20


@dataclass(frozen=True)
class Served:
    url: str
    api: Api  # signs the requests (its TestClient recorded the seed, then closed)
    ledger: RoadmapLedger  # reads the log directly
    roadmap_id: str
    pledge_id: str

    def post(self, path: str, who: Who, body: Any, headers: dict[str, str]) -> httpx.Response:
        """One request on a connection of its own."""
        with httpx.Client(base_url=self.url, timeout=60) as client:
            return client.post(path, json=body, headers=self.api.headers(who, headers))

    def read(self, path: str, position: int) -> dict[str, Any]:
        with httpx.Client(base_url=self.url, timeout=60) as client:
            answer = client.get(
                path, params={"min_position": str(position)}, headers=self.api.headers(AUDITOR)
            )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def events_after(self, position: int) -> list[Any]:
        """The events recorded after `position`, decoded."""
        return [
            self.ledger.mapper.to_domain_event(n)
            for n in self.ledger.recorder.select_notifications(position + 1, 10_000)
        ]

    def events_of(self, item_id: str) -> list[Any]:
        return [e for e in self.events_after(0) if e.originator_id == UUID(item_id)]


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """A roadmap and a pledge, recorded through the app in process; then the app on loopback."""
    settings = settings_for(database_url, rate_limit_per_minute=1_000_000)
    with running(settings) as api:
        roadmap_id = adopt(api)
        pledge_id = make_pledge(api, roadmap_id)
    with serving(settings) as url:
        ledger = RoadmapLedger(database_url)
        try:
            yield Served(url, api, ledger, roadmap_id, pledge_id)
        finally:
            ledger.close()


def all_at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call in its own thread, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait(timeout=30)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.parametrize("command", ["progress", "creation"])
def test_twenty_identical_requests_record_one_event(served: Served, command: str) -> None:
    roadmap_id, pledge_id = served.roadmap_id, served.pledge_id
    if command == "progress":
        path, body, status = (
            f"/pledges/{pledge_id}/progress",
            {"delivered": {"amount": "150", "unit": "personnel"}, "note": "first rotation"},
            200,
        )
    else:
        path, body, status = (
            f"/roadmaps/{roadmap_id}/pledges",
            pledge_body(title="Train 150 francophone police officers", kind="training"),
            201,
        )
    before = served.ledger.position()
    key = {"Idempotency-Key": f"same-{command}"}

    answers = all_at_once([lambda: served.post(path, CA, body, key)] * WRITERS)

    assert [a.status_code for a in answers] == [status] * WRITERS, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1  # identical bodies: id, version, position
    assert len({(a.headers["ETag"], a.headers.get("Location")) for a in answers}) == 1
    replayed = [a.headers.get("Idempotent-Replayed") for a in answers]
    assert replayed.count(None) == 1  # one recorded it; nineteen answer its answer
    assert replayed.count("true") == WRITERS - 1
    recorded = served.events_after(before)
    assert len(recorded) == 1
    answer = answers[0].json()
    (event,) = recorded
    assert (str(event.originator_id), event.originator_version) == (
        answer["id"],
        answer["version"],
    )
    # Not necessarily before + 1: a request that lost the race may have drawn a position
    # before its insert was refused, a gap for good (decision 6).
    assert answer["position"] == served.ledger.position() > before


def test_twenty_writers_on_one_pledge_lose_no_update(served: Served) -> None:
    pledge_id = served.pledge_id
    path = f"/pledges/{pledge_id}/revisions"

    def revise(n: int) -> Callable[[], httpx.Response]:
        body = {"title": f"Deploy up to 600 soldiers (wording {n})", "reason": f"writer {n}"}
        return lambda: served.post(path, CA, body, {})

    answers = all_at_once([revise(n) for n in range(WRITERS)])

    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {200, 409}, [a.text for a in answers]
    assert 200 in statuses
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.json()["code"] == "concurrent-conflict"
    events = served.events_of(pledge_id)
    versions = [e.originator_version for e in events]
    assert versions == list(range(1, len(events) + 1))  # contiguous, from the pledge's creation
    accepted = [a.json() for a in answers if a.status_code == 200]
    assert len(events) == 1 + len(accepted)  # each 2xx is one event, each 409 none
    by_version = {e.originator_version: e for e in events}
    for writer, answer in enumerate(answers):
        if answer.status_code != 200:
            continue
        event = by_version[answer.json()["version"]]
        assert str(event.reason) == f"writer {writer}"  # the answer names its own event
    assert sorted(a["version"] for a in accepted) == list(range(2, len(events) + 1))
    read = served.read(f"/pledges/{pledge_id}", served.ledger.position())
    assert read["version"] == len(events)
    assert read["title"] == str(events[-1].title)
