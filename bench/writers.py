"""Clients writing all the time, in a process of their own: the load read-your-writes is timed
under. Each thread reports progress on pledges of its own, as fast as the store answers."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from decimal import Decimal
from multiprocessing.synchronize import Event
from uuid import UUID

from bench.workload import ACTORS
from domain.application.service import RoadmapLedger
from domain.model.pledge import Pledge
from domain.model.values import Quantity


def _write(app: RoadmapLedger, pledges: Sequence[UUID], stopping: Event, counts: list[int]) -> None:
    n = 0
    while not stopping.is_set():
        pledge_id = pledges[n % len(pledges)]
        pledge = app.get_item(Pledge, pledge_id)
        delivered = Quantity(pledge.state.delivered.amount + Decimal(1), "personnel")
        app.report_pledge_progress(ACTORS[pledge.state.party], pledge_id, delivered=delivered)
        n += 1
    counts.append(n)


def write_until(url: str, pledges: list[list[UUID]], stopping: Event, started: Event) -> None:
    """One thread for each list of pledges, until `stopping` is set."""
    app = RoadmapLedger(url)
    counts: list[int] = []
    threads = [
        threading.Thread(target=_write, args=(app, mine, stopping, counts), daemon=True)
        for mine in pledges
    ]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    app.close()
