"""How every command runs: idempotency, expected versions, retries after a lost race.

The loop knows nothing of the application: it is typed against `CommandStore`, the three things
it needs (record, look up an earlier answer, find a position), so it is tested without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.model.errors import (
    AlreadyRecordedError,
    ConcurrencyConflictError,
    IdempotencyKeyReusedError,
)
from domain.model.item import Item
from domain.model.kinds import noun_of
from domain.model.texts import DEFAULT_LANG, Lang, TextInput
from domain.model.values import Actor, Context
from domain.storage import IdempotencyRecord


@dataclass(frozen=True)
class Meta:
    """What a command carries besides its payload: valid time, references, retry controls."""

    effective_on: date | None = None
    authority: str | None = None
    note: TextInput | None = None
    #: The language the command's texts are written in (`Content-Language`).
    lang: Lang = DEFAULT_LANG
    idempotency_key: str | None = None
    request_hash: str = ""
    expected_version: int | None = None


NO_META = Meta()


@dataclass(frozen=True)
class CommandResult:
    id: UUID
    version: int
    position: int
    #: The command recorded a new item (HTTP answers 201 for it, 200 otherwise).
    created: bool
    #: The answer of an earlier request with the same idempotency key; nothing was recorded.
    replayed: bool = False


#: A step loads what it needs, calls one aggregate method, and answers
#: (the item the command is about, every aggregate to save).
Step = Callable[[Context], tuple[Item, Sequence[Item]]]


class CommandStore(Protocol):
    def record(
        self, item: Item, aggregates: Sequence[Item], idempotency: IdempotencyRecord | None
    ) -> int:
        """Saves in one transaction; answers the position of `item`'s last event.

        Raises `IntegrityError` when another writer got there first (a version or a key).
        """

    def exists(self, item_id: UUID) -> bool: ...

    def find_idempotency(self, subject: str, key: str) -> IdempotencyRecord | None: ...

    def position_of(self, originator_id: UUID, version: int) -> int | None: ...


class CommandRunner:
    def __init__(self, store: CommandStore, retries: int, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.retries = retries
        self.clock = clock

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
                lang=meta.lang,
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
                    created=creates,
                    created_at=ctx.recorded_at,
                )
            try:
                position = self.store.record(item, to_save, record)
            except IntegrityError:
                # Either another request took this idempotency key, or the item moved on:
                # answer the first, re-run the second against the fresh state.
                if meta.idempotency_key is not None:
                    replayed = self._replay(actor, meta)
                    if replayed is not None:
                        return replayed
                if creates and self.store.exists(item.id):  # a retry cannot help
                    msg = f"{noun_of(type(item))} {item.id} exists already"
                    raise AlreadyRecordedError(msg) from None
                continue
            return CommandResult(item.id, item.version, position, created=creates)
        msg = f"the item changed {self.retries + 1} times while the command ran; try again"
        raise ConcurrencyConflictError(msg)

    def _replay(self, actor: Actor, meta: Meta) -> CommandResult | None:
        key = meta.idempotency_key
        record = None if key is None else self.store.find_idempotency(actor.subject, key)
        if record is None:
            return None
        if record.request_hash != meta.request_hash:
            msg = "this Idempotency-Key was used with a different request"
            raise IdempotencyKeyReusedError(msg, field="Idempotency-Key")
        position = self.store.position_of(record.item_id, record.version) or 0
        return CommandResult(
            record.item_id, record.version, position, created=record.created, replayed=True
        )
