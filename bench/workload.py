"""A large, realistic log for the read-side benchmarks, written straight through the recorder.

Items are real aggregates driven by their own command methods (so every rule holds and every
event is what the API would have recorded); only the saving is batched, a thousand events a
transaction, so that a million events load in minutes instead of hours.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.application.service import RoadmapLedger
from domain.model.consultation import Consultation
from domain.model.errors import DomainError
from domain.model.item import Item
from domain.model.pledge import Pledge
from domain.model.roadmap import Roadmap
from domain.model.texts import english
from domain.model.values import (
    Actor,
    ConsultationKind,
    Context,
    PledgeKind,
    Priority,
    Quantity,
    Role,
)

PRIORITIES = [
    Priority(
        "preventive-diplomacy", english("Preventive diplomacy and peaceful resolution of disputes")
    ),
    Priority("operations-support", english("Support for the military, policing and legal aspects")),
    Priority(
        "development-cooperation", english("Development cooperation with countries in crisis")
    ),
    Priority("civilians-and-women", english("Protection of civilians; rights and role of women")),
    Priority("military-performance", english("Military performance of peacekeeping operations")),
]
ACTORS = {p: Actor(f"bench-{p.lower()}", p, frozenset({Role.OFFICIAL})) for p in ("FR", "CA")}
START = datetime(2016, 10, 13, 9, 0, tzinfo=UTC)


@dataclass
class Workload:
    roadmap_id: UUID
    events: int
    items: int
    first_recorded: datetime
    last_recorded: datetime


class _Clock:
    """Simulated recording time: events are spread from 2016 to the present."""

    def __init__(self, total: int) -> None:
        span = datetime.now(UTC) - timedelta(days=1) - START
        # Refused steps tick the clock too: leave room for them, never pass the present.
        self.step = span / max(2 * total, 1)
        self.now = START

    def tick(self) -> datetime:
        self.now += self.step
        return self.now


def generate(
    app: RoadmapLedger,
    events: int,
    items: int,
    *,
    seed: int = 2016,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> Workload:
    rnd = random.Random(seed)
    clock = _Clock(events)
    pending: list[Item] = []
    queued: set[UUID] = set()
    written = 0

    def ctx(party: str, backdate: bool = True) -> Context:
        moment = clock.tick()
        days = rnd.randrange(0, 200) if backdate and rnd.random() < 0.3 else 0
        effective = max(moment.date() - timedelta(days=days), date(2016, 1, 1))
        return Context(ACTORS[party], moment, effective_on=effective)

    def flush(force: bool = False) -> None:
        nonlocal written
        if not force and sum(len(item.pending_events) for item in pending) < batch:
            return
        collected = [e for item in pending for e in item.collect_events()]
        collected.sort(key=lambda e: e.timestamp)
        app.recorder.insert_events([app.mapper.to_stored_event(e) for e in collected])
        written += len(collected)
        pending.clear()
        queued.clear()
        if progress is not None:
            progress(written)

    roadmap_id = uuid4()
    first = clock.now
    roadmap = Roadmap.adopt(
        roadmap_id,
        title="France-Canada Peacekeeping Roadmap (benchmark)",
        parties=["FR", "CA"],
        adopted_on=date(2016, 10, 13),
        priorities=PRIORITIES,
        summary=None,
        ctx=ctx("FR", backdate=False),
    )
    state = roadmap.state
    live: list[Item] = []
    pending.append(roadmap)
    queued.add(roadmap_id)
    created = 0
    total = 1
    while total < events:
        # New items arrive all along the decade, as pledges and consultations do.
        if created < items and (not live or rnd.random() < (items - created) / (events - total)):
            item = _new_item(
                created,
                roadmap_id=roadmap_id,
                state=state,
                rnd=rnd,
                today=clock.now.date(),
                ctx=ctx,
            )
            created += 1
            live.append(item)
        else:
            item = rnd.choice(live)
            acting: str = getattr(item.state, "party", None) or item.state.host_party
            try:
                _step(item, acting, rnd, ctx)
            except DomainError:
                continue
        total += 1
        if item.id not in queued:
            queued.add(item.id)
            pending.append(item)
        # Few items over many events keep `pending` short: count events too, or a long run of
        # them would be held, and sent, all at once.
        if len(pending) >= batch or total % batch == 0:
            flush()
    flush(force=True)
    return Workload(roadmap_id, written, items, first, clock.now)


def _new_item(
    n: int,
    *,
    roadmap_id: UUID,
    state: Any,
    rnd: random.Random,
    today: date,
    ctx: Callable[[str], Context],
) -> Item:
    party = rnd.choice(["FR", "CA"])
    codes = [p.code for p in rnd.sample(PRIORITIES, rnd.randint(1, 2))]
    if n % 5 == 4:
        start = today + timedelta(days=rnd.randrange(10, 90))
        return Consultation.schedule(
            uuid4(),
            roadmap_id,
            state,
            kind=ConsultationKind.BILATERAL,
            title=f"Bilateral consultation {n}",
            host_party=party,
            location="Ottawa",
            starts_on=start,
            ends_on=start + timedelta(days=1),
            priorities=codes,
            ctx=ctx(party),
        )
    return Pledge.make(
        uuid4(),
        roadmap_id,
        state,
        party=party,
        title=f"Pledge {n}",
        kind=rnd.choice(list(PledgeKind)),
        quantity=Quantity(Decimal(rnd.randrange(10, 10_000)), "personnel"),
        priorities=codes,
        beneficiary=None,
        due_on=None,
        ctx=ctx(party),
    )


def _step(item: Item, party: str, rnd: random.Random, ctx: Callable[[str], Context]) -> None:
    if isinstance(item, Pledge):
        choice = rnd.random()
        if choice < 0.75:
            delivered = item.state.delivered.amount + rnd.randrange(0, 20)
            item.report_progress(delivered=Quantity(delivered, "personnel"), ctx=ctx(party))
        elif choice < 0.97:
            amount = item.state.quantity.amount + rnd.randrange(-5, 50)
            quantity = Quantity(max(amount, item.state.delivered.amount), "personnel")
            item.revise(quantity=quantity, title=None, reason="revised", ctx=ctx(party))
        else:
            item.correct(
                rnd.randrange(1, item.version + 1),
                {"effective_on": str(date(2016, 6, 1) + timedelta(days=rnd.randrange(100)))},
                "data-entry error",
                ctx(party),
            )
        return
    assert isinstance(item, Consultation)  # noqa: S101 - the workload makes only these two
    start = item.state.starts_on + timedelta(days=rnd.randrange(1, 30))
    item.reschedule(
        starts_on=start, ends_on=start + timedelta(days=1), reason="moved", ctx=ctx(party)
    )


def count(app: RoadmapLedger) -> Any:
    return app.recorder.max_notification_id() or 0
