"""The command runner without a database: retries after lost races, idempotent answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from domain.application.running import CommandResult, CommandRunner, Meta
from domain.model.errors import AlreadyRecordedError, ConcurrencyConflictError
from domain.model.item import Item
from domain.model.values import Context
from domain.storage import IdempotencyRecord
from tests.factories import FR_OFFICIAL, RECORDED_AT, Clock, new_reform


class RacingApp:
    """A CommandStore that loses the first `losses` saves, and may then find an answer."""

    def __init__(self, losses: int, answer: IdempotencyRecord | None = None) -> None:
        self.losses = losses
        self.answer = answer
        self.saves = 0
        self.lost = False
        self.recorded: set[UUID] = set()  # the ids already recorded

    def record(
        self, item: Item, aggregates: Sequence[Item], idempotency: IdempotencyRecord | None
    ) -> int:
        self.saves += 1
        if self.saves <= self.losses:
            self.lost = True
            raise IntegrityError("another request won")
        self.recorded.update(a.id for a in aggregates)
        return 7

    def exists(self, item_id: UUID) -> bool:
        return item_id in self.recorded

    def find_idempotency(self, subject: str, key: str) -> IdempotencyRecord | None:
        return self.answer if self.lost else None

    def position_of(self, originator_id: UUID, version: int) -> int:
        return 41


def runner(app: RacingApp, retries: int) -> CommandRunner:
    return CommandRunner(app, retries, Clock())


def test_a_command_lost_more_often_than_the_retries_is_refused() -> None:
    app = RacingApp(losses=10)
    contexts: list[Context] = []

    def step(ctx: Context) -> tuple[Item, list[Item]]:
        contexts.append(ctx)
        proposal = new_reform(FR_OFFICIAL, at=ctx.recorded_at)
        return proposal, [proposal]

    with pytest.raises(ConcurrencyConflictError, match="3 times"):
        runner(app, retries=2).run(FR_OFFICIAL, Meta(), step, creates=True)
    assert app.saves == 3
    times = [c.recorded_at for c in contexts]
    assert times == sorted(times)
    assert len(set(times)) == 3  # every attempt reads the clock again
    assert times[0] > RECORDED_AT


def test_the_meta_reaches_the_context() -> None:
    seen: list[Context] = []

    def step(ctx: Context) -> tuple[Item, list[Item]]:
        seen.append(ctx)
        raise ConcurrencyConflictError("stop here")

    meta = Meta(effective_on=date(2016, 10, 13), authority="Decree 2016-1", note="n")
    with pytest.raises(ConcurrencyConflictError):
        runner(RacingApp(losses=0), retries=0).run(FR_OFFICIAL, meta, step, creates=False)
    (ctx,) = seen
    assert (ctx.actor, ctx.effective_on, ctx.authority, ctx.note) == (
        FR_OFFICIAL,
        date(2016, 10, 13),
        "Decree 2016-1",
        "n",
    )


def test_a_race_lost_on_the_idempotency_key_answers_the_winner() -> None:
    winner = IdempotencyRecord(
        subject=FR_OFFICIAL.subject,
        key="k",
        request_hash="h",
        item_id=uuid4(),
        version=1,
        created=True,
        created_at=RECORDED_AT,
    )
    app = RacingApp(losses=1, answer=winner)

    def step(ctx: Context) -> tuple[Item, list[Item]]:
        proposal = new_reform(FR_OFFICIAL, at=ctx.recorded_at)
        return proposal, [proposal]

    result = runner(app, retries=0).run(
        FR_OFFICIAL, Meta(idempotency_key="k", request_hash="h"), step, creates=True
    )
    assert result == CommandResult(winner.item_id, 1, 41, created=True, replayed=True)
    assert app.saves == 1


def test_creating_an_id_that_exists_is_not_retried() -> None:
    existing = new_reform(FR_OFFICIAL)
    app = RacingApp(losses=10)
    app.recorded.add(existing.id)

    def step(ctx: Context) -> tuple[Item, list[Item]]:
        return existing, [existing]

    with pytest.raises(AlreadyRecordedError, match="exists already"):
        runner(app, retries=5).run(FR_OFFICIAL, Meta(), step, creates=True)
    assert app.saves == 1


def test_a_command_that_loses_once_is_run_again_and_recorded() -> None:
    app = RacingApp(losses=1)
    attempts: list[Context] = []

    def step(ctx: Context) -> tuple[Item, list[Item]]:
        attempts.append(ctx)
        proposal = new_reform(FR_OFFICIAL, at=ctx.recorded_at)
        return proposal, [proposal]

    result = runner(app, retries=1).run(FR_OFFICIAL, Meta(), step, creates=True)
    assert (result.version, result.position, result.created, result.replayed) == (1, 7, True, False)
    assert len(attempts) == 2
    assert app.exists(result.id)
