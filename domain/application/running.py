"""How every command runs: idempotency, expected versions, retries after a lost race."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.model.errors import (
    AlreadyRecordedError,
    ConcurrencyConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    StaleVersionError,
)
from domain.model.item import Item
from domain.model.values import Actor, Context
from domain.storage import IdempotencyRecord

if TYPE_CHECKING:
    from domain.application.core import LedgerCore

ItemT = TypeVar("ItemT", bound=Item)


@dataclass(frozen=True)
class Meta:
    """What a command carries besides its payload: valid time, references, retry controls."""

    effective_on: date | None = None
    authority: str | None = None
    note: str | None = None
    idempotency_key: str | None = None
    request_hash: str = ""
    expected_version: int | None = None


NO_META = Meta()
CREATED, OK = 201, 200


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    version: int
    position: int
    created: bool
    replayed: bool = False


#: A step loads what it needs, calls one aggregate method, and answers
#: (the item the command is about, every aggregate to save).
Step = Callable[[Context], tuple[Item, Sequence[Item]]]


class CommandRunner:
    def __init__(self, app: LedgerCore, retries: int, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.retries = retries
        self.clock = clock

    def load(self, cls: type[ItemT], item_id: UUID, expected_version: int | None = None) -> ItemT:
        try:
            item: object = self.app.repository.get(item_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {_noun(cls)} {item_id}") from None
        if not isinstance(item, cls):
            raise NotFoundError(f"no {_noun(cls)} {item_id}")
        if expected_version is not None and item.version != expected_version:
            msg = f"{_noun(cls)} {item_id} is at version {item.version}, not {expected_version}"
            raise StaleVersionError(msg, current_version=item.version)
        return item

    def run(self, actor: Actor, meta: Meta, step: Step, *, creates: bool) -> CommandResult:
        if meta.idempotency_key is not None:
            replayed = self._replay(actor, meta)
            if replayed is not None:
                return replayed
        for _ in range(self.retries + 1):
            ctx = Context(
                actor=actor,
                recorded_at=self.clock(),
                effective_on=meta.effective_on,
                authority=meta.authority,
                note=meta.note,
            )
            item, to_save = step(ctx)
            record = None
            if meta.idempotency_key is not None:
                record = IdempotencyRecord(
                    subject=actor.subject,
                    key=meta.idempotency_key,
                    request_hash=meta.request_hash,
                    item_id=item.id,
                    version=item.version,
                    status=CREATED if creates else OK,
                    created_at=ctx.recorded_at,
                )
            try:
                recordings = self.app.save(*to_save, idempotency=record)
            except IntegrityError:
                # Either another request took this idempotency key, or the item moved on:
                # answer the first, re-run the second against the fresh state.
                if meta.idempotency_key is not None:
                    replayed = self._replay(actor, meta)
                    if replayed is not None:
                        return replayed
                if creates and item.id in self.app.repository:  # a retry cannot help
                    msg = f"{_noun(type(item))} {item.id} exists already"
                    raise AlreadyRecordedError(msg) from None
                continue
            position = max(
                r.notification.id for r in recordings if r.domain_event.originator_id == item.id
            )
            return CommandResult(item.id, item.version, position, created=creates)
        msg = f"the item changed {self.retries + 1} times while the command ran; try again"
        raise ConcurrencyConflictError(msg)

    def _replay(self, actor: Actor, meta: Meta) -> CommandResult | None:
        key = meta.idempotency_key
        record = (
            None if key is None else self.app.ledger_recorder.find_idempotency(actor.subject, key)
        )
        if record is None:
            return None
        if record.request_hash != meta.request_hash:
            msg = "this Idempotency-Key was used with a different request"
            raise IdempotencyKeyReusedError(msg, field="Idempotency-Key")
        position = self.app.ledger_recorder.position_of(record.item_id, record.version) or 0
        return CommandResult(
            record.item_id,
            record.version,
            position,
            created=record.status == CREATED,
            replayed=True,
        )


def _noun(cls: type[Item]) -> str:
    return {"ReformProposal": "reform proposal"}.get(cls.__name__, cls.__name__.lower())
